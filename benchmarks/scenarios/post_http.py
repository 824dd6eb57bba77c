"""2. post-http: POST /api/v1/journals (post: true) from 8 concurrent clients against the
server in its own process, and the same load on GET /health/live as the framework's ceiling.
3. post-batch: POST /api/v1/journals/batch, 100 journals per request, against the batched
raw-SQL baseline."""

from __future__ import annotations

import json
import statistics

from benchmarks.common import (
    TENANT,
    load_and_project,
    raw_baseline,
    raw_baseline_concurrent,
    this_fiscal_year,
)
from benchmarks.databases import Backends
from benchmarks.load import exact, wrk
from benchmarks.results import Result
from benchmarks.server import Server
from benchmarks.sizes import Sizes
from benchmarks.workload import body, chart, journals


async def run_single(backends: Backends, backend: str, sizes: Sizes, runs: int) -> list[Result]:
    url = await backends.fresh(backend, "post_http")
    accounts = chart(sizes.post_accounts)
    await load_and_project(url, accounts)
    first, last = this_fiscal_year(sizes.today)
    server = Server(url, backend, backends.workdir / f"server-post-http-{backend}.log")
    server.start()
    posts, ceilings, p95s, details, raw = [], [], [], [], []
    try:
        token = server.token(TENANT)
        for run_no in range(runs):
            specs = list(journals(accounts, sizes.http_journals, first, last, seed=200 + run_no))
            bodies = [json.dumps(body(s)) for s in specs]
            post = wrk(
                server.url,
                "/api/v1/journals",
                method="POST",
                token=token,
                requests=len(bodies),
                connections=sizes.http_clients,
                bodies=bodies,
            )
            ceiling = wrk(
                server.url,
                "/health/live",
                method="GET",
                token=token,
                requests=len(bodies),
                connections=sizes.http_clients,
            )
            if post.errors:
                raise RuntimeError(f"{post.errors} failed POSTs; see {server._log}")
            # The database's own limit at this concurrency, on the same database, right after:
            # no server can post faster than plain SQL from as many connections.
            raw.append(
                await raw_baseline_concurrent(
                    backend, url, accounts, specs[: len(specs) // 2 or 1], sizes.http_clients
                )
            )
            posts.append(post.per_s)
            ceilings.append(ceiling.per_s)
            p95s.append(post.p95_ms)
            details.append(
                f"run {run_no + 1}: {post.requests} POSTs in {post.seconds:.1f} s, p50 "
                f"{post.p50_ms:.1f} / p95 {post.p95_ms:.1f} / p99 {post.p99_ms:.1f} ms; ceiling "
                f"{ceiling.per_s:.0f} req/s (p95 {ceiling.p95_ms:.1f} ms)"
            )
    finally:
        server.stop()
    clients = sizes.http_clients
    bound = statistics.median(raw)
    reachable = 0.40 * statistics.median(ceilings)
    details.append(
        f"raw SQL from {clients} connections (1 txn/journal, same database): median "
        f"{bound:.0f} journals/s; 40% of the ceiling is {reachable:.0f}/s, "
        + ("more than raw SQL reaches" if reachable > bound else "within raw SQL's reach")
    )
    note = "; ".join(details)
    return [
        Result(
            "post-http",
            backend,
            "journals_per_s",
            posts,
            target=">= 40% of GET /health/live req/s",
            target_value=0.40,
            target_is_ratio=True,
            baseline_runs=ceilings,
            baseline_label="/health/live req/s, same load",
            notes=note,
        ),
        Result(
            "post-http",
            backend,
            "p95_ms",
            p95s,
            target="< 50 ms",
            target_value=50,
            higher_is_better=False,
        ),
        Result(
            "post-http:vs-raw-sql",
            backend,
            "journals_per_s",
            posts,
            target=f"report: the same POSTs against raw SQL from {clients} connections",
            baseline_runs=raw,
            baseline_label=f"raw SQL, {clients} connections, 1 txn/journal",
        ),
    ]


async def run_batch(backends: Backends, backend: str, sizes: Sizes, runs: int) -> list[Result]:
    url = await backends.fresh(backend, "post_batch")
    accounts = chart(sizes.post_accounts)
    await load_and_project(url, accounts)
    first, last = this_fiscal_year(sizes.today)
    server = Server(url, backend, backends.workdir / f"server-post-batch-{backend}.log")
    server.start()
    rates, base_runs, details = [], [], []
    try:
        token = server.token(TENANT)
        for run_no in range(runs):
            specs = list(journals(accounts, sizes.batch_journals, first, last, seed=300 + run_no))
            size = sizes.batch_size
            bodies = [
                json.dumps({"journals": [body(s) for s in specs[i : i + size]]})
                for i in range(0, len(specs), size)
            ]
            result = await exact(
                server.url,
                "/api/v1/journals/batch",
                token=token,
                bodies=bodies,
                connections=sizes.http_clients,
            )
            if result.errors:
                raise RuntimeError(f"{result.errors} failed batches; see {server._log}")
            rates.append(result.requests * size / result.seconds)
            details.append(
                f"run {run_no + 1}: {result.requests} requests of {size}, p95 "
                f"{result.p95_ms:.0f} ms"
            )
            base_runs.append(
                await raw_baseline(backend, url, accounts, specs, per_transaction=size)
            )
    finally:
        server.stop()
    return [
        Result(
            "post-batch",
            backend,
            "journals_per_s",
            rates,
            target=">= 45% of raw SQL (100/txn)",
            target_value=0.45,
            target_is_ratio=True,
            baseline_runs=base_runs,
            baseline_label="raw SQL, 100 journals/txn",
            notes="; ".join(details),
        ),
    ]
