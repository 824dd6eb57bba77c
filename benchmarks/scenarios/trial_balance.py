"""4. trial-balance: 10,000 accounts and 200,000 posted journals over two fiscal years; GET the
trial balance as of today and as of a past date from the server in its own process.
7. memory: the server's peak RSS (VmHWM) during those requests.
trial-balance-xlsx (issue 20): GET the same trial balance as an XLSX file (`format=xlsx`, end to
end: query, workbook rendered in the server's render pool, download), target < 1 s; the file is
opened once with openpyxl and its total compared with the JSON's.

The data is written as events and projected by the service's own rebuild, so the read models
are exactly what the projections produce; one account's balance is then checked against the
sums of the generated journals."""

from __future__ import annotations

import io
import statistics
import time
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from benchmarks.common import TENANT, load_and_project
from benchmarks.databases import Backends
from benchmarks.results import Result
from benchmarks.server import Server
from benchmarks.sizes import Sizes
from benchmarks.workload import JournalSpec, chart, journals

PATH = "/api/v1/reports/trial-balance"


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def sampled_p95(
    client: httpx.AsyncClient, path: str, params: dict[str, str], count: int
) -> float:
    """The p95 in ms of `count` sequential GETs, each timed from request to full body."""
    samples = []
    for _ in range(count):
        t0 = time.perf_counter()
        r = await client.get(path, params=params)
        samples.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
    return _p95(samples)


def _check_xlsx(content: bytes, answer: dict[str, Any]) -> str:
    """The workbook's total row (its last) carries the JSON's debit and credit totals."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    last = list(sheet.iter_rows(values_only=True))[-1]
    want = Decimal(answer["totals"]["debit"])
    got = [Decimal(str(value)).quantize(Decimal("0.01")) for value in last[3:5]]
    if got != [want, want]:
        raise AssertionError(f"trial balance XLSX totals {got} != the JSON's {want}")
    return f"XLSX of {len(answer['entries'])} accounts, totals {want} (match the JSON)"


def _expected(specs: list[JournalSpec], account_id: str, as_of: date) -> Decimal:
    paisa = sum(
        line.debit - line.credit
        for s in specs
        if s.day <= as_of
        for line in s.lines
        if line.account.id == account_id
    )
    return Decimal(paisa).scaleb(-2)


def _check_sample(answer: dict[str, object], specs: list[JournalSpec], as_of: date) -> str:
    entries = answer["entries"]
    assert isinstance(entries, list)
    sample = next(e for e in entries if Decimal(e["debit"]) or Decimal(e["credit"]))
    got = Decimal(sample["debit"]) - Decimal(sample["credit"])
    want = _expected(specs, sample["account_id"], as_of)
    if got != want:
        raise AssertionError(f"trial balance of {sample['code']} as of {as_of}: {got} != {want}")
    return f"{sample['code']} as of {as_of}: {got} (matches the generated journals)"


async def run(backends: Backends, backend: str, sizes: Sizes, runs: int) -> list[Result]:
    url = await backends.fresh(backend, "trial_balance")
    accounts = chart(sizes.tb_accounts)
    today = sizes.today
    # Two fiscal years: the previous one (July–June) and the current one up to today.
    first = date(today.year - (1 if today.month >= 7 else 2), 7, 1)
    past = date(first.year, 12, 31)
    specs = list(journals(accounts, sizes.tb_journals, first, today, seed=400))
    started = time.perf_counter()
    events = await load_and_project(url, accounts, specs)
    prepared_s = time.perf_counter() - started
    await backends.settle()  # the preparation's ~2 GB written out before the clock runs
    server = Server(url, backend, backends.workdir / f"server-tb-{backend}.log")
    server.start()
    now_p95, past_p95, xlsx_p95, rss = [], [], [], []
    checks: list[str] = []
    try:
        headers = {"Authorization": f"Bearer {server.token(TENANT)}"}
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60) as client:
            for as_of in (today, past):  # each checked once against the generated journals
                answer = await client.get(PATH, params={"as_of": as_of.isoformat()})
                answer.raise_for_status()
                checks.append(_check_sample(answer.json(), specs, as_of))
            xlsx = {"as_of": today.isoformat(), "format": "xlsx"}
            workbook = await client.get(PATH, params=xlsx)
            workbook.raise_for_status()
            today_answer = (await client.get(PATH, params={"as_of": today.isoformat()})).json()
            xlsx_check = _check_xlsx(workbook.content, today_answer)
            for _ in range(runs):
                for as_of, bucket in ((None, now_p95), (past, past_p95)):
                    params = {} if as_of is None else {"as_of": as_of.isoformat()}
                    bucket.append(await sampled_p95(client, PATH, params, sizes.tb_requests))
                xlsx_p95.append(await sampled_p95(client, PATH, xlsx, sizes.tb_xlsx_requests))
                rss.append(server.peak_rss_mb())
    finally:
        server.stop()
    data = (
        f"{len(accounts)} accounts, {len(specs)} journals "
        f"({sum(len(s.lines) for s in specs)} lines, {events} events) from {first} to "
        f"{today}, prepared in {prepared_s:.0f} s; {sizes.tb_requests} sequential GETs per "
        f"run; checked: {'; '.join(checks)}; median of today p95s "
        f"{statistics.median(now_p95):.1f} ms"
    )
    return [
        Result(
            "trial-balance-today",
            backend,
            "p95_ms",
            now_p95,
            target="< 50 ms",
            target_value=50,
            higher_is_better=False,
            notes=data,
        ),
        Result(
            "trial-balance-past",
            backend,
            "p95_ms",
            past_p95,
            target="< 100 ms",
            target_value=100,
            higher_is_better=False,
            notes=f"as of {past}",
        ),
        Result(
            "trial-balance-xlsx",
            backend,
            "p95_ms",
            xlsx_p95,
            target="< 1000 ms",
            target_value=1000,
            higher_is_better=False,
            notes=f"as of {today}, format=xlsx, {sizes.tb_xlsx_requests} sequential GETs per "
            f"run, the whole download; checked: {xlsx_check}",
        ),
        Result(
            "memory",
            backend,
            "rss_mb",
            rss,
            target="< 300 MB",
            target_value=300,
            higher_is_better=False,
            notes="server VmHWM after the trial-balance requests",
        ),
    ]
