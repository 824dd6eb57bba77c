"""Invoices, payments and the tenant's posting and company profiles (read models).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
TENANT = sa.String(64)
ID = sa.String(64)
MONEY = sa.BigInteger
RATE = sa.String(8)


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counterparty_id", sa.String(64)),
        sa.Column("counterparty_name", sa.String(255), nullable=False),
        sa.Column("counterparty_address", sa.String(500)),
        sa.Column("counterparty_bin", sa.String(13)),
        sa.Column("counterparty_tin", sa.String(12)),
        sa.Column("invoice_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("fiscal_year", sa.String(12), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("subtotal", MONEY, nullable=False),
        sa.Column("sd_total", MONEY, nullable=False),
        sa.Column("vat_total", MONEY, nullable=False),
        sa.Column("ait_total", MONEY, nullable=False),
        sa.Column("grand_total", MONEY, nullable=False),
        sa.Column("payable_total", MONEY, nullable=False),
        sa.Column("paid_amount", MONEY, nullable=False),
        sa.Column("mushak_number", sa.String(32)),
        sa.Column("issued_at", TS),
        sa.Column("journal_id", ID),
        sa.Column("cancellation_journal_id", ID),
        sa.Column("cancel_reason", sa.String(500)),
        sa.Column("approved_at", TS),
        sa.Column("approved_by", sa.String(255)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_invoices"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_invoices_tenant_number"),
        sa.UniqueConstraint("tenant_id", "mushak_number", name="uq_invoices_tenant_mushak_number"),
    )
    op.create_index("ix_invoices_tenant_date", "invoices", ["tenant_id", "invoice_date", "number"])
    op.create_index(
        "ix_invoices_tenant_open", "invoices", ["tenant_id", "kind", "status", "due_date"]
    )
    op.create_index("ix_invoices_tenant_counterparty", "invoices", ["tenant_id", "counterparty_id"])

    op.create_table(
        "invoice_lines",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("invoice_id", ID, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("quantity", sa.String(24), nullable=False),
        sa.Column("unit", sa.String(32)),
        sa.Column("unit_price", MONEY, nullable=False),
        sa.Column("hs_code", sa.String(16)),
        sa.Column("vat_rate", sa.String(16), nullable=False),
        sa.Column("sd_rate", RATE, nullable=False),
        sa.Column("ait_rate", RATE, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("sd_amount", MONEY, nullable=False),
        sa.Column("vat_amount", MONEY, nullable=False),
        sa.Column("ait_amount", MONEY, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "invoice_id", "line_no", name="pk_invoice_lines"),
    )

    op.create_table(
        "payments",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("invoice_id", ID),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payment_date", sa.Date, nullable=False),
        sa.Column("reference", sa.String(255)),
        sa.Column("bank_account_id", ID),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("check_number", sa.String(64)),
        sa.Column("wallet_provider", sa.String(16)),
        sa.Column("wallet_mobile_number", sa.String(16)),
        sa.Column("wallet_transaction_id", sa.String(64)),
        sa.Column("transaction_reference", sa.String(255)),
        sa.Column("journal_id", ID),
        sa.Column("completed_at", TS),
        sa.Column("failure_reason", sa.String(500)),
        sa.Column("bank_transaction_id", sa.String(128)),
        sa.Column("reconciled_at", TS),
        sa.Column("reversal_reason", sa.String(500)),
        sa.Column("reversal_journal_id", ID),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_payments"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_payments_tenant_number"),
        sa.UniqueConstraint(
            "tenant_id", "bank_transaction_id", name="uq_payments_tenant_bank_transaction"
        ),
    )
    op.create_index("ix_payments_tenant_invoice", "payments", ["tenant_id", "invoice_id"])
    op.create_index("ix_payments_tenant_date", "payments", ["tenant_id", "payment_date", "number"])

    op.create_table(
        "posting_profile_accounts",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("account_code", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "role", name="pk_posting_profile_accounts"),
    )

    op.create_table(
        "company_profiles",
        sa.Column("tenant_id", TENANT, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("address", sa.String(500)),
        sa.Column("bin", sa.String(13)),
        sa.Column("tin", sa.String(12)),
        sa.Column("phone", sa.String(32)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_company_profiles"),
    )


def downgrade() -> None:
    for table in (
        "company_profiles",
        "posting_profile_accounts",
        "payments",
        "invoice_lines",
        "invoices",
    ):
        op.drop_table(table)
