"""Engines for SQLite and PostgreSQL behind one interface: `write()` and `read()` transactions.

SQLite: WAL with full sync; one writer connection whose transactions start with
BEGIN IMMEDIATE, so writers queue instead of failing with 'database is locked', and a pool of
readers that never block the writer. PostgreSQL: one pooled engine (asyncpg). What is done on
the driver connections underneath is in `driver` (ADR 0041)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolResetState

from vextrus_finance.domain.errors import ServiceUnavailable
from vextrus_finance.infrastructure.db.driver import attach_sqlite, begin_on_server, sqlite_driver
from vextrus_finance.infrastructure.db.errors import is_disconnect
from vextrus_finance.observability import metrics
from vextrus_finance.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long a SQLite transaction waits for its turn at the one writer connection.
WRITER_WAIT_S = 60.0
# JSON columns (event data, metadata, snapshots) read back with orjson: a rebuild decodes every
# event (ADR 0023).
JSON_DESERIALIZER = orjson.loads


def json_text(value: Any) -> str:
    """JSON columns written on SQLite (which stores text): orjson, for the posting path's events
    (ADR 0028). Compact and UTF-8 instead of `\\u` escapes; the same JSON to every reader. What
    orjson refuses (integers beyond 64 bits, non-string keys) goes to the stdlib encoder."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def async_url(url: str) -> URL:
    """Accept plain URLs (`sqlite:///file.db`, `postgresql://…`) and pick our drivers."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        query = dict(parsed.query)
        # libpq's sslmode is asyncpg's ssl.
        if "sslmode" in query:
            query["ssl"] = query.pop("sslmode")
        return parsed.set(drivername="postgresql+asyncpg", query=query)
    raise ValueError(f"unsupported DATABASE_URL scheme {parsed.drivername!r}")


def redacted(url: str) -> str:
    """The URL with its password hidden: the only form that may be logged."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: URL, *, writer: bool, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=1 if writer else pool_size,
        max_overflow=0,
        pool_timeout=WRITER_WAIT_S,
        json_deserializer=JSON_DESERIALIZER,
        json_serializer=json_text,
        # Reset on return is `_rollback_inline` below: the pool's own reset is a ROLLBACK sent
        # to aiosqlite's thread, one more hop per transaction after every COMMIT.
        pool_reset_on_return=None,
        # The posting path's statements, and the point reads of a journal written a moment
        # ago, run on the sqlite3 connection from the event loop's thread (ADR 0026), while
        # aiosqlite made it in its own.
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Take transaction control from the driver; we emit BEGIN ourselves below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        # The writer starts its transactions without waiting (`_begin_immediate`).
        cursor.execute(f"PRAGMA busy_timeout={0 if writer else SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        attach_sqlite(dbapi_connection, record, engine.dialect)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if writer:
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")

    event.listen(engine.sync_engine.pool, "reset", _rollback_inline)
    return engine


def _rollback_inline(_dbapi_connection: Any, record: Any, state: PoolResetState) -> None:
    """A connection going back to the pool leaves no transaction open (what the pool's
    rollback-on-return guarantees), rolled back in the event loop's thread, and only when one is
    open (ADR 0028): after a COMMIT there is nothing to roll back, and the pool's own reset would
    still send a ROLLBACK through aiosqlite's thread and wait for it. When the pool cannot touch
    the connection (garbage collected outside the loop), SQLAlchemy's own reset would not
    either: the connection is discarded."""
    if state.terminate_only or not state.asyncio_safe:
        return
    sqlite_driver(record.info).rollback_inline()


def _begin_immediate(connection: Any) -> None:
    """BEGIN IMMEDIATE for a transaction SQLAlchemy begins on the writer (migrations, Core
    statements in a `writer()` block); `Database.write()` begins its own. Nothing to do when
    the connection is already in one: `write()` began it, and SQLAlchemy autobegins its own
    bookkeeping for a Core statement or a savepoint inside it."""
    sqlite = sqlite_driver(connection.info)
    if sqlite.in_transaction or sqlite.begin_immediate():
        return
    # Another process holds the write lock: wait for it in aiosqlite's thread, up to
    # SQLITE_BUSY_TIMEOUT_MS like every other SQLite connection here (ADR 0026).
    sqlite.busy_timeout(SQLITE_BUSY_TIMEOUT_MS)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        sqlite.busy_timeout(0)


@asynccontextmanager
async def _begin_and_commit(conn: AsyncConnection) -> AsyncIterator[None]:
    """One transaction on the SQLite writer, begun and committed on the driver connection
    instead of through SQLAlchemy's transaction objects (ADR 0028): a posting's statements run
    on the driver anyway (ADR 0026), and SQLAlchemy's begin and commit around them cost a
    greenlet, a transaction object and events each.

    BEGIN IMMEDIATE inline succeeds at once unless another process writes: writers of this
    process take turns at the writer first. Statements a block sends through SQLAlchemy
    autobegin its bookkeeping inside this transaction (`_begin_immediate` sees it open and adds
    nothing); such a block is committed through SQLAlchemy, which commits the driver connection
    all the same. A block that raises is rolled back by `_held_writer`."""
    sqlite = sqlite_driver(conn.info)
    if not sqlite.begin_immediate():
        # Another process holds the write lock: SQLAlchemy's begin waits for it the usual way
        # (`_begin_immediate`, in aiosqlite's thread), and commits below.
        await conn.begin()
    yield
    if conn.in_transaction():
        await conn.commit()
        return
    await sqlite.commit()


# A pooled PostgreSQL connection unused for longer than this is pinged before it is handed out.
IDLE_PING_AFTER_S = 1.0


def _ping_when_suspect(engine: AsyncEngine, lost_at: Callable[[], float]) -> None:
    """`pool_pre_ping`, but only for connections that may have been cut (ADR 0026, ADR 0051):
    those that sat idle, and those that were in the pool when a connection was last lost.

    A ping on every checkout is one more round trip per command. A connection that went back
    to the pool a moment ago is as alive as a ping would show, unless a disconnect has been
    seen since: a database restart cuts every pooled connection at once. The first suspect
    connection whose ping fails raises InvalidatePoolError, and the pool replaces it and every
    connection older than it (SQLAlchemy's pool invalidation), so after a restart the stale
    connections are found by one ping, not one failed request each. A connection that dies
    while in use fails its statement: commands are retried on a fresh connection (ADR 0005),
    reads once (`Database.read`)."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None:
            return  # new: connected a moment ago
        if time.monotonic() - idle_since < IDLE_PING_AFTER_S and idle_since > lost_at():
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise sa.exc.InvalidatePoolError(f"pooled connection failed its ping: {exc}") from exc
        record.info["idle_since"] = time.monotonic()


class Database:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = async_url(settings.database_url)
        self.backend = self.url.get_backend_name()
        if self.backend == "sqlite":
            database = self.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.write_engine = _sqlite_engine(
                self.url, writer=True, pool_size=settings.database_pool_size
            )
            self.read_engine = _sqlite_engine(
                self.url, writer=False, pool_size=min(settings.database_pool_size, 8)
            )
        else:
            self.write_engine = self.read_engine = create_async_engine(
                self.url,
                pool_size=settings.database_pool_size,
                max_overflow=0,
                pool_timeout=30,
                json_deserializer=JSON_DESERIALIZER,
                connect_args={"timeout": settings.database_connect_timeout_seconds},
            )
            _ping_when_suspect(self.write_engine, lambda: self._lost_at)
            event.listen(self.write_engine.sync_engine, "handle_error", self._on_error)
        # When a connection was last found lost: pooled connections older are pinged.
        self._lost_at = float("-inf")
        # SQLite: the writer engine's one connection, kept checked out between transactions.
        self._writer: AsyncConnection | None = None
        self._writer_turn = asyncio.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    def _on_error(self, context: sa.engine.ExceptionContext) -> None:
        """SQLAlchemy's `handle_error`: asyncpg's disconnects SQLAlchemy does not recognise
        itself (a broken connection it does not see closed, a refused connect) are marked as
        disconnects, so it invalidates the connection and the pool (ADR 0051)."""
        if is_disconnect(context.original_exception):
            self._lost_at = time.monotonic()
            context.is_disconnect = True

    async def _lost(self, conn: AsyncConnection, exc: BaseException) -> None:
        """`conn` failed with a disconnect on the driver path, which SQLAlchemy does not see:
        discard it (never back into the pool) and have the pool ping the others."""
        self._lost_at = time.monotonic()
        if not conn.invalidated:
            await conn.invalidate(exc)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A read-write transaction; commits when the block ends without an exception."""
        if not self.is_sqlite:
            async with self.write_engine.connect() as conn, conn.begin():
                try:
                    yield conn
                except Exception as exc:
                    if is_disconnect(exc):
                        await self._lost(conn, exc)
                    raise
            return
        async with self.writer() as conn, _begin_and_commit(conn):
            yield conn

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[AsyncConnection]:
        """The connection writes go through, without a transaction begun (migrations manage
        their own). Whatever the block leaves open is rolled back."""
        if not self.is_sqlite:
            async with self.write_engine.connect() as conn:
                yield conn
            return
        try:
            async with asyncio.timeout(WRITER_WAIT_S):
                await self._writer_turn.acquire()
        except TimeoutError as exc:
            raise sa.exc.TimeoutError(
                f"no turn at the SQLite writer within {WRITER_WAIT_S:.0f} s"
            ) from exc
        try:
            async with self._held_writer() as conn:
                yield conn
        finally:
            self._writer_turn.release()

    @asynccontextmanager
    async def _held_writer(self) -> AsyncIterator[AsyncConnection]:
        """SQLite's writer connection stays checked out from one transaction to the next
        (ADR 0028): the engine has exactly one, and every write waits for its turn here
        anyway, so checking it out of the pool and back for each transaction (a new
        `Connection`, the pool's events and bookkeeping) would cost every write for nothing.

        A block that ends in an exception — a conflict, a cancelled request — or leaves a
        transaction open gives the connection back to the pool instead (whose reset rolls back
        what is open) and the next write checks it out afresh: no state of a failed block
        carries over. The DBAPI connection underneath stays the same, and with it what was set
        on it (the rebuild's larger page cache, until the rebuild restores it)."""
        conn = self._writer or await self.write_engine.connect()
        self._writer = None
        try:
            yield conn
        except BaseException:
            await asyncio.shield(conn.close())
            raise
        if conn.in_transaction() or conn.invalidated:
            await asyncio.shield(conn.close())
        else:
            self._writer = conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction: one consistent snapshot for the whole block.

        PostgreSQL: the transaction is begun on the server before the block runs; a pooled
        connection found dead there is replaced and the read begun again on a fresh one, once.
        A read that still cannot reach the database, or loses its connection midway, answers
        ServiceUnavailable (503 with Retry-After); connection errors are counted (ADR 0051)."""
        if self.is_sqlite:
            async with self.read_engine.connect() as conn, conn.begin():
                yield conn
            return
        conn = await self._begun_read()
        try:
            yield conn
            await conn.commit()
        except Exception as exc:
            if not is_disconnect(exc):
                raise
            metrics.connection_errors.inc()
            await self._lost(conn, exc)
            raise _unavailable(exc) from exc
        finally:
            await asyncio.shield(conn.close())

    async def _begun_read(self) -> AsyncConnection:
        for attempt in (1, 2):
            conn: AsyncConnection | None = None
            try:
                conn = await self.read_engine.connect()
                # Reports run several statements; they must all see the same commit.
                await conn.execution_options(isolation_level="REPEATABLE READ")
                await conn.begin()
                await begin_on_server(conn)
                return conn
            except Exception as exc:
                if conn is not None:
                    if is_disconnect(exc):
                        await self._lost(conn, exc)
                    await asyncio.shield(conn.close())
                if not is_disconnect(exc):
                    raise
                metrics.connection_errors.inc()
                self._lost_at = time.monotonic()
                if attempt == 2:
                    raise _unavailable(exc) from exc
        raise AssertionError("unreachable")

    async def dispose(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            await writer.close()
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def _unavailable(exc: BaseException) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"the database is unavailable; the request was not applied ({type(exc).__name__})"
    )
