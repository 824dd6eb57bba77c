"""The Bangladesh fiscal calendar: a fiscal year runs 1 July – 30 June and has twelve monthly
periods, `FY2025-2026-P01` (July 2025) … `FY2025-2026-P12` (June 2026)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from enum import StrEnum

from vextrus_finance.domain.errors import InvalidInput

FIRST_MONTH = 7  # July
_YEAR_RE = re.compile(r"FY([0-9]{4})-([0-9]{4})")
_PERIOD_RE = re.compile(r"FY([0-9]{4})-([0-9]{4})-P(0[1-9]|1[0-2])")


class PeriodStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


@dataclass(frozen=True, order=True)
class FiscalYear:
    start_year: int

    @property
    def label(self) -> str:
        return f"FY{self.start_year}-{self.start_year + 1}"

    @property
    def start(self) -> date:
        return date(self.start_year, FIRST_MONTH, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, FIRST_MONTH - 1, 30)

    def periods(self) -> list[FiscalPeriod]:
        return [FiscalPeriod(self, n) for n in range(1, 13)]

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class FiscalPeriod:
    fiscal_year: FiscalYear
    number: int  # 1 = July … 12 = June

    @property
    def code(self) -> str:
        return f"{self.fiscal_year.label}-P{self.number:02d}"

    @property
    def year(self) -> int:
        return self.fiscal_year.start_year + (1 if self.number > 12 - FIRST_MONTH + 1 else 0)

    @property
    def month(self) -> int:
        return (FIRST_MONTH - 1 + self.number - 1) % 12 + 1

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def month_key(self) -> int:
        """`YYYYMM` as an integer: the key of per-period balance rows."""
        return self.year * 100 + self.month

    def __str__(self) -> str:
        return self.code


def fiscal_year_of(day: date) -> FiscalYear:
    return FiscalYear(day.year if day.month >= FIRST_MONTH else day.year - 1)


def fiscal_year_start(day: date) -> date:
    """The first day of `day`'s fiscal year; days before 1 July of year 1 belong to a year that
    starts before the calendar does, so for them it is the calendar's first day."""
    year = fiscal_year_of(day)
    return year.start if year.start_year >= 1 else date.min


def period_of(day: date) -> FiscalPeriod:
    return FiscalPeriod(fiscal_year_of(day), (day.month - FIRST_MONTH) % 12 + 1)


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def _consecutive_years(match: re.Match[str]) -> bool:
    """FYa-b with b = a + 1, both inside the calendar `date` can hold (no year 0)."""
    first, second = int(match.group(1)), int(match.group(2))
    return second == first + 1 and first >= MINYEAR and second <= MAXYEAR


def parse_fiscal_year(label: str, *, field: str = "fiscal_year") -> FiscalYear:
    match = _YEAR_RE.fullmatch(label.strip())
    if not match or not _consecutive_years(match):
        raise InvalidInput(
            f"{label!r} is not a fiscal year; expected the form FY2025-2026", field=field
        )
    return FiscalYear(int(match.group(1)))


def parse_period(code: str, *, field: str = "code") -> FiscalPeriod:
    match = _PERIOD_RE.fullmatch(code.strip())
    if not match or not _consecutive_years(match):
        raise InvalidInput(
            f"{code!r} is not a fiscal period; expected the form FY2025-2026-P01", field=field
        )
    return FiscalPeriod(FiscalYear(int(match.group(1))), int(match.group(3)))
