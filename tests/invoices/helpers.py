"""Driving invoice and payment commands through the application layer (no HTTP)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.api.invoice_helpers import issue_on
from tests.integration.helpers import run
from vextrus_finance.application.invoicing.invoices import (
    ApproveInvoice,
    CounterpartySpec,
    CreateInvoice,
    approve_invoice,
    create_invoice,
)
from vextrus_finance.application.invoicing.payments import (
    CompletePayment,
    CreatePayment,
    complete_payment,
    create_payment,
)
from vextrus_finance.application.invoicing.posting_profiles import seed_posting_profile
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.seed import seed_chart
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.invoices import InvoiceKind, LineSpec
from vextrus_finance.domain.payments import PaymentMethod
from vextrus_finance.domain.vat import VatRate

DAY = date(2025, 8, 10)


async def seed_tenant(container: Container, tenant: str) -> None:
    async def decide(uow: UnitOfWork) -> int:
        opened = await seed_chart(uow)
        await seed_posting_profile(uow)
        return opened

    await run(container, tenant, decide)


async def new_invoice(
    container: Container,
    tenant: str,
    *lines: LineSpec,
    kind: InvoiceKind = InvoiceKind.SALES,
    approve: bool = True,
    day: date = DAY,
) -> str:
    command = CreateInvoice(kind, CounterpartySpec("Counterparty"), day, day, tuple(lines))
    invoice_id = await run(container, tenant, lambda uow: create_invoice(uow, command))
    if approve:
        issue_on(container, day.isoformat())  # a SALES invoice is dated the day it is issued
        await run(container, tenant, lambda uow: approve_invoice(uow, ApproveInvoice(invoice_id)))
    return invoice_id


def simple_line(price: str, rate: VatRate = VatRate.ZERO) -> LineSpec:
    return LineSpec("goods", "1", Decimal(price), rate)


async def new_payment(
    container: Container,
    tenant: str,
    invoice_id: str | None,
    amount: str,
    *,
    method: PaymentMethod = PaymentMethod.CASH,
    complete: bool = True,
    **extra: object,
) -> str:
    command = CreatePayment(Decimal(amount), method, DAY, invoice_id=invoice_id, **extra)
    payment_id = await run(container, tenant, lambda uow: create_payment(uow, command))
    if complete:
        completion = CompletePayment(payment_id, "TXN-00001")
        await run(container, tenant, lambda uow: complete_payment(uow, completion))
    return payment_id
