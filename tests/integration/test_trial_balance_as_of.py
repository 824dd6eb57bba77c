"""Balances as of every kind of date, on both databases: the trial balance's query
(`net_balances_as_of`, integer paisa, the plan of `net_balances.plan_for`) against the
independent Decimal query (`balances_as_of`, month totals and ledger entries as one union) and
against sums computed here from the journals posted — for two tenants whose books overlap in
codes but not in amounts or months."""

from __future__ import annotations

import calendar
import random
from datetime import date
from decimal import Decimal

from tests.conftest import make_settings
from tests.integration.helpers import STANDARD, journal, open_accounts
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.infrastructure.ledger.net_balances import plan_for

CODES = [code for code, _ in STANDARD]
Posted = list[tuple[date, str, int]]  # (day, code, debit − credit in paisa)


def _edges(year: int, month: int) -> list[date]:
    last = calendar.monthrange(year, month)[1]
    return [date(year, month, d) for d in (1, 2, 15, 16, last - 1, last)]


async def _post_journals(
    container: Container, tenant: str, months: list[tuple[int, int]], seed: int
) -> Posted:
    """Two-line journals on the edges of each month (first, last, either side of the middle)
    and on random days, amounts random."""
    rng = random.Random(seed)
    posted: Posted = []
    for year, month in months:
        any_day = date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))
        days = [*_edges(year, month), any_day]
        for day in rng.sample(days, 4):
            debit, credit = rng.sample(CODES, 2)
            paisa = rng.randint(1, 5_000_000)
            amount = f"{Decimal(paisa).scaleb(-2):.2f}"
            await journal(container, tenant, day, (debit, amount, "0"), (credit, "0", amount))
            posted += [(day, debit, paisa), (day, credit, -paisa)]
    return posted


async def _check(container: Container, tenant: str, posted: Posted, as_of: date) -> None:
    expected = dict.fromkeys(CODES, 0)
    for day, code, paisa in posted:
        if day <= as_of:
            expected[code] += paisa
    async with container.reader(tenant) as reader:
        net_rows = await reader.net_balances_as_of(as_of, "BDT")
        decimal_rows = await reader.balances_as_of(as_of, "BDT")
    assert {code: net for _, code, _, _, _, net in net_rows} == expected, (tenant, as_of)
    assert all(type(net) is int for *_, net in net_rows)
    by_decimal = {r.code: int((r.debit_total - r.credit_total).scaleb(2)) for r in decimal_rows}
    assert by_decimal == expected, (tenant, as_of)


A_MONTHS = [(2025, m) for m in range(6, 13)] + [(2026, m) for m in (1, 2, 3, 5)]  # April empty
B_MONTHS = [(2024, 12), (2025, 9), (2026, 8)]


async def test_balances_as_of_any_date_equal_the_sum_of_the_journals(database_url: str) -> None:
    container = bootstrap(make_settings(database_url))
    try:
        for tenant in ("tb-a", "tb-b"):
            await open_accounts(container, tenant, STANDARD)
        posted = {
            "tb-a": await _post_journals(container, "tb-a", A_MONTHS, seed=1),
            "tb-b": await _post_journals(container, "tb-b", B_MONTHS, seed=2),
        }
        # Every edge of every month from before tenant A's first month to after its last,
        # and dates before anything and far in the future.
        dates = [
            day for y, m in [(2025, 5), *A_MONTHS, (2026, 4), (2026, 6)] for day in _edges(y, m)
        ]
        dates += [date(2020, 1, 1), date(2024, 12, 31), date(2030, 6, 30), date(2030, 6, 15)]
        shapes = set()
        for as_of in dates:
            plan = plan_for(as_of, 202506, 202605)
            shapes.add(
                (plan.from_totals, plan.months is not None, plan.days_sign if plan.days else 0)
            )
            for tenant in ("tb-a", "tb-b"):
                await _check(container, tenant, posted[tenant], as_of)
        # The dates above took every way there is for tenant A: forward and backward, with
        # and without month totals, days added, subtracted and none.
        assert shapes >= {
            (False, True, 1),
            (False, True, -1),
            (False, True, 0),
            (True, True, 1),
            (True, True, -1),
            (True, True, 0),
            (False, False, 1),
            (True, False, -1),
        }, shapes
        # Postings after the first read change later reads (nothing stale, nothing cached).
        await journal(
            container, "tb-a", date(2025, 12, 31), ("1000", "1.00", "0"), ("2000", "0", "1.00")
        )
        posted["tb-a"] += [(date(2025, 12, 31), "1000", 100), (date(2025, 12, 31), "2000", -100)]
        for as_of in (date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 1)):
            for tenant in ("tb-a", "tb-b"):
                await _check(container, tenant, posted[tenant], as_of)
    finally:
        await container.close()
