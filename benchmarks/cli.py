"""`python -m benchmarks [--quick] [--scenarios …] [--backends …] [--runs N]`: runs every
scenario on SQLite and PostgreSQL and writes results/latest.json and results/latest.md."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from pathlib import Path

from benchmarks import machine, results
from benchmarks.databases import Backends, backends
from benchmarks.results import Result
from benchmarks.scenarios import (
    aggregate_load,
    post_http,
    post_inproc,
    rebuild,
    statements,
    trial_balance,
)
from benchmarks.sizes import FULL, QUICK, TINY, Sizes

Scenario = Callable[[Backends, str, Sizes, int], Awaitable[list[Result]]]
SCENARIOS: dict[str, Scenario] = {
    "post-inproc": post_inproc.run,
    "post-http": post_http.run_single,
    "post-batch": post_http.run_batch,
    "trial-balance": trial_balance.run,  # also measures the server's peak RSS (scenario 7)
    "statements": statements.run,  # P&L, balance sheet, cash flow at the trial-balance size
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
    "framework's ceiling), in requests/s; post-http:vs-raw-sql sets the same POSTs against raw "
    "SQL from as many connections as the HTTP clients, the most any server could commit.",
    "Rows whose target is 'report' have nothing to reach: their 'met' says they were reported.",
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
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SIZE=N",
        help="override one size, e.g. --set rebuild_events=200000 (recorded in the results)",
    )
    return p.parse_args(argv)


def _sizes(args: argparse.Namespace) -> Sizes:
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in Sizes.__dataclass_fields__ or key == "today":
            raise SystemExit(f"unknown size {key!r}")
        overrides[key] = int(value)
    return replace(sizes, **overrides)


class Run:
    """One invocation: its arguments, what it found about the machine, and what it measured so
    far. The files are rewritten after every scenario, so an interrupted run keeps its numbers."""

    def __init__(self, args: argparse.Namespace, command: str) -> None:
        self.args = args
        self.command = command
        self.sizes = _sizes(args)
        self.runs = args.runs or (1 if args.tiny else 3)
        self.started = time.perf_counter()
        self.facts = machine.machine_facts()
        self.versions = machine.versions()
        self.results: list[Result] = []
        self.mode = "tiny" if args.tiny else "quick" if args.quick else "full"

    def write(self, *, complete: bool) -> tuple[Path, Path]:
        facts = {
            **self.facts,
            "mode": self.mode,
            "complete": complete,
            "sizes": {**asdict(self.sizes), "today": str(self.sizes.today)},
            "runs": self.runs,
            "wall_time_s": round(time.perf_counter() - self.started, 1),
        }
        return results.write(
            self.args.out,
            machine=facts,
            versions=self.versions,
            results=self.results,
            command=self.command,
            notes=NOTES,
        )

    async def main(self) -> None:
        args = self.args
        with backends(args.backends) as dbs:
            pg = await dbs.postgres_settings()
            if pg and (pg["fsync"] != "on" or pg["synchronous_commit"] != "on"):
                raise RuntimeError(f"PostgreSQL must run with default durability: {pg}")
            self.versions["postgres_settings"] = pg
            for name in args.scenarios:
                for backend in args.backends:
                    await dbs.settle()
                    started = time.perf_counter()
                    print(f"[bench] {name} on {backend} …", file=sys.stderr, flush=True)
                    got = await SCENARIOS[name](dbs, backend, self.sizes, self.runs)
                    self.results.extend(got)
                    self.write(complete=False)
                    for r in got:
                        j = r.as_json()
                        print(
                            f"[bench]   {r.scenario} {r.metric}: median {j['median']} (min "
                            f"{j['min']}, max {j['max']}), baseline {j['baseline']}, ratio "
                            f"{j['ratio_to_baseline']}, met {j['met']}  "
                            f"[{time.perf_counter() - started:.0f} s]",
                            file=sys.stderr,
                            flush=True,
                        )


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    # Unwind like Ctrl-C so the server process and the PostgreSQL cluster are stopped.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    given = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING)
    run = Run(parse(given), " ".join(["python -m benchmarks", shlex.join(given)]).strip())
    asyncio.run(run.main())
    json_path, md_path = run.write(complete=True)
    print(f"[bench] wrote {json_path} and {md_path}", file=sys.stderr)
