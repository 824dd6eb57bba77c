"""Covering indexes for balances as of a date (the trial balance at 10,000 accounts).

The as-of-date query sums, per account, the stored month totals on one side of the date and
the ledger entries of the date's own month. With indexes on (tenant_id, month) and
(tenant_id, entry_date) alone, every matching row cost a lookup into the table: ~50,000 month
totals and ~35,000 entries for a date in the middle of two fiscal years, read in row order,
not index order. These indexes carry the account and the amounts, so both databases answer
from the index alone (PostgreSQL: an index-only scan). Each replaces the index it extends:
same leading columns, so every query that used the old one can use the new one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_account_period_totals_month_amounts",
        "account_period_totals",
        ["tenant_id", "month", "account_id", "debit", "credit"],
    )
    op.drop_index("ix_account_period_totals_tenant_month", table_name="account_period_totals")
    op.create_index(
        "ix_ledger_entries_date_amounts",
        "ledger_entries",
        ["tenant_id", "entry_date", "account_id", "debit", "credit"],
    )
    op.drop_index("ix_ledger_entries_tenant_date", table_name="ledger_entries")


def downgrade() -> None:
    op.create_index("ix_ledger_entries_tenant_date", "ledger_entries", ["tenant_id", "entry_date"])
    op.drop_index("ix_ledger_entries_date_amounts", table_name="ledger_entries")
    op.create_index(
        "ix_account_period_totals_tenant_month", "account_period_totals", ["tenant_id", "month"]
    )
    op.drop_index("ix_account_period_totals_month_amounts", table_name="account_period_totals")
