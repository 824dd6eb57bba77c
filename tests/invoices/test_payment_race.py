"""Two payments racing for the last taka of an invoice: exactly one completes. On PostgreSQL
they really run at once (the loser conflicts on the invoice stream, retries, and is refused);
on SQLite they queue for the one writer. Either way no invoice is ever overpaid."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

from tests.integration.helpers import run
from tests.invoices.helpers import new_invoice, new_payment, seed_tenant, simple_line
from vextrus_finance.application.invoicing.payments import CompletePayment, complete_payment
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.invoices import InvoiceStatus
from vextrus_finance.domain.payments import PaymentStatus

INVOICES = 4


async def _complete(container: Container, payment_id: str) -> str:
    command = CompletePayment(payment_id, "TXN-RACE-1")
    try:
        await run(container, "t1", lambda uow: complete_payment(uow, command))
    except InvalidInput as error:
        assert error.code == "overpayment"
        return "refused"
    return "completed"


async def test_two_payments_race_for_the_last_taka(container: Container) -> None:
    await seed_tenant(container, "t1")
    races: dict[str, list[str]] = {}
    for _ in range(INVOICES):
        invoice_id = await new_invoice(container, "t1", simple_line("1001.00"))
        await new_payment(container, "t1", invoice_id, "1000.00")
        races[invoice_id] = [
            await new_payment(container, "t1", invoice_id, "1.00", complete=False) for _ in range(2)
        ]

    # Every racer of every invoice at once.
    racers = [p for pair in races.values() for p in pair]
    outcomes = dict(
        zip(racers, await asyncio.gather(*(_complete(container, p) for p in racers)), strict=True)
    )

    async with container.invoice_reader("t1") as reader:
        for invoice_id, pair in races.items():
            assert sorted(outcomes[p] for p in pair) == ["completed", "refused"]
            invoice = await reader.invoice(invoice_id, today=date(2025, 8, 10))
            assert invoice is not None
            assert invoice.status is InvoiceStatus.PAID
            assert invoice.paid_amount == Decimal("1001.00")
            statuses = []
            for p in pair:
                view = await reader.payment(p)
                assert view is not None
                statuses.append(view.status)
            assert sorted(statuses) == [PaymentStatus.COMPLETED, PaymentStatus.PENDING]
    async with container.reader("t1") as ledger:
        receivable = await ledger.account_by_code("1200")
        cash = await ledger.account_by_code("1100")
    assert receivable is not None
    assert cash is not None
    assert receivable.balance == 0
    assert cash.balance == Decimal("1001.00") * INVOICES
    if not container.db.is_sqlite:
        # They really ran at once: the losers conflicted on the invoice stream and retried.
        assert container.runner.stats.conflicts >= 1
