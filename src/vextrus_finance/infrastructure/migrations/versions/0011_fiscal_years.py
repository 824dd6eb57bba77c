"""Fiscal years: the read model of the `fiscal_year` streams (ADR 0048), one row per year ever
closed or reopened. A new, empty table: a database without year closes has no events to
project into it, so the migration works on one that already holds data.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fiscal_years",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("closing_journal_id", sa.String(64)),
        sa.Column("retained_earnings_account_id", sa.String(64)),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(255), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "code", name="pk_fiscal_years"),
    )


def downgrade() -> None:
    op.drop_table("fiscal_years")
