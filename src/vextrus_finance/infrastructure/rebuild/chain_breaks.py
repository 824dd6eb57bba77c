"""`verify`'s tamper check (ADR 0046): every tenant's hash chain recomputed from the stored
events, in position order, and the first event where it breaks named per tenant."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.db.schema import events
from vextrus_finance.infrastructure.event_store import chain

HASH_MISMATCH = "hash mismatch"  # the row is not what was hashed: edited
PREV_HASH_MISMATCH = "prev_hash mismatch"  # not the predecessor it was chained to: removed/moved
BATCH = 5000


@dataclass(frozen=True)
class ChainBreak:
    tenant_id: str
    position: int
    event_id: str
    problem: str  # HASH_MISMATCH or PREV_HASH_MISMATCH
    detail: str  # the stored and the recomputed value


_READ = (
    sa.select(*(events.c[name] for name in chain.FIELDS), events.c.prev_hash, events.c.hash)
    .where(events.c.position > sa.bindparam("after"))
    .order_by(events.c.position)
    .limit(sa.bindparam("batch", type_=sa.Integer))
)


async def chain_breaks(conn: AsyncConnection, batch: int = BATCH) -> list[ChainBreak]:
    """One pass over the log in position order (each tenant's events in their order); a
    tenant's events after its first break are not judged (each would only repeat it)."""
    last: dict[str, str] = {}  # tenant → hash of its newest event checked
    broken: dict[str, ChainBreak] = {}
    after = 0
    while True:
        rows = (await conn.execute(_READ, {"after": after, "batch": batch})).mappings().all()
        if not rows:
            break
        for row in rows:
            tenant = row["tenant_id"]
            if tenant in broken:
                continue
            expected = last.get(tenant, chain.GENESIS)
            if row["prev_hash"] != expected:
                broken[tenant] = _break(row, PREV_HASH_MISMATCH, row["prev_hash"], expected)
                continue
            computed = chain.event_hash(row, row["prev_hash"])
            if row["hash"] != computed:
                broken[tenant] = _break(row, HASH_MISMATCH, row["hash"], computed)
                continue
            last[tenant] = computed
        after = rows[-1]["position"]
    return sorted(broken.values(), key=lambda b: (b.tenant_id, b.position))


def _break(row: sa.RowMapping, problem: str, stored: str | None, expected: str) -> ChainBreak:
    return ChainBreak(
        tenant_id=row["tenant_id"],
        position=row["position"],
        event_id=row["event_id"],
        problem=problem,
        detail=f"stored {stored}, recomputed {expected}",
    )
