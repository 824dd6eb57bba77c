"""Rebuilding the read models from the event log, and verifying that a rebuild equals what the
live tables hold.

Both replay every event into shadow tables (`rebuild_*`) while the service keeps running, then
catch up the last events while holding the event-log head (no appender can slip in between).
`rebuild` then swaps the shadow contents into the live tables in that same transaction;
`verify` compares them row by row and checks that debits equal credits per tenant."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.database import Database
from vextrus_finance.infrastructure.event_store import EventStore
from vextrus_finance.infrastructure.read_model_tables import LIVE, ReadModelTables, shadow_tables
from vextrus_finance.infrastructure.schema import accounts, ledger_entries
from vextrus_finance.infrastructure.sql_projection import SqlProjection

Progress = Callable[[int, int], None]  # (events replayed, events in the log)
# Events per read and per transaction while filling the shadow tables. Larger batches mean fewer
# commits (each an fsync) and longer multi-row statements; 10,000 envelopes are a few MB.
EVENTS_PER_TRANSACTION = 10_000
REBUILD_CACHE_KIB = 128 * 1024
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

    @property
    def ok(self) -> bool:
        return not self.differences and not self.imbalances and not self.account_total_mismatches


class Rebuilder:
    def __init__(self, db: Database, store: EventStore) -> None:
        self._db = db
        self._store = store

    async def _create_shadow(self) -> tuple[ReadModelTables, sa.MetaData]:
        leftover, leftover_metadata = shadow_tables()
        sqlite = self._db.is_sqlite
        shadow, metadata = _private_copies(leftover, sqlite=sqlite)
        async with self._db.write() as conn:
            if sqlite:
                # SQLite's default page cache (2 MB) is far smaller than the shadow tables'
                # B-trees, whose keys arrive in random order: every insert re-reads pages. The
                # writer connection (one per process) gets a larger cache while it rebuilds.
                await conn.exec_driver_sql(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
                await conn.exec_driver_sql(f"PRAGMA temp.cache_size = -{REBUILD_CACHE_KIB}")
                # The temp schema lives and dies with this connection: its rollback journal
                # need not be a file (ROLLBACK still works; a crash loses the schema anyway).
                await conn.exec_driver_sql("PRAGMA temp.journal_mode = MEMORY")
            # Shadow tables left in the main schema by a rebuild that crashed.
            await conn.run_sync(leftover_metadata.drop_all)
            await conn.run_sync(metadata.drop_all)
            await conn.run_sync(metadata.create_all)
        return shadow, metadata

    async def _drop_shadow(self, metadata: sa.MetaData) -> None:
        async with self._db.write() as conn:
            await conn.run_sync(metadata.drop_all)
            if conn.dialect.name == "sqlite":
                await conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}")
                await conn.exec_driver_sql(f"PRAGMA temp.cache_size = -{SQLITE_DEFAULT_CACHE_KIB}")

    async def _project(
        self,
        conn: AsyncConnection,
        projection: SqlProjection,
        after: int,
        upto: int,
        progress: Progress | None,
    ) -> None:
        """Project positions (after, upto] in steps of EVENTS_PER_TRANSACTION."""
        while after < upto:
            step = min(after + EVENTS_PER_TRANSACTION, upto)
            await projection.project(conn, after, step)
            after = step
            if progress is not None:
                progress(after, upto)

    async def _fill_shadow(self, projection: SqlProjection, progress: Progress | None) -> int:
        """Everything up to the head as it was when the fill started, one transaction per
        EVENTS_PER_TRANSACTION events; returns the last position projected."""
        async with self._db.read() as conn:
            total = await self._store.head_position(conn)
        after = 0
        while after < total:
            upto = min(after + EVENTS_PER_TRANSACTION, total)
            async with self._db.write() as conn:
                await projection.project(conn, after, upto)
            after = upto
            if progress is not None:
                progress(after, total)
        return after

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

    async def verify(self, progress: Progress | None = None) -> VerifyReport:
        shadow, metadata = await self._create_shadow()
        projection = self._projection(shadow)
        try:
            after = await self._fill_shadow(projection, progress)
            async with self._db.write() as conn:
                head = await self._store.lock_head(conn)
                await self._project(conn, projection, after, head, progress)
                after = max(after, head)
                await projection.finish(conn)
                report = VerifyReport(events=after)
                for live, rebuilt in zip(LIVE.all(), shadow.all(), strict=True):
                    difference = await _compare(conn, live, rebuilt)
                    if difference is not None:
                        report.differences.append(difference)
                report.imbalances = await _imbalances(conn)
                report.account_total_mismatches = await _account_total_mismatches(conn)
        finally:
            await self._drop_shadow(metadata)
        return report


def _private_copies(
    shadow: ReadModelTables, *, sqlite: bool
) -> tuple[ReadModelTables, sa.MetaData]:
    """The shadow tables where writing them costs least and nobody else sees them.

    SQLite: in the writer connection's `temp` schema, a file of its own without WAL or fsync.
    Filled in the main database, every fill commit wrote each B-tree page it had touched to the
    WAL and fsynced it, and the random keys (journal ids) touch most leaf pages in every batch.
    The writer engine holds exactly one connection, so the temp tables stay visible to every
    transaction of the rebuild; if that connection is lost, the rebuild fails (no such table).
    PostgreSQL: UNLOGGED (no WAL); a crash empties them, and the next rebuild recreates them."""
    metadata = sa.MetaData()
    options: dict[str, Any] = {"schema": "temp"} if sqlite else {"prefixes": ["UNLOGGED"]}
    copies = {}
    for f in fields(shadow):
        table: sa.Table = getattr(shadow, f.name)
        columns = [sa.Column(c.name, c.type, nullable=c.nullable) for c in table.columns]
        key = sa.PrimaryKeyConstraint(*table.primary_key.columns.keys(), name=f"pk_{table.name}")
        copies[f.name] = sa.Table(table.name, metadata, *columns, key, **options)
    return ReadModelTables(**copies), metadata


# The order in which commands lock these tables (period guard first, accounts next, …): the
# swap takes them in the same order, then the event-log head, so it can never deadlock with a
# command; commands in flight finish first, later ones wait and then see the rebuilt rows.
_COMMAND_LOCK_ORDER = (
    "fiscal_periods",
    "accounts",
    "journals",
    "journal_lines",
    "ledger_entries",
    "account_period_totals",
    # invoices and payments: written after the journals their commands post
    "invoices",
    "invoice_lines",
    "payments",
    "posting_profile_accounts",
    "company_profiles",
)


async def _lock_read_models(conn: AsyncConnection) -> None:
    if conn.dialect.name == "postgresql":
        tables = ", ".join(_COMMAND_LOCK_ORDER)
        await conn.execute(sa.text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))


async def _replace_contents(conn: AsyncConnection, live: sa.Table, rebuilt: sa.Table) -> None:
    """Live rows := shadow rows. On SQLite the live table's secondary indexes are dropped and
    created again after the copy, in the same transaction: building an index from the finished
    table is several times cheaper than maintaining it row by row (ADR 0023). WAL readers keep
    reading their snapshot, old indexes included, until the swap commits. The indexes are
    re-created from the SQL SQLite stored for them, so they stay exactly what the migrations
    made. (PostgreSQL's DROP INDEX would lock out readers for the swap: not done there.)"""
    indexes: list[str] = []
    if conn.dialect.name == "sqlite":
        found = await conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (live.name,),
        )
        for row in found.mappings().all():
            await conn.exec_driver_sql(f'DROP INDEX "{row["name"]}"')
            indexes.append(str(row["sql"]))
    await conn.execute(sa.delete(live))
    columns = [c.name for c in live.columns]
    # In primary-key order: the live table's key index then grows at its right edge instead
    # of taking every row at a random leaf (PostgreSQL keeps all live indexes during the copy).
    key = [rebuilt.c[c.name] for c in live.primary_key.columns]
    rows = sa.select(*[rebuilt.c[name] for name in columns]).order_by(*key)
    await conn.execute(sa.insert(live).from_select(columns, rows))
    for sql in indexes:
        await conn.exec_driver_sql(sql)


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
