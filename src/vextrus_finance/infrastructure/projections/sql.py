"""A rebuild's bulk projected inside the database: accounts opened, journals drafted and posted
copied from the events' stored JSON with `INSERT … SELECT` over a range of log positions — no
Python per event (ADR 0024).

A range is first split at every event the SQL cannot project exactly (any other event type, an
unexpected schema version, and on SQLite an amount or timestamp not in the exact text form the
codec writes). Those events, and runs of projectable events too short to be worth six
statements, go through `BulkProjector` (and so the inline `Projector`) in log order; the runs
in between go through the statements below. Within one run only three event types occur, and a
posting depends only on its own journal's draft (already projected: earlier in the log), so
running all account inserts, then all journal and line inserts, then all postings of the run
gives the rows a one-by-one replay gives.

The rows are those of `rows.rows_for`, written from the events' JSON: `Fill` holds each
column's expression, an INSERT that does not write exactly its table's columns is refused
when the statements are built, and the tests compare these statements' rows with the Python
projectors' on both databases (ADR 0040).

Account and month totals are not maintained while filling: both are, by construction of the
projections, the sums of the ledger entries (only a posting adds to them, by exactly the lines
it copies into the ledger). `finish` writes them from the ledger in two set-based statements.

Money stays exact integer paisa. PostgreSQL converts the amount text with `numeric`, rounded
half away from zero to two places as `to_minor` does (ROUND_HALF_UP). SQLite has no exact
decimal type, so only amounts written as plain digits with exactly two decimals are converted,
by removing the point (`'1234.50'` → 123450, at most 18 digits); any other form sends its event
to the Python path."""

# Every statement here is assembled from this module's constants and the code's own table
# names; the only values (log positions) are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.accounts import AccountOpened, AccountType, default_cash_flow_class
from vextrus_finance.domain.journals import JournalDrafted, JournalPosted, JournalStatus
from vextrus_finance.infrastructure.event_store.store import EventStore
from vextrus_finance.infrastructure.projections.bulk import BulkProjector
from vextrus_finance.infrastructure.projections.inline import ProjectionError
from vextrus_finance.infrastructure.projections.tables import ReadModelTables

# A run of projectable events shorter than this goes through the Python path: six statements
# (and six scans of the range) cost more than projecting a handful of events one by one.
MIN_SQL_RUN = 32

_OPENED, _DRAFTED, _POSTED = (
    cls.event_type() for cls in (AccountOpened, JournalDrafted, JournalPosted)
)
_DRAFTED_SCHEMA, _POSTED_SCHEMA = JournalDrafted.SCHEMA_VERSION, JournalPosted.SCHEMA_VERSION
_DRAFT, _POSTED_STATUS = JournalStatus.DRAFT.value, JournalStatus.POSTED.value


@dataclass(frozen=True)
class Piece:
    """Positions (after, upto] projected one way: by SQL, or by the Python projectors."""

    how: Literal["sql", "python"]
    after: int
    upto: int


def plan(after: int, upto: int, unprojectable: Sequence[int], min_sql_run: int) -> list[Piece]:
    """Split (after, upto] at the events SQL cannot project; runs of projectable events shorter
    than `min_sql_run` join the neighbouring Python pieces. Adjacent pieces of one kind merge."""
    pieces: list[Piece] = []

    def add(how: Literal["sql", "python"], a: int, b: int) -> None:
        if b <= a:
            return
        if pieces and pieces[-1].how == how:
            pieces[-1] = Piece(how, pieces[-1].after, b)
        else:
            pieces.append(Piece(how, a, b))

    start = after
    for position in [*unprojectable, upto + 1]:
        run_end = min(position - 1, upto)
        add("sql" if run_end - start >= min_sql_run else "python", start, run_end)
        if position <= upto:
            add("python", position - 1, position)
        start = position
    return pieces


# --- SQLite --------------------------------------------------------------------------------

_D = "[0-9]"
_ISO_SECONDS = f"{_D * 4}-{_D * 2}-{_D * 2}T{_D * 2}:{_D * 2}:{_D * 2}"


