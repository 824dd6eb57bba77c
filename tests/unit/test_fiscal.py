"""The Bangladesh fiscal calendar: July–June years, P01 = July … P12 = June."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.fiscal import (
    FiscalPeriod,
    FiscalYear,
    PeriodStatus,
    fiscal_year_of,
    month_key,
    parse_fiscal_year,
    parse_period,
    period_of,
)

FY25 = FiscalYear(2025)
days = st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 6, 30))


def test_period_status_values() -> None:
    assert {s.value for s in PeriodStatus} == {"OPEN", "CLOSED"}
    assert PeriodStatus.OPEN == "OPEN"


# --- fiscal years ---------------------------------------------------------------------------


def test_fiscal_year_label_and_bounds() -> None:
    assert FY25.label == "FY2025-2026"
    assert str(FY25) == "FY2025-2026"
    assert FY25.start == date(2025, 7, 1)
    assert FY25.end == date(2026, 6, 30)


def test_fiscal_year_contains_its_bounds_only() -> None:
    assert FY25.contains(date(2025, 7, 1))
    assert FY25.contains(date(2026, 6, 30))
    assert FY25.contains(date(2026, 1, 1))
    assert not FY25.contains(date(2025, 6, 30))
    assert not FY25.contains(date(2026, 7, 1))


def test_fiscal_years_order_by_start_year() -> None:
    assert FiscalYear(2024) < FiscalYear(2025) < FiscalYear(2026)
    assert FiscalYear(2025) == FY25
    assert len({FiscalYear(2025), FY25}) == 1


def test_fiscal_year_has_twelve_periods_july_to_june() -> None:
    periods = FY25.periods()
    assert [p.number for p in periods] == list(range(1, 13))
    assert [p.code for p in periods] == [f"FY2025-2026-P{n:02d}" for n in range(1, 13)]
    assert [(p.year, p.month) for p in periods] == [
        (2025, 7),
        (2025, 8),
        (2025, 9),
        (2025, 10),
        (2025, 11),
        (2025, 12),
        (2026, 1),
        (2026, 2),
        (2026, 3),
        (2026, 4),
        (2026, 5),
        (2026, 6),
    ]
    assert periods[0].start == FY25.start
    assert periods[-1].end == FY25.end
    # Contiguous: each period starts the day after the previous one ends.
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + timedelta(days=1)
    assert all(p.fiscal_year == FY25 for p in periods)


# --- periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "start", "end", "key"),
    [
        (1, date(2025, 7, 1), date(2025, 7, 31), 202507),
        (2, date(2025, 8, 1), date(2025, 8, 31), 202508),
        (3, date(2025, 9, 1), date(2025, 9, 30), 202509),
        (6, date(2025, 12, 1), date(2025, 12, 31), 202512),
        (7, date(2026, 1, 1), date(2026, 1, 31), 202601),
        (8, date(2026, 2, 1), date(2026, 2, 28), 202602),
        (10, date(2026, 4, 1), date(2026, 4, 30), 202604),
        (12, date(2026, 6, 1), date(2026, 6, 30), 202606),
    ],
)
def test_period_dates_and_month_key(number: int, start: date, end: date, key: int) -> None:
    period = FiscalPeriod(FY25, number)
    assert period.start == start
    assert period.end == end
    assert period.month_key == key
    assert str(period) == f"FY2025-2026-P{number:02d}"


@pytest.mark.parametrize(
    ("start_year", "feb_end"),
    [
        (2023, date(2024, 2, 29)),  # leap year
        (2024, date(2025, 2, 28)),
        (2027, date(2028, 2, 29)),
        (2099, date(2100, 2, 28)),  # century, not a leap year
        (1999, date(2000, 2, 29)),  # divisible by 400: leap year
    ],
)
def test_february_period_ends_on_the_last_day(start_year: int, feb_end: date) -> None:
    february = FiscalPeriod(FiscalYear(start_year), 8)
    assert february.month == 2
    assert february.start == date(feb_end.year, 2, 1)
    assert february.end == feb_end


def test_periods_order_chronologically() -> None:
    p12_prev = FiscalPeriod(FiscalYear(2024), 12)
    p01 = FiscalPeriod(FY25, 1)
    p02 = FiscalPeriod(FY25, 2)
    assert p12_prev < p01 < p02
    assert sorted([p02, p12_prev, p01]) == [p12_prev, p01, p02]


def test_module_month_key() -> None:
    assert month_key(date(2025, 7, 15)) == 202507
    assert month_key(date(2026, 1, 1)) == 202601
    assert month_key(date(2026, 12, 31)) == 202612


# --- which year and period a day falls in ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label", "code"),
    [
        (date(2025, 6, 30), "FY2024-2025", "FY2024-2025-P12"),
        (date(2025, 7, 1), "FY2025-2026", "FY2025-2026-P01"),
        (date(2025, 7, 31), "FY2025-2026", "FY2025-2026-P01"),
        (date(2025, 8, 1), "FY2025-2026", "FY2025-2026-P02"),
        (date(2025, 12, 31), "FY2025-2026", "FY2025-2026-P06"),
        (date(2026, 1, 1), "FY2025-2026", "FY2025-2026-P07"),
        (date(2024, 2, 29), "FY2023-2024", "FY2023-2024-P08"),
        (date(2026, 6, 30), "FY2025-2026", "FY2025-2026-P12"),
        (date(2026, 7, 1), "FY2026-2027", "FY2026-2027-P01"),
    ],
)
def test_fiscal_year_and_period_of_a_day(day: date, label: str, code: str) -> None:
    assert fiscal_year_of(day).label == label
    assert period_of(day).code == code
    assert period_of(day).fiscal_year == fiscal_year_of(day)


@given(days)
def test_period_of_contains_the_day(day: date) -> None:
    period = period_of(day)
    assert period.start <= day <= period.end
    assert (period.year, period.month) == (day.year, day.month)
    assert period.month_key == month_key(day)
    assert 1 <= period.number <= 12
    year = fiscal_year_of(day)
    assert year.contains(day)
    assert year.start <= day <= year.end
    assert period in year.periods()


@given(days)
def test_next_day_is_in_the_same_or_the_next_period(day: date) -> None:
    here, there = period_of(day), period_of(day + timedelta(days=1))
    if here != there:
        assert here.end == day
        assert there.start == day + timedelta(days=1)
        assert there > here
        if here.number == 12:
            assert there.number == 1
            assert there.fiscal_year.start_year == here.fiscal_year.start_year + 1
        else:
            assert there.number == here.number + 1
            assert there.fiscal_year == here.fiscal_year


@given(st.integers(min_value=1000, max_value=9998), st.integers(min_value=1, max_value=12))
def test_period_codes_parse_back(start_year: int, number: int) -> None:
    period = FiscalPeriod(FiscalYear(start_year), number)
    assert parse_period(period.code) == period
    assert parse_fiscal_year(period.fiscal_year.label) == period.fiscal_year
    assert period_of(period.start) == period
    assert period_of(period.end) == period


# --- parsing --------------------------------------------------------------------------------


def test_parse_fiscal_year() -> None:
    assert parse_fiscal_year("FY2025-2026") == FY25
    assert parse_fiscal_year("  FY2025-2026 ") == FY25


@pytest.mark.parametrize(
    "label",
    [
        "FY2025-2027",  # not consecutive
        "FY2025-2025",
        "FY2026-2025",
        "FY2025",
        "2025-2026",
        "fy2025-2026",
        "FY25-26",
        "FY2025/2026",
        "FY2025-2026-P01",
        "FY 2025-2026",
        "",
    ],
)
def test_parse_fiscal_year_refuses_malformed(label: str) -> None:
    with pytest.raises(InvalidInput, match="not a fiscal year") as info:
        parse_fiscal_year(label)
    assert info.value.field == "fiscal_year"
    assert info.value.code == "invalid_input"


def test_parse_fiscal_year_error_names_the_given_field() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_fiscal_year("FY2025-2027", field="query.fiscal_year")
    assert info.value.field == "query.fiscal_year"


@pytest.mark.parametrize(
    ("code", "year", "number"),
    [
        ("FY2025-2026-P01", 2025, 1),
        ("FY2025-2026-P09", 2025, 9),
        ("FY2025-2026-P10", 2025, 10),
        ("FY2025-2026-P12", 2025, 12),
        (" FY1999-2000-P08 ", 1999, 8),
    ],
)
def test_parse_period(code: str, year: int, number: int) -> None:
    period = parse_period(code)
    assert period == FiscalPeriod(FiscalYear(year), number)
    assert period.code == code.strip()


@pytest.mark.parametrize(
    "code",
    [
        "FY2025-2027-P01",  # not consecutive
        "FY2026-2025-P01",
        "FY2025-2026-P00",
        "FY2025-2026-P13",
        "FY2025-2026-P1",
        "FY2025-2026-P001",
        "FY2025-2026-p01",
        "FY2025-2026",
        "FY2025-2026-01",
        "2025-2026-P01",
        "FY2025-2026-P01x",
        "",
    ],
)
def test_parse_period_refuses_malformed(code: str) -> None:
    with pytest.raises(InvalidInput, match="not a fiscal period") as info:
        parse_period(code)
    assert info.value.field == "code"
    assert info.value.code == "invalid_input"


def test_parse_period_error_names_the_given_field() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_period("FY2025-2026-P13", field="period")
    assert info.value.field == "period"
