"""Transient database failures are retried with backoff; the client never sees them."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import pytest
import sqlalchemy as sa

from tests.integration.helpers import STANDARD, open_accounts, run
from vextrus_finance.application.accounts import OpenAccount, open_account
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
