"""`python -m benchmarks [--quick] [--scenarios …] [--backends …] [--runs N]`: runs every
scenario on SQLite and PostgreSQL and writes results/latest.json and results/latest.md."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from benchmarks import machine, results
from benchmarks.databases import Backends, backends
from benchmarks.results import Result
from benchmarks.scenarios import aggregate_load, post_http, post_inproc, rebuild, trial_balance
from benchmarks.sizes import FULL, QUICK, TINY, Sizes

Scenario = Callable[[Backends, str, Sizes, int], Awaitable[list[Result]]]
SCENARIOS: dict[str, Scenario] = {
    "post-inproc": post_inproc.run,
    "post-http": post_http.run_single,
    "post-batch": post_http.run_batch,
    "trial-balance": trial_balance.run,  # also measures the server's peak RSS (scenario 7)
    "aggregate-load": aggregate_load.run,
    "rebuild": rebuild.run,
}
OUT = Path(__file__).resolve().parent / "results"
NOTES = [
    "The machine has 2 cores shared with other work (other engineers' test suites ran during "
    "the session): absolute numbers are noisy; the ratio to the baseline measured in the same "
    "run, on the same database, right after the measured run, is what counts.",
    "Baselines: raw SQL through the bare driver (sqlite3 / asyncpg) writing the same rows; "
    "post-http's baseline is the same server's GET /health/live under the same load (the "
    "framework's ceiling), in requests/s.",
]


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small sizes; finishes in < 2 minutes")
    p.add_argument("--tiny", action="store_true", help="smallest sizes (the harness's own test)")
    p.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    p.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    p.add_argument("--runs", type=int, default=None, help="runs per scenario (default 3)")
    p.add_argument("--out", type=Path, default=OUT)
    return p.parse_args(argv)


async def _main(args: argparse.Namespace) -> list[Result]:
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    runs = args.runs or (1 if args.tiny else 3)
    collected: list[Result] = []
    with backends(args.backends) as dbs:
        pg = await dbs.postgres_settings()
        if pg and (pg["fsync"] != "on" or pg["synchronous_commit"] != "on"):
            raise RuntimeError(f"PostgreSQL must run with default durability: {pg}")
        for name in args.scenarios:
            for backend in args.backends:
                started = time.perf_counter()
                print(f"[bench] {name} on {backend} …", file=sys.stderr, flush=True)
                got = await SCENARIOS[name](dbs, backend, sizes, runs)
                collected.extend(got)
                for r in got:
                    j = r.as_json()
                    print(
                        f"[bench]   {r.metric}: median {j['median']} (min {j['min']}, max "
                        f"{j['max']}), baseline {j['baseline']}, ratio {j['ratio_to_baseline']},"
                        f" met {j['met']}  [{time.perf_counter() - started:.0f} s]",
                        file=sys.stderr,
                        flush=True,
                    )
        _main.postgres = pg  # type: ignore[attr-defined]
    return collected


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING)
    command = "python -m benchmarks " + shlex.join(sys.argv[1:] if argv is None else argv)
    facts = machine.machine_facts()
    started = time.perf_counter()
    collected = asyncio.run(_main(args))
    facts["wall_time_s"] = round(time.perf_counter() - started, 1)
    vers = machine.versions()
    vers["postgres_settings"] = getattr(_main, "postgres", {})
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    json_path, md_path = results.write(
        args.out,
        machine={**facts, "mode": mode},
        versions=vers,
        results=collected,
        command=command,
        notes=NOTES,
    )
    print(f"[bench] wrote {json_path} and {md_path}", file=sys.stderr)
