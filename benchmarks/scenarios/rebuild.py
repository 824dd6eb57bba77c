"""6. rebuild: every read model rebuilt from 1,000,000 events by the service's own Rebuilder."""

from __future__ import annotations

import time

from benchmarks.common import TENANT, this_fiscal_year
from benchmarks.databases import Backends, settings_for
from benchmarks.results import Result
from benchmarks.sizes import Sizes
from benchmarks.workload import EventLogWriter, chart, journals
from vextrus_finance.bootstrap import bootstrap
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder


async def run(backends: Backends, backend: str, sizes: Sizes, runs: int) -> list[Result]:
    url = await backends.fresh(backend, "rebuild")
    account_count = min(10_000, sizes.rebuild_events // 100)
    accounts = chart(account_count, seed=600)
    first, last = this_fiscal_year(sizes.today)
    container = bootstrap(settings_for(url))
    rates = []
    try:
        async with container.db.write() as conn:
            writer = EventLogWriter(conn, TENANT)
            await writer.start()
            await writer.accounts(accounts)
            for spec in journals(
                accounts, (sizes.rebuild_events - account_count) // 2, first, last, seed=601
            ):
                await writer.journal(spec)
            await writer.finish()
        await backends.settle()  # the million events written out before the clock runs
        rebuilder = Rebuilder(container.db, container.store)
        for _ in range(runs):
            started = time.perf_counter()
            events = await rebuilder.rebuild()
            rates.append(events / (time.perf_counter() - started))
    finally:
        await container.close()
    target, value = (">= 20,000 events/s", 20_000.0) if backend == "sqlite" else ("report", None)
    return [
        Result(
            "rebuild",
            backend,
            "events_per_s",
            rates,
            target=target,
            target_value=value,
            notes=f"{events} events ({account_count} accounts opened, the rest journals "
            "drafted and posted), shadow tables, swap and drop included",
        ),
    ]
