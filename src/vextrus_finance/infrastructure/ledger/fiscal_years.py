"""The fiscal years' read model (ADR 0048): the rows of the years ever closed or reopened,
and the first day with a posting or a period change, from which the listing starts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.ledger.views import FiscalYearsSeen, FiscalYearView
from vextrus_finance.domain.fiscal import PeriodStatus
from vextrus_finance.infrastructure.db.schema import fiscal_periods, fiscal_years


async def fiscal_years_seen(
    conn: AsyncConnection, tenant_id: str, first_month: int | None
) -> FiscalYearsSeen:
    """`first_month`: the first month (`YYYYMM`) with stored totals, None without postings."""
    fy, fp = fiscal_years, fiscal_periods
    rows = await conn.execute(sa.select(fy).where(fy.c.tenant_id == tenant_id).order_by(fy.c.code))
    changed = [
        FiscalYearView(
            code=m["code"],
            start=m["start_date"],
            end=m["end_date"],
            status=PeriodStatus(m["status"]),
            closing_journal_id=m["closing_journal_id"],
            retained_earnings_account_id=m["retained_earnings_account_id"],
            changed_at=m["changed_at"],
            changed_by=m["changed_by"],
            reason=m["reason"],
            version=m["version"],
        )
        for m in rows.mappings()
    ]
    first_period = (
        await conn.execute(
            sa.select(sa.func.min(fp.c.start_date)).where(fp.c.tenant_id == tenant_id)
        )
    ).scalar()
    candidates = [d for d in (first_period,) if d is not None]
    if first_month is not None:
        candidates.append(date(first_month // 100, first_month % 100, 1))
    return FiscalYearsSeen(min(candidates) if candidates else None, changed)
