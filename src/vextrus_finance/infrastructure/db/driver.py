"""The statements of the posting path run on the driver connection beneath SQLAlchemy, and the
one module of `src/` that reaches there (ADR 0026, ADR 0041).

SQLAlchemy's execution path around each statement costs more than the database needs for the
dozen statements a posting runs (period status, account lock, counter, the projection's inserts
and sums, the event append). They are therefore written once per database and run on the driver
connection underneath the command's SQLAlchemy connection: same connection, same transaction,
same locks. Transactions stay with SQLAlchemy, and driver errors are raised as the SQLAlchemy
exceptions SQLAlchemy itself would raise, which the unit of work classifies (`errors`).

SQLite: statements run on the `sqlite3` connection in the event loop's thread instead of a hop
to aiosqlite's thread per statement. That is safe only inside the writer's BEGIN IMMEDIATE
transaction, which already holds the write lock: no statement waits for a lock, and the fsync
happens at COMMIT, which goes through aiosqlite's thread, as do large row sets (a rebuild's
batches), so the event loop is never held for long.

Library internals: this is the only module that uses a private member of a library, and
`tests/integration/test_driver_contract.py` checks each one against the installed versions.
They are all on SQLAlchemy's asyncpg adapter (`AsyncAdapt_asyncpg_connection`), where nothing
public does the same:
- `_transaction` and `_start_transaction()`: the adapter begins its asyncpg transaction lazily,
  at its first statement, and commits or rolls back only one it began itself; a statement sent
  straight to asyncpg must begin it the same way.
- `_handle_exception()`: SQLAlchemy's translation of an asyncpg error into its DBAPI exception
  (which also forgets a transaction whose connection closed).
Everything else is public API: `driver_connection` for the asyncpg and aiosqlite connections,
aiosqlite's `Cursor.connection` for the `sqlite3` connection it runs (taken once per connection),
`run_async` in the pool's `connect` event, and the connection's `info` dictionary."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol, cast

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.db.errors import is_disconnect

if TYPE_CHECKING:
    import aiosqlite
    import asyncpg  # type: ignore[import-untyped]

# Where a connection's driver is kept: the pool record's `info`, which lives exactly as long as
# the DBAPI connection (`AsyncConnection.info` and `Connection.info` are the same dictionary).
_INFO_KEY = "vextrus.driver"
_UNSEEN = object()  # no value processed yet (None is a value)
# Above this many rows an executemany on SQLite goes through aiosqlite's thread: a rebuild's
# 10,000-row inserts must not hold the event loop; a command's few hundred rows may.
SQLITE_INLINE_ROWS = 1000


@dataclass(frozen=True)
class Sql:
    """One statement's text for each database, `?` placeholders in both (PostgreSQL's `$n`
    are numbered from them)."""

    sqlite: str
    postgresql: str

    @classmethod
    def same(cls, text: str) -> Sql:
        return cls(text, _numbered(text))

    @classmethod
    def each(cls, *, sqlite: str, postgresql: str) -> Sql:
        return cls(sqlite, _numbered(postgresql))

    def text(self, dialect: str) -> str:
        return self.sqlite if dialect == "sqlite" else self.postgresql


def _numbered(text: str) -> str:
    parts = text.split("?")
    out = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        out.append(f"${n}{part}")
    return "".join(out)


Row = Sequence[Any]


class Driver(Protocol):
    dialect: str

    async def fetch(
        self, sql: Sql | str, params: Sequence[Any], *, off_loop: bool = False
    ) -> list[Row]: ...

    async def execute(self, sql: Sql | str, params: Sequence[Any]) -> None: ...

    async def executemany(self, sql: Sql | str, rows: Sequence[Sequence[Any]]) -> None: ...


def sqlalchemy_error(
    dialect: Dialect, statement: str, params: Any, error: Exception, *, many: bool = False
) -> Exception:
    """The SQLAlchemy exception SQLAlchemy itself would have raised for this driver error, so
    the unit of work classifies it as usual."""
    base = dialect.loaded_dbapi.Error
    if not isinstance(error, base):
        return error  # OSError, timeouts…: the unit of work classifies these as they are
    # A lost or broken connection is flagged the way SQLAlchemy flags the disconnects it
    # recognises; `Database` then replaces it and has the pool check the others (ADR 0051).
    return sa.exc.DBAPIError.instance(
        statement,
        params,
        error,
        base,
        dialect=dialect,
        ismulti=many,
        connection_invalidated=is_disconnect(error),
    )


class SqliteDriver:
    """The `sqlite3` connection aiosqlite runs, called inline, and aiosqlite for what must not
    hold the event loop (large row sets, COMMIT's fsync)."""

    dialect = "sqlite"

    def __init__(self, aio: aiosqlite.Connection, db: sqlite3.Connection, sa_dialect: Dialect):
        self.aio = aio
        self.db = db
        self._sa_dialect = sa_dialect

    async def fetch(
        self, sql: Sql | str, params: Sequence[Any], *, off_loop: bool = False
    ) -> list[Row]:
        text = sql if isinstance(sql, str) else sql.sqlite
        try:
            if off_loop:
                return list(await self.aio.execute_fetchall(text, params))
            return self.db.execute(text, params).fetchall()
        except sqlite3.Error as error:
            raise sqlalchemy_error(self._sa_dialect, text, params, error) from error

    async def execute(self, sql: Sql | str, params: Sequence[Any]) -> None:
        await self.fetch(sql, params)

    async def executemany(self, sql: Sql | str, rows: Sequence[Sequence[Any]]) -> None:
        text = sql if isinstance(sql, str) else sql.sqlite
        try:
            if len(rows) > SQLITE_INLINE_ROWS:
                await self.aio.executemany(text, rows)
            else:
                self.db.executemany(text, rows)
        except sqlite3.Error as error:
            raise sqlalchemy_error(self._sa_dialect, text, rows, error, many=True) from error

    @property
    def in_transaction(self) -> bool:
        return self.db.in_transaction

    def begin_immediate(self) -> bool:
        """BEGIN IMMEDIATE in the event loop's thread if the write lock is free; False when
        another process holds it (the writer's busy_timeout is 0, so this returns at once)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise sqlalchemy_error(self._sa_dialect, "BEGIN IMMEDIATE", (), error) from error
        return False

    async def commit(self) -> None:
        """COMMIT in aiosqlite's thread: the event loop serves others during the fsync."""
        try:
            await self.aio.commit()
        except sqlite3.Error as error:
            raise sqlalchemy_error(self._sa_dialect, "COMMIT", (), error) from error

    def rollback_inline(self) -> None:
        """ROLLBACK in the event loop's thread, if a transaction is open: in WAL mode it
        discards the transaction's pages without touching the disk."""
        if self.db.in_transaction:
            self.db.rollback()

    def busy_timeout(self, ms: int) -> None:
        self.db.execute(f"PRAGMA busy_timeout={int(ms)}")


async def _sqlite3_under(aio: aiosqlite.Connection) -> sqlite3.Connection:
    """The `sqlite3` connection aiosqlite runs, through its public cursor (one trip to its
    thread, once per connection)."""
    async with aio.cursor() as cursor:
        return cursor.connection


def attach_sqlite(dbapi_connection: Any, record: Any, sa_dialect: Dialect) -> SqliteDriver:
    """For the pool's `connect` event: the driver of a new SQLite connection, kept in the pool
    record's `info`, where `sqlite_driver` finds it in the pool's synchronous events too."""
    aio: aiosqlite.Connection = dbapi_connection.driver_connection
    db: sqlite3.Connection = dbapi_connection.run_async(_sqlite3_under)
    found = record.info[_INFO_KEY] = SqliteDriver(aio, db, sa_dialect)
    return found


def sqlite_driver(info: Mapping[Any, Any]) -> SqliteDriver:
    """The driver `attach_sqlite` kept in a connection's `info` (`AsyncConnection.info`,
    `Connection.info` or the pool record's: the same dictionary)."""
    return cast(SqliteDriver, info[_INFO_KEY])


class _AsyncpgDriver:
    dialect = "postgresql"

    def __init__(self, adapted: Any, sa_dialect: Dialect) -> None:
        # SQLAlchemy's adapter around the asyncpg connection: it owns the transaction, which it
        # starts lazily at the first statement, and knows how to translate asyncpg's errors.
        self._adapted = adapted
        self._pg: asyncpg.Connection = adapted.driver_connection
        self._sa_dialect = sa_dialect

    async def _in_transaction(self) -> None:
        # Private members: the adapter's own test and call before its first statement; nothing
        # public begins the transaction its commit() and rollback() act on.
        # Inside the callers' try: a connection that died in the pool fails here, at BEGIN,
        # and must reach the unit of work as a (transient) SQLAlchemy error like any other.
        if self._adapted._transaction is None:
            await self._adapted._start_transaction()

    def _raise(self, text: str, params: Any, error: Exception, *, many: bool) -> None:
        try:
            # Private: SQLAlchemy's translation of asyncpg's errors has no public entry point.
            self._adapted._handle_exception(error)  # always raises, translated
        except Exception as translated:
            raise sqlalchemy_error(self._sa_dialect, text, params, translated, many=many) from error

    async def begin(self) -> None:
        """The transaction begun on the server now rather than at the first statement: the
        same BEGIN, sent earlier (ADR 0051)."""
        try:
            await self._in_transaction()
        except Exception as error:
            self._raise("BEGIN", (), error, many=False)
            raise

    async def fetch(
        self, sql: Sql | str, params: Sequence[Any], *, off_loop: bool = False
    ) -> list[Row]:
        # `off_loop` is SQLite's: asyncpg never holds the event loop while the server works.
        text = sql if isinstance(sql, str) else sql.postgresql
        try:
            await self._in_transaction()
            rows: list[Row] = await self._pg.fetch(text, *params)
        except Exception as error:
            self._raise(text, params, error, many=False)
            raise
        return rows

    async def execute(self, sql: Sql | str, params: Sequence[Any]) -> None:
        text = sql if isinstance(sql, str) else sql.postgresql
        try:
            await self._in_transaction()
            await self._pg.execute(text, *params)
        except Exception as error:
            self._raise(text, params, error, many=False)
            raise

    async def executemany(self, sql: Sql | str, rows: Sequence[Sequence[Any]]) -> None:
        text = sql if isinstance(sql, str) else sql.postgresql
        try:
            await self._in_transaction()
            await self._pg.executemany(text, rows)
        except Exception as error:
            self._raise(text, rows, error, many=True)
            raise


async def driver(conn: AsyncConnection) -> Driver:
    """The driver under `conn`. SQLite's engines attach theirs when they connect; others (and
    PostgreSQL's) are made at the first call and kept in the same place."""
    info = conn.info
    found: Driver | None = info.get(_INFO_KEY)
    if found is None:
        raw = await conn.get_raw_connection()
        dialect = conn.dialect
        if dialect.name == "sqlite":
            aio = cast("aiosqlite.Connection", raw.driver_connection)
            found = SqliteDriver(aio, await _sqlite3_under(aio), dialect)
        else:
            found = _AsyncpgDriver(raw.dbapi_connection, dialect)
        info[_INFO_KEY] = found
    return found


async def begin_on_server(conn: AsyncConnection) -> None:
    """PostgreSQL: send the BEGIN of `conn`'s transaction (begun in SQLAlchemy) now. asyncpg
    sends it as a statement of its own before the first query anyway, so this costs no round
    trip, and a connection that died in the pool fails here, before the caller has read
    anything: `Database.read()` takes another (ADR 0051). SQLite: nothing to do."""
    if conn.dialect.name == "sqlite":
        return
    found = await driver(conn)
    assert isinstance(found, _AsyncpgDriver)
    await found.begin()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    columns: tuple[tuple[str, str], ...]  # (name, SQL type) in the SQL's order
    values: Callable[[dict[str, Any]], tuple[Any, ...]]  # the row's values in the SQL's order
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)


