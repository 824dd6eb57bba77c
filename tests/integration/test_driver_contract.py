"""What the driver adapter (`infrastructure/db/driver.py`, ADR 0041) relies on in SQLAlchemy,
asyncpg and aiosqlite, checked on real SQLite and PostgreSQL connections.

A failure here names the library and the member it no longer provides as assumed: an upgrade
changed it, and `driver.py` has to follow before the upgrade goes in. The last test keeps every
driver-private access of `src/` inside that one module."""

from __future__ import annotations

import ast
import asyncio
import inspect
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import PoolResetState

from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.db.driver import Sql, driver, sqlite_driver
from vextrus_finance.infrastructure.db.errors import (
    is_connection_failure,
    is_transient,
    is_unique_violation,
    sqlstate,
)

VERSIONS = (
    f"SQLAlchemy {sa.__version__}, asyncpg {asyncpg.__version__}, aiosqlite {aiosqlite.__version__}"
)
INSERT = Sql.same("INSERT INTO counters (tenant_id, name, value) VALUES (?, ?, ?)")
SRC = Path(__file__).resolve().parents[2] / "src"
ADAPTER = "vextrus_finance/infrastructure/db/driver.py"


def broken(library: str, member: str, how: str) -> str:
    return (
        f"{library}: {member} {how} ({VERSIONS}). src/{ADAPTER} relies on it (ADR 0041): "
        "change the adapter before upgrading."
    )


@pytest.fixture
def sqlite(container: Container) -> Container:
    if not container.db.is_sqlite:
        pytest.skip("SQLite's driver connection")
    return container


@pytest.fixture
def postgres(container: Container) -> Container:
    if container.db.is_sqlite:
        pytest.skip("PostgreSQL's driver connection")
    return container


async def _counters(container: Container, name: str) -> int:
    async with container.db.read() as conn:
        found = await conn.execute(
            sa.text("SELECT count(*) FROM counters WHERE tenant_id = 't1' AND name = :n"),
            {"n": name},
        )
        return int(found.scalar_one())


# --- SQLite: aiosqlite under SQLAlchemy's aiosqlite dialect ---------------------------------


async def test_sqlite_connections_are_reached_through_public_members(sqlite: Container) -> None:
    async with sqlite.db.writer() as conn:
        raw = await conn.get_raw_connection()
        aio = raw.driver_connection
        assert isinstance(aio, aiosqlite.Connection), broken(
            "SQLAlchemy",
            "the aiosqlite adapter's `driver_connection`",
            f"is a {type(aio).__name__}, not an aiosqlite.Connection",
        )
        assert callable(getattr(raw.dbapi_connection, "run_async", None)), broken(
            "SQLAlchemy", "`AdaptedConnection.run_async`", "is gone"
        )
        try:
            attached = sqlite_driver(conn.info)
        except KeyError:
            pytest.fail(
                broken(
                    "SQLAlchemy",
                    "the pool record's `info` (`AsyncConnection.info`)",
                    "does not hold what the `connect` event put there",
                )
            )
        assert attached.aio is aio, broken(
            "SQLAlchemy", "`driver_connection`", "differs between the connect event and later"
        )
        db = attached.db
        assert isinstance(db, sqlite3.Connection), broken(
            "aiosqlite",
            "`Cursor.connection`",
            f"is a {type(db).__name__}, not the sqlite3.Connection",
        )
        # The one aiosqlite runs: a transaction begun on it is aiosqlite's, and aiosqlite's
        # COMMIT (in its thread) ends it.
        db.execute("BEGIN IMMEDIATE")
        assert aio.in_transaction, broken(
            "aiosqlite", "`Cursor.connection`", "is not the connection aiosqlite runs"
        )
        await aio.commit()
        assert not db.in_transaction, broken(
            "aiosqlite", "`Connection.commit()`", "did not commit its sqlite3 connection"
        )
        assert db.isolation_level is None, broken(
            "SQLAlchemy",
            "the aiosqlite adapter's `isolation_level` setter",
            "did not reach the sqlite3 connection (BEGIN would no longer be ours)",
        )


async def test_sqlite_begun_inline_is_committed_by_sqlalchemy(sqlite: Container) -> None:
    """What `Database.write()` relies on: a transaction begun on the sqlite3 connection is the
    one SQLAlchemy then tracks and commits."""
    async with sqlite.db.writer() as conn:
        attached = sqlite_driver(conn.info)
        assert attached.begin_immediate()
        await (await driver(conn)).execute(INSERT, ("t1", "inline", 1))
        await conn.execute(sa.text("INSERT INTO counters VALUES ('t1', 'core', 1)"))
        await conn.commit()
        assert not attached.in_transaction, broken(
            "SQLAlchemy", "`AsyncConnection.commit()`", "left the driver's transaction open"
        )
    assert await _counters(sqlite, "inline") == await _counters(sqlite, "core") == 1


