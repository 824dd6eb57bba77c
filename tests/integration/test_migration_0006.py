"""Migration 0006 (issue 15's invoice fields) on a database that already holds invoices and
payments, including two payments that share a wallet transaction id: it upgrades, keeps every
row, and leaves the new columns empty (the posting profile's accounts, no supplier number)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command

from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure import migrations

NOW = datetime(2025, 8, 10, 5, 0, tzinfo=UTC)


def _downgrade(connection: Any, revision: str) -> None:
    config = migrations.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _invoice(number: str) -> dict[str, Any]:
    money = dict.fromkeys(
        ("subtotal", "sd_total", "vat_total", "ait_total", "grand_total", "payable_total"), 100
    )
    return {
        "tenant_id": "t1",
        "id": f"id-{number}",
        "number": number,
        "kind": "PURCHASE",
        "status": "APPROVED",
        "counterparty_name": "Meghna Cement Mills",
        "invoice_date": date(2025, 8, 10),
        "due_date": date(2025, 9, 9),
        "fiscal_year": "FY2025-2026",
        "currency": "BDT",
        "paid_amount": 0,
        "created_at": NOW,
        "created_by": "u",
        "version": 2,
        **money,
    }


def _payment(number: str) -> dict[str, Any]:
    return {
        "tenant_id": "t1",
        "id": f"id-{number}",
        "number": number,
        "direction": "IN",
        "amount": 500,
        "currency": "BDT",
        "method": "MOBILE_WALLET",
        "status": "COMPLETED",
        "payment_date": date(2025, 8, 10),
        "account_id": "acc",
        "wallet_provider": "BKASH",
        "wallet_mobile_number": "01712345678",
        "wallet_transaction_id": "TRX-SAME",  # a duplicate the old rules let through
        "created_at": NOW,
        "created_by": "u",
        "version": 2,
    }


async def test_0006_upgrades_a_database_holding_invoices_and_payments(
    container: Container,
) -> None:
    async with container.db.writer() as conn:
        if container.db.is_sqlite:
            await conn.begin()
        await conn.run_sync(_downgrade, "0003")
        old = sa.MetaData()
        await conn.run_sync(old.reflect, only=["invoices", "invoice_lines", "payments"])
        assert "supplier_invoice_number" not in old.tables["invoices"].c
        await conn.execute(
            sa.insert(old.tables["invoices"]), [_invoice("BILL-1"), _invoice("BILL-2")]
        )
        await conn.execute(
            sa.insert(old.tables["invoice_lines"]),
            {
                "tenant_id": "t1",
                "invoice_id": "id-BILL-1",
                "line_no": 1,
                "description": "cement",
                "quantity": "1",
                "unit_price": 100,
                "vat_rate": "ZERO",
                "sd_rate": "0",
                "ait_rate": "0",
                "amount": 100,
                "sd_amount": 0,
                "vat_amount": 0,
                "ait_amount": 0,
            },
        )
        await conn.execute(sa.insert(old.tables["payments"]), [_payment("P-1"), _payment("P-2")])
        await migrations.upgrade(conn)
        await conn.commit()
    async with container.db.writer() as conn:
        assert await migrations.current_revision(conn) == migrations.head_revision()
        rows = await conn.execute(
            sa.text(
                "SELECT number, supplier_invoice_number, control_account_code, destination "
                "FROM invoices ORDER BY number"
            )
        )
        assert [tuple(r) for r in rows] == [
            ("BILL-1", None, None, None),
            ("BILL-2", None, None, None),
        ]
        lines = await conn.execute(sa.text("SELECT description, account_code FROM invoice_lines"))
        assert [tuple(r) for r in lines] == [("cement", None)]
        payments = await conn.execute(sa.text("SELECT count(*) FROM payments"))
        assert payments.scalar_one() == 2
