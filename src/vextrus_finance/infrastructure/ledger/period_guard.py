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
from vextrus_finance.infrastructure.db.driver import Sql, driver

# Every posting runs this: through the driver (ADR 0026).
_STATUS_FOR_POSTING = Sql.each(
    sqlite="SELECT status FROM fiscal_periods WHERE tenant_id = ? AND code = ?",
    postgresql="SELECT status FROM fiscal_periods WHERE tenant_id = ? AND code = ? FOR SHARE",
)


class SqlPeriodGuard:
    def __init__(self, conn: AsyncConnection, tenant_id: str) -> None:
        self._conn = conn
        self._tenant = tenant_id

    async def status_for_posting(self, period: FiscalPeriod) -> PeriodStatus:
        db = await driver(self._conn)
        rows = await db.fetch(_STATUS_FOR_POSTING, (self._tenant, period.code))
        return PeriodStatus(rows[0][0]) if rows and rows[0][0] else PeriodStatus.OPEN

    async def lock_for_change(self) -> None:
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(sa.text("LOCK TABLE fiscal_periods IN EXCLUSIVE MODE"))
