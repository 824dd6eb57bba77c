"""Rebuilding the read models from the event log, and verifying that a rebuild equals what the
live tables hold.

Both replay every event into shadow tables (`rebuild_*`) while the service keeps running, then
catch up the last events while holding the event-log head (no appender can slip in between).
`rebuild` then swaps the shadow contents into the live tables in that same transaction;
`verify` compares them row by row and checks that debits equal credits per tenant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.bulk_projection import BulkProjector
from vextrus_finance.infrastructure.database import Database
from vextrus_finance.infrastructure.event_store import EventStore
from vextrus_finance.infrastructure.read_model_tables import LIVE, ReadModelTables, shadow_tables
from vextrus_finance.infrastructure.schema import accounts, ledger_entries

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
        shadow, metadata = shadow_tables()
        async with self._db.write() as conn:
            if conn.dialect.name == "sqlite":
                # SQLite's default page cache (2 MB) is far smaller than the shadow tables'
                # B-trees, whose keys arrive in random order: every insert re-reads pages. The
                # writer connection (one per process) gets a larger cache while it rebuilds.
                await conn.exec_driver_sql(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
            await conn.run_sync(metadata.drop_all)
            await conn.run_sync(metadata.create_all)
        return shadow, metadata

    async def _drop_shadow(self, metadata: sa.MetaData) -> None:
        async with self._db.write() as conn:
            await conn.run_sync(metadata.drop_all)
            if conn.dialect.name == "sqlite":
                await conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}")

    async def _replay(
        self,
        conn: AsyncConnection,
        projector: BulkProjector,
        after: int,
        *,
        limit: int | None,
        total: int,
        progress: Progress | None,
    ) -> int:
        """Project events after position `after` (at most `limit`); return the last position."""
        done = 0
        while limit is None or done < limit:
            batch = await self._store.read_all(
                conn, after_position=after, limit=EVENTS_PER_TRANSACTION
            )
            if not batch:
                break
            await projector.apply(conn, batch)
            last = batch[-1].position
            assert last is not None
            done += len(batch)
            after = last
            if progress is not None:
                progress(after, total)
        return after

    async def _fill_shadow(self, projector: BulkProjector, progress: Progress | None) -> int:
        async with self._db.read() as conn:
            total = await self._store.head_position(conn)
        after = 0
        while after < total:
            async with self._db.write() as conn:
                reached = await self._replay(
                    conn,
                    projector,
                    after,
                    limit=EVENTS_PER_TRANSACTION,
                    total=total,
                    progress=progress,
                )
            if reached == after:
                break
            after = reached
        return after

    async def rebuild(self, progress: Progress | None = None) -> int:
        """Replace every read model with one rebuilt from the events; returns events replayed."""
        shadow, metadata = await self._create_shadow()
        projector = BulkProjector(shadow, defer_totals=True)
        try:
            after = await self._fill_shadow(projector, progress)
            async with self._db.write() as conn:
                await _lock_read_models(conn)
                head = await self._store.lock_head(conn)
                after = await self._replay(
                    conn, projector, after, limit=None, total=head, progress=progress
                )
                await projector.flush_totals(conn)
                for live, rebuilt in zip(LIVE.all(), shadow.all(), strict=True):
                    await _replace_contents(conn, live, rebuilt)
        finally:
            await self._drop_shadow(metadata)
        return after

    async def verify(self, progress: Progress | None = None) -> VerifyReport:
        shadow, metadata = await self._create_shadow()
        projector = BulkProjector(shadow, defer_totals=True)
        try:
            after = await self._fill_shadow(projector, progress)
            async with self._db.write() as conn:
                head = await self._store.lock_head(conn)
                after = await self._replay(
                    conn, projector, after, limit=None, total=head, progress=progress
                )
                await projector.flush_totals(conn)
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
    await conn.execute(
        sa.insert(live).from_select(columns, sa.select(*[rebuilt.c[name] for name in columns]))
    )
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
