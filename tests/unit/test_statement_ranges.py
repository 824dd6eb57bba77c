"""The stored sums a movement over [from, to] is read from (ADR 0047): every day of the range
counted exactly once and no other day, whichever side of each partial month is read."""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from vextrus_finance.infrastructure.ledger.statement_queries import range_pieces

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


def _days_of(kind: str, low: object, high: object) -> list[date]:
    if kind == "days":
        assert isinstance(low, date)
        assert isinstance(high, date)
        return [low + timedelta(days=n) for n in range((high - low).days + 1)]
    assert isinstance(low, int)
    assert isinstance(high, int)
    days = []
    year, month = divmod(low, 100)
    while year * 100 + month <= high:
        days += [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


@settings(max_examples=300, deadline=None)
@given(DAYS, DAYS)
def test_pieces_count_each_day_of_the_range_once(a: date, b: date) -> None:
    low, high = min(a, b), max(a, b)
    counted: Counter[date] = Counter()
    pieces = range_pieces(low, high)
    assert len([p for p in pieces if p[0] == "days"]) <= 2
    for kind, first, last, sign in pieces:
        for day in _days_of(kind, first, last):
            counted[day] += sign
    assert {d for d, n in counted.items() if n} == set(_days_of("days", low, high))
    assert all(n in (0, 1) for n in counted.values())


def test_a_quarter_reads_three_month_totals_and_no_day() -> None:
    assert range_pieces(date(2025, 7, 1), date(2025, 9, 30)) == [("months", 202507, 202509, 1)]


def test_a_partial_month_reads_its_shorter_side() -> None:
    # 2 July … 8 December: July less its 1st day, August–November, December's first 8 days.
    assert range_pieces(date(2025, 7, 2), date(2025, 12, 8)) == [
        ("days", date(2025, 7, 1), date(2025, 7, 1), -1),
        ("days", date(2025, 12, 1), date(2025, 12, 8), 1),
        ("months", 202507, 202511, 1),
    ]
