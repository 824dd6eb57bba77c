"""Runs a command: one transaction per attempt, retried on stream conflicts and transient
database failures, with Idempotency-Key replay, then best-effort post-commit work."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

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
class Reply:
    """What an idempotent command answers and keeps for replays of its Idempotency-Key, as
    its caller shapes it (the API: an HTTP status and a JSON body)."""

    status_code: int
    body: Any


@dataclass(frozen=True)
class Outcome(Generic[R]):
    value: R
    replayed: bool = False  # the answer stored by an earlier request with the same key


@dataclass
class RetryStats:
    """Counts kept for metrics and for tests that must see conflicts being retried."""

    conflicts: int = 0
    transient_failures: int = 0
    exhausted: int = 0


Decide = Callable[[UnitOfWork], Awaitable[R]]


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

    @overload
    async def run(
        self,
        ctx: RequestContext,
        decide: Decide[Reply],
        *,
        idempotency: Idempotency | None,
        if_match: bool = False,
    ) -> Outcome[Reply]: ...

    @overload
    async def run(
        self, ctx: RequestContext, decide: Decide[R], *, if_match: bool = False
    ) -> Outcome[R]: ...

    async def run(
        self,
        ctx: RequestContext,
        decide: Decide[Any],
        *,
        idempotency: Idempotency | None = None,
        if_match: bool = False,
    ) -> Outcome[Any]:
        """`decide` loads, checks, records and returns the answer, all in one transaction
        (an answer read there is what the client would read next). With an Idempotency-Key
        the answer is a `Reply`, stored with the command and given back to its replays."""
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
                            reply = Reply(stored.status_code, stored.body)
                            return Outcome(reply, replayed=True)
                    result = await decide(uow)
                    if idempotency is not None:
                        await uow.idempotency.save(
                            idempotency.key,
                            idempotency.request_hash,
                            result.status_code,
                            result.body,
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
            return Outcome(result)
        self.stats.exhausted += 1
        if isinstance(last_error, TransientFailure):
            raise ServiceUnavailable(
                "the database is unavailable; the request was not applied"
            ) from last_error
        raise ConcurrencyConflict(
            f"gave up after {self._max_attempts} attempts: other writers kept changing the "
            "same records; nothing was applied, retry the request"
        ) from last_error
