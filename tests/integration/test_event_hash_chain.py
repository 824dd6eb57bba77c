"""Each tenant's events form a hash chain (ADR 0046): written at append, also by racing
writers; `verify` names the first event where it breaks — an event edited with SQL, an event
deleted; migration 0009 backfills exactly what the append writes."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from alembic import command

from tests.integration.helpers import STANDARD, journal, open_accounts
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import AccountRenamed, AccountType
from vextrus_finance.infrastructure import migrations
from vextrus_finance.infrastructure.db.schema import events
from vextrus_finance.infrastructure.event_store import chain
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.rebuild.chain_breaks import (
    HASH_MISMATCH,
    PREV_HASH_MISMATCH,
    chain_breaks,
)
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder

DAY = date(2025, 7, 3)


async def _two_tenants(container: Container) -> None:
    """t1 and t2 interleaved in the global order."""
    await open_accounts(container, "t1", STANDARD)
    await open_accounts(container, "t2", [("1000", AccountType.ASSET)])
    await journal(container, "t1", DAY, ("1000", "500.00", "0"), ("3000", "0", "500.00"))
    await open_accounts(container, "t2", [("3000", AccountType.EQUITY)])
    await journal(container, "t2", DAY, ("1000", "9.99", "0"), ("3000", "0", "9.99"))
    await open_accounts(container, "t1", [("1200", AccountType.ASSET)])


async def _rows(container: Container) -> list[dict[str, Any]]:
    async with container.db.read() as conn:
        result = await conn.execute(sa.select(events).order_by(events.c.position))
        return [dict(row) for row in result.mappings()]


async def _sql(container: Container, text: str, **params: Any) -> None:
    async with container.db.write() as conn:
        await conn.execute(sa.text(text), params)


async def test_appends_chain_each_tenants_events(container: Container) -> None:
    await _two_tenants(container)
    rows = await _rows(container)
    last: dict[str, str] = {}
    for row in rows:
        assert row["prev_hash"] == last.get(row["tenant_id"], chain.GENESIS)
        assert row["hash"] == chain.event_hash(row, row["prev_hash"])
        last[row["tenant_id"]] = row["hash"]
    assert set(last) == {"t1", "t2"}
    report = await Rebuilder(container.db, container.store).verify()
    assert report.ok, report
    assert report.chain_breaks == []


async def test_one_batch_of_several_tenants_continues_each_chain(container: Container) -> None:
    await _two_tenants(container)
    dhaka = timezone(timedelta(hours=6))  # stored as UTC, hashed as UTC

    def renamed(tenant: str, version: int) -> EventEnvelope:
        return EventEnvelope(
            tenant_id=tenant,
            stream_type="account",
            stream_id=f"acc-{tenant}",
            version=version,
            event=AccountRenamed(name=f"নগদ {version}"),
            metadata={"tenant_id": tenant, "user_id": "u"},
            recorded_at=datetime(2025, 7, 1, 12, 0, 0, 123456, tzinfo=UTC).astimezone(dhaka),
        )

    batch = [renamed("t2", 1), renamed("t1", 1), renamed("t2", 2), renamed("t3", 1)]
    async with container.db.write() as conn:
        await container.store.append(conn, batch)
    rows = {r["event_id"]: r for r in await _rows(container)}
    new = [rows[e.event_id] for e in batch]
    older = [r for r in rows.values() if r["event_id"] not in {e.event_id for e in batch}]
    newest = {r["tenant_id"]: r["hash"] for r in older}  # in position order: the last wins
    assert new[0]["prev_hash"] == newest["t2"]
    assert new[1]["prev_hash"] == newest["t1"]
    assert new[2]["prev_hash"] == new[0]["hash"]
    assert new[3]["prev_hash"] == chain.GENESIS
    async with container.db.read() as conn:
        assert await chain_breaks(conn) == []


async def test_an_event_edited_with_sql_is_named(container: Container) -> None:
    await _two_tenants(container)
    rows = await _rows(container)
    t1 = [r for r in rows if r["tenant_id"] == "t1"]
    edited = next(r for r in t1 if r["event_type"] == "JournalDrafted")
    assert edited is not t1[-1]  # events after it are not named again
    data = {**edited["data"], "description": "nothing to see here"}
    cast = "CAST(:data AS jsonb)" if not container.db.is_sqlite else ":data"
    await _sql(
        container,
        f"UPDATE events SET data = {cast} WHERE position = :position",
        data=json.dumps(data),
        position=edited["position"],
    )
    report = await Rebuilder(container.db, container.store).verify()
    assert not report.ok
    [broken] = report.chain_breaks  # t2's chain is intact
    assert (broken.tenant_id, broken.position, broken.event_id, broken.problem) == (
        "t1",
        edited["position"],
        edited["event_id"],
        HASH_MISMATCH,
    )
    assert edited["hash"] in broken.detail


async def test_a_deleted_event_names_the_next_one(container: Container) -> None:
    await _two_tenants(container)
    rows = await _rows(container)
    t1 = [r for r in rows if r["tenant_id"] == "t1"]
    # An account that no journal uses: the rest of the log still replays.
    opened = [r for r in t1 if r["event_type"] == "AccountOpened"]
    gone, following = opened[1], t1[t1.index(opened[1]) + 1]
    await _sql(container, "DELETE FROM events WHERE position = :p", p=gone["position"])
    async with container.db.read() as conn:
        [broken] = await chain_breaks(conn, batch=3)  # batches end inside the chains
    assert (broken.tenant_id, broken.position, broken.event_id, broken.problem) == (
        "t1",
        following["position"],
        following["event_id"],
        PREV_HASH_MISMATCH,
    )
    assert not (await Rebuilder(container.db, container.store).verify()).ok


async def test_racing_appends_of_one_tenant_keep_one_chain(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    await asyncio.gather(
        *(
            journal(container, "t1", DAY, ("1000", f"{n}.00", "0"), ("3000", "0", f"{n}.00"))
            for n in range(1, 9)
        ),
        open_accounts(container, "t2", [("1000", AccountType.ASSET)]),
    )
    async with container.db.read() as conn:
        assert await chain_breaks(conn) == []
    t1 = [r for r in await _rows(container) if r["tenant_id"] == "t1"]
    assert len({r["prev_hash"] for r in t1}) == len(t1)  # no two events share a predecessor


def _downgrade(connection: Any, revision: str) -> None:
    config = migrations.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def test_migration_0009_backfills_the_chain_the_append_writes(container: Container) -> None:
    await _two_tenants(container)
    written = [(r["position"], r["prev_hash"], r["hash"]) for r in await _rows(container)]
    async with container.db.writer() as conn:
        if container.db.is_sqlite:
            await conn.begin()
        await conn.run_sync(_downgrade, "0008")
        columns = await conn.run_sync(
            lambda c: {col["name"] for col in sa.inspect(c).get_columns("events")}
        )
        assert not {"hash", "prev_hash"} & columns
        await migrations.upgrade(conn)
        await conn.commit()
    assert [(r["position"], r["prev_hash"], r["hash"]) for r in await _rows(container)] == written
    # And the chain goes on from the backfilled hashes.
    await journal(container, "t2", DAY, ("1000", "1.00", "0"), ("3000", "0", "1.00"))
    report = await Rebuilder(container.db, container.store).verify()
    assert report.ok, report