class InsertMany:
    """INSERT of whole rows through the driver's executemany.

    SQLAlchemy's executemany of a Core insert builds every row's parameters through the compiled
    statement (`construct_params`), which costs more CPU than SQLite's insert itself (ADR 0023).
    Here the statement is compiled once per dialect and each row becomes a
    tuple converted by the same bind processors SQLAlchemy would apply, so the stored values are
    identical (`verify` compares them with the live rows)."""

    def __init__(self, table: sa.Table) -> None:
        self._table = table
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            names = [c.name for c in self._table.columns]
            statement = sa.insert(self._table).compile(dialect=dialect, column_keys=names)
            order = list(statement.positiontup or ())
            assert sorted(order) == sorted(names), order  # one positional parameter per column
            processors = []
            for position, name in enumerate(order):
                column_type = self._table.c[name].type
                process = column_type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    processors.append((position, process))
            compile_type = dialect.type_compiler_instance.process
            compiled = self._compiled[dialect.name] = _Compiled(
                str(statement),
                tuple((name, compile_type(self._table.c[name].type)) for name in order),
                itemgetter(*order),
                tuple(processors),
            )
        return compiled

    def tuples(self, dialect: Dialect, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The rows as the driver takes them, in the order of `columns(dialect)`."""
        compiled = self._compile(dialect)
        values, processors = compiled.values, compiled.processors
        parameters: list[tuple[Any, ...]] = []
        # The rows of one call share their timestamps and dates (one command, one clock
        # reading): each processor converts the same object once. By identity, so a value
        # that is merely equal is converted again (ADR 0028).
        seen: list[Any] = [_UNSEEN] * len(processors)
        done: list[Any] = [None] * len(processors)
        for row in rows:
            converted = list(values(row))
            for i, (position, process) in enumerate(processors):
                value = converted[position]
                if value is not seen[i]:
                    seen[i], done[i] = value, process(value)
                converted[position] = done[i]
            parameters.append(tuple(converted))
        return parameters

    def columns(self, dialect: Dialect) -> list[tuple[str, str]]:
        """(name, SQL type) of each column, in the order of `tuples`."""
        return list(self._compile(dialect).columns)

    @property
    def table(self) -> str:
        return self._table.name

    async def __call__(self, conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        sql = self._compile(conn.dialect).sql
        await (await driver(conn)).executemany(sql, self.tuples(conn.dialect, rows))


@dataclass(frozen=True)
class _CompiledSelect:
    sql: str
    order: tuple[str, ...]  # bind parameter names in the SQL's order
    binds: tuple[Callable[[Any], Any] | None, ...]  # their bind processors


class Select:
    """A Core SELECT compiled once per dialect and run through the driver: parameters go
    through the bind processors SQLAlchemy would apply, rows come back as the driver returns
    them. `off_loop`: on SQLite the read runs in aiosqlite's thread instead of inline — for
    reads of thousands of rows (a trial balance), which must not hold the event loop."""

    def __init__(self, statement: sa.Select[Any], *, off_loop: bool = False) -> None:
        self._statement = statement
        self._off_loop = off_loop
        self._compiled: dict[str, _CompiledSelect] = {}

    def _compile(self, dialect: Dialect) -> _CompiledSelect:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            statement = self._statement.compile(dialect=dialect)
            order = tuple(statement.positiontup or ())
            binds = tuple(
                statement.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in order
            )
            compiled = self._compiled[dialect.name] = _CompiledSelect(str(statement), order, binds)
        return compiled

    async def rows(self, conn: AsyncConnection, **params: Any) -> list[Row]:
        compiled = self._compile(conn.dialect)
        values = [
            params[name] if process is None else process(params[name])
            for name, process in zip(compiled.order, compiled.binds, strict=True)
        ]
        db = await driver(conn)
        return await db.fetch(compiled.sql, values, off_loop=self._off_loop)


class SelectRows:
    """Whole rows of one table through `Select`, as dicts converted by the result processors
    SQLAlchemy would apply (dates and timestamps on SQLite, JSON…). For point reads on the
    command path — a created journal read back for the response — where SQLAlchemy's execution
    cost more than the query."""

    def __init__(
        self,
        table: sa.Table,
        *where: sa.ColumnElement[bool],
        order_by: sa.ColumnElement[Any] | None = None,
    ) -> None:
        self._table = table
        statement = sa.select(table).where(*where)
        self._select = Select(statement if order_by is None else statement.order_by(order_by))
        self._names = tuple(c.name for c in table.columns)
        self._results: dict[str, tuple[tuple[int, Callable[[Any], Any]], ...]] = {}

    def _result_processors(self, dialect: Dialect) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        processors = self._results.get(dialect.name)
        if processors is None:
            found = []
            for position, column in enumerate(self._table.columns):
                process = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if process is not None:
                    found.append((position, process))
            processors = self._results[dialect.name] = tuple(found)
        return processors

    async def __call__(self, conn: AsyncConnection, **params: Any) -> list[dict[str, Any]]:
        processors = self._result_processors(conn.dialect)
        out = []
        for row in await self._select.rows(conn, **params):
            values = list(row)
            for position, process in processors:
                values[position] = process(values[position])
            out.append(dict(zip(self._names, values, strict=True)))
        return out


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")  # as UTCDateTime refuses them
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_rows(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as one JSON array for `jsonb_to_recordset` (PostgreSQL): orjson, with dates and
    timestamps as ISO text and naive timestamps refused (an offset-less value would be read in
    the session's time zone)."""
    option = orjson.OPT_PASSTHROUGH_DATETIME
    return orjson.dumps(rows, default=_json_default, option=option).decode()
