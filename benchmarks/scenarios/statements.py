"""statements: the trial-balance scenario's data (10,000 accounts, 200,000 posted journals over
two fiscal years); GET the profit and loss (fiscal year to date), the balance sheet (today) and
the cash flow (fiscal year to date) from the server in its own process (ADR 0047), each against
the < 100 ms target, and the P&L and balance sheet compared with a year earlier (reported:
each comparison is a second read of the same size).

Before the clock runs each statement is checked against the generated journals: net profit
and current-year earnings equal the sums of the revenue and expense lines, the balance sheet
balances, closing cash equals the CASH accounts' lines and closing − opening = net change."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from benchmarks.common import TENANT, load_and_project
from benchmarks.databases import Backends
from benchmarks.results import Result
from benchmarks.scenarios.trial_balance import sampled_p95
from benchmarks.server import Server
from benchmarks.sizes import Sizes
from benchmarks.workload import JournalSpec, cash_flow_class_of, chart, journals
from vextrus_finance.domain.accounts import AccountType, CashFlowClass
from vextrus_finance.domain.fiscal import fiscal_year_of

_PROFIT = (AccountType.REVENUE, AccountType.EXPENSE)


def _taka(paisa: int) -> Decimal:
    return Decimal(paisa).scaleb(-2)


def _sum(specs: list[JournalSpec], low: date, high: date, pick: Any) -> int:
    return sum(
        line.debit - line.credit
        for s in specs
        if low <= s.day <= high
        for line in s.lines
        if pick(line.account)
    )


def _check(
    pl: dict[str, Any],
    bs: dict[str, Any],
    cf: dict[str, Any],
    specs: list[JournalSpec],
    start: date,
    today: date,
) -> str:
    profit = _taka(-_sum(specs, start, today, lambda a: a.type in _PROFIT))
    cash = _taka(
        _sum(specs, date.min, today, lambda a: cash_flow_class_of(a) is CashFlowClass.CASH)
    )
    got = {
        "net_profit": Decimal(pl["net_profit"]),
        "current_year_earnings": Decimal(bs["current_year_earnings"]),
        "cash_flow_net_profit": Decimal(cf["net_profit"]),
        "closing_cash": Decimal(cf["closing_cash"]),
    }
    want = {
        "net_profit": profit,
        "current_year_earnings": profit,
        "cash_flow_net_profit": profit,
        "closing_cash": cash,
    }
    if got != want:
        raise AssertionError(f"statements: {got} != {want} (from the generated journals)")
    if not bs["totals"]["balanced"]:
        raise AssertionError(f"balance sheet as of {today} does not balance: {bs['totals']}")
    change = Decimal(cf["closing_cash"]) - Decimal(cf["opening_cash"])
    if change != Decimal(cf["net_change"]):
        raise AssertionError(f"cash flow: closing − opening {change} != {cf['net_change']}")
    return (
        f"net profit {profit} = current-year earnings, balance sheet balanced at "
        f"{bs['totals']['assets']}, closing cash {cash} (match the generated journals)"
    )


async def run(backends: Backends, backend: str, sizes: Sizes, runs: int) -> list[Result]:
    url = await backends.fresh(backend, "statements")
    accounts = chart(sizes.tb_accounts)
    today = sizes.today
    first = date(today.year - (1 if today.month >= 7 else 2), 7, 1)
    start = fiscal_year_of(today).start
    specs = list(journals(accounts, sizes.tb_journals, first, today, seed=400))
    started = time.perf_counter()
    events = await load_and_project(url, accounts, specs)
    prepared_s = time.perf_counter() - started
    await backends.settle()
    server = Server(url, backend, backends.workdir / f"server-statements-{backend}.log")
    server.start()
    year_to_date = {"from": start.isoformat(), "to": today.isoformat()}
    pl, bs, cf = (
        f"/api/v1/reports/{name}" for name in ("profit-and-loss", "balance-sheet", "cash-flow")
    )
    as_of = {"as_of": today.isoformat()}
    year_earlier = {"compare": "previous_year"}
    requests: dict[str, tuple[str, dict[str, str]]] = {
        "profit-and-loss": (pl, year_to_date),
        "balance-sheet": (bs, as_of),
        "cash-flow": (cf, year_to_date),
        "profit-and-loss-compare": (pl, {**year_to_date, **year_earlier}),
        "balance-sheet-compare": (bs, {**as_of, **year_earlier}),
    }
    p95s: dict[str, list[float]] = {name: [] for name in requests}
    try:
        headers = {"Authorization": f"Bearer {server.token(TENANT)}"}
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60) as client:
            answers = {}
            for name, (path, params) in requests.items():
                answer = await client.get(path, params=params)
                answer.raise_for_status()
                answers[name] = answer.json()
            check = _check(
                answers["profit-and-loss-compare"],
                answers["balance-sheet-compare"],
                answers["cash-flow"],
                specs,
                start,
                today,
            )
            for _ in range(runs):
                for name, (path, params) in requests.items():
                    p95s[name].append(await sampled_p95(client, path, params, sizes.tb_requests))
    finally:
        server.stop()
    data = (
        f"{len(accounts)} accounts, {len(specs)} journals "
        f"({sum(len(s.lines) for s in specs)} lines, {events} events) from {first} to {today}, "
        f"prepared in {prepared_s:.0f} s; {sizes.tb_requests} sequential GETs per run; "
        f"checked: {check}"
    )
    notes = {
        "profit-and-loss": f"{start} to {today}; {data}",
        "balance-sheet": f"as of {today}",
        "cash-flow": f"{start} to {today}",
        "profit-and-loss-compare": f"{start} to {today} and the same dates a year earlier",
        "balance-sheet-compare": f"as of {today} and a year earlier",
    }
    compared = ("profit-and-loss-compare", "balance-sheet-compare")
    return [
        Result(
            f"statements-{name}",
            backend,
            "p95_ms",
            p95s[name],
            target="report" if name in compared else "< 100 ms",
            target_value=None if name in compared else 100,
            higher_is_better=False,
            notes=notes[name],
        )
        for name in requests
    ]
