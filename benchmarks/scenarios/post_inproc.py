"""1. post-inproc: create-and-post through the application layer (no HTTP), one client."""

from __future__ import annotations

import statistics
import time

from benchmarks import baseline
from benchmarks.common import TENANT, load_and_project, raw_baseline, this_fiscal_year
from benchmarks.databases import Backends, settings_for
from benchmarks.results import Result
from benchmarks.sizes import Sizes
from benchmarks.workload import chart, command, journals
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ledger.journals import create_journal
from vextrus_finance.bootstrap import bootstrap


async def run(backends: Backends, backend: str, sizes: Sizes, runs: int) -> list[Result]:
    url = await backends.fresh(backend, "post_inproc")
    accounts = chart(sizes.post_accounts)
    await load_and_project(url, accounts)
    first, last = this_fiscal_year(sizes.today)
    app_runs: list[float] = []
    base_runs: list[float] = []
    floor_runs: list[float] = []
    container = bootstrap(settings_for(url))
    try:
        ctx = RequestContext(tenant_id=TENANT, user_id="bench-user")
        for run_no in range(runs):
            specs = list(journals(accounts, sizes.post_journals, first, last, seed=100 + run_no))
            commands = [command(s) for s in specs]
            started = time.perf_counter()
            for cmd in commands:
                await container.runner.run(ctx, lambda uow, cmd=cmd: create_journal(uow, cmd))
            app_runs.append(len(commands) / (time.perf_counter() - started))
            # Same journals, same database, right after: the baseline sees the same conditions.
            base_runs.append(await raw_baseline(backend, url, accounts, specs, per_transaction=1))
            if backend == "sqlite":
                floor_runs.append(
                    await baseline.run_aiosqlite(
                        baseline.sqlite_path(url),
                        accounts,
                        baseline.prepare(specs, sqlite_types=True),
                        per_transaction=1,
                    )
                )
    finally:
        await container.close()
    notes = ""
    if floor_runs:
        floor = statistics.median(floor_runs)
        notes = (
            f"the same raw SQL through aiosqlite (the async driver the service must use): "
            f"median {floor:.0f} journals/s (min {min(floor_runs):.0f}, max "
            f"{max(floor_runs):.0f}); service / aiosqlite floor = "
            f"{statistics.median(app_runs) / floor:.2f}"
        )
    return [
        Result(
            "post-inproc",
            backend,
            "journals_per_s",
            app_runs,
            target=">= 60% of raw SQL (1 txn/journal)",
            target_value=0.60,
            target_is_ratio=True,
            baseline_runs=base_runs,
            baseline_label="raw SQL, 1 txn/journal",
            notes=notes,
        )
    ]