def _sqlite_amount_ok(x: str) -> str:
    """Digits, a point, two digits; at most 18 digits, so the integer fits in 64 bits. (What
    is left once the leading digits are stripped is exactly the point and two digits: two
    reads of `x` instead of four, as a GLOB of the whole text and one of its head took.)"""
    return f"(length({x}) BETWEEN 4 AND 19 AND ltrim({x}, '0123456789') GLOB '.{_D}{_D}')"


def _sqlite_paisa(x: str) -> str:
    # Exact for the form `_sqlite_amount_ok` admits: '1234.50' → '123450' → 123450.
    return f"CAST(replace({x}, '.', '') AS INTEGER)"


def _sqlite_timestamp_ok(x: str) -> str:
    """UTC as the codec writes it: seconds, or microseconds, and 'Z'."""
    return (
        f"(typeof({x}) = 'text' AND ((length({x}) = 20 AND {x} GLOB '{_ISO_SECONDS}Z')"
        f" OR (length({x}) = 27 AND {x} GLOB '{_ISO_SECONDS}.{_D * 6}Z')))"
    )


def _sqlite_timestamp(x: str) -> str:
    """ISO text → the text SQLAlchemy's SQLite DateTime stores: 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    return (
        f"(substr({x}, 1, 10) || ' ' || substr({x}, 12, 8)"
        f" || CASE WHEN length({x}) = 20 THEN '.000000' ELSE substr({x}, 20, 7) END)"
    )


def _j(path: str, doc: str = "e.data") -> str:
    return f"json_extract({doc}, '$.{path}')"


_SQLITE_USER_OK = "coalesce(json_type(e.metadata, '$.user_id'), 'null') IN ('text', 'null')"
_SQLITE_USER = f"coalesce(nullif({_j('user_id', 'e.metadata')}, ''), 'system')"
# Every line's debit and credit, read once each as json_tree atoms (a json_extract per test
# would re-extract the value every time).
_SQLITE_LINE_AMOUNTS_OK = (
    "NOT EXISTS (SELECT 1 FROM json_tree(e.data, '$.lines') AS t"
    " WHERE t.key IN ('debit', 'credit') AND NOT ("
    f"t.type = 'text' AND {_sqlite_amount_ok('t.atom')}))"
)


# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_paisa(x: str) -> str:
    # numeric is exact; round() breaks ties away from zero, as ROUND_HALF_UP does.
    return f"(round(({x})::numeric, 2) * 100)::bigint"


_PG_USER_OK = "coalesce(jsonb_typeof(e.metadata -> 'user_id'), 'null') IN ('string', 'null')"
_PG_USER = "coalesce(nullif(e.metadata ->> 'user_id', ''), 'system')"


@dataclass(frozen=True)
class Fill:
    """The SQL expression of every column the fill statements write, by table (the names of
    `rows.rows_for`), and of the columns a posting sets on its journal: the rows of
    `rows_for` written from the stored events, which the tests hold these to."""

    accounts: dict[str, str]
    journals: dict[str, str]
    journal_lines: dict[str, str]
    ledger_entries: dict[str, str]
    posted: dict[str, str]


class FillMismatch(RuntimeError):
    """A fill statement does not write exactly its table's columns."""


def _insert(table: sa.Table, columns: dict[str, str], source: str) -> str:
    """INSERT … SELECT of every column of `table`, in the table's order; refused when the
    expressions name another set of columns, so a column added to a read-model table and not
    here fails every rebuild instead of leaving it NULL."""
    names = [c.name for c in table.columns]
    if set(columns) != set(names):
        raise FillMismatch(
            f"{table.name}: the fill writes {sorted(columns)}, the table has {sorted(names)}"
        )
    values = ", ".join(columns[name] for name in names)
    return f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {values} {source}"


@dataclass(frozen=True)
class _Statements:
    unprojectable: str
    accounts: str
    journals: str
    lines: str
    mark_posted: str
    # PostgreSQL: the postings whose journal row is missing or not updated; SQLite: the
    # postings `mark_posted` must update, less the rows it did update.
    unposted: str
    unposted_less_marked: bool
    ledger: str
    month_totals: str
    account_totals: str
    fill: Fill


