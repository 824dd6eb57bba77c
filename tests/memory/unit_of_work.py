"""A unit of work over events kept in memory: what it records is seen by its own reads at
once and by other units of work only after `commit`; one runs at a time (as SQLite's single
writer), so nothing it reads can change under it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from tests.memory.events import EventLog, Recorded
from tests.memory.invoicing import (
    MemoryCounterpartyReader,
    MemoryInvoiceReader,
)
from tests.memory.ledger import (
    MemoryAccountDirectory,
    MemoryLedgerReader,
    MemoryPeriodGuard,
)
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ports import (
    IdempotencyRace,
    StoredResponse,
    StreamConflict,
    UnitOfWorkFactory,
)
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.calendar import BusinessCalendar
from vextrus_finance.domain.posting_window import PostingWindow
from vextrus_finance.infrastructure.unit_of_work import PostingWindowRule

A = TypeVar("A", bound=Aggregate[Any])
ReplyKey = tuple[str, str, str]  # tenant, user, Idempotency-Key


@dataclass
class MemoryBooks:
    """What the database would hold: the committed events, counters and stored replies."""

    events: list[Recorded] = field(default_factory=list)
    counters: dict[tuple[str, str], int] = field(default_factory=dict)
    replies: dict[ReplyKey, StoredResponse] = field(default_factory=dict)
    writer: asyncio.Lock = field(default_factory=asyncio.Lock)


class MemoryNumbering:
    def __init__(self, books: MemoryBooks, tenant_id: str) -> None:
        self._books = books
        self._tenant = tenant_id
        self.taken: dict[str, int] = {}  # sequence → last number, until commit

    async def next(self, sequence: str) -> int:
        return await self.take(sequence, 1)

    async def take(self, sequence: str, count: int) -> int:
        last = self.taken.get(sequence, self._books.counters.get((self._tenant, sequence), 0))
        self.taken[sequence] = last + count
        return last + 1

    async def lock(self, sequences: Sequence[str]) -> None:
        return None  # one unit of work at a time

    def commit(self) -> None:
        for sequence, last in self.taken.items():
            self._books.counters[(self._tenant, sequence)] = last


class MemoryIdempotencyStore:
    """The user's own answers only: rows from before keys were per user are SQL's history."""

    def __init__(
        self, books: MemoryBooks, ctx: RequestContext, *, ttl: timedelta, now: datetime
    ) -> None:
        self._books = books
        self._user = (ctx.tenant_id, ctx.user_id)
        self._ttl = ttl
        self._now = now
        self.saved: dict[ReplyKey, StoredResponse] = {}

    def _key(self, key: str) -> ReplyKey:
        return (*self._user, key)

    def _live(self, key: str) -> StoredResponse | None:
        stored = self.saved.get(self._key(key)) or self._books.replies.get(self._key(key))
        if stored is None or stored.created_at < self._now - self._ttl:
            return None  # expired: the key may be used again
        return stored

    async def find(self, key: str) -> StoredResponse | None:
        return self._live(key)

    async def save(self, key: str, request_hash: str, status_code: int, body: Any) -> None:
        if self._live(key) is not None:
            raise IdempotencyRace()
        self.saved[self._key(key)] = StoredResponse(request_hash, status_code, body, self._now)

    def commit(self) -> None:
        self._books.replies.update(self.saved)


class MemoryUnitOfWork:
    def __init__(
        self,
        books: MemoryBooks,
        ctx: RequestContext,
        *,
        now: datetime,
        calendar: BusinessCalendar,
        first_attempt: bool = True,
        window: PostingWindowRule | None = None,
        idempotency_ttl: timedelta = timedelta(hours=24),
    ) -> None:
        self._books = books
        self.ctx = ctx
        self.first_attempt = first_attempt
        self._now = now
        self._calendar = calendar
        self._window = window or PostingWindowRule()
        self._pending: list[Recorded] = []
        self._committed = False
        log = EventLog(self._events)
        self.accounts = MemoryAccountDirectory(log)
        self.periods = MemoryPeriodGuard(log)
        self.numbers = MemoryNumbering(books, ctx.tenant_id)
        self.idempotency = MemoryIdempotencyStore(books, ctx, ttl=idempotency_ttl, now=now)
        self.reader = MemoryLedgerReader(log)
        self.invoices = MemoryInvoiceReader(log)
        self.counterparties = MemoryCounterpartyReader(log)
        self._log = log

    def _events(self) -> list[Recorded]:
        tenant = self.ctx.tenant_id
        return [e for e in (*self._books.events, *self._pending) if e.tenant_id == tenant]

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._calendar.local_date(self._now)

    @property
    def posting_window(self) -> PostingWindow:
        return self._window.on(self.today())

    async def load(self, cls: type[A], stream_id: str) -> A:
        return self._log.load(cls, stream_id)

    async def exists(self, cls: type[Aggregate[Any]], stream_id: str) -> bool:
        return bool(await self.existing(cls, [stream_id]))

    async def existing(self, cls: type[Aggregate[Any]], stream_ids: Sequence[str]) -> set[str]:
        wanted = set(stream_ids)
        return {
            e.stream_id
            for e in self._events()
            if e.stream_type == cls.STREAM_TYPE and e.stream_id in wanted
        }

    async def record(self, *aggregates: Aggregate[Any]) -> None:
        taken = {(e.stream_type, e.stream_id, e.version) for e in self._events()}
        recorded = [
            Recorded(
                tenant_id=self.ctx.tenant_id,
                stream_type=aggregate.STREAM_TYPE,
                stream_id=aggregate.id,
                version=aggregate.committed_version + offset,
                event=event,
                user_id=self.ctx.user_id,
                recorded_at=self._now,
            )
            for aggregate in aggregates
            for offset, event in enumerate(aggregate.pending, start=1)
        ]
        if any((r.stream_type, r.stream_id, r.version) in taken for r in recorded):
            raise StreamConflict()  # as the event store's key refuses a version written twice
        self._pending.extend(recorded)
        for aggregate in aggregates:
            aggregate.mark_committed()

    async def commit(self) -> None:
        self._books.events.extend(self._pending)
        self.numbers.commit()
        self.idempotency.commit()
        self._pending = []
        self._committed = True

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        pending, taken = len(self._pending), dict(self.numbers.taken)
        saved = dict(self.idempotency.saved)
        try:
            yield
        except BaseException:
            del self._pending[pending:]
            self.numbers.taken, self.idempotency.saved = taken, saved
            raise

    @property
    def snapshots_due(self) -> Sequence[Aggregate[Any]]:
        return []  # aggregates are replayed from their events every time

    @property
    def uncommitted(self) -> bool:
        return bool(self._pending) and not self._committed


class MemoryUnitOfWorkFactory:
    def __init__(
        self,
        books: MemoryBooks | None = None,
        *,
        calendar: BusinessCalendar,
        window: PostingWindowRule | None = None,
        idempotency_ttl: timedelta = timedelta(hours=24),
    ) -> None:
        self.books = books or MemoryBooks()
        self.calendar = calendar
        self._window = window
        self._ttl = idempotency_ttl

    @asynccontextmanager
    async def __call__(
        self, ctx: RequestContext, *, first_attempt: bool = True
    ) -> AsyncIterator[MemoryUnitOfWork]:
        async with self.books.writer:
            uow = MemoryUnitOfWork(
                self.books,
                ctx,
                now=self.calendar.now(),
                calendar=self.calendar,
                first_attempt=first_attempt,
                window=self._window,
                idempotency_ttl=self._ttl,
            )
            yield uow
            if uow.uncommitted:
                raise RuntimeError("events were recorded but commit() was not called")


if TYPE_CHECKING:  # the memory unit of work implements every port the application uses
    _factory: UnitOfWorkFactory = MemoryUnitOfWorkFactory(calendar=BusinessCalendar(UTC))
