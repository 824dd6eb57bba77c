"""Database-backed per-tenant counters: one row per sequence, incremented under its row lock,
so numbers are never duplicated across replicas or restarts, and a rolled-back command gives
its number back (no gaps from failed attempts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.db.driver import Sql, driver
from vextrus_finance.infrastructure.db.schema import counters
from vextrus_finance.infrastructure.projections.inline import upsert

# Every journal takes a number: through the driver (ADR 0026).
_TAKE = Sql.same(
    "INSERT INTO counters (tenant_id, name, value) VALUES (?, ?, ?) "
    "ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + excluded.value "
    "RETURNING value"
)


async def _nothing_pending() -> None:
    return None


class SqlNumbering:
    def __init__(
        self,
        conn: AsyncConnection,
        tenant_id: str,
        *,
        before_lock: Callable[[], Awaitable[None]] = _nothing_pending,
    ) -> None:
        self._conn = conn
        self._tenant = tenant_id
        # Counters are locked after the period guard (the lock order): the unit of work
        # sends a guard still pending first.
        self._before_lock = before_lock

    async def next(self, sequence: str) -> int:
        return await self.take(sequence, 1)

    async def take(self, sequence: str, count: int) -> int:
        """`count` consecutive numbers with one statement; returns the first of them."""
        await self._before_lock()
        db = await driver(self._conn)
        ((value,),) = await db.fetch(_TAKE, (self._tenant, sequence, count))
        return int(value) - count + 1

    async def lock(self, sequences: Sequence[str]) -> None:
        await self._before_lock()
        for sequence in sequences:
            insert = upsert(self._conn, counters).values(
                tenant_id=self._tenant, name=sequence, value=0
            )
            # A no-op update still takes the row lock (and creates the row if new).
            await self._conn.execute(
                insert.on_conflict_do_update(
                    index_elements=["tenant_id", "name"], set_={"value": counters.c.value}
                )
            )
