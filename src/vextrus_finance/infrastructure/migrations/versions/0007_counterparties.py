"""Counterparties: customers and suppliers as records (read model of the `counterparty`
streams, ADR 0037), and the counterparty of a journal line. A new, empty table and a
nullable column: existing rows stay as they are (their lines had no counterparty), so the
migration works on a database that already holds data.

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counterparties",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("bin", sa.String(13)),
        sa.Column("tin", sa.String(12)),
        sa.Column("address", sa.String(500)),
        sa.Column("mobile", sa.String(16)),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_counterparties"),
        sa.UniqueConstraint("tenant_id", "bin", name="uq_counterparties_tenant_bin"),
    )
    op.create_index("ix_counterparties_tenant_name", "counterparties", ["tenant_id", "name", "id"])
    op.add_column("journal_lines", sa.Column("counterparty_id", sa.String(64)))
    op.add_column("payments", sa.Column("counterparty_id", sa.String(64)))


def downgrade() -> None:
    for table in ("payments", "journal_lines"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("counterparty_id")
    op.drop_index("ix_counterparties_tenant_name", table_name="counterparties")
    op.drop_table("counterparties")
