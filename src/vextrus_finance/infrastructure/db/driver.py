"""The posting path's statements through the bare database driver (ADR 0026).

SQLAlchemy's execution path costs ~70 µs per statement on PostgreSQL and ~120 µs on SQLite on
top of the driver, and a create-and-post runs about a dozen statements: more than the database
needs for all of them. The statements a command runs on every posting (period status, account
lock, counter, the projection's inserts and sums, the event append) are therefore written once
per database and run on the driver connection underneath the command's SQLAlchemy connection —
same connection, same transaction, same locks. Transactions (BEGIN, SAVEPOINT, COMMIT,
ROLLBACK) stay with SQLAlchemy, and driver errors are raised as the SQLAlchemy exceptions the
unit of work already classifies (`db_errors`).

SQLite: statements run on the `sqlite3` connection inline, in the event loop's thread, instead
of one hop to aiosqlite's thread and back per statement. That is safe only because they run
inside the writer's BEGIN IMMEDIATE transaction, which already holds the database's write lock:
none of them can wait for a lock, and the fsync happens at COMMIT, which still goes through
aiosqlite's thread. Large row sets (a rebuild's batches) also go through that thread, so the
event loop is never held for long."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any, Protocol

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

_INFO_KEY = "vextrus.driver"
_UNSEEN = object()  # no value processed yet (None is a value)
# Above this many rows an executemany on SQLite goes through aiosqlite's thread: a rebuild's
# 10,000-row inserts must not hold the event loop; a command's rows (a 100-journal batch writes
# ~300 lines, a few milliseconds at most) may.
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


def _wrap(dialect: Dialect, text: str, params: Any, error: Exception, *, many: bool) -> Exception:
    """The SQLAlchemy exception SQLAlchemy itself would have raised for this driver error."""
    base = dialect.loaded_dbapi.Error
    if not isinstance(error, base):
        return error  # OSError, timeouts…: the unit of work classifies these as they are
    return sa.exc.DBAPIError.instance(text, params, error, base, dialect=dialect, ismulti=many)


class _SqliteDriver:
    dialect = "sqlite"

    def __init__(self, aio: Any, sa_dialect: Dialect) -> None:
        self._aio = aio  # aiosqlite.Connection
        self._db: sqlite3.Connection = aio._conn
        self._sa_dialect = sa_dialect

    async def fetch(
        self, sql: Sql | str, params: Sequence[Any], *, off_loop: bool = False
    ) -> list[Row]:
        text = sql if isinstance(sql, str) else sql.sqlite
        try:
            if off_loop:
                return list(await self._aio.execute_fetchall(text, params))
            return self._db.execute(text, params).fetchall()
        except sqlite3.Error as error:
            raise _wrap(self._sa_dialect, text, params, error, many=False) from error

    async def execute(self, sql: Sql | str, params: Sequence[Any]) -> None:
        await self.fetch(sql, params)

    async def executemany(self, sql: Sql | str, rows: Sequence[Sequence[Any]]) -> None:
        text = sql if isinstance(sql, str) else sql.sqlite
        try:
            if len(rows) > SQLITE_INLINE_ROWS:
                await self._aio.executemany(text, rows)
            else:
                self._db.executemany(text, rows)
        except sqlite3.Error as error:
            raise _wrap(self._sa_dialect, text, rows, error, many=True) from error


class _AsyncpgDriver:
    dialect = "postgresql"

    def __init__(self, adapted: Any, sa_dialect: Dialect) -> None:
        # SQLAlchemy's adapter around the asyncpg connection: it owns the transaction, which it
        # starts lazily at the first statement, and knows how to translate asyncpg's errors.
        self._adapted = adapted
        self._pg = adapted._connection
        self._sa_dialect = sa_dialect

    async def _in_transaction(self) -> None:
        # Inside the callers' try: a connection that died in the pool fails here, at BEGIN,
        # and must reach the unit of work as a (transient) SQLAlchemy error like any other.
        if self._adapted._transaction is None:
            await self._adapted._start_transaction()

    def _raise(self, text: str, params: Any, error: Exception, *, many: bool) -> None:
        try:
            self._adapted._handle_exception(error)  # always raises, translated
        except Exception as translated:
            raise _wrap(self._sa_dialect, text, params, translated, many=many) from error

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
    """The driver under `conn`, kept with the pooled DBAPI connection (its `info` lives exactly
    as long as that connection)."""
    info = conn.info
    found: Driver | None = info.get(_INFO_KEY)
    if found is None:
        fairy = await conn.get_raw_connection()
        dialect = conn.dialect
        if dialect.name == "sqlite":
            found = _SqliteDriver(fairy.driver_connection, dialect)
        else:
            found = _AsyncpgDriver(fairy.dbapi_connection, dialect)
        info[_INFO_KEY] = found
    return found


@dataclass(frozen=True)
class _Compiled:
    sql: str
    columns: tuple[tuple[str, str], ...]  # (name, SQL type) in the SQL's order
    values: Callable[[dict[str, Any]], tuple[Any, ...]]  # the row's values in the SQL's order
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)


class InsertMany:
    """INSERT of whole rows through the driver's executemany.

    SQLAlchemy's executemany of a Core insert builds every row's parameters through the compiled
    statement (`construct_params`), which cost more CPU than SQLite's insert itself — ~40 % of a
    rebuild (ADR 0023). Here the statement is compiled once per dialect and each row becomes a
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
