"""Database-backed per-tenant counters: one row per sequence, incremented under its row lock,
so numbers are never duplicated across replicas or restarts, and a rolled-back command gives
its number back (no gaps from failed attempts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.projections import upsert
from vextrus_finance.infrastructure.schema import counters

# One prebuilt upsert per dialect, compiled once instead of per command.
_TAKE: dict[str, Any] = {}


def _take_statement(conn: AsyncConnection) -> Any:
    statement = _TAKE.get(conn.dialect.name)
    if statement is None:
        insert = upsert(conn, counters).values(
            tenant_id=sa.bindparam("b_tenant_id"),
            name=sa.bindparam("b_name"),
            value=sa.bindparam("b_count", type_=counters.c.value.type),
        )
        statement = _TAKE[conn.dialect.name] = insert.on_conflict_do_update(
            index_elements=["tenant_id", "name"],
            set_={"value": counters.c.value + insert.excluded.value},
        ).returning(counters.c.value)
    return statement


class SqlNumbering:
    def __init__(self, conn: AsyncConnection, tenant_id: str) -> None:
        self._conn = conn
        self._tenant = tenant_id

    async def next(self, sequence: str) -> int:
        return await self.take(sequence, 1)

    async def take(self, sequence: str, count: int) -> int:
        """`count` consecutive numbers with one statement; returns the first of them."""
        result = await self._conn.execute(
            _take_statement(self._conn),
            {"b_tenant_id": self._tenant, "b_name": sequence, "b_count": count},
        )
        return int(result.scalar_one()) - count + 1

    async def lock(self, sequences: Sequence[str]) -> None:
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
