"""Inline projection of the counterparty records; registered with the ledger's `Projector`, so
commands and rebuilds apply it the same way."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.counterparties import CounterpartyRegistered, CounterpartyUpdated
from vextrus_finance.domain.events import DomainEvent
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.projections.invoicing import Handler, ProjectionError
from vextrus_finance.infrastructure.projections.tables import ReadModelTables


def _details(ev: CounterpartyRegistered | CounterpartyUpdated) -> dict[str, Any]:
    return {
        "kind": ev.kind.value,
        "name": ev.name,
        "bin": ev.bin,
        "tin": ev.tin,
        "address": ev.address,
        "mobile": ev.mobile,
    }


class CounterpartyProjections:
    def __init__(self, tables: ReadModelTables) -> None:
        self.t = tables

    def handlers(self) -> dict[type[DomainEvent], Handler]:
        return {
            CounterpartyRegistered: self._registered,
            CounterpartyUpdated: self._updated,
        }

    async def _registered(
        self, conn: AsyncConnection, e: EventEnvelope, ev: CounterpartyRegistered
    ) -> None:
        await conn.execute(
            sa.insert(self.t.counterparties).values(
                tenant_id=e.tenant_id,
                id=e.stream_id,
                **_details(ev),
                is_active=True,
                created_at=e.recorded_at,
                created_by=e.user_id,
                version=e.version,
            )
        )

    async def _updated(
        self, conn: AsyncConnection, e: EventEnvelope, ev: CounterpartyUpdated
    ) -> None:
        c = self.t.counterparties
        result = await conn.execute(
            sa.update(c)
            .where(c.c.tenant_id == e.tenant_id, c.c.id == e.stream_id)
            .values(**_details(ev), is_active=ev.is_active, version=e.version)
        )
        if result.rowcount != 1:
            raise ProjectionError(f"CounterpartyUpdated of a missing counterparty {e.stream_id}")
