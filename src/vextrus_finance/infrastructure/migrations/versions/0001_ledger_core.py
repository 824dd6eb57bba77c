"""Ledger core: event store, snapshots, idempotency keys, counters and the ledger read models.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)
TENANT = sa.String(64)
ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("stream_type", sa.String(32), nullable=False),
        sa.Column("stream_id", ID, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.SmallInteger, nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("metadata", JSON, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_events"),
        sa.UniqueConstraint("event_id", name="uq_events_event_id"),
        sa.UniqueConstraint("tenant_id", "stream_id", "version", name="uq_events_stream_version"),
    )
    op.create_index("ix_events_tenant_position", "events", ["tenant_id", "position"])

    op.create_table(
        "event_log_head",
        sa.Column("id", sa.SmallInteger, nullable=False, autoincrement=False),
        sa.Column("last_position", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event_log_head"),
    )
    op.execute("INSERT INTO event_log_head (id, last_position) VALUES (1, 0)")

    op.create_table(
        "snapshots",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("stream_id", ID, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("stream_type", sa.String(32), nullable=False),
        sa.Column("schema_version", sa.SmallInteger, nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "stream_id", "version", name="pk_snapshots"),
    )

    op.create_table(
        "idempotency_keys",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.SmallInteger, nullable=False),
        sa.Column("response", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])

    op.create_table(
        "counters",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "name", name="pk_counters"),
    )

    op.create_table(
        "accounts",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("parent_id", ID),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("balance_limit", sa.String(16)),
        sa.Column("debit_total", sa.BigInteger, nullable=False),
        sa.Column("credit_total", sa.BigInteger, nullable=False),
        sa.Column("deactivated_at", TS),
        sa.Column("deactivation_reason", sa.String(500)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_accounts"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_accounts_tenant_code"),
    )
    op.create_index("ix_accounts_tenant_parent", "accounts", ["tenant_id", "parent_id"])

    op.create_table(
        "account_period_totals",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("month", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("debit", sa.BigInteger, nullable=False),
        sa.Column("credit", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "account_id", "month", name="pk_account_period_totals"
        ),
    )
    op.create_index(
        "ix_account_period_totals_tenant_month", "account_period_totals", ["tenant_id", "month"]
    )

    op.create_table(
        "journals",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("reference", sa.String(255)),
        sa.Column("fiscal_period", sa.String(16), nullable=False),
        sa.Column("total_debit", sa.BigInteger, nullable=False),
        sa.Column("total_credit", sa.BigInteger, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("posted_at", TS),
        sa.Column("posted_by", sa.String(255)),
        sa.Column("reversed_by_id", ID),
        sa.Column("reverses_id", ID),
        sa.Column("cancel_reason", sa.String(500)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_journals"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_journals_tenant_number"),
    )
    op.create_index("ix_journals_tenant_date", "journals", ["tenant_id", "date", "number"])
    op.create_index("ix_journals_tenant_status", "journals", ["tenant_id", "status"])
    op.create_index("ix_journals_tenant_period", "journals", ["tenant_id", "fiscal_period"])

    op.create_table(
        "journal_lines",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("journal_id", ID, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("account_code", sa.String(64), nullable=False),
        sa.Column("debit", sa.BigInteger, nullable=False),
        sa.Column("credit", sa.BigInteger, nullable=False),
        sa.Column("description", sa.String(500)),
        sa.Column("cost_center", sa.String(64)),
        sa.Column("project", sa.String(64)),
        sa.Column("tax_code", sa.String(64)),
        sa.PrimaryKeyConstraint("tenant_id", "journal_id", "line_no", name="pk_journal_lines"),
    )

    op.create_table(
        "ledger_entries",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("journal_id", ID, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("entry_date", sa.Date, nullable=False),
        sa.Column("posted_at", TS, nullable=False),
        sa.Column("line_id", ID, nullable=False),
        sa.Column("journal_number", sa.String(32), nullable=False),
        sa.Column("journal_type", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("description", sa.String(500)),
        sa.Column("reference", sa.String(255)),
        sa.Column("debit", sa.BigInteger, nullable=False),
        sa.Column("credit", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "journal_id", "line_no", name="pk_ledger_entries"),
    )
    op.create_index(
        "ix_ledger_entries_account_order",
        "ledger_entries",
        ["tenant_id", "account_id", "entry_date", "posted_at", "journal_id", "line_no"],
    )
    op.create_index("ix_ledger_entries_tenant_date", "ledger_entries", ["tenant_id", "entry_date"])

    op.create_table(
        "fiscal_periods",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("fiscal_year", sa.String(12), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
        sa.Column("changed_by", sa.String(255), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "code", name="pk_fiscal_periods"),
    )


def downgrade() -> None:
    for table in (
        "fiscal_periods",
        "ledger_entries",
        "journal_lines",
        "journals",
        "account_period_totals",
        "accounts",
        "counters",
        "idempotency_keys",
        "snapshots",
        "event_log_head",
        "events",
    ):
        op.drop_table(table)
