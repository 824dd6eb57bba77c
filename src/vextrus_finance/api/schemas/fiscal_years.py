"""Fiscal years and their close and reopen (ADR 0048)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from vextrus_finance.api.schemas.common import Body, View
from vextrus_finance.domain.fiscal import PeriodStatus


class FiscalYearOut(View):
    code: str = Field(examples=["FY2025-2026"])
    start: date
    end: date
    status: PeriodStatus
    closing_journal_id: str | None = Field(
        description="The CLOSING journal of the close; null while OPEN, and when the year "
        "closed without any revenue or expense balance (no journal was needed)"
    )
    retained_earnings_account_id: str | None
    changed_at: datetime | None
    changed_by: str | None
    reason: str | None
    version: int


class FiscalYearCloseIn(Body):
    retained_earnings_account_id: str | None = Field(
        default=None,
        description="An active EQUITY posting account; by default the account with code 3200",
    )
    reason: str


class FiscalYearReopenIn(Body):
    reason: str
