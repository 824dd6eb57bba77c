"""Each account's cash-flow class (CASH | OPERATING | INVESTING | FINANCING), which places its
movements in the cash flow statement (ADR 0047). Accounts opened before it get their type's
default — EQUITY → FINANCING, every other type → OPERATING — the same default the projection
gives an `AccountOpened` event recorded without a class, so a rebuild reproduces the column.
And an index on journals (tenant_id, type): the statements find the CLOSING journals of the
fiscal-year close through it, to leave them out.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A server default fills the existing rows (SQLite adds a NOT NULL column only with one);
    # every row the service writes names its class explicitly.
    op.add_column(
        "accounts",
        sa.Column(
            "cash_flow_class", sa.String(16), nullable=False, server_default=sa.text("'OPERATING'")
        ),
    )
    op.execute("UPDATE accounts SET cash_flow_class = 'FINANCING' WHERE type = 'EQUITY'")
    # The statements leave out the fiscal-year close: its CLOSING journals are found by type.
    op.create_index("ix_journals_tenant_type", "journals", ["tenant_id", "type"])


def downgrade() -> None:
    op.drop_index("ix_journals_tenant_type", table_name="journals")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("cash_flow_class")
