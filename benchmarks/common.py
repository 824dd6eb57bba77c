"""Pieces several scenarios share: a tenant with the benchmark chart, projected by the
service's own rebuild, and the raw-SQL baseline measured on the same database."""

from __future__ import annotations

import asyncio
from datetime import date

from benchmarks import baseline
from benchmarks.databases import settings_for
from benchmarks.workload import ChartAccount, EventLogWriter, JournalSpec
from vextrus_finance.bootstrap import bootstrap
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder

TENANT = "bench"


async def load_and_project(
    url: str, accounts: list[ChartAccount], specs: list[JournalSpec] = (), tenant: str = TENANT
) -> int:
    """Write the chart and journals as events, then project them with `projections rebuild`.
    Returns the number of events."""
    container = bootstrap(settings_for(url))
    try:
        async with container.db.write() as conn:
            writer = EventLogWriter(conn, tenant)
            await writer.start()
            await writer.accounts(accounts)
            for spec in specs:
                await writer.journal(spec)
            await writer.finish()
        return await Rebuilder(container.db, container.store).rebuild()
    finally:
        await container.close()


async def raw_baseline(
    backend: str,
    url: str,
    accounts: list[ChartAccount],
    specs: list[JournalSpec],
    per_transaction: int,
) -> float:
    """Journals per second written by plain SQL, on the same database."""
    journals = baseline.prepare(specs, sqlite_types=backend == "sqlite")
    if backend == "sqlite":
        return await asyncio.to_thread(
            baseline.run_sqlite, baseline.sqlite_path(url), accounts, journals, per_transaction
        )
    return await baseline.run_postgres(url, accounts, journals, per_transaction)


async def raw_baseline_concurrent(
    backend: str,
    url: str,
    accounts: list[ChartAccount],
    specs: list[JournalSpec],
    connections: int,
) -> float:
    """Journals per second written by plain SQL from `connections` connections at once, one
    transaction per journal, on the same database."""
    journals = baseline.prepare(specs, sqlite_types=backend == "sqlite")
    if backend == "sqlite":
        return await asyncio.to_thread(
            baseline.run_sqlite_concurrent,
            baseline.sqlite_path(url),
            accounts,
            journals,
            connections,
        )
    return await baseline.run_postgres_concurrent(url, accounts, journals, connections)


def this_fiscal_year(today: date) -> tuple[date, date]:
    """Dates for posting: from the start of the current fiscal year (July) to today."""
    start = date(today.year if today.month >= 7 else today.year - 1, 7, 1)
    return start, today
