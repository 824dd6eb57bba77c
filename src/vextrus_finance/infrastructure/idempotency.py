"""Stored answers to POSTs sent with an Idempotency-Key, kept per tenant for at least the TTL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.ports import StoredResponse
from vextrus_finance.infrastructure.schema import idempotency_keys


class SqlIdempotencyStore:
    def __init__(
        self, conn: AsyncConnection, tenant_id: str, *, ttl: timedelta, now: datetime
    ) -> None:
        self._conn = conn
        self._tenant = tenant_id
        self._ttl = ttl
        self._now = now

    def _key(self, key: str) -> tuple[sa.ColumnElement[bool], ...]:
        return (idempotency_keys.c.tenant_id == self._tenant, idempotency_keys.c.key == key)

    async def find(self, key: str) -> StoredResponse | None:
        row = (await self._conn.execute(sa.select(idempotency_keys).where(*self._key(key)))).first()
        if row is None:
            return None
        if row.created_at < self._now - self._ttl:
            # Expired: the key may be used again.
            await self._conn.execute(sa.delete(idempotency_keys).where(*self._key(key)))
            return None
        return StoredResponse(row.request_hash, row.status_code, row.response, row.created_at)

    async def save(self, key: str, request_hash: str, status_code: int, body: Any) -> None:
        await self._conn.execute(
            sa.insert(idempotency_keys).values(
                tenant_id=self._tenant,
                key=key,
                request_hash=request_hash,
                status_code=status_code,
                response=body,
                created_at=self._now,
            )
        )


async def purge_expired(conn: AsyncConnection, *, older_than: datetime) -> int:
    result = await conn.execute(
        sa.delete(idempotency_keys).where(idempotency_keys.c.created_at < older_than)
    )
    return int(result.rowcount or 0)
