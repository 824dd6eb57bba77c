"""The in-memory unit of work answers as the SQL one does: the same commands on both, then
the same views read back (ids the commands make up themselves left out)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from tests.application.harness import DAY, NOW, TENANT, Books
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
from vextrus_finance.application.ledger.accounts import (
    DeactivateAccount,
    OpenAccount,
    deactivate_account,
    open_account,
)
from vextrus_finance.application.ledger.journals import (
    CreateJournal,
    LineSpec,
    ReverseJournal,
    create_journal,
    reverse_journal,
)
from vextrus_finance.application.ledger.periods import ChangePeriod, change_period
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.seed import seed_chart
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.fiscal import period_of
from vextrus_finance.domain.invoices import InvoiceKind
from vextrus_finance.domain.invoices import LineSpec as InvoiceLine
from vextrus_finance.domain.payments import PaymentMethod
from vextrus_finance.domain.vat import VatRate

T = TypeVar("T")
Run = Callable[[Callable[[UnitOfWork], Awaitable[Any]]], Awaitable[Any]]
ACCOUNTS = ("a-travel", "a-misc")
JOURNALS = ("j-1", "j-2", "j-3", "j-rev")


def _line(code: str, debit: str, credit: str) -> LineSpec:
    return LineSpec(None, code, Decimal(debit), Decimal(credit), description=f"{code} line")


async def _scenario(run: Run) -> dict[str, Any]:
    """Seed a chart, post, draft, reverse, invoice and pay, close last month; read it all."""

    async def seed(uow: UnitOfWork) -> None:
        await seed_chart(uow)
        await seed_posting_profile(uow)
        for account_id, code in zip(ACCOUNTS, ("6900", "6910"), strict=True):
            await open_account(
                uow,
                OpenAccount(code, f"Expense {code}", AccountType.EXPENSE, account_id=account_id),
            )

    await run(seed)
    sale = (_line("1120-01", "250.50", "0"), _line("4100", "0", "250.50"))
    spend = (_line("6900", "40", "0"), _line("1100", "0", "40"))
    cash_in = (_line("1100", "100", "0"), _line("3100", "0", "100"))
    for journal_id, entry, post, day in (
        ("j-1", cash_in, True, date(2026, 11, 3)),
        ("j-2", spend, True, DAY),
        ("j-3", sale, False, DAY),
    ):
        command = CreateJournal(
            day, f"journal {journal_id}", entry, post=post, journal_id=journal_id
        )
        await run(lambda uow, c=command: create_journal(uow, c))
    reversal = ReverseJournal("j-2", DAY, reason="booked twice", reversal_id="j-rev")
    await run(lambda uow: reverse_journal(uow, reversal))
    retire = DeactivateAccount("a-misc", "never used for anything")
    await run(lambda uow: deactivate_account(uow, retire))
    goods = (InvoiceLine("rods", "3", Decimal("1000"), VatRate.STANDARD, ait_rate="2"),)
    party = CounterpartySpec("Rahim Traders", bin="000000001-0101")
    draft = CreateInvoice(InvoiceKind.SALES, party, DAY, DAY, goods, invoice_id="inv-1")
    await run(lambda uow: create_invoice(uow, draft))
    await run(lambda uow: approve_invoice(uow, ApproveInvoice("inv-1")))
    pay = CreatePayment(Decimal("1000"), PaymentMethod.CASH, DAY, "inv-1", payment_id="pay-1")
    await run(lambda uow: create_payment(uow, pay))
    await run(
        lambda uow: complete_payment(uow, CompletePayment("pay-1", "receipt 1", journal_id="j-pay"))
    )
    last_month = period_of(date(2026, 10, 15)).code
    await run(lambda uow: change_period(uow, ChangePeriod(last_month, "month end", close=True)))

    async def read(uow: UnitOfWork) -> dict[str, Any]:
        views: dict[str, Any] = {}
        for account_id in ACCOUNTS:
            views[account_id] = await uow.reader.account(account_id)
        for code in ("1100", "1120-01", "1200", "2200", "1310", "3100", "4100"):
            views[code] = _stripped(await uow.reader.account_by_code(code), "id", "parent_id")
        for journal_id in (*JOURNALS, "j-pay"):
            views[journal_id] = _journal(await uow.reader.journal(journal_id))
        invoice = await uow.invoices.invoice("inv-1", today=DAY)
        assert invoice is not None
        assert invoice.journal_id is not None
        sales_journal = _journal(await uow.reader.journal(invoice.journal_id))
        views["sales journal"] = _stripped(sales_journal, "id")
        views["inv-1"] = replace(
            invoice, journal_id="", counterparty=replace(invoice.counterparty, id="")
        )
        payment = await uow.invoices.payment("pay-1")
        assert payment is not None
        views["pay-1"] = _stripped(payment, "counterparty_id", "account_id")
        assert invoice.counterparty.bin is not None
        views["by bin"] = _stripped(await uow.counterparties.by_bin(invoice.counterparty.bin), "id")
        views["status"] = await uow.periods.status(period_of(date(2026, 10, 15)))
        views["movements"] = await uow.accounts.daily_movements_after(
            (await uow.accounts.by_codes(["1100"]))["1100"].id, date(2026, 11, 1)
        )
        for as_of in (date(2026, 11, 3), DAY):
            rows = await uow.reader.net_balances_as_of(as_of, "BDT")
            views[f"net {as_of}"] = sorted(row[1:] for row in rows)
        views["fiscal years"] = await uow.reader.fiscal_years_seen()
        return views

    views: dict[str, Any] = await run(read)
    return views


def _stripped(view: Any, *made_up: str) -> Any:
    """Without the ids a command made up."""
    return replace(view, **dict.fromkeys(made_up, ""))


def _journal(view: Any) -> Any:
    return replace(view, lines=[replace(line, id="", account_id="") for line in view.lines])


async def test_the_memory_unit_of_work_answers_as_the_database(container: Container) -> None:
    container.uow_factory.calendar = replace(container.uow_factory.calendar, clock=lambda: NOW)
    books = Books()

    async def on_sql(decide: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        return await run(container, TENANT, decide, user="ann")

    expected = await _scenario(on_sql)
    found = await _scenario(books.run)
    assert found.keys() == expected.keys()
    for key, view in expected.items():
        assert found[key] == view, key


async def test_what_the_memory_unit_of_work_does_not_keep_it_says() -> None:
    books = Books()

    async def trial_balance(uow: UnitOfWork) -> object:
        return await uow.reader.balances_as_of(DAY, "BDT")

    with pytest.raises(NotImplementedError, match=r"MemoryLedgerReader\.balances_as_of"):
        await books.run(trial_balance)
