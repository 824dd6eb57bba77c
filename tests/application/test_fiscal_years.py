"""The fiscal-year close and reopen on the in-memory unit of work (ADR 0048): the rules without
a database, through the real runner."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.application.harness import Books, lines
from vextrus_finance.application.ledger.fiscal_years import (
    CloseFiscalYear,
    ReopenFiscalYear,
    close_fiscal_year,
    list_fiscal_years,
    reopen_fiscal_year,
)
from vextrus_finance.application.ledger.journals import (
    CreateJournal,
    ReverseJournal,
    create_journal,
    reverse_journal,
)
from vextrus_finance.application.ledger.periods import ChangePeriod, change_period
from vextrus_finance.application.ledger.views import FiscalYearsSeen, FiscalYearView
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.errors import InvalidInput, InvalidState
from vextrus_finance.domain.fiscal import FiscalYear, PeriodStatus
from vextrus_finance.domain.fiscal_years import FiscalYearBook
from vextrus_finance.domain.journals import Journal, JournalStatus, JournalType

A, E, R, X = AccountType.ASSET, AccountType.EQUITY, AccountType.REVENUE, AccountType.EXPENSE
YEAR = "FY2025-2026"


@pytest.fixture
async def books() -> Books:
    books = Books()
    for code, account_type in (("1000", A), ("3200", E), ("4000", R), ("5000", X)):
        await books.open(code, account_type)
    return books


async def _post(books: Books, day: date, *spec: tuple[str, str, str]) -> str:
    command = CreateJournal(day, "Work", lines(*spec), post=True)
    return await books.run(lambda uow: create_journal(uow, command))


async def _close_periods(books: Books, year: str, months: range) -> None:
    for n in months:
        command = ChangePeriod(f"{year}-P{n:02d}", "month end", close=True, force=True)
        await books.run(lambda uow, c=command: change_period(uow, c))


async def _close(books: Books, year: str = YEAR, retained: str | None = None) -> FiscalYearBook:
    command = CloseFiscalYear(year, "year end", retained)
    await books.run(lambda uow: close_fiscal_year(uow, command))
    return await _book(books, year)


async def _reopen(books: Books, year: str = YEAR) -> FiscalYearBook:
    command = ReopenFiscalYear(year, "audit adjustment")
    await books.run(lambda uow: reopen_fiscal_year(uow, command))
    return await _book(books, year)


async def _book(books: Books, year: str) -> FiscalYearBook:
    return await books.run(lambda uow: uow.load(FiscalYearBook, year))


async def _journal(books: Books, journal_id: str) -> Journal:
    return await books.run(lambda uow: uow.load(Journal, journal_id))


async def _balances(books: Books, *codes: str) -> dict[str, Decimal]:
    async def read(uow: UnitOfWork) -> dict[str, Decimal]:
        found = {}
        for code in codes:
            view = await uow.reader.account_by_code(code)
            assert view is not None
            found[code] = view.balance
        return found

    return await books.run(read)


async def test_close_moves_revenue_and_expense_to_retained_earnings_and_reopen_undoes_it(
    books: Books,
) -> None:
    await _post(books, date(2025, 9, 1), ("1000", "500.00", "0"), ("4000", "0", "500.00"))
    await _post(books, date(2026, 2, 1), ("5000", "120.50", "0"), ("1000", "0", "120.50"))
    await _post(books, date(2026, 7, 2), ("1000", "7.00", "0"), ("4000", "0", "7.00"))
    codes = ("1000", "3200", "4000", "5000")
    before = await _balances(books, *codes)
    await _close_periods(books, YEAR, range(1, 13))

    book = await _close(books)
    assert book.status is PeriodStatus.CLOSED
    assert book.closing_journal_id is not None
    closing = (await _journal(books, book.closing_journal_id)).state
    assert (closing.type, closing.status, closing.date) == (
        JournalType.CLOSING,
        JournalStatus.POSTED,
        date(2026, 6, 30),
    )
    assert {(line.account_code, line.debit, line.credit) for line in closing.lines} == {
        ("4000", Decimal("500.00"), Decimal("0.00")),
        ("5000", Decimal("0.00"), Decimal("120.50")),
        ("3200", Decimal("0.00"), Decimal("379.50")),
    }
    # all-time balances: only the next year's revenue is left on 4000
    closed = {"1000": before["1000"], "3200": Decimal("379.50"), "4000": Decimal("7.00")}
    assert await _balances(books, *codes) == {**closed, "5000": Decimal("0.00")}

    with pytest.raises(InvalidState) as second:
        await _close(books)
    assert second.value.code == "year_closed"
    reopen_p12 = ChangePeriod(f"{YEAR}-P12", "late bill", close=False)
    with pytest.raises(InvalidState) as period:
        await books.run(lambda uow: change_period(uow, reopen_p12))
    assert period.value.code == "year_closed"
    by_hand = ReverseJournal(book.closing_journal_id, date(2026, 7, 31), "undo")
    with pytest.raises(InvalidState) as reversed_by_hand:
        await books.run(lambda uow: reverse_journal(uow, by_hand))
    assert reversed_by_hand.value.code == "closing_journal"

    reopened = await _reopen(books)
    assert (reopened.status, reopened.closing_journal_id) == (PeriodStatus.OPEN, None)
    original = (await _journal(books, book.closing_journal_id)).state
    assert original.status is JournalStatus.REVERSED
    assert original.reversed_by_id is not None
    reversal = (await _journal(books, original.reversed_by_id)).state
    assert (reversal.type, reversal.date) == (JournalType.CLOSING, date(2026, 6, 30))
    assert reversal.reverses_id == book.closing_journal_id
    assert await _balances(books, *codes) == before
    with pytest.raises(InvalidState) as not_closed:
        await _reopen(books)
    assert not_closed.value.code == "year_open"

    again = await _close(books)
    assert again.closing_journal_id not in (None, book.closing_journal_id)
    assert await _balances(books, *codes) == {**closed, "5000": Decimal("0.00")}


async def test_periods_open_names_every_open_period(books: Books) -> None:
    await _close_periods(books, YEAR, range(1, 12))
    with pytest.raises(InvalidState) as refused:
        await _close(books)
    assert refused.value.code == "periods_open"
    assert [(i.field, i.message) for i in refused.value.issues] == [("periods", f"{YEAR}-P12")]
    assert (await _book(books, YEAR)).status is PeriodStatus.OPEN


async def test_only_the_close_posts_into_the_closed_last_period(books: Books) -> None:
    await _post(books, date(2026, 6, 30), ("5000", "9.00", "0"), ("1000", "0", "9.00"))
    await _close_periods(books, YEAR, range(1, 13))
    with pytest.raises(InvalidInput) as refused:
        await _post(books, date(2026, 6, 30), ("5000", "1.00", "0"), ("1000", "0", "1.00"))
    assert refused.value.code == "period_closed"
    manual = CreateJournal(
        date(2026, 7, 1),
        "By hand",
        lines(("3200", "1", "0"), ("1000", "0", "1")),
        type=JournalType.CLOSING,
        post=True,
    )
    with pytest.raises(InvalidInput) as closing_by_hand:
        await books.run(lambda uow: create_journal(uow, manual))
    assert closing_by_hand.value.field == "type"
    book = await _close(books)
    assert book.closing_journal_id is not None
    assert await _balances(books, "5000", "3200") == {
        "5000": Decimal("0.00"),
        "3200": Decimal("-9.00"),
    }


async def test_retained_earnings_must_exist_be_equity_and_active(books: Books) -> None:
    await _post(books, date(2025, 9, 1), ("1000", "5.00", "0"), ("4000", "0", "5.00"))
    await _close_periods(books, YEAR, range(1, 13))
    ids = await books.run(lambda uow: uow.accounts.by_codes({"4000", "1000"}))
    for given in (ids["4000"].id, ids["1000"].id, "missing"):
        with pytest.raises(InvalidInput) as refused:
            await _close(books, retained=given)
        assert refused.value.field == "retained_earnings_account_id"
    assert (await _book(books, YEAR)).status is PeriodStatus.OPEN
    reserve = await books.open("3300", E)
    assert (await _close(books, retained=reserve)).state.retained_earnings_account_id == reserve
    assert (await _balances(books, "3300"))["3300"] == Decimal("5.00")


async def test_a_year_without_revenue_or_expense_closes_without_a_journal(books: Books) -> None:
    await _close_periods(books, "FY2023-2024", range(1, 13))
    book = await _close(books, "FY2023-2024")
    assert (book.status, book.closing_journal_id) == (PeriodStatus.CLOSED, None)
    reopened = await _reopen(books, "FY2023-2024")
    assert reopened.status is PeriodStatus.OPEN
    assert reopened.state.closing_journal_id is None


def _view(code: str) -> FiscalYearView:
    year = FiscalYear(int(code[2:6]))
    at = datetime(2026, 7, 5, tzinfo=UTC)
    return FiscalYearView(
        code, year.start, year.end, PeriodStatus.CLOSED, "j", "a", at, "u", "done", 1
    )


def test_the_listing_runs_from_the_first_activity_to_today_plus_later_closed_years() -> None:
    today = date(2026, 12, 8)
    assert [y.code for y in list_fiscal_years(today, FiscalYearsSeen(None, []))] == ["FY2026-2027"]
    seen = FiscalYearsSeen(date(2024, 3, 1), [_view("FY2024-2025"), _view("FY2027-2028")])
    listed = list_fiscal_years(today, seen)
    assert [y.code for y in listed] == [
        "FY2023-2024",
        "FY2024-2025",
        "FY2025-2026",
        "FY2026-2027",
        "FY2027-2028",
    ]
    assert [y.status for y in listed] == [
        PeriodStatus.OPEN,
        PeriodStatus.CLOSED,
        PeriodStatus.OPEN,
        PeriodStatus.OPEN,
        PeriodStatus.CLOSED,
    ]
    assert listed[2].closing_journal_id is None
