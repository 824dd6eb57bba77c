"""`verify` reports invoices and payments stored before the issue-15 rules held — a sales
invoice dated away from its day of issue, a payment dated before its invoice, a wallet
transaction completing two payments — without failing on them."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.invoices.helpers import DAY, new_invoice, new_payment, seed_tenant, simple_line
from vextrus_finance.application.invoicing.payments import WalletSpec
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.payments import Direction, PaymentMethod, WalletProvider
from vextrus_finance.infrastructure.db.schema import invoices, payments
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder


async def _wallet_advance(container: Container, transaction_id: str) -> str:
    return await new_payment(
        container,
        "t1",
        None,
        "5.00",
        method=PaymentMethod.MOBILE_WALLET,
        direction=Direction.IN,
        wallet=WalletSpec(WalletProvider.BKASH, "01712345678", transaction_id),
    )


async def test_verify_lists_what_was_stored_before_the_rules(container: Container) -> None:
    await seed_tenant(container, "t1")
    sale = await new_invoice(container, "t1", simple_line("100"))
    await new_payment(container, "t1", sale, "10.00")
    await _wallet_advance(container, "TRX0000001")
    second = await _wallet_advance(container, "TRX0000002")
    rebuilder = Rebuilder(container.db, container.store)
    clean = await rebuilder.verify()
    assert clean.ok
    assert clean.findings == []

    # What the old rules let through, written straight into the read models.
    async with container.db.write() as conn:
        await conn.execute(
            sa.update(invoices)
            .where(invoices.c.id == sale)
            .values(invoice_date=DAY + timedelta(days=5))
        )
        await conn.execute(
            sa.update(payments)
            .where(payments.c.id == second)
            .values(wallet_transaction_id="TRX0000001")
        )
    report = await rebuilder.verify()
    found = {(f.check, f.subject.split()[0]) for f in report.findings}
    assert found == {
        ("tax_invoice_date_not_issue_date", "INV-2025-08-000001"),
        ("payment_before_invoice", "PMT-2025-08-000001"),
        ("duplicate_wallet_transaction", "BKASH"),
    }
