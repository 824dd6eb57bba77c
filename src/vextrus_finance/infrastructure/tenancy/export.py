"""`tenant export`: one tenant's events, counters and books into an archive (ADR 0050).

Everything is read in one read transaction — one snapshot of the log, the read models and the
counters, taken without holding up any writer — and the events are streamed in position order,
`batch_size` at a time, straight into the gzip stream."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from vextrus_finance.infrastructure.db.database import Database
from vextrus_finance.infrastructure.db.schema import events
from vextrus_finance.infrastructure.event_store import chain
from vextrus_finance.infrastructure.migrations import current_revision
from vextrus_finance.infrastructure.tenancy.archive import (
    ArchiveRefused,
    ArchiveWriter,
    ChainCheck,
    Manifest,
    event_line,
)
from vextrus_finance.infrastructure.tenancy.books import tenant_books

BATCH_SIZE = 5_000


@dataclass(frozen=True)
class Exported:
    manifest: Manifest
    sha256: str


def _page(tenant_id: str, after: int, limit: int) -> sa.Select[tuple[object, ...]]:
    return (
        sa.select(events)
        .where(events.c.tenant_id == tenant_id, events.c.position > after)
        .order_by(events.c.position)
        .limit(limit)
    )


async def export_tenant(
    db: Database, tenant_id: str, path: Path, *, now: datetime, batch_size: int = BATCH_SIZE
) -> Exported:
    """Write the archive to `path` (replaced only once complete). Refuses a tenant without
    events, and a tenant whose hash chain is broken in the source (run `verify`)."""
    async with db.read() as conn:
        revision = await current_revision(conn)
        count, first, last = (
            await conn.execute(
                sa.select(
                    sa.func.count(), sa.func.min(events.c.position), sa.func.max(events.c.position)
                ).where(events.c.tenant_id == tenant_id)
            )
        ).one()
        if not count:
            raise ArchiveRefused(f"tenant {tenant_id!r} has no events in this database")
        last_hash = (
            await conn.execute(
                sa.select(events.c.hash).where(
                    events.c.tenant_id == tenant_id, events.c.position == last
                )
            )
        ).scalar_one()
        manifest = Manifest(
            tenant_id=tenant_id,
            schema_revision=revision,
            events=int(count),
            first_position=int(first),
            last_position=int(last),
            last_hash=str(last_hash),
            books=await tenant_books(conn, tenant_id),
            created_at=chain.timestamp(now),
        )
        writer = ArchiveWriter(path, manifest)
        try:
            checker = ChainCheck(tenant_id)
            after = 0
            while True:
                rows = (await conn.execute(_page(tenant_id, after, batch_size))).mappings().all()
                for row in rows:
                    line = event_line(dict(row))
                    try:
                        checker.check(line, row["recorded_at"])
                    except ArchiveRefused as exc:
                        raise ArchiveRefused(f"in the source database: {exc}; run verify") from exc
                    writer.event(line)
                if len(rows) < batch_size:
                    break
                after = int(rows[-1]["position"])
            digest = writer.finish()
        except BaseException:
            writer.abandon()
            raise
    return Exported(manifest, digest)
