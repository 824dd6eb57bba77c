"""Journal commands on the in-memory unit of work: the posting rules without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.application.harness import DAY, Books, lines
from vextrus_finance.application.ledger.accounts import DeactivateAccount, deactivate_account
from vextrus_finance.application.ledger.journals import (
    CreateJournal,
    CreateJournalBatch,
    PostJournal,
    ReverseJournal,
    create_journal,
    create_journal_batch,
    post_journal,
    reverse_journal,
)
from vextrus_finance.application.ledger.periods import ChangePeriod, change_period
from vextrus_finance.application.ledger.views import JournalView
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.accounts import AccountType, BalanceLimit
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.fiscal import period_of
from vextrus_finance.domain.journals import Journal, JournalStatus

A, R, X = AccountType.ASSET, AccountType.REVENUE, AccountType.EXPENSE


@pytest.fixture
async def books() -> Books:
    books = Books()
    for code, account_type in (("1000", A), ("4000", R), ("5000", X)):
        await books.open(code, account_type)
    return books


async def _journal(books: Books, journal_id: str) -> JournalView:
    async def read(uow: UnitOfWork) -> JournalView:
        view = await uow.reader.journal(journal_id)
        assert view is not None
        return view

    return await books.run(read)


async def _create(books: Books, command: CreateJournal) -> str:
    return await books.run(lambda uow: create_journal(uow, command))


async def _ids(books: Books, *codes: str) -> list[str]:
    async def read(uow: UnitOfWork) -> list[str]:
        found = await uow.accounts.by_codes(codes)
        return [found[c].id for c in codes]

    return await books.run(read)


async def _refused(books: Books, command: CreateJournal) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        await _create(books, command)
    assert not await books.run(lambda uow: uow.exists(Journal, command.journal_id))
    return refused.value


async def _close(books: Books, *, close: bool = True) -> None:
    change = ChangePeriod(period_of(DAY).code, "month end close", close=close)
    await books.run(lambda uow: change_period(uow, change))


async def test_a_posted_journal_moves_the_balances(books: Books) -> None:
    cash, revenue = await _ids(books, "1000", "4000")
    command = CreateJournal(
        DAY, "sale", lines(("1000", "100", "0"), ("4000", "0", "100")), post=True
    )
    view = await _journal(books, await _create(books, command))
    assert view.status is JournalStatus.POSTED
    assert view.number == "GJ-2026-11-000001"
    assert (view.posted_by, view.created_by) == ("ann", "ann")
    assert [(line.account_id, line.debit) for line in view.lines] == [
        (cash, Decimal("100")),
        (revenue, Decimal("0")),
    ]
    assert await books.balance(cash) == Decimal("100")
    assert await books.balance(revenue) == Decimal("100")
    second = await _create(books, CreateJournal(DAY, "sale", command.lines, post=True))
    assert (await _journal(books, second)).number == "GJ-2026-11-000002"


async def test_a_draft_moves_nothing_until_it_is_posted(books: Books) -> None:
    (cash,) = await _ids(books, "1000")
    command = CreateJournal(DAY, "draft", lines(("1000", "5", "0"), ("4000", "0", "5")))
    journal_id = await _create(books, command)
    assert (await _journal(books, journal_id)).status is JournalStatus.DRAFT
    assert await books.balance(cash) == 0
    await books.run(lambda uow: post_journal(uow, PostJournal(journal_id)))
    assert (await _journal(books, journal_id)).status is JournalStatus.POSTED
    assert await books.balance(cash) == Decimal("5")


async def test_a_closed_period_refuses_postings_and_drafts_until_reopened(books: Books) -> None:
    await _close(books)
    entry = lines(("1000", "1", "0"), ("4000", "0", "1"))
    for post in (True, False):
        refused = await _refused(books, CreateJournal(DAY, "late", entry, post=post))
        assert (refused.code, refused.issues[0].field) == ("period_closed", "date")
    await _close(books, close=False)
    assert await _create(books, CreateJournal(DAY, "on time", entry, post=True))


async def test_the_period_is_refused_before_the_lines(books: Books) -> None:
    await _close(books)
    unknown = lines(("9999", "1", "0"), ("4000", "0", "1"))
    refused = await _refused(books, CreateJournal(DAY, "late", unknown, post=True))
    assert refused.code == "period_closed"


async def test_a_header_account_takes_no_lines(books: Books) -> None:
    (cash,) = await _ids(books, "1000")
    await books.open("1000-01", A, parent=cash)
    entry = lines(("1000", "1", "0"), ("4000", "0", "1"))
    for post in (True, False):
        refused = await _refused(books, CreateJournal(DAY, "to the header", entry, post=post))
        assert (refused.issues[0].code, refused.issues[0].field) == (
            "header_account",
            "lines[0].account_code",
        )
    child = lines(("1000-01", "1", "0"), ("4000", "0", "1"))
    assert await _create(books, CreateJournal(DAY, "to the child", child, post=True))


async def test_an_inactive_account_refuses_a_posting(books: Books) -> None:
    (expense,) = await _ids(books, "5000")
    retire = DeactivateAccount(expense, "no longer used by anyone")
    await books.run(lambda uow: deactivate_account(uow, retire))
    entry = lines(("5000", "3", "0"), ("1000", "0", "3"))
    refused = await _refused(books, CreateJournal(DAY, "fees", entry, post=True))
    assert (refused.issues[0].code, refused.issues[0].field) == (
        "account_inactive",
        "lines[0].account_id",
    )


async def test_a_balance_limit_holds_on_every_later_day(books: Books) -> None:
    await books.open("1100", A, limit=BalanceLimit.NON_NEGATIVE)
    receipt = lines(("1100", "10", "0"), ("4000", "0", "10"))
    await _create(books, CreateJournal(DAY, "receipt", receipt, post=True))
    earlier = DAY.replace(day=DAY.day - 1)
    payment = lines(("5000", "10", "0"), ("1100", "0", "10"))
    refused = await _refused(books, CreateJournal(earlier, "backdated", payment, post=True))
    assert refused.code == "balance_limit_exceeded"
    assert await _create(books, CreateJournal(DAY, "same day", payment, post=True))


async def test_a_reversal_takes_the_posting_back(books: Books) -> None:
    (cash,) = await _ids(books, "1000")
    entry = lines(("1000", "7", "0"), ("4000", "0", "7"))
    journal_id = await _create(books, CreateJournal(DAY, "sale", entry, post=True))
    reversal_id = await books.run(
        lambda uow: reverse_journal(uow, ReverseJournal(journal_id, DAY, reason="entered twice"))
    )
    assert await books.balance(cash) == 0
    original, reversal = await _journal(books, journal_id), await _journal(books, reversal_id)
    assert (original.status, original.reversed_by_id) == (JournalStatus.REVERSED, reversal_id)
    assert (reversal.number, reversal.reverses_id) == ("RJ-2026-11-000001", journal_id)


async def test_an_atomic_batch_writes_all_or_nothing(books: Books) -> None:
    (cash,) = await _ids(books, "1000")
    good = CreateJournal(DAY, "good", lines(("1000", "2", "0"), ("4000", "0", "2")), post=True)
    bad = CreateJournal(DAY, "bad", lines(("1000", "2", "0"), ("9999", "0", "2")), post=True)
    with pytest.raises(InvalidInput) as refused:
        await books.run(lambda uow: create_journal_batch(uow, CreateJournalBatch((good, bad))))
    assert refused.value.issues[0].field == "journals[1].lines[1].account_code"
    assert await books.balance(cash) == 0
    results = await books.run(
        lambda uow: create_journal_batch(uow, CreateJournalBatch((good, bad), atomic=False))
    )
    assert [r.journal_id for r in results] == [good.journal_id, None]
    assert results[1].error is not None
    assert results[1].error.issues[0].field == "journals[1].lines[1].account_code"
    assert await books.balance(cash) == Decimal("2")
    assert (await _journal(books, good.journal_id)).number == "GJ-2026-11-000001"
