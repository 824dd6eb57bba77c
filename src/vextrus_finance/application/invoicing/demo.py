"""Demo data for invoices: the demo tenant's company profile, a few sales and purchase
invoices, and payments by bKash, bank and cheque, dated inside the current fiscal year."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

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
    WalletSpec,
    complete_payment,
    create_payment,
)
from vextrus_finance.application.invoicing.posting_profiles import (
    SetCompanyProfile,
    set_company_profile,
)
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.fiscal import fiscal_year_of
from vextrus_finance.domain.invoices import InvoiceKind, LineSpec
from vextrus_finance.domain.payments import PaymentMethod, WalletProvider
from vextrus_finance.domain.vat import VatRate

DEMO_COMPANY = SetCompanyProfile(
    name="Vextrus Demo Builders Ltd.",
    address="House 12, Road 7, Gulshan-1, Dhaka 1212",
    bin="0012345670101",
    tin="123456789012",
    phone="01711000000",
)


Step = Callable[[UnitOfWork], Awaitable[str]]
Run = Callable[[Step], Awaitable[str]]


async def seed_demo_invoices(run: Run, today: date) -> int:
    """Three invoices and three payments; answers how many invoices were made. Each step runs
    in its own transaction (`run`): a command loads what earlier ones committed."""
    await run(lambda uow: set_company_profile(uow, DEMO_COMPANY))
    start = fiscal_year_of(today).start

    def on(days: int) -> date:
        return min(today, start + timedelta(days=days))

    buyer = CounterpartySpec(
        "Gulshan Heights Owners' Association",
        address="Plot 5, Gulshan Avenue, Dhaka",
        bin="0009876540101",
    )
    flats = await run_create(
        run,
        CreateInvoice(
            InvoiceKind.SALES,
            buyer,
            today,  # a tax invoice is dated the day it is issued (ADR 0035)
            today + timedelta(days=30),
            (
                LineSpec(
                    "Construction services, progress bill 2",
                    "1",
                    Decimal("800000"),
                    VatRate.STANDARD,
                    "job",
                    "9954.00",
                    ait_rate="5",
                ),
                LineSpec(
                    "Ready-mix concrete",
                    "40",
                    Decimal("7500.50"),
                    VatRate.REDUCED_7_5,
                    "m3",
                    "3824.50.00",
                ),
            ),
        ),
    )
    rent = await run_create(
        run,
        CreateInvoice(
            InvoiceKind.SALES,
            CounterpartySpec("Dhanmondi Traders", tin="987654321098"),
            today,
            today + timedelta(days=10),
            (
                LineSpec(
                    "Shop rent, ground floor", "1", Decimal("50000"), VatRate.STANDARD, "month"
                ),
            ),
        ),
    )
    cement = await run_create(
        run,
        CreateInvoice(
            InvoiceKind.PURCHASE,
            CounterpartySpec("Meghna Cement Mills", bin="0001112220101"),
            on(32),
            on(62),
            (
                LineSpec(
                    "Portland composite cement, 50 kg bags",
                    "500",
                    Decimal("520"),
                    VatRate.STANDARD,
                    "bag",
                    "2523.29.00",
                    sd_rate="10",
                    ait_rate="3",
                ),
            ),
        ),
    )
    for invoice_id in (flats, rent, cement):
        approval = ApproveInvoice(invoice_id)
        await run(partial(approve_invoice, cmd=approval))

    async def bank_account(uow: UnitOfWork) -> str:
        return (await uow.accounts.by_codes(["1120-01"]))["1120-01"].id

    bank = await run(bank_account)
    bkash = WalletSpec(WalletProvider.BKASH, "+8801712345678", "BK8N4K2Q7Z")
    payments = (
        CreatePayment(
            Decimal("250000.00"), PaymentMethod.MOBILE_WALLET, today, flats, wallet=bkash
        ),
        CreatePayment(
            Decimal("57500.00"), PaymentMethod.CHECK, today, rent, check_number="CHQ-448812"
        ),
        CreatePayment(
            Decimal("100000.00"), PaymentMethod.BANK_TRANSFER, on(50), cement, bank_account_id=bank
        ),
    )
    for command in payments:
        payment_id = await run(partial(create_payment, cmd=command))
        completion = CompletePayment(payment_id, f"DEMO-{payment_id[:8]}")
        await run(partial(complete_payment, cmd=completion))
    return 3


async def run_create(run: Run, command: CreateInvoice) -> str:
    return await run(lambda uow: create_invoice(uow, command))
