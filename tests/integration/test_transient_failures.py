"""Transient database failures are retried with backoff; the client never sees them."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.helpers import STANDARD, open_accounts, run
from vextrus_finance.application.ledger.accounts import OpenAccount, open_account
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import AccountType


async def test_a_connection_killed_mid_command_is_retried(container: Container) -> None:
    if container.db.is_sqlite:
        pytest.skip("SQLite has no server connection to lose")
    attempts = 0

    async def decide(uow: UnitOfWork) -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            # The server ends this very session, as a failover or restart would.
            conn: Any = uow.conn  # type: ignore[attr-defined]
            await conn.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return await open_account(uow, OpenAccount("1000", "Cash", AccountType.ASSET))

    account_id = await run(container, "t1", decide)
    assert attempts == 2
    assert container.runner.stats.transient_failures == 1
    async with container.reader("t1") as reader:
        account = await reader.account(account_id)
    assert account is not None
    assert account.code == "1000"


async def _backend_pid(container: Container) -> int:
    async with container.db.read() as conn:
        return int((await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate_all(container: Container) -> int:
    """End every session of the database from outside, as a restart would, while the pool's
    connections sit idle. Returns how many ended."""
    other = create_async_engine(container.db.url, poolclass=sa.pool.NullPool)
    try:
        async with other.connect() as conn:
            ended = await conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return len(ended.all())
    finally:
        await other.dispose()


async def test_an_idle_connection_cut_by_a_failover_is_replaced_before_use(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pooled connections are pinged after sitting idle (not on every checkout: that was a
    round trip per command). A connection whose session ended while idle is replaced before
    the read uses it."""
    if container.db.is_sqlite:
        pytest.skip("SQLite has no server connection to lose")
    from vextrus_finance.infrastructure.db import database

    monkeypatch.setattr(database, "IDLE_PING_AFTER_S", 0.05)
    first = await _backend_pid(container)
    assert await _terminate_all(container) >= 1
    await asyncio.sleep(0.2)
    assert await _backend_pid(container) != first


def _connection_errors() -> float:
    return REGISTRY.get_sample_value("eventstore_connection_errors_total") or 0.0


async def test_reads_on_a_pool_cut_by_a_restart_are_retried_on_fresh_connections(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Busy connections are not pinged: after a restart the first read on a dead one fails at
    its BEGIN, before it read anything, and runs again on a fresh connection; the pool then
    pings the connections that were in it and replaces them all (ADR 0051). No read fails,
    and the lost connection is counted."""
    if container.db.is_sqlite:
        pytest.skip("SQLite has no server connection to lose")
    from vextrus_finance.infrastructure.db import database

    monkeypatch.setattr(database, "IDLE_PING_AFTER_S", 3600.0)

    async def pid_held() -> int:
        async with container.db.read() as conn:
            await asyncio.sleep(0.05)  # several connections in the pool at once
            return int((await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())

    before = set(await asyncio.gather(*(pid_held() for _ in range(4))))
    assert len(before) > 1
    errors = _connection_errors()
    assert await _terminate_all(container) >= len(before)
    await asyncio.sleep(0.2)
    after = await asyncio.gather(*(pid_held() for _ in range(4)))
    assert not before & set(after)
    assert _connection_errors() > errors
    async with container.reader("t1") as reader:
        assert await reader.account("nope") is None


async def test_a_read_that_cannot_reach_the_database_is_unavailable(
    container: Container,
) -> None:
    """No server at all: the read answers ServiceUnavailable (503 with Retry-After), not a
    driver error (500)."""
    if container.db.is_sqlite:
        pytest.skip("SQLite has no server connection to lose")
    from vextrus_finance.domain.errors import ServiceUnavailable
    from vextrus_finance.infrastructure.db.database import Database

    gone = Database(
        container.settings.model_copy(
            update={"database_url": "postgresql://postgres@127.0.0.1:1/none"}
        )
    )
    errors = _connection_errors()
    try:
        with pytest.raises(ServiceUnavailable):
            async with gone.read():
                pass
    finally:
        await gone.dispose()
    assert _connection_errors() == errors + 2  # the read and its one retry


async def test_a_sqlite_writer_waits_for_a_lock_instead_of_failing(container: Container) -> None:
    if not container.db.is_sqlite:
        pytest.skip("SQLite's busy handling")
    path = container.db.url.database
    assert path is not None
    locked, release = threading.Event(), threading.Event()

    def hold_write_lock() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(5)
        other.execute("ROLLBACK")
        other.close()

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    locked.wait(5)
    asyncio.get_running_loop().call_later(0.5, release.set)
    ids = await open_accounts(container, "t1", STANDARD[:1])
    holder.join()
    assert ids["1000"]
    assert container.runner.stats.transient_failures == 0
