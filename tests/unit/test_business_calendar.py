"""The business calendar: which day an instant falls on for the books, today by a pinned clock,
the fiscal year of a day, and the zone taken from the settings (named nowhere else)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import pytest

import vextrus_finance
from vextrus_finance.domain.calendar import BusinessCalendar
from vextrus_finance.domain.fiscal import FiscalYear
from vextrus_finance.settings import Settings

# The default zone's offset, stated independently of the zone database: UTC+6, no DST.
PLUS_SIX = timezone(timedelta(hours=6))


def pinned(calendar: BusinessCalendar, at: datetime) -> BusinessCalendar:
    return replace(calendar, clock=lambda: at)


def test_the_default_calendar_is_the_settings_zone() -> None:
    calendar = Settings().calendar
    assert calendar.zone_name == Settings.model_fields["business_timezone"].default
    evening = datetime(2026, 11, 27, 20, 30, tzinfo=UTC)
    assert calendar.local_time(evening) == evening.astimezone(PLUS_SIX)
    assert calendar.local_time(evening).utcoffset() == timedelta(hours=6)


def test_an_instant_falls_on_the_business_day_not_the_utc_day() -> None:
    calendar = Settings().calendar
    assert calendar.local_date(datetime(2026, 11, 27, 17, 59, tzinfo=UTC)) == date(2026, 11, 27)
    assert calendar.local_date(datetime(2026, 11, 27, 18, 0, tzinfo=UTC)) == date(2026, 11, 28)
    utc = Settings(business_timezone="UTC").calendar
    assert utc.local_date(datetime(2026, 11, 27, 18, 0, tzinfo=UTC)) == date(2026, 11, 27)


def test_today_and_now_follow_the_clock() -> None:
    at = datetime(2026, 6, 30, 18, 30, tzinfo=UTC)  # 00:30 on 1 July in UTC+6
    calendar = pinned(Settings().calendar, at)
    assert calendar.now() == at
    assert calendar.today() == date(2026, 7, 1)
    # The first minutes of July open a new fiscal year there, not yet in UTC.
    assert calendar.fiscal_year() == FiscalYear(2026)
    assert pinned(Settings(business_timezone="UTC").calendar, at).fiscal_year() == FiscalYear(2025)
    assert calendar.fiscal_year(date(2026, 6, 30)) == FiscalYear(2025)


def test_the_system_clock_is_aware_utc() -> None:
    now = Settings().calendar.now()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)


def test_an_unknown_zone_fails_when_the_calendar_is_built() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        _ = Settings(business_timezone="Mars/Olympus_Mons").calendar


def test_the_zone_is_named_once_in_the_source() -> None:
    """The default zone is spelled in the settings and nowhere else in the package: code that
    needs a business day receives the calendar instead of naming a zone."""
    zone = Settings.model_fields["business_timezone"].default
    root = Path(vextrus_finance.__file__).parent
    spelled = {
        str(path.relative_to(root)): len(re.findall(re.escape(zone), path.read_text("utf-8")))
        for path in root.rglob("*")
        if path.suffix in {".py", ".j2", ".css", ".md", ".toml"} and path.is_file()
    }
    assert {path: n for path, n in spelled.items() if n} == {"settings.py": 1}