_RANGE = "e.position > :after AND e.position <= :upto"
# p: the posting of draft e within the same run; d: the draft, within the run, of posting e.
_NEXT_IS_POSTING = (
    "p.tenant_id = e.tenant_id AND p.stream_id = e.stream_id AND p.version = e.version + 1"
    f" AND p.event_type = '{_POSTED}' AND p.position <= :upto"
)
_PREVIOUS_IS_DRAFT_IN_RUN = (
    "d.tenant_id = e.tenant_id AND d.stream_id = e.stream_id AND d.version = e.version - 1"
    f" AND d.event_type = '{_DRAFTED}' AND d.position > :after"
)
# SQLite folds only a posting at the very next position (a command that creates and posts a
# journal appends the two together). Looked up by position: a seek on the integer key the
# scan is walking instead of one at a random place of the (tenant, stream, version) index.
# The unary `+` keeps the planner off that index. A later posting is applied by `mark_posted`,
# as a posting of an earlier run is.
_SQLITE_NEXT_IS_POSTING = (
    "p.position = e.position + 1 AND +p.tenant_id = e.tenant_id AND +p.stream_id = e.stream_id"
    f" AND +p.version = e.version + 1 AND p.event_type = '{_POSTED}' AND p.position <= :upto"
)
_SQLITE_PREVIOUS_IS_DRAFT_IN_RUN = (
    "d.position = e.position - 1 AND +d.tenant_id = e.tenant_id AND +d.stream_id = e.stream_id"
    f" AND +d.version = e.version - 1 AND d.event_type = '{_DRAFTED}' AND d.position > :after"
)


