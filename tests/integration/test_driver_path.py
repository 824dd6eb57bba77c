"""The posting path through the bare driver (ADR 0026): its errors are the ones the retry logic
knows, and what it writes is what the rest of the service reads."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from tests.integration.helpers import STANDARD, lines, open_accounts, run
from vextrus_finance.application.ledger.journals import CreateJournal, create_journal
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.db.driver import Sql, driver

DAY = date(2026, 11, 20)


async def _count(container: Container, sql: str, **params: Any) -> int:
    async with container.db.read() as conn:
        return int((await conn.execute(sa.text(sql), params)).scalar_one())


async def test_a_taken_journal_id_on_a_first_attempt_is_a_conflict_and_the_retry_returns_it(
    container: Container,
) -> None:
    """No existence check on a first attempt: the journal's primary key refuses the insert
    (through the driver, as SQLAlchemy's IntegrityError), the runner retries, and the retry
    finds the journal and returns it — one journal, posted once."""
    await open_accounts(container, "t1", STANDARD)
    rent = lines(("5000", "700", "0"), ("1000", "0", "700"))
    command = CreateJournal(DAY, "rent", rent, post=True)
    first = await run(container, "t1", lambda uow: create_journal(uow, command))
    conflicts = container.runner.stats.conflicts
    again = await run(container, "t1", lambda uow: create_journal(uow, command))
    assert again == first == command.journal_id
    assert container.runner.stats.conflicts == conflicts + 1
    assert await _count(container, "SELECT count(*) FROM journals WHERE id = :j", j=first) == 1
    debit = await _count(
        container,
        "SELECT debit_total FROM accounts WHERE tenant_id = 't1' AND code = '5000'",
    )
    assert debit == 70_000  # paisa: posted once
    events = await _count(
        container, "SELECT count(*) FROM events WHERE stream_id = :j", j=command.journal_id
    )
    assert events == 2  # drafted, posted


async def test_driver_errors_are_sqlalchemy_errors_naming_the_constraint(
    container: Container,
) -> None:
    await open_accounts(container, "t1", STANDARD)
    duplicate = Sql.same("INSERT INTO counters (tenant_id, name, value) VALUES (?, ?, ?)")
    with pytest.raises(sa.exc.IntegrityError) as caught:
        async with container.db.write() as conn:
            db = await driver(conn)
            await db.execute(duplicate, ("t1", "seq", 1))
            await db.execute(duplicate, ("t1", "seq", 1))
    assert "counters" in str(caught.value).lower() or "23505" in str(caught.value)
    # Nothing of the failed transaction stayed behind.
    assert await _count(container, "SELECT count(*) FROM counters WHERE name = 'seq'") == 0


async def test_a_connection_killed_before_the_driver_statements_is_retried(
    container: Container,
) -> None:
    """The posting path's first driver statement meets a connection the server has ended:
    the error is classified as transient and the command retried on a fresh connection."""
    if container.db.is_sqlite:
        pytest.skip("SQLite has no server connection to lose")
    await open_accounts(container, "t1", STANDARD)
    attempts = 0
    command = CreateJournal(DAY, "fees", lines(("5000", "5", "0"), ("1000", "0", "5")), post=True)

    async def decide(uow: UnitOfWork) -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            conn: Any = uow.conn  # type: ignore[attr-defined]
            await conn.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return await create_journal(uow, command)

    transient = container.runner.stats.transient_failures
    journal_id = await run(container, "t1", decide)
    assert attempts == 2
    assert container.runner.stats.transient_failures == transient + 1
    assert await _count(container, "SELECT count(*) FROM journals WHERE id = :j", j=journal_id) == 1


async def test_a_pooled_connection_dead_before_begin_is_retried(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ended the pooled session while it sat idle, and the idle ping did not run
    (threshold not reached): the driver's first statement fails at BEGIN, and that failure
    too is a transient SQLAlchemy error — the command is retried on a fresh connection."""
    if container.db.is_sqlite:
        pytest.skip("SQLite has no server connection to lose")
    from tests.integration.test_transient_failures import _terminate_all
    from vextrus_finance.infrastructure.db import database

    await open_accounts(container, "t1", STANDARD)
    monkeypatch.setattr(database, "IDLE_PING_AFTER_S", 3600.0)
    assert await _terminate_all(container) >= 1
    # Let the driver see the sessions close (as it would for a connection idle in the pool);
    # without the pause the close can still be in flight and asyncpg reports a protocol
    # state error instead of a lost connection.
    await asyncio.sleep(0.2)
    command = CreateJournal(DAY, "fees", lines(("5000", "5", "0"), ("1000", "0", "5")), post=True)
    transient = container.runner.stats.transient_failures
    journal_id = await run(container, "t1", lambda uow: create_journal(uow, command))
    assert container.runner.stats.transient_failures > transient
    assert await _count(container, "SELECT count(*) FROM journals WHERE id = :j", j=journal_id) == 1


@pytest.mark.parametrize("count", [3, 300])
async def test_the_account_lock_finds_accounts_by_id_and_by_code(
    container: Container, count: int
) -> None:
    """A few names (one placeholder each on SQLite) and more than the placeholder limit (one
    JSON array): the same accounts, by id and by code, with their balances."""
    from vextrus_finance.domain.accounts import AccountType

    opened = await open_accounts(
        container, "t1", [(f"{6000 + n}", AccountType.EXPENSE) for n in range(count)]
    )
    codes = sorted(opened)
    by_code_only = codes[: count // 2 + 1]
    by_id_only = [opened[c] for c in codes[count // 2 + 1 :]]

    async def decide(uow: UnitOfWork) -> tuple[set[str], set[str], set[str]]:
        by_id, by_code, balances = await uow.accounts.lock(by_id_only, by_code_only)
        return set(by_id), set(by_code), set(balances)

    ids, found_codes, balances = await run(container, "t1", decide)
    assert ids == set(opened.values()) == balances
    assert found_codes == set(codes)


async def test_sqlite_looks_the_locked_accounts_up_by_index(container: Container) -> None:
    if not container.db.is_sqlite:
        pytest.skip("SQLite's query plan")
    from vextrus_finance.infrastructure.ledger.chart import lock_statement

    async with container.db.read() as conn:
        sql = lock_statement(conn.dialect, 2, 3, carry_period=False).sql
        plan = await conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + sql, ("t1", "a", "b", "t1", "c", "d", "e")
        )
        details = " | ".join(str(row[3]) for row in plan)
    assert "(tenant_id=? AND id=?)" in details
    assert "(tenant_id=? AND code=?)" in details
    assert "SCAN accounts" not in details


async def test_the_lock_probes_the_invoices_control_account_index(container: Container) -> None:
    """Whether an invoice names a locked account as its control account is one probe of
    ix_invoices_tenant_control_account, never a scan of the tenant's invoices."""
    from vextrus_finance.infrastructure.db.driver import driver
    from vextrus_finance.infrastructure.ledger.chart import lock_statement

    async with container.db.read() as conn:
        sql = lock_statement(conn.dialect, 0, 1, carry_period=False).sql
        if container.db.is_sqlite:
            plan = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, ("t1", "2110"))
            details = " | ".join(str(row[3]) for row in plan)
            assert "SCAN invoices" not in details
        else:
            await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            db = await driver(conn)
            details = " | ".join(
                str(row[0]) for row in await db.fetch("EXPLAIN " + sql, ("t1", ["2110"]))
            )
            assert "Seq Scan on invoices" not in details
    assert "ix_invoices_tenant_control_account" in details


async def test_insert_many_converts_shared_and_distinct_values_as_sqlalchemy_would(
    container: Container,
) -> None:
    """`InsertMany` converts an object shared by several rows once; equal-but-distinct and
    different values each still get their own conversion."""
    from datetime import UTC, datetime

    from vextrus_finance.infrastructure.db.driver import InsertMany
    from vextrus_finance.infrastructure.db.schema import snapshots

    shared = datetime(2026, 11, 27, 9, 30, 0, 123456, tzinfo=UTC)
    equal = datetime(2026, 11, 27, 9, 30, 0, 123456, tzinfo=UTC)
    other = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    state = {"n": 1}
    stamps = [shared, shared, equal, other, shared]
    rows = [
        {
            "tenant_id": "t1",
            "stream_type": "journal",
            "stream_id": f"s{i}",
            "version": 1,
            "schema_version": 1,
            "state": state if i < 2 else {"n": i},
            "created_at": at,
        }
        for i, at in enumerate(stamps)
    ]
    async with container.db.write() as conn:
        await InsertMany(snapshots)(conn, rows)
    columns = [c.name for c in snapshots.columns]
    assert set(columns) == set(rows[0])  # every column given
    async with container.db.read() as conn:
        found = await conn.execute(
            sa.select(snapshots.c.stream_id, snapshots.c.state, snapshots.c.created_at).order_by(
                snapshots.c.stream_id
            )
        )
        stored = {r[0]: (r[1], r[2]) for r in found}
    for i, at in enumerate(stamps):
        assert stored[f"s{i}"] == (rows[i]["state"], at)


async def test_a_guarded_period_is_read_with_the_locked_accounts(container: Container) -> None:
    """A posting guards its period, locks its accounts, then asks for the period's status: the
    status is open when the period has no row and closed once closed, whether or not an
    account matched. On PostgreSQL the guard rides on the account lock: once the accounts are
    locked, before the status is asked for, a close cannot take its table lock until the
    posting's transaction ends."""
    from vextrus_finance.application.ledger.periods import ChangePeriod, change_period
    from vextrus_finance.domain.fiscal import FiscalPeriod, PeriodStatus, period_of

    opened = await open_accounts(container, "t1", STANDARD)
    period = period_of(DAY)
    other: FiscalPeriod = period_of(date(2025, 7, 10))

    async def lock(p: FiscalPeriod, codes: list[str]) -> tuple[PeriodStatus, set[str]]:
        async def decide(uow: UnitOfWork) -> tuple[PeriodStatus, set[str]]:
            await uow.periods.guard_posting(p)
            by_id, _by_code, _b = await uow.accounts.lock((), codes)
            return await uow.periods.status(p), set(by_id)

        return await run(container, "t1", decide)

    assert await lock(period, ["1000", "4000"]) == (
        PeriodStatus.OPEN,
        {opened["1000"], opened["4000"]},
    )
    await run(
        container,
        "t1",
        lambda uow: change_period(uow, ChangePeriod(other.code, "month end", close=True)),
    )
    assert await lock(other, ["1000"]) == (PeriodStatus.CLOSED, {opened["1000"]})
    assert await lock(other, ["no-such-code"]) == (PeriodStatus.CLOSED, set())
    assert await lock(period, ["no-such-code"]) == (PeriodStatus.OPEN, set())

    if container.db.is_sqlite:
        return  # one writer: a close cannot run beside a posting at all
    async with container.db.write() as conn:
        from vextrus_finance.infrastructure.ledger.chart import SqlAccountDirectory
        from vextrus_finance.infrastructure.ledger.period_guard import SqlPeriodGuard

        guard = SqlPeriodGuard(conn, "t1")
        await guard.guard_posting(period)
        await SqlAccountDirectory(conn, "t1", guard).lock((), ["1000"])
        async with container.db.read_engine.connect() as other_conn:
            with pytest.raises(sa.exc.DBAPIError, match="lock"):
                await other_conn.execute(
                    sa.text("LOCK TABLE fiscal_periods IN EXCLUSIVE MODE NOWAIT")
                )
        assert await guard.status(period) is PeriodStatus.OPEN