async def test_sqlite_errors_become_the_sqlalchemy_errors_the_unit_of_work_expects(
    sqlite: Container,
) -> None:
    with pytest.raises(sa.exc.IntegrityError) as caught:
        async with sqlite.db.write() as conn:
            db = await driver(conn)
            await db.execute(INSERT, ("t1", "twice", 1))
            await db.execute(INSERT, ("t1", "twice", 1))
    assert isinstance(caught.value.orig, sqlite3.IntegrityError), broken(
        "SQLAlchemy",
        "`DBAPIError.instance` or the aiosqlite dialect's `loaded_dbapi.Error`",
        f"wrapped a {type(caught.value.orig).__name__}",
    )
    assert is_unique_violation(caught.value), broken(
        "sqlite3", "the text of a unique violation", f"changed: {caught.value.orig}"
    )
    assert await _counters(sqlite, "twice") == 0


async def test_sqlite_busy_is_told_by_its_error_code(sqlite: Container) -> None:
    """BEGIN IMMEDIATE inline gives way when another process holds the write lock, recognised
    by `sqlite_errorcode`; any other error is raised as SQLAlchemy's."""
    assert PoolResetState.__dataclass_fields__.keys() >= {"terminate_only", "asyncio_safe"}, broken(
        "SQLAlchemy", "`PoolResetState`", "lost `terminate_only` or `asyncio_safe`"
    )
    path = sqlite.db.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        async with sqlite.db.writer() as conn:
            attached = sqlite_driver(conn.info)
            assert attached.begin_immediate() is False, broken(
                "sqlite3", "`OperationalError.sqlite_errorcode`", "is not SQLITE_BUSY when busy"
            )
            assert not attached.in_transaction
    finally:
        other.execute("ROLLBACK")
        other.close()


# --- PostgreSQL: asyncpg under SQLAlchemy's asyncpg adapter ---------------------------------


async def _adapted(conn: AsyncConnection) -> Any:
    return (await conn.get_raw_connection()).dbapi_connection


async def test_asyncpg_adapter_has_the_members_the_driver_uses(postgres: Container) -> None:
    adapter = "SQLAlchemy's asyncpg adapter (AsyncAdapt_asyncpg_connection)"
    async with postgres.db.write_engine.connect() as conn:
        adapted = await _adapted(conn)
        assert isinstance(adapted.driver_connection, asyncpg.Connection), broken(
            "SQLAlchemy",
            f"{adapter}.driver_connection",
            f"is a {type(adapted.driver_connection).__name__}, not an asyncpg.Connection",
        )
        assert hasattr(adapted, "_transaction"), broken(adapter, "`_transaction`", "is gone")
        assert inspect.iscoroutinefunction(getattr(adapted, "_start_transaction", None)), broken(
            adapter, "`_start_transaction()`", "is gone or no longer a coroutine function"
        )
        assert callable(getattr(adapted, "_handle_exception", None)), broken(
            adapter, "`_handle_exception()`", "is gone"
        )


async def test_asyncpg_transaction_begun_by_the_driver_is_sqlalchemys(
    postgres: Container,
) -> None:
    """The adapter begins lazily; the driver begins it the adapter's way, so SQLAlchemy's
    COMMIT commits what the driver wrote and its ROLLBACK discards it."""
    adapter = "SQLAlchemy's asyncpg adapter"
    async with postgres.db.write() as conn:
        adapted = await _adapted(conn)
        pg = adapted.driver_connection
        assert adapted._transaction is None, broken(
            adapter, "`_transaction`", "is set before the first statement (no longer lazy)"
        )
        db = await driver(conn)
        await db.execute(INSERT, ("t1", "committed", 1))
        began = broken(adapter, "`_start_transaction()`", "began no transaction it tracks")
        assert adapted._transaction is not None, began
        assert pg.is_in_transaction(), began
        ((by_driver,),) = await db.fetch("SELECT txid_current()", ())
        by_sqlalchemy = (await conn.execute(sa.text("SELECT txid_current()"))).scalar_one()
        assert by_driver == by_sqlalchemy, broken(
            adapter, "`_start_transaction()`", "began a transaction SQLAlchemy does not use"
        )
    assert adapted._transaction is None, broken(adapter, "`_transaction`", "outlived COMMIT")
    assert await _counters(postgres, "committed") == 1, broken(
        adapter, "`commit()`", "did not commit the transaction the driver began"
    )

    with pytest.raises(RuntimeError, match="refused"):
        async with postgres.db.write() as conn:
            await (await driver(conn)).execute(INSERT, ("t1", "rolled back", 1))
            raise RuntimeError("refused")
    assert await _counters(postgres, "rolled back") == 0, broken(
        adapter, "`rollback()`", "did not roll back the transaction the driver began"
    )


