"""Invoice fields of issue 15: the supplier's own invoice number and date (purchase bills), the
account per invoice line and the counterparty side's control account, the destination and
vehicle printed on a sales invoice's Mushak 6.3; indexes for the duplicate look-ups (a supplier
bill entered twice, a wallet transaction completed twice).

Every new column is nullable: existing invoices post to the posting profile's accounts and
carry no supplier number, exactly as before. The duplicate rules are checked by the commands
under a lock rather than by unique indexes, so a database that already holds duplicates
migrates (and rebuilds) without failing.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_INVOICE_COLUMNS = (
    ("supplier_invoice_number", sa.String(64)),
    ("supplier_invoice_date", sa.Date()),
    ("control_account_code", sa.String(64)),
    ("destination", sa.String(500)),
    ("vehicle_type", sa.String(64)),
    ("vehicle_number", sa.String(32)),
)


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        for name, type_ in _INVOICE_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("invoice_lines") as batch:
        batch.add_column(sa.Column("account_code", sa.String(64), nullable=True))
    op.create_index(
        "ix_invoices_tenant_supplier_invoice", "invoices", ["tenant_id", "supplier_invoice_number"]
    )
    op.create_index(
        "ix_payments_tenant_wallet",
        "payments",
        ["tenant_id", "wallet_provider", "wallet_transaction_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_payments_tenant_wallet", table_name="payments")
    op.drop_index("ix_invoices_tenant_supplier_invoice", table_name="invoices")
    with op.batch_alter_table("invoice_lines") as batch:
        batch.drop_column("account_code")
    with op.batch_alter_table("invoices") as batch:
        for name, _ in reversed(_INVOICE_COLUMNS):
            batch.drop_column(name)