def _statements(dialect: str, t: ReadModelTables) -> _Statements:
    a, j, jl = t.accounts.name, t.journals.name, t.journal_lines.name
    le, apt = t.ledger_entries.name, t.account_period_totals.name
    sqlite = dialect == "sqlite"
    if sqlite:
        text = _j

        def date(path: str) -> str:
            return _j(path)

        lines_from = "json_each(e.data, '$.lines') AS l"
        line_no = "l.key + 1"

        def line(path: str) -> str:
            # By its path in the event, not from `l.value`: json_each hands each line over as
            # text, parsed again by every extraction, while SQLite keeps the event's own parse
            # for the whole statement. A missing key or a null gives NULL either way.
            return f"json_extract(e.data, '$.lines[' || l.key || '].{path}')"

        debit, credit = _sqlite_paisa(line("debit")), _sqlite_paisa(line("credit"))

        def posted_at(doc: str) -> str:
            return _sqlite_timestamp(_j("posted_at", doc))

        true = "1"
        user = _SQLITE_USER
        posted_ok = f" AND {_sqlite_timestamp_ok(_j('posted_at'))}"
        drafted_ok = f"{_SQLITE_USER_OK} AND {_SQLITE_LINE_AMOUNTS_OK}"
        month = "CAST(substr(entry_date, 1, 4) || substr(entry_date, 6, 2) AS INTEGER)"
    else:

        def text(path: str, doc: str = "e.data") -> str:
            return f"({doc} ->> '{path}')"

        def date(path: str) -> str:
            return f"(e.data ->> '{path}')::date"

        lines_from = "jsonb_array_elements(e.data -> 'lines') WITH ORDINALITY AS l(value, no)"
        line_no = "l.no"

        def line(path: str) -> str:
            return f"(l.value ->> '{path}')"

        debit, credit = _pg_paisa(line("debit")), _pg_paisa(line("credit"))

        def posted_at(doc: str) -> str:
            return f"({doc} ->> 'posted_at')::timestamptz"

        true = "true"
        user = _PG_USER
        posted_ok = ""
        drafted_ok = _PG_USER_OK
        month = "(extract(year FROM entry_date) * 100 + extract(month FROM entry_date))::integer"

    # SQLite, grouped month first, reads the ledger through its covering index (tenant_id,
    # entry_date, account_id, debit, credit) when the table has one — the live table after the
    # swap (ADR 0027) — instead of every whole row. PostgreSQL hashes the groups either way.
    month_groups = (
        f"tenant_id, {month}, account_id" if sqlite else f"tenant_id, account_id, {month}"
    )
    # The events the SQL projects exactly; each dialect adds the checks its conversions need
    # (see the module docstring), the rest go through Python.
    projectable = (
        f"(e.event_type = '{_OPENED}' AND e.schema_version = {AccountOpened.SCHEMA_VERSION})"
        f" OR (e.event_type = '{_POSTED}' AND e.schema_version = {_POSTED_SCHEMA}{posted_ok})"
        f" OR (e.event_type = '{_DRAFTED}' AND e.schema_version = {_DRAFTED_SCHEMA}"
        f" AND {drafted_ok})"
    )

    def line_sum(column: str) -> str:
        if sqlite:
            # The same conversion as the lines INSERT, of the same texts, from the event's
            # cached parse: cheaper than two seeks per journal into the run's line rows at a
            # random place of their key.
            amount = _sqlite_paisa(f"json_extract(e.data, '$.lines[' || k.key || '].{column}')")
            return f"(SELECT coalesce(sum({amount}), 0) FROM json_each(e.data, '$.lines') AS k)"
        return (
            f"(SELECT coalesce(sum(l.{column}), 0) FROM {jl} AS l"
            " WHERE l.tenant_id = e.tenant_id AND l.journal_id = e.stream_id)"
        )

    next_is_posting, previous_is_draft = (
        (_SQLITE_NEXT_IS_POSTING, _SQLITE_PREVIOUS_IS_DRAFT_IN_RUN)
        if sqlite
        else (_NEXT_IS_POSTING, _PREVIOUS_IS_DRAFT_IN_RUN)
    )
    not_folded = f"NOT EXISTS (SELECT 1 FROM events AS d WHERE {previous_is_draft})"
    # `Projector` refuses a posting of a journal it has no row for; so does the rebuild.
    # PostgreSQL looks every posting's row up again after `mark_posted`. SQLite counts the
    # postings `mark_posted` must update (a seek on the position key each, no journal
    # lookup) and compares that with the rows it did update: a posting without a row, or two
    # of them for one journal row, leave the rows updated short of it.
    postings = f"SELECT count(*) FROM events AS e WHERE {_RANGE} AND e.event_type = '{_POSTED}'"
    unposted = (
        f"{postings} AND {not_folded}"
        if sqlite
        else f"{postings} AND NOT EXISTS (SELECT 1 FROM {j} AS j WHERE j.tenant_id = e.tenant_id"
        f" AND j.id = e.stream_id AND j.version = e.version AND j.status = '{_POSTED_STATUS}')"
    )

    fill = Fill(
        accounts={
            "tenant_id": "e.tenant_id",
            "id": "e.stream_id",
            "code": text("code"),
            "name": text("name"),
            "type": text("type"),
            "parent_id": text("parent_id"),
            "currency": text("currency"),
            "is_active": true,
            "balance_limit": text("balance_limit"),
            "debit_total": "0",
            "credit_total": "0",
            "deactivated_at": "NULL",
            "deactivation_reason": "NULL",
            "version": "e.version",
            "created_at": "e.recorded_at",
            "updated_at": "e.recorded_at",
            # An event recorded before classes existed: its type's default, as in rows.py.
            "cash_flow_class": f"coalesce({text('cash_flow_class')}, CASE {text('type')} "
            + " ".join(
                f"WHEN '{t.value}' THEN '{default_cash_flow_class(t).value}'" for t in AccountType
            )
            + " END)",
        },
        # A posting in the same run (the draft's next version, no revision between; on SQLite
        # only at the next position) is folded into the row instead of updating it later.
        journals={
            "tenant_id": "e.tenant_id",
            "id": "e.stream_id",
            "number": text("number"),
            "date": date("date"),
            "type": text("type"),
            "status": f"CASE WHEN p.position IS NULL THEN '{_DRAFT}' ELSE '{_POSTED_STATUS}' END",
            "currency": text("currency"),
            "description": text("description"),
            "reference": text("reference"),
            "fiscal_period": text("fiscal_period"),
            "total_debit": line_sum("debit"),
            "total_credit": line_sum("credit"),
            "created_at": "e.recorded_at",
            "created_by": user,
            "posted_at": posted_at("p.data"),
            "posted_by": text("posted_by", "p.data"),
            "reversed_by_id": "NULL",
            "reverses_id": text("reverses_id"),
            "cancel_reason": "NULL",
            "version": "coalesce(p.version, e.version)",
        },
        journal_lines={
            "tenant_id": "e.tenant_id",
            "journal_id": "e.stream_id",
            "line_no": line_no,
            "id": line("id"),
            "account_id": line("account_id"),
            "account_code": line("account_code"),
            "debit": debit,
            "credit": credit,
            "description": line("description"),
            "cost_center": line("cost_center"),
            "project": line("project"),
            "tax_code": line("tax_code"),
            "counterparty_id": line("counterparty_id"),
        },
        # Header and lines as the read model holds them, as `ledger_rows` takes them: a draft
        # revised (through the Python path) before its posting is copied as revised.
        ledger_entries={
            "tenant_id": "j.tenant_id",
            "journal_id": "j.id",
            "line_no": "l.line_no",
            "account_id": "l.account_id",
            "entry_date": "j.date",
            "posted_at": "j.posted_at",
            "line_id": "l.id",
            "journal_number": "j.number",
            "journal_type": "j.type",
            "currency": "j.currency",
            "description": "coalesce(nullif(l.description, ''), j.description)",
            "reference": "j.reference",
            "debit": "l.debit",
            "credit": "l.credit",
        },
        posted={
            "status": f"'{_POSTED_STATUS}'",
            "posted_at": posted_at("e.data"),
            "posted_by": text("posted_by"),
            "version": "e.version",
        },
    )
    posted = ", ".join(f"{name} = {value}" for name, value in fill.posted.items())

    return _Statements(
        unprojectable=(
            f"SELECT e.position FROM events AS e WHERE {_RANGE} AND NOT ({projectable})"
            " ORDER BY e.position"
        ),
        accounts=_insert(
            t.accounts,
            fill.accounts,
            f"FROM events AS e WHERE {_RANGE} AND e.event_type = '{_OPENED}'",
        ),
        # After the lines: on PostgreSQL the totals are summed from the rows just written
        # (paisa already), not from the JSON a second time.
        journals=_insert(
            t.journals,
            fill.journals,
            f"FROM events AS e LEFT JOIN events AS p ON {next_is_posting}"
            f" WHERE {_RANGE} AND e.event_type = '{_DRAFTED}'",
        ),
        lines=_insert(
            t.journal_lines,
            fill.journal_lines,
            f"FROM events AS e, {lines_from} WHERE {_RANGE} AND e.event_type = '{_DRAFTED}'",
        ),
        # Postings of drafts projected before this run (the fold above did the others).
        mark_posted=(
            f"UPDATE {j} SET {posted}"
            f" FROM events AS e WHERE {_RANGE} AND e.event_type = '{_POSTED}'"
            f" AND {j}.tenant_id = e.tenant_id AND {j}.id = e.stream_id AND {not_folded}"
        ),
        unposted=unposted,
        unposted_less_marked=sqlite,
        ledger=_insert(
            t.ledger_entries,
            fill.ledger_entries,
            f"FROM events AS e JOIN {j} AS j ON j.tenant_id = e.tenant_id AND j.id = e.stream_id"
            f" JOIN {jl} AS l ON l.tenant_id = j.tenant_id AND l.journal_id = j.id"
            f" WHERE {_RANGE} AND e.event_type = '{_POSTED}'",
        ),
        month_totals=(
            f"INSERT INTO {apt} (tenant_id, account_id, month, debit, credit)"
            f" SELECT tenant_id, account_id, {month}, sum(debit), sum(credit) FROM {le}"
            f" GROUP BY {month_groups}"
        ),
        account_totals=(
            f"UPDATE {a} SET"
            f" debit_total = coalesce((SELECT sum(t.debit) FROM {apt} AS t"
            f" WHERE t.tenant_id = {a}.tenant_id AND t.account_id = {a}.id), 0),"
            f" credit_total = coalesce((SELECT sum(t.credit) FROM {apt} AS t"
            f" WHERE t.tenant_id = {a}.tenant_id AND t.account_id = {a}.id), 0)"
        ),
        fill=fill,
    )


