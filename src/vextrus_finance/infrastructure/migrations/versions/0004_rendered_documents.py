"""Rendered documents: the stored bytes of each Mushak-6.3 (HTML and PDF, per language), so a
tax invoice is rendered once and then served. A new, empty table: existing data is untouched.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rendered_documents",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("invoice_version", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "invoice_id",
            "format",
            "lang",
            "source_sha256",
            name="pk_rendered_documents",
        ),
    )


def downgrade() -> None:
    op.drop_table("rendered_documents")
