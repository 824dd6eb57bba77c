"""Taking snapshots after a command commits. A failed snapshot never fails the command: it is
logged and counted, and the next load simply replays more events."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from vextrus_finance.application.context import RequestContext, utc_now
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.infrastructure.db.database import Database
from vextrus_finance.infrastructure.event_store.store import EventStore
from vextrus_finance.observability import metrics

log = logging.getLogger(__name__)


class Snapshotter:
    def __init__(
        self, db: Database, store: EventStore, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._db = db
        self._store = store
        self._clock = clock
        self.taken = 0
        self.errors = 0

    async def __call__(self, ctx: RequestContext, aggregates: Sequence[Aggregate[Any]]) -> None:
        for aggregate in aggregates:
            started = time.perf_counter()
            try:
                async with self._db.write() as conn:
                    await self._store.save_snapshot(conn, ctx.tenant_id, aggregate, self._clock())
            except Exception:
                self.errors += 1
                metrics.snapshot_errors.inc()
                log.exception(
                    "snapshot of %s %s at v%d failed",
                    aggregate.STREAM_TYPE,
                    aggregate.id,
                    aggregate.committed_version,
                )
            else:
                self.taken += 1
                metrics.snapshots_taken.inc()
                metrics.snapshot_duration.observe(time.perf_counter() - started)
