"""The business day in Bangladesh (UTC+6, no daylight saving), for postings the service dates
itself: reversals of invoices and payments."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DHAKA = ZoneInfo("Asia/Dhaka")


def business_day(at: datetime, *, not_before: date | None = None) -> date:
    day = at.astimezone(DHAKA).date()
    return max(day, not_before) if not_before is not None else day
