"""Keeping postings out of a period while it is being closed.

A posting reads its period's row FOR SHARE, which (in PostgreSQL) also takes a ROW SHARE lock
on the table even when the row does not exist yet. Closing or reopening takes the table in
EXCLUSIVE mode, which waits for every posting in flight and holds new ones back until it
commits; they then see the new status. Plain reads are not blocked. SQLite has a single
writer, so there the order is already total."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.fiscal import FiscalPeriod, PeriodStatus
from vextrus_finance.infrastructure.schema import fiscal_periods

_STATUS_FOR_POSTING = (
    sa.select(fiscal_periods.c.status)
    .where(
        fiscal_periods.c.tenant_id == sa.bindparam("tenant_id"),
        fiscal_periods.c.code == sa.bindparam("code"),
    )
    .with_for_update(read=True)
)


class SqlPeriodGuard:
    def __init__(self, conn: AsyncConnection, tenant_id: str) -> None:
        self._conn = conn
        self._tenant = tenant_id

    async def status_for_posting(self, period: FiscalPeriod) -> PeriodStatus:
        result = await self._conn.execute(
            _STATUS_FOR_POSTING, {"tenant_id": self._tenant, "code": period.code}
        )
        status = result.scalar_one_or_none()
        return PeriodStatus(status) if status else PeriodStatus.OPEN

    async def lock_for_change(self) -> None:
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(sa.text("LOCK TABLE fiscal_periods IN EXCLUSIVE MODE"))
