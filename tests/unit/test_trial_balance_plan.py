"""The trial balance's plan (`net_balances.plan_for`): exact for any date and any stored data,
and never reading more than half of the stored months or half of a month's days."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from vextrus_finance.infrastructure.ledger.net_balances import Plan, plan_for

FIRST = date(2023, 1, 1)
SPAN = 4 * 366


def _key(day: date) -> int:
    return day.year * 100 + day.month


@st.composite
def postings(draw: st.DrawFn) -> dict[date, int]:
    """Net paisa per day on some days of a four-year span (empty: nothing posted)."""
    days = draw(st.lists(st.integers(0, SPAN), max_size=30, unique=True))
    return {FIRST + timedelta(days=d): draw(st.integers(-(10**9), 10**9)) for d in days}


def _apply(plan: Plan, posted: dict[date, int]) -> int:
    """What the statement computes from the stored totals, in plain Python."""
    total = sum(posted.values()) if plan.from_totals else 0
    if plan.months is not None:
        low, high = plan.months
        total += plan.months_sign * sum(v for d, v in posted.items() if low <= _key(d) <= high)
    if plan.days is not None:
        start, end = plan.days
        total += plan.days_sign * sum(v for d, v in posted.items() if start <= d <= end)
    return total


def _months_between(low: int, high: int) -> int:
    return (high // 100 - low // 100) * 12 + high % 100 - low % 100 + 1


@given(
    posted=postings(),
    as_of=st.dates(min_value=FIRST - timedelta(days=400), max_value=date(2028, 12, 31)),
)
def test_the_plan_gives_the_balance_at_the_end_of_the_day(
    posted: dict[date, int], as_of: date
) -> None:
    keys = [_key(d) for d in posted]
    first, last = (min(keys), max(keys)) if keys else (None, None)
    plan = plan_for(as_of, first, last)
    assert _apply(plan, posted) == sum(v for d, v in posted.items() if d <= as_of)
    # Never more than half of the stored months, never more than half of the month's days.
    if plan.months is not None:
        assert first is not None
        assert last is not None
        assert first <= plan.months[0] <= plan.months[1] <= last
        assert _months_between(*plan.months) <= _months_between(first, last) // 2
    if plan.days is not None:
        start, end = plan.days
        assert start.month == end.month == as_of.month
        assert (end - start).days + 1 <= calendar.monthrange(as_of.year, as_of.month)[1] // 2 + 1


def test_a_month_end_reads_month_totals_only() -> None:
    for as_of in (date(2025, 12, 31), date(2026, 2, 28), date(2024, 2, 29), date(2026, 6, 30)):
        plan = plan_for(as_of, 202507, 202611)
        assert plan.days is None, as_of
    # 2025-12-31 with months from July 2025 to November 2026: six months forward (July to
    # December), not eleven backward.
    assert plan_for(date(2025, 12, 31), 202507, 202611) == Plan(
        False, (202507, 202512), 1, None, -1
    )


def test_today_reads_no_month_totals_and_the_days_left_in_the_month() -> None:
    plan = plan_for(date(2026, 11, 27), 202507, 202611)
    assert plan == Plan(True, None, -1, (date(2026, 11, 28), date(2026, 11, 30)), -1)


def test_the_first_of_a_month_reads_that_day_and_the_months_before() -> None:
    plan = plan_for(date(2025, 10, 1), 202507, 202611)
    assert plan == Plan(False, (202507, 202509), 1, (date(2025, 10, 1), date(2025, 10, 1)), 1)


def test_nothing_posted_reads_nothing() -> None:
    assert plan_for(date(2026, 5, 17), None, None) == Plan(False, None, 1, None, 1)
