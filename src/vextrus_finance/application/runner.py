"""Runs a command: one transaction per attempt, retried on stream conflicts and transient
database failures, with Idempotency-Key replay, then best-effort post-commit work."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ports import (
    AfterCommit,
    IdempotencyRace,
    StreamConflict,
    TransientFailure,
    UnitOfWork,
    UnitOfWorkFactory,
)
from vextrus_finance.domain.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    PreconditionFailed,
    ServiceUnavailable,
)

R = TypeVar("R")
log = logging.getLogger(__name__)

MAX_BACKOFF_S = 2.0


@dataclass(frozen=True)
class Idempotency:
    key: str
    request_hash: str


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any
    replayed: bool = False


@dataclass
class RetryStats:
    """Counts kept for metrics and for tests that must see conflicts being retried."""

    conflicts: int = 0
    transient_failures: int = 0
    exhausted: int = 0


Decide = Callable[[UnitOfWork], Awaitable[R]]
Present = Callable[[UnitOfWork, R], Awaitable[tuple[int, Any]]]


class CommandRunner:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        max_attempts: int,
        base_delay_s: float,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._max_attempts = max(1, max_attempts)
        self._base_delay_s = base_delay_s
        self._after_commit = after_commit
        self.stats = RetryStats()

    async def _backoff(self, attempt: int) -> None:
        delay = min(MAX_BACKOFF_S, self._base_delay_s * 2 ** (attempt - 1))
        await asyncio.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not crypto

    async def run(
        self,
        ctx: RequestContext,
        decide: Decide[R],
        present: Present[R],
        *,
        idempotency: Idempotency | None = None,
        if_match: bool = False,
    ) -> Outcome:
        """`decide` loads, checks and records; `present` reads the answer inside the same
        transaction (so it is what the client would read next) and is stored for replays."""
        last_error: Exception | None = None
        for attempt in range(1, self._max_attempts + 1):
            try:
                async with self._uow_factory(ctx, first_attempt=attempt == 1) as uow:
                    if idempotency is not None:
                        stored = await uow.idempotency.find(idempotency.key)
                        if stored is not None:
                            if stored.request_hash != idempotency.request_hash:
                                raise IdempotencyKeyReused(
                                    "this Idempotency-Key was used for a different request",
                                    field="Idempotency-Key",
                                )
                            return Outcome(stored.status_code, stored.body, replayed=True)
                    result = await decide(uow)
                    status_code, body = await present(uow, result)
                    if idempotency is not None:
                        await uow.idempotency.save(
                            idempotency.key, idempotency.request_hash, status_code, body
                        )
                    await uow.commit()
                    due = list(uow.snapshots_due)
            except IdempotencyRace as exc:
                # The other request's answer is committed now: the next attempt replays it.
                last_error = exc
                continue
            except StreamConflict as exc:
                self.stats.conflicts += 1
                if if_match:
                    raise PreconditionFailed(
                        "the resource changed while this request ran; read it again",
                        field="If-Match",
                    ) from exc
                last_error = exc
                log.info("stream conflict, attempt %d of %d", attempt, self._max_attempts)
                if attempt < self._max_attempts:
                    await self._backoff(attempt)
                continue
            except TransientFailure as exc:
                self.stats.transient_failures += 1
                last_error = exc
                log.warning(
                    "transient database failure, attempt %d of %d: %s",
                    attempt,
                    self._max_attempts,
                    exc,
                )
                if attempt < self._max_attempts:
                    await self._backoff(attempt)
                continue
            if self._after_commit is not None and due:
                await self._after_commit(ctx, due)
            return Outcome(status_code, body)
        self.stats.exhausted += 1
        if isinstance(last_error, TransientFailure):
            raise ServiceUnavailable(
                "the database is unavailable; the request was not applied"
            ) from last_error
        raise ConcurrencyConflict(
            f"gave up after {self._max_attempts} attempts: other writers kept changing the "
            "same records; nothing was applied, retry the request"
        ) from last_error
