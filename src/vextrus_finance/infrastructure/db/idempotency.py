"""Stored answers to POSTs sent with an Idempotency-Key, kept per tenant and user for at least
the TTL: another user's same key is another request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.ports import StoredResponse
from vextrus_finance.infrastructure.db.schema import idempotency_keys

LEGACY_USER = ""  # rows stored before keys were per user (migration 0005)


class SqlIdempotencyStore:
    def __init__(
        self,
        conn: AsyncConnection,
        tenant_id: str,
        user_id: str,
        *,
        ttl: timedelta,
        now: datetime,
    ) -> None:
        self._conn = conn
        self._tenant = tenant_id
        self._user = user_id
        self._ttl = ttl
        self._now = now

    def _key(self, key: str, *users: str) -> tuple[sa.ColumnElement[bool], ...]:
        return (
            idempotency_keys.c.tenant_id == self._tenant,
            idempotency_keys.c.user_id.in_(users),
            idempotency_keys.c.key == key,
        )

    async def find(self, key: str) -> StoredResponse | None:
        # The user's own answer, or one stored before keys were per user (user '').
        mine_or_legacy = self._key(key, self._user, LEGACY_USER)
        row = (
            await self._conn.execute(
                sa.select(idempotency_keys)
                .where(*mine_or_legacy)
                .order_by(idempotency_keys.c.user_id.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        if row.created_at < self._now - self._ttl:
            # Expired: the key may be used again.
            expired = self._key(key, row.user_id)
            await self._conn.execute(sa.delete(idempotency_keys).where(*expired))
            return None
        return StoredResponse(row.request_hash, row.status_code, row.response, row.created_at)

    async def save(self, key: str, request_hash: str, status_code: int, body: Any) -> None:
        await self._conn.execute(
            sa.insert(idempotency_keys).values(
                tenant_id=self._tenant,
                user_id=self._user,
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