def fill_columns(dialect: str, tables: ReadModelTables) -> Fill:
    """The fill statements' columns and expressions for `dialect` ("sqlite" or "postgresql")."""
    return _statements(dialect, tables).fill


class SqlProjection:
    """Projects ranges of log positions into a table bundle (a rebuild's shadow tables);
    `finish` then writes the account and month totals. One instance per rebuild or verify."""

    def __init__(
        self, tables: ReadModelTables, store: EventStore, *, min_sql_run: int | None = None
    ) -> None:
        self.t = tables
        self._store = store
        self._min_sql_run = MIN_SQL_RUN if min_sql_run is None else min_sql_run
        # Totals deferred: whatever it adds to them is replaced by `finish`.
        self._python = BulkProjector(tables, defer_totals=True)
        self._sql: dict[tuple[str, ...], _Statements] = {}
        self.events_by_sql = 0
        self.events_by_python = 0
        self._analysed_at = 0  # events_by_sql when the shadow tables were last analysed

    def _statements(
        self, conn: AsyncConnection, tables: ReadModelTables | None = None
    ) -> _Statements:
        tables = self.t if tables is None else tables
        key = (conn.dialect.name, *(t.name for t in tables.all()))
        statements = self._sql.get(key)
        if statements is None:
            statements = self._sql[key] = _statements(conn.dialect.name, tables)
        return statements

    async def project(self, conn: AsyncConnection, after: int, upto: int) -> None:
        """Project the events at positions (after, upto], in log order."""
        sql = self._statements(conn)
        unprojectable = await self.unprojectable(conn, after, upto)
        for piece in plan(after, upto, unprojectable, self._min_sql_run):
            if piece.how == "sql":
                await self._project_sql(conn, sql, piece.after, piece.upto)
            else:
                await self._project_python(conn, piece.after, piece.upto)

    async def unprojectable(self, conn: AsyncConnection, after: int, upto: int) -> list[int]:
        """Positions in (after, upto] of the events the SQL cannot project exactly."""
        sql = self._statements(conn)
        found = await conn.execute(sa.text(sql.unprojectable), {"after": after, "upto": upto})
        return [int(row[0]) for row in found]

    async def _project_python(self, conn: AsyncConnection, after: int, upto: int) -> None:
        batch = await self._store.read_all(conn, after_position=after, limit=upto - after)
        batch = [e for e in batch if e.position is not None and e.position <= upto]
        self.events_by_python += len(batch)
        await self._python.apply(conn, batch)

    async def _project_sql(
        self, conn: AsyncConnection, sql: _Statements, after: int, upto: int
    ) -> None:
        bounds = {"after": after, "upto": upto}
        analyse = self._analysis_due(conn, upto - after)
        await conn.execute(sa.text(sql.accounts), bounds)
        await conn.execute(sa.text(sql.lines), bounds)
        if analyse:
            await conn.exec_driver_sql(f"ANALYZE {self.t.journal_lines.name}")
        await conn.execute(sa.text(sql.journals), bounds)
        if analyse:
            await conn.exec_driver_sql(f"ANALYZE {self.t.journals.name}")
        marked = (await conn.execute(sa.text(sql.mark_posted), bounds)).rowcount
        unposted = (await conn.execute(sa.text(sql.unposted), bounds)).scalar_one()
        if sql.unposted_less_marked:
            unposted -= marked
        if unposted:
            raise ProjectionError(
                f"{unposted} journals posted at positions {after + 1}–{upto} have no draft"
            )
        await conn.execute(sa.text(sql.ledger), bounds)
        self.events_by_sql += upto - after

    def _analysis_due(self, conn: AsyncConnection, events: int) -> bool:
        """PostgreSQL plans the joins with the shadow tables from their statistics, and a
        table created moments ago has none: it takes the journals for a few hundred rows and
        probes the events index once per line. ANALYZE (it sees this transaction's own rows)
        whenever the tables have doubled since the last time: a dozen times in a million
        events."""
        if conn.dialect.name != "postgresql":
            return False
        due = self.events_by_sql + events >= 2 * self._analysed_at
        if due:
            self._analysed_at = self.events_by_sql + events
        return due

    async def finish(self, conn: AsyncConnection, tables: ReadModelTables | None = None) -> None:
        """Account and month totals := the sums of the ledger entries — of the tables this
        projection filled, or of `tables` (on SQLite the live tables, once the filled ones
        have been swapped in and their indexes created)."""
        tables = self.t if tables is None else tables
        sql = self._statements(conn, tables)
        await conn.execute(sa.delete(tables.account_period_totals))
        await conn.execute(sa.text(sql.month_totals))
        await conn.execute(sa.text(sql.account_totals))
