"""Background work the served app repeats: removing idempotency keys past their TTL.

A pass that fails is logged and tried again at the next interval; stopping cancels the task and
waits for it only briefly, so a pass stuck on the database cannot hold up shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from vextrus_finance.application.context import utc_now
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.db.idempotency import purge_expired

log = logging.getLogger("vextrus_finance")

PURGE_INTERVAL_S = 3600.0
# How long `stop` waits for a cancelled pass to unwind (release its connection) before the
# lifespan goes on to close the database anyway.
STOP_TIMEOUT_S = 1.0


class PeriodicTask:
    """Runs `work` at once and then every `interval_s` until stopped."""

    def __init__(self, name: str, work: Callable[[], Awaitable[None]], interval_s: float) -> None:
        self.name = name
        self.interval_s = interval_s
        self._work = work
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def _loop(self) -> None:
        while True:
            try:
                await self._work()
            except Exception:
                log.warning("%s failed; will retry", self.name, exc_info=True)
            await asyncio.sleep(self.interval_s)

    async def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=timeout_s)
        if not done:
            # Still unwinding; it is cancelled and finishes on its own, after shutdown if it must.
            log.warning("%s did not stop within %g s; not waiting for it", self.name, timeout_s)
            return
        with contextlib.suppress(asyncio.CancelledError):
            task.result()  # retrieved, so asyncio does not report it as never awaited


async def purge_idempotency_keys(container: Container) -> int:
    """Removes the keys older than IDEMPOTENCY_TTL_HOURS; returns how many."""
    ttl = timedelta(hours=container.settings.idempotency_ttl_hours)
    async with container.db.write() as conn:
        removed = await purge_expired(conn, older_than=utc_now() - ttl)
    if removed:
        log.info("purged %d expired idempotency keys", removed)
    return removed


def idempotency_purge(container: Container, interval_s: float = PURGE_INTERVAL_S) -> PeriodicTask:
    async def once() -> None:
        await purge_idempotency_keys(container)

    return PeriodicTask("purging idempotency keys", once, interval_s)
