"""5. aggregate-load: loading one stream of 10,000 events, with and without a snapshot, against
loading a 50-event stream (no snapshot)."""

from __future__ import annotations

import time

from benchmarks.common import TENANT
from benchmarks.databases import Backends, settings_for
from benchmarks.results import Result
from benchmarks.sizes import Sizes
from benchmarks.workload import EventLogWriter, chart
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.domain.accounts import Account

SNAPSHOT_GAP = 49  # events after the newest snapshot: at most frequency − 1 in the service


async def _time_loads(container: Container, stream_id: str, loads: int) -> list[float]:
    samples = []
    for _ in range(loads):
        async with container.db.read() as conn:
            t0 = time.perf_counter()
            aggregate = await container.store.load(conn, TENANT, Account, stream_id)
            samples.append((time.perf_counter() - t0) * 1000)
        assert aggregate.exists
    return samples


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def run(backends: Backends, backend: str, sizes: Sizes, runs: int) -> list[Result]:
    url = await backends.fresh(backend, "aggregate_load")
    long_stream, short_stream = chart(2, seed=500)
    long_events = sizes.aggregate_events
    container = bootstrap(settings_for(url))
    try:
        async with container.db.write() as conn:
            writer = EventLogWriter(conn, TENANT)
            await writer.start()
            await writer.renames(long_stream, long_events - SNAPSHOT_GAP)
            await writer.renames(short_stream, 50)
            await writer.finish()
        without = [
            _p95(await _time_loads(container, long_stream.id, sizes.aggregate_loads))
            for _ in range(runs)
        ]
        async with container.db.write() as conn:
            aggregate = await container.store.load(conn, TENANT, Account, long_stream.id)
            await container.store.save_snapshot(conn, TENANT, aggregate, writer.recorded_at)
        async with container.db.write() as conn:
            tail = EventLogWriter(conn, TENANT)
            await tail.start()
            for version in range(long_events - SNAPSHOT_GAP + 1, long_events + 1):
                from vextrus_finance.domain.accounts import AccountRenamed

                await tail.add("account", long_stream.id, version, AccountRenamed(f"n{version}"))
            await tail.finish()
        with_snapshot, short, ratios = [], [], []
        for _ in range(runs):
            snap = await _time_loads(container, long_stream.id, sizes.aggregate_loads)
            small = await _time_loads(container, short_stream.id, sizes.aggregate_loads)
            with_snapshot.append(_p95(snap))
            short.append(_p95(small))
            ratios.append(sorted(snap)[len(snap) // 2] / sorted(small)[len(small) // 2])
    finally:
        await container.close()
    n = f"{long_events}-event stream"
    return [
        Result(
            "aggregate-load",
            backend,
            "ratio",
            ratios,
            target="<= 3x the 50-event load (snapshot + 49 events)",
            target_value=3.0,
            higher_is_better=False,
            notes=f"median load of the {n} with its newest snapshot {SNAPSHOT_GAP} events "
            "back, divided by the median load of a 50-event stream without snapshot",
        ),
        Result(
            f"aggregate-load:{long_events}-snapshot",
            backend,
            "p95_ms",
            with_snapshot,
            target="report",
            notes=f"{n}, snapshot {SNAPSHOT_GAP} events back",
        ),
        Result(
            f"aggregate-load:{long_events}-no-snapshot",
            backend,
            "p95_ms",
            without,
            target="report",
            notes=f"{n}, replayed from the first event",
        ),
        Result("aggregate-load:50-events", backend, "p95_ms", short, target="report"),
    ]
