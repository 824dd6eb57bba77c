"""Demo data for invoices: the demo tenant's company profile, a few sales and purchase
invoices, and payments by bKash, bank and cheque, dated inside the current fiscal year. The
data is the `company`, `invoices` and `payments` of application/demo_books.toml."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
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
from vextrus_finance.application.seed import DEMO_BOOKS, Row, demo_day, load_rows
from vextrus_finance.domain.invoices import InvoiceKind, LineSpec
from vextrus_finance.domain.payments import PaymentMethod, WalletProvider
from vextrus_finance.domain.vat import VatRate

DEMO_COMPANY = SetCompanyProfile(**DEMO_BOOKS["company"])


def _counterparty(row: Row) -> CounterpartySpec:
    if "party" not in row:
        return CounterpartySpec(**row["counterparty"])
    party = DEMO_BOOKS["parties"][row["party"]]
    return CounterpartySpec(
        party["name"], address=party.get("address"), bin=party.get("bin"), tin=party.get("tin")
    )


def _line(row: Row) -> LineSpec:
    return LineSpec(
        row["description"],
        row["quantity"],
        Decimal(row["unit_price"]),
        VatRate[row["vat_rate"]],
        row.get("unit"),
        row.get("hs_code"),
        sd_rate=row.get("sd_rate", "0"),
        ait_rate=row.get("ait_rate", "0"),
    )


def _invoice(row: Row, today: date) -> CreateInvoice:
    return CreateInvoice(
        InvoiceKind[row["kind"]],
        _counterparty(row),
        demo_day(today, row["date"]),
        demo_day(today, row["due"]),
        tuple(_line(line) for line in row["lines"]),
    )


def _payment(row: Row, today: date, invoice_ids: Mapping[str, str], bank: str) -> CreatePayment:
    wallet = row.get("wallet")
    return CreatePayment(
        Decimal(row["amount"]),
        PaymentMethod[row["method"]],
        demo_day(today, row["date"]),
        invoice_ids[row["invoice"]],
        check_number=row.get("check_number"),
        wallet=WalletSpec(
            WalletProvider[wallet["provider"]], wallet["mobile_number"], wallet["transaction_id"]
        )
        if wallet
        else None,
        bank_account_id=bank if "bank_account" in row else None,
    )


# Checked once here, so a broken demo never fails half-way through a seed.
_SAMPLE = date(2000, 1, 1)
_KEYS = {row["key"]: row["key"] for row in DEMO_BOOKS["invoices"]}
load_rows("demo_books.toml [[invoices]]", DEMO_BOOKS["invoices"], lambda r: _invoice(r, _SAMPLE))
load_rows(
    "demo_books.toml [[payments]]",
    DEMO_BOOKS["payments"],
    lambda r: _payment(r, _SAMPLE, _KEYS, "bank"),
)

Step = Callable[[UnitOfWork], Awaitable[str]]
Run = Callable[[Step], Awaitable[str]]


async def seed_demo_invoices(run: Run, today: date) -> int:
    """The demo invoices, approved, and their payments, completed; answers how many invoices
    were made. Each step runs in its own transaction (`run`): a command loads what earlier
    ones committed."""
    await run(lambda uow: set_company_profile(uow, DEMO_COMPANY))
    invoice_ids: dict[str, str] = {}
    for row in DEMO_BOOKS["invoices"]:
        invoice_ids[row["key"]] = await run_create(run, _invoice(row, today))
    for invoice_id in invoice_ids.values():
        approval = ApproveInvoice(invoice_id)
        await run(partial(approve_invoice, cmd=approval))

    async def bank_account(uow: UnitOfWork) -> str:
        return (await uow.accounts.by_codes(["1120-01"]))["1120-01"].id

    bank = await run(bank_account)
    for row in DEMO_BOOKS["payments"]:
        command = _payment(row, today, invoice_ids, bank)
        payment_id = await run(partial(create_payment, cmd=command))
        completion = CompletePayment(payment_id, f"DEMO-{payment_id[:8]}")
        await run(partial(complete_payment, cmd=completion))
    return len(invoice_ids)


async def run_create(run: Run, command: CreateInvoice) -> str:
    return await run(lambda uow: create_invoice(uow, command))
