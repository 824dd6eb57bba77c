"""The event store on both databases: positions, optimistic concurrency, batched reads."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.integration.helpers import STANDARD, journal, open_accounts, run
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ledger.accounts import UpdateAccount, update_account
from vextrus_finance.application.ports import StreamConflict
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import Account, AccountRenamed
from vextrus_finance.infrastructure.db.schema import events
from vextrus_finance.infrastructure.event_store.store import EventEnvelope

TODAY = date(2025, 9, 15)


async def test_positions_are_gapless_and_in_commit_order(container: Container) -> None:
    ids = await open_accounts(container, "t1", STANDARD)
    await journal(container, "t1", TODAY, ("1000", "100.00", "0"), ("4000", "0", "100.00"))
    async with container.db.read() as conn:
        stored = await container.store.read_all(conn, after_position=0, limit=1000)
        head = await container.store.head_position(conn)
    positions = [e.position for e in stored]
    assert positions == list(range(1, len(stored) + 1))
    assert head == len(stored) == len(STANDARD) + 2  # 6 AccountOpened, JournalDrafted+Posted
    assert {e.stream_id for e in stored[: len(STANDARD)]} == set(ids.values())
    assert [e.event.event_type() for e in stored[-2:]] == ["JournalDrafted", "JournalPosted"]


async def test_every_event_carries_its_metadata(container: Container) -> None:
    ctx = RequestContext(
        tenant_id="t1",
        user_id="alice",
        correlation_id="corr-42",
        client_ip="10.0.0.7",
        user_agent="ua/1",
    )

    async def decide(uow):  # type: ignore[no-untyped-def]
        from vextrus_finance.application.ledger.accounts import OpenAccount, open_account
        from vextrus_finance.domain.accounts import AccountType

        return await open_account(uow, OpenAccount("1000", "Cash", AccountType.ASSET))

    await container.runner.run(ctx, decide)
    async with container.db.read() as conn:
        (stored,) = await container.store.read_all(conn, after_position=0)
    assert stored.tenant_id == "t1"
    assert stored.metadata["user_id"] == "alice"
    assert stored.metadata["correlation_id"] == "corr-42"
    assert stored.metadata["client_ip"] == "10.0.0.7"
    assert stored.metadata["user_agent"] == "ua/1"
    assert stored.metadata["causation_id"]
    assert stored.version == 1
    assert stored.recorded_at.tzinfo is not None


async def test_a_stale_aggregate_cannot_append(container: Container) -> None:
    ids = await open_accounts(container, "t1", STANDARD[:1])
    async with container.uow_factory(RequestContext("t1", "u")) as uow:
        stale = await uow.load(Account, ids["1000"])
    # Someone else renames it in the meantime: the stream is now at version 2.
    await run(
        container,
        "t1",
        lambda uow: update_account(uow, UpdateAccount(ids["1000"], name="Cash box")),
    )
    stale.rename("Petty cash")
    with pytest.raises(StreamConflict):
        async with container.uow_factory(RequestContext("t1", "u")) as uow:
            await uow.record(stale)
            await uow.commit()
    async with container.db.read() as conn:
        names = [
            e.event.name
            async for batch in container.store.read_stream(conn, "t1", ids["1000"])
            for e in batch
            if isinstance(e.event, AccountRenamed)
        ]
    assert names == ["Cash box"]  # the stale write left no trace


async def test_same_version_twice_is_refused_by_the_database(container: Container) -> None:
    envelope = EventEnvelope(
        tenant_id="t1",
        stream_type="account",
        stream_id="acc-1",
        version=1,
        event=AccountRenamed(name="first"),
        metadata={},
        recorded_at=__import__("datetime").datetime.now(__import__("datetime").UTC),
    )
    async with container.db.write() as conn:
        await container.store.append(conn, [envelope])
    with pytest.raises(sa.exc.IntegrityError):
        async with container.db.write() as conn:
            await container.store.append(
                conn,
                [
                    EventEnvelope(
                        **{
                            **envelope.__dict__,
                            "event_id": "other",
                            "event": AccountRenamed("second"),
                        }
                    )
                ],
            )
    async with container.db.read() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(events))).scalar_one()
        head = await container.store.head_position(conn)
    assert count == 1
    assert head == 1  # the failed append gave its position back


async def test_streams_are_read_in_batches(container: Container) -> None:
    container.store.read_batch_size = 7
    ids = await open_accounts(container, "t1", STANDARD[:1])
    for i in range(19):
        await run(
            container,
            "t1",
            lambda uow, i=i: update_account(uow, UpdateAccount(ids["1000"], name=f"Name {i:02d}")),
        )
    async with container.db.read() as conn:
        sizes = [len(b) async for b in container.store.read_stream(conn, "t1", ids["1000"])]
        account = await container.store.load(conn, "t1", Account, ids["1000"])
    assert sizes == [7, 7, 6]
    assert account.version == 20
    assert account.state.name == "Name 18"


async def test_tenants_do_not_share_streams(container: Container) -> None:
    ids = await open_accounts(container, "t1", STANDARD[:1])
    async with container.db.read() as conn:
        other = await container.store.load(conn, "t2", Account, ids["1000"])
        own = await container.store.load(conn, "t1", Account, ids["1000"])
    assert not other.exists
    assert own.exists
    assert own.state.code == "1000"
