"""Rebuilding the read models from the event log, and verifying that a rebuild equals what the
live tables hold.

Both replay every event into shadow tables (`rebuild_*`) while the service keeps running, then
catch up the last events while holding the event-log head (no appender can slip in between).
`rebuild` then swaps the shadow tables in for the live ones in that same transaction (SQLite:
drop and rename, ADR 0027; PostgreSQL: copy the rows); `verify` compares them row by row and
checks that debits equal credits per tenant."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.limits import MAX_TOTAL_PAISA
from vextrus_finance.domain.posting_window import PostingWindow
from vextrus_finance.infrastructure.db.database import Database
from vextrus_finance.infrastructure.db.errors import is_overflow
from vextrus_finance.infrastructure.db.schema import accounts, ledger_entries
from vextrus_finance.infrastructure.event_store.store import EventStore
from vextrus_finance.infrastructure.projections.sql import SqlProjection
from vextrus_finance.infrastructure.projections.tables import (
    LIVE,
    ReadModelTables,
    shadow_tables,
)
from vextrus_finance.infrastructure.rebuild.chain_breaks import ChainBreak, chain_breaks
from vextrus_finance.infrastructure.rebuild.findings import Finding
from vextrus_finance.infrastructure.rebuild.invoice_findings import invoice_findings
from vextrus_finance.infrastructure.rebuild.ledger_findings import rule_findings
from vextrus_finance.infrastructure.rebuild.subledger_findings import subledger_findings

Progress = Callable[[int, int], None]  # (events replayed, events in the log)
# Events per transaction while filling the shadow tables. On SQLite each fill commit writes
# every B-tree page the batch touched to the WAL, and the random keys (journal ids) touch most
# leaves of the primary-key indexes in every batch: fewer, larger batches rewrite them less
# often (ADR 0027, docs/performance.md). The price: a command waits for the writer for as long
# as one batch takes — still less than the swap's own transaction at the end. On PostgreSQL
# the fill writes UNLOGGED tables that no command waits for.
EVENTS_PER_TRANSACTION = 10_000
SQLITE_EVENTS_PER_TRANSACTION = 100_000
# The writer connection's page cache while rebuilding: holds a batch's dirty pages so they are
# written once, at the commit, and the events the batch's statements scan several times.
# Restored to SQLite's default afterwards.
REBUILD_CACHE_KIB = 512 * 1024
SQLITE_DEFAULT_CACHE_KIB = 2000  # SQLite's compiled-in default, restored after a rebuild


@dataclass(frozen=True)
class TableDifference:
    table: str
    only_in_live: int
    only_in_rebuild: int


@dataclass(frozen=True)
class Imbalance:
    tenant_id: str
    currency: str
    debit: int
    credit: int


@dataclass
class VerifyReport:
    events: int
    differences: list[TableDifference] = field(default_factory=list)
    imbalances: list[Imbalance] = field(default_factory=list)
    account_total_mismatches: int = 0
    # Stored amounts outside the ledger's limits (domain/limits.py), and a replay of the log
    # that could not finish because its totals leave the 64-bit range: reported, not raised.
    out_of_range: list[str] = field(default_factory=list)
    # Data entered before today's rules refused it (infrastructure/findings.py): warnings for a
    # person to look at; the books are replayed exactly all the same, so they do not fail `ok`.
    findings: list[Finding] = field(default_factory=list)
    # Each tenant's first event where the hash chain breaks (ADR 0046): history was edited.
    chain_breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.differences
            and not self.imbalances
            and not self.account_total_mismatches
            and not self.out_of_range
            and not self.chain_breaks
        )

    def failures(self) -> list[tuple[str, str]]:
        """What makes `ok` false, as (check, what is wrong) in words, for whoever prints it."""
        found = [
            (
                f"table {d.table}",
                f"{d.only_in_live} rows only live, {d.only_in_rebuild} only in the rebuild",
            )
            for d in self.differences
        ]
        found += [
            (
                f"tenant {i.tenant_id} {i.currency}",
                f"debits {i.debit / 100:.2f} ≠ credits {i.credit / 100:.2f}",
            )
            for i in self.imbalances
        ]
        if self.account_total_mismatches:
            found.append(("account totals", f"{self.account_total_mismatches} accounts differ"))
        found += [("out of range", value) for value in self.out_of_range]
        found += [
            (
                f"tenant {b.tenant_id} history",
                f"{b.problem} at position {b.position} (event {b.event_id}): {b.detail}",
            )
            for b in self.chain_breaks
        ]
        return found


class Rebuilder:
    def __init__(self, db: Database, store: EventStore) -> None:
        self._db = db
        self._store = store

    async def _create_shadow(self) -> tuple[ReadModelTables, sa.MetaData]:
        shadow, metadata = shadow_tables()
        async with self._db.write() as conn:
            # Shadow tables left by a rebuild or verify that crashed (or an older version's).
            await conn.run_sync(metadata.drop_all)
            if not self._db.is_sqlite:
                private, metadata = _private_copies(shadow)
                await conn.run_sync(metadata.drop_all)
                await conn.run_sync(metadata.create_all)
                return private, metadata
            # SQLite's default page cache (2 MB) is far smaller than the shadow tables'
            # B-trees, whose keys arrive in random order: every insert re-reads pages. The
            # writer connection (one per process) gets a larger cache while it rebuilds.
            await conn.exec_driver_sql(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
            for live, copy in zip(LIVE.all(), shadow.all(), strict=True):
                await conn.exec_driver_sql(_renamed_table_sql(await _table_sql(conn, live), copy))
        return shadow, metadata

    async def _drop_shadow(self, metadata: sa.MetaData) -> None:
        async with self._db.write() as conn:
            await conn.run_sync(metadata.drop_all)
            if conn.dialect.name == "sqlite":
                await conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}")

    async def _project(
        self,
        conn: AsyncConnection,
        projection: SqlProjection,
        after: int,
        upto: int,
        progress: Progress | None,
    ) -> None:
        """Project positions (after, upto] in steps of one fill transaction."""
        while after < upto:
            step = min(after + self._per_transaction(), upto)
            await projection.project(conn, after, step)
            after = step
            if progress is not None:
                progress(after, upto)

    async def _fill_shadow(self, projection: SqlProjection, progress: Progress | None) -> int:
        """Everything up to the head as it was when the fill started, in transactions of
        `_per_transaction()` events; returns the last position projected."""
        async with self._db.read() as conn:
            total = await self._store.head_position(conn)
        after = 0
        while after < total:
            upto = min(after + self._per_transaction(), total)
            async with self._db.write() as conn:
                await projection.project(conn, after, upto)
            after = upto
            if progress is not None:
                progress(after, total)
        return after

    def _per_transaction(self) -> int:
        return SQLITE_EVENTS_PER_TRANSACTION if self._db.is_sqlite else EVENTS_PER_TRANSACTION

    def _projection(self, shadow: ReadModelTables) -> SqlProjection:
        return SqlProjection(shadow, self._store)

    async def rebuild(self, progress: Progress | None = None) -> int:
        """Replace every read model with one rebuilt from the events; returns events replayed."""
        shadow, metadata = await self._create_shadow()
        projection = self._projection(shadow)
        try:
            after = await self._fill_shadow(projection, progress)
            async with self._db.write() as conn:
                await _lock_read_models(conn)
                head = await self._store.lock_head(conn)
                await self._project(conn, projection, after, head, progress)
                after = max(after, head)
                if self._db.is_sqlite:
                    await _swap_sqlite(conn, projection, shadow)
                else:
                    await projection.finish(conn)
                    for live, rebuilt in zip(LIVE.all(), shadow.all(), strict=True):
                        await _replace_contents(conn, live, rebuilt)
        finally:
            await self._drop_shadow(metadata)
        await self._refresh_statistics(LIVE.all())
        return after

    async def _refresh_statistics(self, tables: Sequence[sa.Table]) -> None:
        """Planner statistics for tables whose every row was just rewritten. Without them the
        planner guesses; on PostgreSQL the rewritten pages are also not yet all-visible, so
        the trial balance's index-only scans visit the heap for every row until a VACUUM sets
        the visibility map. VACUUM cannot run inside a transaction: an autocommit connection
        of its own, after the swap committed."""
        if self._db.is_sqlite:
            async with self._db.write() as conn:
                for table in tables:
                    await conn.exec_driver_sql(f'ANALYZE "{table.name}"')
            return
        names = ", ".join(f'"{t.name}"' for t in tables)
        async with self._db.write_engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql(f"VACUUM (ANALYZE) {names}")

    async def _findings(self, conn: AsyncConnection) -> list[Finding]:
        return [
            *await rule_findings(conn, self._posting_window()),
            *await subledger_findings(conn),
            *await invoice_findings(conn, self._db.settings.calendar),
        ]

    def _posting_window(self) -> PostingWindow:
        settings = self._db.settings
        return PostingWindow.on(
            settings.today(),
            first_day=settings.posting_window_first_day,
            years_ahead=settings.posting_window_years_ahead,
        )

    async def verify(self, progress: Progress | None = None) -> VerifyReport:
        shadow, metadata = await self._create_shadow()
        projection = self._projection(shadow)
        after = 0
        try:
            after = await self._fill_shadow(projection, progress)
            async with self._db.write() as conn:
                head = await self._store.lock_head(conn)
                await self._project(conn, projection, after, head, progress)
                after = max(after, head)
                await projection.finish(conn)
                report = VerifyReport(events=after)
                report.out_of_range = await _out_of_range(conn, LIVE.all())
                report.out_of_range += await _out_of_range(conn, shadow.all())
                for live, rebuilt in zip(LIVE.all(), shadow.all(), strict=True):
                    difference = await _compare(conn, live, rebuilt)
                    if difference is not None:
                        report.differences.append(difference)
                report.imbalances = await _imbalances(conn)
                report.account_total_mismatches = await _account_total_mismatches(conn)
                report.findings = await self._findings(conn)
        except (OverflowError, sa.exc.DBAPIError) as exc:
            if not is_overflow(exc):
                raise
            # A log written before the limits may hold totals no 64-bit column can keep.
            report = VerifyReport(events=after)
            report.out_of_range.append(
                "replaying the event log overflowed a 64-bit total (amounts beyond "
                f"the ledger's limits were written): {_first_line(exc)}"
            )
            async with self._db.read() as conn:
                report.out_of_range += await _out_of_range(conn, LIVE.all())
                report.findings = await self._findings(conn)
        finally:
            await self._drop_shadow(metadata)
        async with self._db.read() as conn:  # a snapshot of the log: appenders not held up
            report.chain_breaks = await chain_breaks(conn)
        return report


def _private_copies(shadow: ReadModelTables) -> tuple[ReadModelTables, sa.MetaData]:
    """PostgreSQL's shadow tables: UNLOGGED (no WAL); a crash empties them, and the next
    rebuild recreates them."""
    metadata = sa.MetaData()
    copies = {}
    for f in fields(shadow):
        table: sa.Table = getattr(shadow, f.name)
        columns = [sa.Column(c.name, c.type, nullable=c.nullable) for c in table.columns]
        key = sa.PrimaryKeyConstraint(*table.primary_key.columns.keys(), name=f"pk_{table.name}")
        copies[f.name] = sa.Table(table.name, metadata, *columns, key, prefixes=["UNLOGGED"])
    return ReadModelTables(**copies), metadata


async def _table_sql(conn: AsyncConnection, table: sa.Table) -> str:
    found = await conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table.name,)
    )
    return str(found.scalar_one())


# The head of SQLite's stored CREATE TABLE text: the name as the migration wrote it, or quoted
# as ALTER TABLE … RENAME TO writes it (after the first rebuild's swap).
_CREATE_TABLE = re.compile(r'^CREATE TABLE\s+(?:"(?P<quoted>[^"]+)"|(?P<bare>\w+))\s*\(')


def _renamed_table_sql(sql: str, shadow: sa.Table) -> str:
    """The live table's CREATE TABLE as SQLite stored it, for the shadow table: same columns,
    types, defaults and constraints (primary key, UNIQUE, NOT NULL), so that after the swap
    renames it the live table is exactly what the migrations made."""
    head = _CREATE_TABLE.match(sql)
    if head is None:
        raise RuntimeError(f"unexpected table definition: {sql[:80]!r}")
    return f'CREATE TABLE "{shadow.name}" (' + sql[head.end() :]


async def _lock_read_models(conn: AsyncConnection) -> None:
    """In the order commands lock them (`ReadModelTables`), then the event-log head: commands
    in flight finish first, later ones wait and then see the rebuilt rows."""
    if conn.dialect.name == "postgresql":
        tables = ", ".join(t.name for t in LIVE.all())
        await conn.execute(sa.text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))


async def _swap_sqlite(
    conn: AsyncConnection, projection: SqlProjection, shadow: ReadModelTables
) -> None:
    """The ledger first, so that `finish` sums it through the live table's covering index
    (tenant_id, entry_date, account_id, debit, credit) instead of reading every whole row;
    the totals go into the shadow tables (no secondary index there to mislead the planner of
    the per-account UPDATE), which are swapped in last."""
    totals = (shadow.accounts, shadow.account_period_totals)
    for live, rebuilt in zip(LIVE.all(), shadow.all(), strict=True):
        if rebuilt not in totals:
            await _swap_tables(conn, live, rebuilt)
    await projection.finish(conn, replace(shadow, ledger_entries=LIVE.ledger_entries))
    await _swap_tables(conn, LIVE.accounts, shadow.accounts)
    await _swap_tables(conn, LIVE.account_period_totals, shadow.account_period_totals)


async def _swap_tables(conn: AsyncConnection, live: sa.Table, rebuilt: sa.Table) -> None:
    """SQLite: the shadow table becomes the live one — drop the live table (its indexes go with
    it), rename the shadow table, create the live table's secondary indexes on it from the SQL
    SQLite stored for them. No row is copied: the rows were written to the main database while
    filling. WAL readers keep reading their snapshot, old tables included, until the swap
    commits; a crash before the commit leaves the live tables as they were (ADR 0027)."""
    found = await conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (live.name,),
    )
    indexes = [str(row[0]) for row in found]
    await conn.exec_driver_sql(f'DROP TABLE "{live.name}"')
    await conn.exec_driver_sql(f'ALTER TABLE "{rebuilt.name}" RENAME TO "{live.name}"')
    for sql in indexes:
        await conn.exec_driver_sql(sql)


async def _replace_contents(conn: AsyncConnection, live: sa.Table, rebuilt: sa.Table) -> None:
    """PostgreSQL: live rows := shadow rows, in the swap's transaction; the live indexes stay
    (dropping them would lock out readers for the swap)."""
    await conn.execute(sa.delete(live))
    columns = [c.name for c in live.columns]
    # In primary-key order: the live table's key index then grows at its right edge instead
    # of taking every row at a random leaf.
    key = [rebuilt.c[c.name] for c in live.primary_key.columns]
    rows = sa.select(*[rebuilt.c[name] for name in columns]).order_by(*key)
    await conn.execute(sa.insert(live).from_select(columns, rows))


async def _count_except(conn: AsyncConnection, a: sa.Table, b: sa.Table) -> int:
    names = [c.name for c in a.columns]
    diff = sa.except_(sa.select(*[a.c[n] for n in names]), sa.select(*[b.c[n] for n in names]))
    result = await conn.execute(sa.select(sa.func.count()).select_from(diff.subquery()))
    return int(result.scalar_one())


async def _compare(
    conn: AsyncConnection, live: sa.Table, rebuilt: sa.Table
) -> TableDifference | None:
    only_live = await _count_except(conn, live, rebuilt)
    only_rebuilt = await _count_except(conn, rebuilt, live)
    if only_live or only_rebuilt:
        return TableDifference(live.name, only_live, only_rebuilt)
    return None


# How many stored values out of range one table reports by name (the count is always given).
MAX_NAMED_FINDINGS = 10


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0][:200]


async def _out_of_range(conn: AsyncConnection, tables: Sequence[sa.Table]) -> list[str]:
    """Every money column holding more than the largest total the ledger keeps, or (SQLite)
    a REAL where an integer of paisa belongs. Row by row, no sums: this cannot overflow."""
    findings: list[str] = []
    sqlite = conn.dialect.name == "sqlite"
    for table in tables:
        money = [c for c in table.columns if isinstance(c.type, sa.BigInteger)]
        key = list(table.primary_key.columns)
        for column in money:
            bad = sa.or_(column > MAX_TOTAL_PAISA, column < -MAX_TOTAL_PAISA)
            if sqlite:
                bad = sa.or_(bad, sa.func.typeof(column) == "real")
            where = sa.and_(column.is_not(None), bad)
            count = (
                await conn.execute(sa.select(sa.func.count()).select_from(table).where(where))
            ).scalar_one()
            if not count:
                continue
            rows = await conn.execute(
                sa.select(*key, column).where(where).limit(MAX_NAMED_FINDINGS)
            )
            named = "; ".join(f"{'/'.join(str(v) for v in row[:-1])} = {row[-1]!r}" for row in rows)
            findings.append(
                f"{table.name}.{column.name}: {count} value(s) outside ±{MAX_TOTAL_PAISA} "
                f"paisa or not integers: {named}"
            )
    return findings


async def _imbalances(conn: AsyncConnection) -> list[Imbalance]:
    """Σ debit = Σ credit over all posted lines, per tenant and currency."""
    le = ledger_entries
    debit, credit = sa.func.sum(le.c.debit), sa.func.sum(le.c.credit)
    result = await conn.execute(
        sa.select(le.c.tenant_id, le.c.currency, debit, credit)
        .group_by(le.c.tenant_id, le.c.currency)
        .having(debit != credit)
    )
    return [Imbalance(row[0], row[1], int(row[2]), int(row[3])) for row in result]


async def _account_total_mismatches(conn: AsyncConnection) -> int:
    """Accounts whose stored totals differ from the sum of their ledger lines."""
    le = ledger_entries
    sums = (
        sa.select(
            le.c.tenant_id,
            le.c.account_id,
            sa.func.sum(le.c.debit).label("debit"),
            sa.func.sum(le.c.credit).label("credit"),
        )
        .group_by(le.c.tenant_id, le.c.account_id)
        .subquery()
    )
    joined = accounts.outerjoin(
        sums, sa.and_(sums.c.tenant_id == accounts.c.tenant_id, sums.c.account_id == accounts.c.id)
    )
    result = await conn.execute(
        sa.select(sa.func.count())
        .select_from(joined)
        .where(
            sa.or_(
                accounts.c.debit_total != sa.func.coalesce(sums.c.debit, 0),
                accounts.c.credit_total != sa.func.coalesce(sums.c.credit, 0),
            )
        )
    )
    return int(result.scalar_one())
