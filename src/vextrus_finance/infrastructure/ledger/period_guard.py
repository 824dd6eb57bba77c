"""Keeping postings out of a period while it is being closed.

A posting reads its period's row FOR SHARE, which (in PostgreSQL) also takes a ROW SHARE lock
on the table even when the row does not exist yet. Closing or reopening takes the table in
EXCLUSIVE mode, which waits for every posting in flight and holds new ones back until it
commits; they then see the new status. Plain reads are not blocked. SQLite has a single
writer, so there the order is already total.

A guard asked for is sent with the next lock the transaction takes: on PostgreSQL the account
lock carries it (`SqlAccountDirectory.lock`, one round trip for both); any other lock, the
status and every write settle it on its own first, so the guard always precedes them."""

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


def period_status(stored: str | None) -> PeriodStatus:
    """A period without a row was never closed: open."""
    return PeriodStatus(stored) if stored else PeriodStatus.OPEN


class SqlPeriodGuard:
    def __init__(self, conn: AsyncConnection, tenant_id: str) -> None:
        self._conn = conn
        self._tenant = tenant_id
        # Read under this transaction's guard, so they hold until it ends.
        self._statuses: dict[FiscalPeriod, PeriodStatus] = {}
        self._pending: FiscalPeriod | None = None  # guarded, not sent yet

    async def guard_posting(self, period: FiscalPeriod) -> None:
        if period in self._statuses or period == self._pending:
            return
        await self.settle()
        self._pending = period

    async def status(self, period: FiscalPeriod) -> PeriodStatus:
        await self.settle()
        found = self._statuses.get(period)
        if found is None:
            found = self._statuses[period] = await self._read(period)
        return found

    async def lock_for_change(self) -> None:
        await self.settle()
        self._statuses.clear()  # this transaction changes a period: read them again
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(sa.text("LOCK TABLE fiscal_periods IN EXCLUSIVE MODE"))

    async def settle(self) -> None:
        """Send the guard still pending: before any other lock or write of the transaction."""
        period, self._pending = self._pending, None
        if period is not None and period not in self._statuses:
            self._statuses[period] = await self._read(period)

    def carry(self) -> FiscalPeriod | None:
        """The pending guard, for a statement that sends it (its status goes to `carried`)."""
        period, self._pending = self._pending, None
        return period

    def carried(self, period: FiscalPeriod, status: PeriodStatus | None) -> None:
        """What a statement that carried the guard read; None: it read no row to carry the
        status on, so the status is read when asked for (the guard itself was taken)."""
        if status is None:
            self._pending = period
        else:
            self._statuses[period] = status

    def mark(self) -> tuple[dict[FiscalPeriod, PeriodStatus], FiscalPeriod | None]:
        return dict(self._statuses), self._pending

    def reset(self, mark: tuple[dict[FiscalPeriod, PeriodStatus], FiscalPeriod | None]) -> None:
        """Back to `mark` after a rolled-back savepoint, which released what it locked."""
        statuses, self._pending = mark
        self._statuses = dict(statuses)

    async def _read(self, period: FiscalPeriod) -> PeriodStatus:
        db = await driver(self._conn)
        rows = await db.fetch(_STATUS_FOR_POSTING, (self._tenant, period.code))
        return period_status(rows[0][0] if rows else None)
