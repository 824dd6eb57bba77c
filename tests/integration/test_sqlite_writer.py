"""SQLite's one writer connection, kept checked out between transactions (ADR 0028): a write
costs one trip to aiosqlite's thread (its COMMIT), and nothing a failed, cancelled or
unfinished block did survives into the next write."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import aiosqlite.core
import pytest
import sqlalchemy as sa

from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.db import database
from vextrus_finance.infrastructure.db.driver import sqlite_driver

INSERT = "INSERT INTO counters (tenant_id, name, value) VALUES ('t1', :name, 1)"


@pytest.fixture
def sqlite(container: Container) -> Container:
    if not container.db.is_sqlite:
        pytest.skip("SQLite's writer connection")
    return container


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Calls sent to aiosqlite's thread, by the name of the function sent."""
    sent: Counter[str] = Counter()
    original = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent[getattr(fn, "__name__", repr(fn))] += 1
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    return sent


async def _names(container: Container) -> set[str]:
    async with container.db.read() as conn:
        rows = await conn.execute(sa.text("SELECT name FROM counters WHERE tenant_id = 't1'"))
        return {str(row[0]) for row in rows}


async def _sqlite3_connection(container: Container) -> Any:
    async with container.db.writer() as conn:
        return sqlite_driver(conn.info).db


async def test_a_committed_write_goes_to_the_driver_thread_once_for_its_commit(
    sqlite: Container, trips: Counter[str]
) -> None:
    async with sqlite.db.write():
        pass  # warm: the connection is opened and checked out
    trips.clear()
    for _ in range(3):
        async with sqlite.db.write():
            pass
    # Three COMMITs; before, each write also sent the pool's ROLLBACK-on-return.
    assert trips == Counter({"commit": 3})


async def test_a_failed_write_is_rolled_back_and_the_next_one_uses_the_same_connection(
    sqlite: Container,
) -> None:
    """What is set on the writer connection (the rebuild's page cache, a temp table here)
    lasts across its transactions: a failure in between must not cost it the connection."""
    before = await _sqlite3_connection(sqlite)
    async with sqlite.db.write() as conn:
        await conn.exec_driver_sql("CREATE TEMP TABLE survivor (x INTEGER)")
    with pytest.raises(RuntimeError, match="refused"):
        async with sqlite.db.write() as conn:
            await conn.execute(sa.text(INSERT), {"name": "failed"})
            raise RuntimeError("refused")
    async with sqlite.db.write() as conn:
        await conn.execute(sa.text(INSERT), {"name": "after"})
        found = await conn.exec_driver_sql("SELECT count(*) FROM temp.survivor")
        assert found.scalar_one() == 0
    assert await _names(sqlite) == {"after"}
    assert await _sqlite3_connection(sqlite) is before


async def test_a_cancelled_write_leaves_nothing_and_the_writer_usable(
    sqlite: Container,
) -> None:
    inside = asyncio.Event()

    async def stuck() -> None:
        async with sqlite.db.write() as conn:
            await conn.execute(sa.text(INSERT), {"name": "cancelled"})
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with sqlite.db.write() as conn:
        await conn.execute(sa.text(INSERT), {"name": "next"})
    assert await _names(sqlite) == {"next"}
    assert not (await _sqlite3_connection(sqlite)).in_transaction


async def test_a_transaction_left_open_is_rolled_back_when_the_block_ends(
    sqlite: Container,
) -> None:
    async with sqlite.db.writer() as conn:
        await conn.execute(sa.text(INSERT), {"name": "never committed"})  # autobegins
    raw = await _sqlite3_connection(sqlite)
    assert not raw.in_transaction
    assert await _names(sqlite) == set()


async def test_writes_take_turns_and_a_write_that_waits_too_long_is_a_pool_timeout(
    sqlite: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unit of work classifies the pool's TimeoutError as transient (503, Retry-After)."""
    monkeypatch.setattr(database, "WRITER_WAIT_S", 0.2)
    holding = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with sqlite.db.write() as conn:
            await conn.execute(sa.text(INSERT), {"name": "first"})
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await holding.wait()
    with pytest.raises(sa.exc.TimeoutError):
        async with sqlite.db.write():
            pass
    waiting = asyncio.create_task(_write(sqlite, "second"))
    await asyncio.sleep(0.05)
    assert not waiting.done()  # its turn comes after the holder's
    release.set()
    await holder
    await waiting
    assert await _names(sqlite) == {"first", "second"}


async def _write(container: Container, name: str) -> None:
    async with container.db.write() as conn:
        await conn.execute(sa.text(INSERT), {"name": name})


async def test_statements_through_sqlalchemy_and_savepoints_commit_with_the_transaction(
    sqlite: Container,
) -> None:
    """`write()` begins and commits on the driver connection; a Core statement or a savepoint
    inside it makes SQLAlchemy track a transaction of its own, committed with it."""
    async with sqlite.db.write() as conn:
        raw = await _raw_in(conn)
        raw.execute(INSERT.replace(":name", "'driver'"))
        await conn.execute(sa.text(INSERT), {"name": "core"})
        with pytest.raises(RuntimeError):
            async with conn.begin_nested():
                await conn.execute(sa.text(INSERT), {"name": "rolled back to savepoint"})
                raise RuntimeError("one item fails")
        await conn.execute(sa.text(INSERT), {"name": "after savepoint"})
    assert await _names(sqlite) == {"driver", "core", "after savepoint"}
    assert not (await _sqlite3_connection(sqlite)).in_transaction


async def _raw_in(conn: Any) -> Any:
    return sqlite_driver(conn.info).db
