"""Races and edge cases found in review, each pinned by a test."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.integration.helpers import STANDARD, journal, lines, open_accounts, run
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ledger.accounts import DeactivateAccount, deactivate_account
from vextrus_finance.application.ledger.journals import (
    CreateJournal,
    CreateJournalBatch,
    LineSpec,
    PostingLedger,
    create_journal,
    create_journal_batch,
)
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.journals import Journal, JournalType
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.projections.bulk import BulkProjector
from vextrus_finance.infrastructure.projections.tables import LIVE

DAY = date(2025, 9, 15)


async def test_a_deactivation_that_commits_mid_posting_stops_the_posting(
    container: Container,
) -> None:
    if container.db.is_sqlite:
        pytest.skip("SQLite has a single writer: a deactivation cannot commit mid-posting")
    ids = await open_accounts(container, "t1", STANDARD)
    async with container.uow_factory(RequestContext("t1", "poster")) as uow:
        # The posting has resolved its accounts (all active) when the deactivation commits.
        resolved = await uow.accounts.by_ids([ids["1100"], ids["4000"]])
        assert all(a.is_active for a in resolved.values())
        await run(
            container,
            "t1",
            lambda other: deactivate_account(
                other, DeactivateAccount(ids["1100"], "closed this box")
            ),
        )
        from vextrus_finance.domain.journals import JournalLine

        posting = [
            JournalLine("l1", ids["1100"], "1100", Decimal("100.00"), Decimal(0)),
            JournalLine("l2", ids["4000"], "4000", Decimal(0), Decimal("100.00")),
        ]
        with pytest.raises(InvalidInput) as raised:
            await PostingLedger(uow).apply(posting, DAY)
    assert raised.value.code == "account_inactive"
    assert raised.value.issues[0].field == "lines[0].account_id"


async def test_an_id_of_another_stream_type_is_not_found(container: Container) -> None:
    ids = await open_accounts(container, "t1", STANDARD[:1])
    async with container.db.read() as conn:
        as_journal = await container.store.load(conn, "t1", Journal, ids["1000"])
    assert not as_journal.exists


async def test_a_posting_batch_with_an_unknown_account_is_a_422_not_a_conflict(
    container: Container,
) -> None:
    await open_accounts(container, "t1", STANDARD)
    good = CreateJournal(
        DAY, "good", lines(("1000", "5.00", "0"), ("4000", "0", "5.00")), post=True
    )
    bad = CreateJournal(
        DAY,
        "bad",
        (
            LineSpec("no-such-account", None, Decimal("5.00"), Decimal(0)),
            *lines(("4000", "0", "5.00")),
        ),
        post=True,
    )
    with pytest.raises(InvalidInput) as raised:
        await run(
            container, "t1", lambda uow: create_journal_batch(uow, CreateJournalBatch((good, bad)))
        )
    assert raised.value.code == "unknown_account"
    assert raised.value.issues[0].field == "journals[1].lines[0].account_id"
    assert container.runner.stats.conflicts == 0


async def test_batches_taking_numbers_in_opposite_orders_do_not_deadlock(
    container: Container,
) -> None:
    await open_accounts(container, "t1", STANDARD)

    def one(journal_type: JournalType) -> CreateJournal:
        return CreateJournal(
            DAY,
            "order",
            lines(("1000", "1.00", "0"), ("4000", "0", "1.00")),
            type=journal_type,
            post=True,
        )

    orders = [
        (JournalType.GENERAL, JournalType.ADJUSTMENT),
        (JournalType.ADJUSTMENT, JournalType.GENERAL),
    ]
    batches = [CreateJournalBatch(tuple(one(t) for t in orders[n % 2] * 3)) for n in range(8)]
    await asyncio.gather(
        *(run(container, "t1", lambda uow, b=b: create_journal_batch(uow, b)) for b in batches)
    )
    assert container.runner.stats.transient_failures == 0  # no deadlock victim was retried
    async with container.reader("t1") as reader:
        account = await reader.account_by_code("1000")
    assert account is not None
    assert account.balance == Decimal("48.00")


async def test_negative_zero_and_non_ascii_digits_are_not_amounts_or_codes(
    container: Container,
) -> None:
    await open_accounts(container, "t1", STANDARD)
    posted = await journal(container, "t1", DAY, ("1000", "0.10", "0"), ("4000", "0", "0.10"))
    async with container.reader("t1") as reader:
        view = await reader.journal(posted)
    assert view is not None
    assert view.total_debit == Decimal("0.10")


async def test_reversing_journals_come_only_from_a_reversal(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    command = CreateJournal(
        DAY,
        "manual",
        lines(("1000", "1.00", "0"), ("4000", "0", "1.00")),
        type=JournalType.REVERSING,
    )
    with pytest.raises(InvalidInput) as raised:
        await run(container, "t1", lambda uow: create_journal(uow, command))
    assert raised.value.field == "type"


async def test_a_journal_touching_a_since_deactivated_account_cannot_be_reversed(
    container: Container,
) -> None:
    from vextrus_finance.application.ledger.journals import ReverseJournal, reverse_journal
    from vextrus_finance.domain.errors import InvalidState

    ids = await open_accounts(container, "t1", STANDARD)
    first = await journal(container, "t1", DAY, ("1100", "10.00", "0"), ("4000", "0", "10.00"))
    await journal(container, "t1", DAY, ("4000", "10.00", "0"), ("1100", "0", "10.00"))
    await run(
        container,
        "t1",
        lambda uow: deactivate_account(uow, DeactivateAccount(ids["1100"], "box no longer used")),
    )
    with pytest.raises(InvalidState) as raised:
        await run(container, "t1", lambda uow: reverse_journal(uow, ReverseJournal(first, DAY)))
    assert raised.value.code == "account_inactive"
    assert "1100" in raised.value.message


class _Discard(Exception):
    """Ends a transaction by rolling it back."""


async def test_concurrent_projections_never_write_each_others_totals(
    container: Container,
) -> None:
    """Every command projects through one shared BulkProjector. Its account and month sums
    must belong to the call that made them: if two commands interleave and one rolls back
    (a conflict retry does), the other must not have written the loser's totals."""
    if container.db.is_sqlite:
        pytest.skip("SQLite has a single writer: two projections never interleave")
    ids = await open_accounts(container, "t1", STANDARD)

    async def envelopes_of(day: date, debit: str, credit: str, amount: str) -> list[EventEnvelope]:
        """What a create-and-post records and projects (the command itself rolled back). Each
        in its own month, so that their journal numbers differ."""
        envelopes: list[EventEnvelope] = []
        with contextlib.suppress(_Discard):
            async with container.uow_factory(RequestContext("t1", "u")) as uow:
                spec = lines((debit, amount, "0"), (credit, "0", amount))
                await create_journal(uow, CreateJournal(day, "j", spec, post=True))
                envelopes.extend(uow._queue)  # what record() projected
                raise _Discard
        return envelopes

    winner = await envelopes_of(DAY, "1000", "4000", "100.00")
    loser = await envelopes_of(DAY.replace(month=10), "1100", "5000", "7.00")
    projector = BulkProjector(LIVE)

    async def project(envelopes: list[EventEnvelope], *, keep: bool) -> None:
        with contextlib.suppress(_Discard):
            async with container.db.write() as conn:
                await projector.apply(conn, envelopes)
                if not keep:
                    raise _Discard

    # Both start at once: each yields on its first statement while the other sums its lines.
    await asyncio.gather(project(winner, keep=True), project(loser, keep=False))
    accounts = LIVE.accounts
    async with container.db.read() as conn:
        query = sa.select(accounts.c.id, accounts.c.debit_total).where(accounts.c.tenant_id == "t1")
        debits = {account_id: debit for account_id, debit in await conn.execute(query)}
    assert debits[ids["1000"]] == 100_00  # paisa
    assert debits[ids["1100"]] == 0  # the rolled-back projection left nothing behind