async def test_asyncpg_errors_become_the_sqlalchemy_errors_the_unit_of_work_expects(
    postgres: Container,
) -> None:
    adapter = "SQLAlchemy's asyncpg adapter `_handle_exception()`"
    with pytest.raises(sa.exc.IntegrityError) as caught:
        async with postgres.db.write() as conn:
            db = await driver(conn)
            await db.execute(INSERT, ("t1", "twice", 1))
            await db.execute(INSERT, ("t1", "twice", 1))
    dbapi = postgres.db.write_engine.dialect.loaded_dbapi
    assert isinstance(caught.value.orig, dbapi.IntegrityError), broken(
        "SQLAlchemy", adapter, f"translated to a {type(caught.value.orig).__name__}"
    )
    assert sqlstate(caught.value) == "23505", broken(
        "SQLAlchemy", adapter, "no longer keeps the SQLSTATE (`sqlstate` on the error)"
    )
    assert is_unique_violation(caught.value)
    assert isinstance(caught.value.orig.__cause__, asyncpg.UniqueViolationError), broken(
        "asyncpg", "`UniqueViolationError`", "is no longer what a duplicate key raises"
    )
    assert await _counters(postgres, "twice") == 0

    with pytest.raises(sa.exc.ProgrammingError):
        async with postgres.db.write() as conn:
            await (await driver(conn)).fetch("SELECT no_such_column FROM counters", ())
    # The connection that failed is usable again: its transaction was rolled back.
    async with postgres.db.write() as conn:
        await (await driver(conn)).execute(INSERT, ("t1", "after", 1))
    assert await _counters(postgres, "after") == 1


async def test_asyncpg_connection_lost_is_a_transient_sqlalchemy_error(
    postgres: Container,
) -> None:
    """A session the server ended: the driver's statement fails as a transient connection
    failure, and the adapter forgets the transaction it can no longer end."""
    adapter = "SQLAlchemy's asyncpg adapter `_handle_exception()`"
    async with postgres.db.write_engine.connect() as conn:
        await conn.begin()
        db = await driver(conn)
        ((pid,),) = await db.fetch("SELECT pg_backend_pid()", ())
        adapted = await _adapted(conn)
        other = create_async_engine(postgres.db.url, poolclass=sa.pool.NullPool)
        try:
            async with other.connect() as killer:
                await killer.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        finally:
            await other.dispose()
        await asyncio.sleep(0.2)  # let asyncpg see the session end
        with pytest.raises(sa.exc.DBAPIError) as caught:
            await db.fetch("SELECT 1", ())
        assert is_transient(caught.value), broken(
            "SQLAlchemy", adapter, f"gave a non-transient {caught.value!r}"
        )
        assert is_connection_failure(caught.value)
        assert adapted._transaction is None, broken(
            "SQLAlchemy", adapter, "kept the transaction of a closed connection"
        )
        await conn.invalidate()


# --- the one module -----------------------------------------------------------------------

# Private members of the libraries (SQLAlchemy's adapters, aiosqlite, asyncpg) by name: also
# names the project uses for its own attributes (`self._conn`), hence the check of the base.
LIBRARY_PRIVATE = {
    "_conn",
    "_connection",
    "_transaction",
    "_start_transaction",
    "_handle_exception",
    "_execute",
    "_tx",
    "_cursor",
    "_protocol",
    "_pool",
}
# Public API spelled with an underscore so as not to clash with column names (SQLAlchemy's
# `Row._mapping`, `Row._fields`, `Row._asdict`, `Row._tuple`, `Row._t`).
PUBLIC_UNDERSCORED = {"_mapping", "_fields", "_asdict", "_tuple", "_t"}
# Driver-level entry points (public, but used only by the adapter) and the driver packages.
DRIVER_LEVEL = {"get_raw_connection", "driver_connection", "dbapi_connection"}
DRIVER_PACKAGES = {"asyncpg", "aiosqlite"}


def _modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(SRC).as_posix(): ast.parse(path.read_text(), str(path))
        for path in sorted(SRC.rglob("*.py"))
    }


def _own_members(trees: dict[str, ast.Module]) -> set[str]:
    """Underscored names the project defines: functions, methods, class attributes and
    instance attributes set on `self`."""
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.AnnAssign | ast.Assign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return {name for name in names if name.startswith("_")}


def _on_self(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}


def test_driver_private_access_is_in_one_module() -> None:
    trees = _modules()
    own = _own_members(trees)
    private: dict[str, set[str]] = {}
    driver_level: dict[str, set[str]] = {}
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                name = node.attr
                if name.startswith("__") or not name.startswith("_") or _on_self(node):
                    pass
                elif name in LIBRARY_PRIVATE or (
                    name not in own and name not in PUBLIC_UNDERSCORED
                ):
                    private.setdefault(module, set()).add(name)
                if name in DRIVER_LEVEL:
                    driver_level.setdefault(module, set()).add(name)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                imported = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                )
                if any((m or "").split(".")[0] in DRIVER_PACKAGES for m in imported):
                    driver_level.setdefault(module, set()).add("import")
    assert set(private) == {ADAPTER}, (
        f"library-private members used outside {ADAPTER}: "
        f"{ {m: sorted(n) for m, n in private.items() if m != ADAPTER} }"
    )
    assert private[ADAPTER] == {"_transaction", "_start_transaction", "_handle_exception"}, (
        f"{ADAPTER} uses {sorted(private[ADAPTER])}: list each in its docstring and "
        "check it in this file"
    )
    assert set(driver_level) <= {ADAPTER}, (
        f"driver connections reached outside {ADAPTER}: "
        f"{ {m: sorted(n) for m, n in driver_level.items() if m != ADAPTER} }"
    )
