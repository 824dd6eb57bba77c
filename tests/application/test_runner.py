"""The command runner on the in-memory unit of work: replays, retries and rollbacks."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.application.harness import DAY, NOW, TENANT, Books, lines
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ledger.journals import CreateJournal, create_journal
from vextrus_finance.application.ports import StreamConflict, UnitOfWork
from vextrus_finance.application.runner import Idempotency, Reply
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidInput,
    PreconditionFailed,
)
from vextrus_finance.domain.journals import Journal

SALE = lines(("1000", "10", "0"), ("4000", "0", "10"))


@pytest.fixture
async def books() -> Books:
    books = Books()
    await books.open("1000", AccountType.ASSET)
    await books.open("4000", AccountType.REVENUE)
    return books


class Posting:
    """A create-and-post answering as the API would, counting how often it was decided."""

    def __init__(self) -> None:
        self.decided = 0

    async def __call__(self, uow: UnitOfWork) -> Reply:
        self.decided += 1
        journal_id = await create_journal(uow, CreateJournal(DAY, "sale", SALE, post=True))
        return Reply(201, {"id": journal_id})


async def _journals(books: Books) -> int:
    """Journal events committed."""
    return sum(1 for e in books.factory.books.events if e.stream_type == Journal.STREAM_TYPE)


async def test_an_idempotency_key_replays_the_stored_answer(books: Books) -> None:
    ctx, posting = RequestContext(TENANT, "ann"), Posting()
    key = Idempotency("key-1", "hash-1")
    first = await books.runner.run(ctx, posting, idempotency=key)
    again = await books.runner.run(ctx, posting, idempotency=key)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.value == first.value == Reply(201, first.value.body)
    assert posting.decided == 1
    assert await _journals(books) == 2  # drafted and posted once: two events
    other_user = await books.runner.run(RequestContext(TENANT, "bob"), posting, idempotency=key)
    assert not other_user.replayed  # another user's same key is another request
    with pytest.raises(IdempotencyKeyReused):
        await books.runner.run(ctx, posting, idempotency=Idempotency("key-1", "other-body"))


async def test_an_expired_key_may_be_used_again(books: Books) -> None:
    ctx, posting = RequestContext(TENANT, "ann"), Posting()
    key = Idempotency("key-1", "hash-1")
    await books.runner.run(ctx, posting, idempotency=key)
    books.factory.calendar = replace(
        books.factory.calendar, clock=lambda: NOW + timedelta(hours=25)
    )
    assert not (await books.runner.run(ctx, posting, idempotency=key)).replayed
    assert posting.decided == 2


async def test_a_refused_command_leaves_nothing_behind(books: Books) -> None:
    async def post_then_refuse(uow: UnitOfWork) -> str:
        await create_journal(uow, CreateJournal(DAY, "sale", SALE, post=True))
        raise InvalidInput("changed my mind", field="description")

    with pytest.raises(InvalidInput):
        await books.run(post_then_refuse)
    assert await _journals(books) == 0
    journal_id = await books.run(lambda uow: create_journal(uow, CreateJournal(DAY, "s", SALE)))
    view = await books.run(lambda uow: uow.reader.journal(journal_id))
    assert view is not None
    assert view.number == "GJ-2026-11-000001"  # the refused command's number was given back


async def test_a_conflict_is_retried_and_the_retry_knows_it(books: Books) -> None:
    attempts: list[bool] = []

    async def conflicting_once(uow: UnitOfWork) -> str:
        attempts.append(uow.first_attempt)
        journal_id = await create_journal(
            uow, CreateJournal(DAY, "sale", SALE, post=True, journal_id="j-1")
        )
        if len(attempts) == 1:
            raise StreamConflict()
        return journal_id

    assert await books.run(conflicting_once) == "j-1"
    assert attempts == [True, False]
    assert books.runner.stats.conflicts == 1
    assert await _journals(books) == 2


async def test_conflicts_give_up_or_fail_the_precondition(books: Books) -> None:
    async def always_conflicting(uow: UnitOfWork) -> None:
        raise StreamConflict()

    ctx = RequestContext(TENANT, "ann")
    with pytest.raises(ConcurrencyConflict):
        await books.runner.run(ctx, always_conflicting)
    with pytest.raises(PreconditionFailed):
        await books.runner.run(ctx, always_conflicting, if_match=True)
