"""An index on invoices (tenant_id, control_account_code): an account an invoice names as its
control account is a control account (ADR 0037, amended), checked inside the posting lock
statement as one probe of this index.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_invoices_tenant_control_account", "invoices", ["tenant_id", "control_account_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_tenant_control_account", table_name="invoices")
