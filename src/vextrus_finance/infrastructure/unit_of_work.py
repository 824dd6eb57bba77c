"""The SQL unit of work: one write transaction, events projected as they are recorded and
appended (with their global positions) at commit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.context import RequestContext, new_id
from vextrus_finance.application.ports import IdempotencyRace, StreamConflict, TransientFailure
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.calendar import BusinessCalendar
from vextrus_finance.domain.posting_window import PostingWindow
from vextrus_finance.infrastructure.db.database import Database
from vextrus_finance.infrastructure.db.errors import (
    is_connection_failure,
    is_idempotency_race,
    is_transient,
    is_unique_violation,
)
from vextrus_finance.infrastructure.db.idempotency import SqlIdempotencyStore
from vextrus_finance.infrastructure.event_store.store import EventEnvelope, EventStore
from vextrus_finance.infrastructure.invoicing.counterparties import SqlCounterpartyReader
from vextrus_finance.infrastructure.invoicing.numbering import SqlNumbering
from vextrus_finance.infrastructure.invoicing.read_models import SqlInvoiceReader
from vextrus_finance.infrastructure.ledger.chart import SqlAccountDirectory
from vextrus_finance.infrastructure.ledger.period_guard import SqlPeriodGuard
from vextrus_finance.infrastructure.ledger.read_models import SqlLedgerReader
from vextrus_finance.infrastructure.projections.bulk import BulkProjector
from vextrus_finance.infrastructure.projections.tables import LIVE
from vextrus_finance.observability import metrics

A = TypeVar("A", bound=Aggregate[Any])


@dataclass(frozen=True)
class PostingWindowRule:
    """The POSTING_WINDOW_* settings; the window itself moves with the business day."""

    first_day: date = date(2000, 7, 1)
    years_ahead: int = 1

    def on(self, today: date) -> PostingWindow:
        return _window_on(today, self.first_day, self.years_ahead)


@lru_cache(maxsize=16)
def _window_on(today: date, first_day: date, years_ahead: int) -> PostingWindow:
    # Every posting asks; the answer changes once a day.
    return PostingWindow.on(today, first_day=first_day, years_ahead=years_ahead)


class SqlUnitOfWork:
    def __init__(
        self,
        conn: AsyncConnection,
        ctx: RequestContext,
        *,
        store: EventStore,
        bulk: BulkProjector,
        idempotency_ttl: timedelta,
        now: datetime,
        calendar: BusinessCalendar,
        first_attempt: bool = True,
        window: PostingWindowRule | None = None,
    ) -> None:
        self.conn = conn
        self.first_attempt = first_attempt
        self.ctx = ctx
        self._store = store
        self._bulk = bulk
        self._now = now
        self._calendar = calendar
        self._command_id = new_id()
        self._queue: list[EventEnvelope] = []
        self._appended: list[tuple[Aggregate[Any], int]] = []  # (aggregate, version before)
        self._committed = False
        self.committed: list[EventEnvelope] = []  # what commit() appended, for metrics
        tenant = ctx.tenant_id
        self.periods = SqlPeriodGuard(conn, tenant)
        self.accounts = SqlAccountDirectory(conn, tenant, self.periods)
        self.numbers = SqlNumbering(conn, tenant, before_lock=self.periods.settle)
        self.idempotency = SqlIdempotencyStore(
            conn, tenant, ctx.user_id, ttl=idempotency_ttl, now=now
        )
        self.reader = SqlLedgerReader(conn, tenant)
        self.invoices = SqlInvoiceReader(conn, tenant)
        self._window = window or PostingWindowRule()
        self.counterparties = SqlCounterpartyReader(conn, tenant)

    def now(self) -> datetime:
        """One timestamp for the whole command: every event of it was recorded together."""
        return self._now

    def today(self) -> date:
        return self._calendar.local_date(self._now)

    @property
    def posting_window(self) -> PostingWindow:
        return self._window.on(self.today())

    async def load(self, cls: type[A], stream_id: str) -> A:
        return await self._store.load(self.conn, self.ctx.tenant_id, cls, stream_id)

    async def exists(self, cls: type[Aggregate[Any]], stream_id: str) -> bool:
        return await self._store.exists(self.conn, self.ctx.tenant_id, cls.STREAM_TYPE, stream_id)

    async def existing(self, cls: type[Aggregate[Any]], stream_ids: Sequence[str]) -> set[str]:
        return await self._store.existing(
            self.conn, self.ctx.tenant_id, cls.STREAM_TYPE, stream_ids
        )

    async def record(self, *aggregates: Aggregate[Any]) -> None:
        await self.periods.settle()  # the guard before the projection's writes
        metadata = self.ctx.event_metadata(self._command_id)
        recorded = [a for a in aggregates if a.pending]
        envelopes = [
            EventEnvelope(
                tenant_id=self.ctx.tenant_id,
                stream_type=aggregate.STREAM_TYPE,
                stream_id=aggregate.id,
                version=aggregate.committed_version + offset,
                event=event,
                metadata=metadata,
                recorded_at=self._now,
            )
            for aggregate in recorded
            for offset, event in enumerate(aggregate.pending, start=1)
        ]
        if not envelopes:
            return
        # All the aggregates' events in one call, in order, through the bulk projector: the
        # same rows as `Projector`, with one multi-row statement per table for the journals
        # drafted and posted here (a create-and-post inserts the journal already posted; a
        # batch writes its 100 journals with a handful of statements) and the ordinary
        # projector, in log order, for every other event (ADR 0022).
        await self._bulk.apply(self.conn, envelopes)
        self._queue.extend(envelopes)
        for aggregate in recorded:
            self._appended.append((aggregate, aggregate.committed_version))
            aggregate.mark_committed()

    async def commit(self) -> None:
        await self.periods.settle()
        await self._store.append(self.conn, self._queue)
        self.committed, self._queue = self._queue, []
        self._committed = True

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        await self.periods.settle()  # taken outside, so a rollback to the savepoint keeps it
        queued, appended, guarded = len(self._queue), len(self._appended), self.periods.mark()
        try:
            async with self.conn.begin_nested():
                yield
        except BaseException:
            del self._queue[queued:]
            del self._appended[appended:]
            self.periods.reset(guarded)
            raise

    @property
    def snapshots_due(self) -> Sequence[Aggregate[Any]]:
        return [
            aggregate
            for aggregate, before in self._appended
            if self._store.snapshot_due(before, aggregate.committed_version)
        ]

    @property
    def uncommitted(self) -> bool:
        return bool(self._queue) and not self._committed


class SqlUnitOfWorkFactory:
    def __init__(
        self,
        db: Database,
        store: EventStore,
        *,
        idempotency_ttl: timedelta,
        calendar: BusinessCalendar,
        window: PostingWindowRule | None = None,
    ) -> None:
        self._db = db
        self._window = window
        self._store = store
        self._bulk = BulkProjector(LIVE)
        self._ttl = idempotency_ttl
        self.calendar = calendar  # public so tests can pin its clock

    @asynccontextmanager
    async def __call__(
        self, ctx: RequestContext, *, first_attempt: bool = True
    ) -> AsyncIterator[SqlUnitOfWork]:
        try:
            async with self._db.write() as conn:
                uow = SqlUnitOfWork(
                    conn,
                    ctx,
                    store=self._store,
                    bulk=self._bulk,
                    idempotency_ttl=self._ttl,
                    now=self.calendar.now(),
                    calendar=self.calendar,
                    first_attempt=first_attempt,
                    window=self._window,
                )
                yield uow
                if uow.uncommitted:
                    raise RuntimeError("events were recorded but commit() was not called")
            metrics.events_committed(envelope.event for envelope in uow.committed)
        except sa.exc.IntegrityError as exc:
            if is_idempotency_race(exc):
                raise IdempotencyRace() from exc
            if is_unique_violation(exc):
                # Someone else wrote the same stream version (or the same unique key of a
                # read model) first: reload and decide again.
                metrics.concurrency_conflicts.inc()
                raise StreamConflict() from exc
            raise
        except (sa.exc.DBAPIError, OSError, TimeoutError, sa.exc.TimeoutError) as exc:
            if is_connection_failure(exc):
                metrics.connection_errors.inc()
            if is_transient(exc):
                raise TransientFailure(str(exc)) from exc
            raise
