"""The business calendar: the time zone whose date is "today" for the books, and the fiscal
year a date falls in. Built once from the settings (`BUSINESS_TIMEZONE`) and handed to what
needs a business day, so the zone is named in one place; the clock is part of the value so
that tests can pin the day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from vextrus_finance.domain.fiscal import FiscalYear, fiscal_year_of


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BusinessCalendar:
    zone: tzinfo
    # Returns an aware instant; stored events and timestamps stay in UTC, only dates are local.
    clock: Callable[[], datetime] = system_clock

    @classmethod
    def named(cls, zone: str) -> BusinessCalendar:
        """The calendar of an IANA zone; an unknown name fails here, at start-up."""
        return cls(ZoneInfo(zone))

    @property
    def zone_name(self) -> str:
        return str(self.zone)

    def now(self) -> datetime:
        return self.clock()

    def local_time(self, instant: datetime) -> datetime:
        """`instant` (aware) as the wall-clock time in the business zone."""
        return instant.astimezone(self.zone)

    def local_date(self, instant: datetime) -> date:
        """The business day `instant` falls on."""
        return instant.astimezone(self.zone).date()

    def today(self) -> date:
        return self.local_date(self.clock())

    def fiscal_year(self, day: date | None = None) -> FiscalYear:
        """The fiscal year holding `day`, by default today's."""
        return fiscal_year_of(self.today() if day is None else day)
