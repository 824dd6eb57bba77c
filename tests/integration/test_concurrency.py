"""Many writers at once. On PostgreSQL these really race (20 pooled connections, READ
COMMITTED); on SQLite they queue for the one writer. Either way nothing may be lost."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from tests.integration.helpers import STANDARD, journal, lines, open_accounts, run
from vextrus_finance.application.ledger.journals import (
    CreateJournal,
    PostJournal,
    ReverseJournal,
    ReviseJournal,
    create_journal,
    post_journal,
    reverse_journal,
    revise_journal,
)
from vextrus_finance.application.ledger.periods import ChangePeriod, change_period
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import BalanceLimit
from vextrus_finance.domain.errors import (
    ConcurrencyConflict,
    DomainError,
    InvalidInput,
    InvalidState,
)
from vextrus_finance.domain.journals import JournalPosted, JournalRevised
from vextrus_finance.domain.periods import FiscalPeriodClosed

DAY = date(2025, 9, 15)


def _is_postgres(container: Container) -> bool:
    return not container.db.is_sqlite


async def _balance(container: Container, tenant: str, code: str) -> Decimal:
    async with container.reader(tenant) as reader:
        account = await reader.account_by_code(code)
    assert account is not None
    return account.balance


async def test_many_postings_to_one_account_lose_nothing(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    amounts = [Decimal(f"{n}.{n:02d}") for n in range(1, 31)]
    results = await asyncio.gather(
        *(
            journal(container, "t1", DAY, ("1000", str(a), "0"), ("4000", "0", str(a)))
            for a in amounts
        )
    )
    assert len(set(results)) == len(amounts)
    assert await _balance(container, "t1", "1000") == sum(amounts)
    assert await _balance(container, "t1", "4000") == sum(amounts)


async def test_many_writers_on_one_draft_keep_every_acknowledged_edit(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    draft = await journal(
        container, "t1", DAY, ("1000", "5.00", "0"), ("4000", "0", "5.00"), post=False
    )

    async def edit(i: int) -> str | None:
        try:
            await run(
                container,
                "t1",
                lambda uow: revise_journal(uow, ReviseJournal(draft, description=f"edit {i}")),
            )
        except ConcurrencyConflict:
            return None
        return f"edit {i}"

    done = [d for d in await asyncio.gather(*(edit(i) for i in range(12))) if d]
    async with container.db.read() as conn:
        stream = [
            e async for batch in container.store.read_stream(conn, "t1", draft) for e in batch
        ]
    revisions = [e.event.description for e in stream if isinstance(e.event, JournalRevised)]
    assert [e.version for e in stream] == list(range(1, len(stream) + 1))
    assert sorted(revisions) == sorted(done)  # every acknowledged edit is an event, no other
    assert len(done) >= 1
    async with container.reader("t1") as reader:
        view = await reader.journal(draft)
    assert view is not None
    assert view.description == revisions[-1]
    assert view.version == len(stream)
    if _is_postgres(container):
        assert container.runner.stats.conflicts > 0  # the race really happened and was retried


async def test_racing_posts_of_one_draft_post_it_once(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    draft = await journal(
        container, "t1", DAY, ("1000", "70.00", "0"), ("4000", "0", "70.00"), post=False
    )

    async def post() -> str:
        try:
            await run(container, "t1", lambda uow: post_journal(uow, PostJournal(draft)))
        except InvalidState:
            return "refused"
        return "posted"

    outcomes = await asyncio.gather(*(post() for _ in range(10)))
    assert outcomes.count("posted") == 1
    assert outcomes.count("refused") == 9
    assert await _balance(container, "t1", "1000") == Decimal("70.00")


async def test_balance_limit_holds_under_racing_withdrawals(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD, limits={"1100": BalanceLimit.NON_NEGATIVE})
    await journal(container, "t1", DAY, ("1100", "100.00", "0"), ("3000", "0", "100.00"))

    async def withdraw() -> bool:
        try:
            await journal(container, "t1", DAY, ("5000", "30.00", "0"), ("1100", "0", "30.00"))
        except InvalidInput as error:
            assert error.code == "balance_limit_exceeded"
            return False
        return True

    succeeded = await asyncio.gather(*(withdraw() for _ in range(10)))
    assert succeeded.count(True) == 3
    assert await _balance(container, "t1", "1100") == Decimal("10.00")


async def test_racing_reversals_reverse_once(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    posted = await journal(container, "t1", DAY, ("1000", "40.00", "0"), ("4000", "0", "40.00"))

    async def reverse() -> bool:
        try:
            await run(
                container, "t1", lambda uow: reverse_journal(uow, ReverseJournal(posted, DAY))
            )
        except InvalidState:
            return False
        return True

    outcomes = await asyncio.gather(*(reverse() for _ in range(6)))
    assert outcomes.count(True) == 1
    assert await _balance(container, "t1", "1000") == Decimal("0.00")


async def test_concurrent_numbering_never_repeats_or_skips(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)

    async def create() -> str:
        command = CreateJournal(
            DAY, "numbering", lines(("1000", "1.00", "0"), ("4000", "0", "1.00"))
        )
        journal_id = await run(container, "t1", lambda uow: create_journal(uow, command))
        async with container.reader("t1") as reader:
            view = await reader.journal(journal_id)
        assert view is not None
        return view.number

    numbers = await asyncio.gather(*(create() for _ in range(20)))
    assert sorted(numbers) == [f"GJ-2025-09-{n:06d}" for n in range(1, 21)]


async def test_a_tailing_reader_never_skips_a_position(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    seen: list[int] = []
    writers_done = asyncio.Event()

    async def tail() -> None:
        last = 0
        while True:
            finished = writers_done.is_set()  # before reading: a read after it sees everything
            async with container.db.read() as conn:
                batch = await container.store.read_all(conn, after_position=last, limit=1000)
            for envelope in batch:
                assert envelope.position == last + 1, f"saw {envelope.position} after {last}"
                last = envelope.position
                seen.append(last)
            if finished and not batch:
                return
            await asyncio.sleep(0)

    async def write(n: int) -> None:
        for i in range(10):
            amount = f"{n}.{i:02d}"
            await journal(container, "t1", DAY, ("1000", amount, "0"), ("4000", "0", amount))

    reader = asyncio.create_task(tail())
    await asyncio.gather(*(write(n) for n in range(1, 7)))
    writers_done.set()
    await reader
    async with container.db.read() as conn:
        head = await container.store.head_position(conn)
    assert seen == list(range(1, head + 1))
    assert head == len(STANDARD) + 6 * 10 * 2


async def test_no_posting_commits_into_a_period_after_it_closed(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)

    async def post(i: int) -> None:
        amount = f"{i}.00"
        try:
            await journal(container, "t1", DAY, ("1000", amount, "0"), ("4000", "0", amount))
        except InvalidInput as error:
            assert error.code == "period_closed"

    async def close() -> None:
        await asyncio.sleep(0.01)
        await run(
            container,
            "t1",
            lambda uow: change_period(
                uow, ChangePeriod("FY2025-2026-P03", "month end", close=True)
            ),
        )

    await asyncio.gather(*(post(i) for i in range(1, 25)), close())
    async with container.db.read() as conn:
        stored = await container.store.read_all(conn, after_position=0, limit=10_000)
    closed_at = next(e.position for e in stored if isinstance(e.event, FiscalPeriodClosed))
    posted_positions = [e.position for e in stored if isinstance(e.event, JournalPosted)]
    assert posted_positions, "some postings should have got in before the close"
    assert all(p is not None and p < closed_at for p in posted_positions)


@pytest.mark.parametrize("writers", [8])
async def test_idempotent_duplicates_racing_apply_once(container: Container, writers: int) -> None:
    from vextrus_finance.application.context import RequestContext
    from vextrus_finance.application.ports import UnitOfWork
    from vextrus_finance.application.runner import Idempotency, Reply

    await open_accounts(container, "t1", STANDARD)
    command = CreateJournal(
        DAY, "once", lines(("1000", "9.00", "0"), ("4000", "0", "9.00")), post=True
    )

    async def send() -> object:
        async def decide(uow: UnitOfWork) -> Reply:
            return Reply(201, {"id": await create_journal(uow, command)})

        outcome = await container.runner.run(
            RequestContext("t1", "u"), decide, idempotency=Idempotency("key-1", "hash-1")
        )
        return outcome.value.body

    bodies = await asyncio.gather(*(send() for _ in range(writers)))
    assert len({str(b) for b in bodies}) == 1
    assert await _balance(container, "t1", "1000") == Decimal("9.00")


async def test_domain_errors_are_not_retried(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    before = container.runner.stats.conflicts
    with pytest.raises(DomainError):
        await journal(container, "t1", DAY, ("1000", "1.00", "0"), ("4000", "0", "2.00"))
    assert container.runner.stats.conflicts == before
