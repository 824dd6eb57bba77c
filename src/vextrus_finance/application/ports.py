"""What the application needs from storage. Infrastructure implements these; tests may too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, TypeVar

from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.invoicing.counterparty_queries import CounterpartyReader
from vextrus_finance.application.invoicing.queries import InvoiceReader
from vextrus_finance.application.ledger.queries import LedgerReader
from vextrus_finance.application.ledger.views import AccountFacts
from vextrus_finance.domain.accounts import AccountBalance
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.fiscal import FiscalPeriod, PeriodStatus
from vextrus_finance.domain.journals import AccountRef
from vextrus_finance.domain.posting_window import PostingWindow

A = TypeVar("A", bound=Aggregate[Any])


class StreamConflict(Exception):
    """Another writer appended to a stream we wrote: reload and decide again."""


class TransientFailure(Exception):
    """The database failed in a way that a retry may fix (connection lost, deadlock, busy)."""


class IdempotencyRace(Exception):
    """A concurrent request with the same Idempotency-Key committed first."""


@dataclass(frozen=True)
class AccountRecord(AccountFacts):
    is_header: bool = False  # has child accounts: takes no journal lines
    # The posting profile's receivable or payable account: manual lines name a counterparty.
    is_control: bool = False

    def ref(self) -> AccountRef:
        return AccountRef(self.id, self.code, self.type, self.currency, self.is_active)


class LockedAccounts(NamedTuple):
    """The accounts a posting names, found by id or by code, with their balances."""

    by_id: dict[str, AccountRecord]
    by_code: dict[str, AccountRecord]
    balances: dict[str, AccountBalance]  # by id


class AccountDirectory(Protocol):
    """The tenant's chart of accounts as the read model holds it, inside the command's
    transaction."""

    async def by_ids(self, ids: Iterable[str]) -> dict[str, AccountRecord]: ...

    async def by_codes(self, codes: Iterable[str]) -> dict[str, AccountRecord]: ...

    async def code_taken(self, code: str) -> bool: ...

    async def ancestors(self, account_id: str) -> frozenset[str]: ...

    async def has_active_children(self, account_id: str) -> bool: ...

    async def lock(self, ids: Iterable[str], codes: Iterable[str] = ()) -> LockedAccounts:
        """The accounts named by id or by code with their limits and totals, locked until
        commit (in id order, so postings to the same accounts queue instead of deadlocking).
        A posting guards its period first (`PeriodGuard.guard_posting`): the lock order."""
        ...

    async def daily_movements_after(
        self, account_id: str, day: date
    ) -> list[tuple[date, Decimal, Decimal]]:
        """(date, debits, credits) posted to the account on each day after `day`, oldest
        first: what a backdated posting's balance-limit check needs (read under its lock)."""
        ...


class PeriodGuard(Protocol):
    """Postings against period closes: a posting guards its period, a close waits for every
    guard and keeps new ones out until it commits, so no posting slips into a closed period."""

    async def guard_posting(self, period: FiscalPeriod) -> None:
        """Hold a close of `period` back until this transaction ends. The first lock a
        posting takes, before its accounts; `status` gives the verdict."""
        ...

    async def status(self, period: FiscalPeriod) -> PeriodStatus:
        """The period's status, guarded as `guard_posting` guards it: it cannot change before
        this transaction ends."""
        ...

    async def lock_for_change(self) -> None:
        """Wait for in-flight postings and keep new ones out until commit."""
        ...


class Numbering(Protocol):
    async def next(self, sequence: str) -> int: ...

    async def take(self, sequence: str, count: int) -> int:
        """The next `count` numbers of the sequence at once; returns the first of them."""
        ...

    async def lock(self, sequences: Sequence[str]) -> None:
        """Lock counters in the given order before taking numbers from them in any order."""
        ...


@dataclass(frozen=True)
class StoredResponse:
    """An answer kept for an Idempotency-Key as its caller made it (the API: an HTTP status
    and a JSON body); the application stores and replays it without reading it."""

    request_hash: str
    status_code: int
    body: Any
    created_at: datetime


class IdempotencyStore(Protocol):
    async def find(self, key: str) -> StoredResponse | None: ...

    async def save(self, key: str, request_hash: str, status_code: int, body: Any) -> None: ...


class UnitOfWork(Protocol):
    """One database transaction for one command: loads, records events (projecting them at
    once, so later reads in the same command see them) and commits all or nothing."""

    # Read-only members (properties), so implementations may use narrower types.
    @property
    def ctx(self) -> RequestContext: ...

    @property
    def accounts(self) -> AccountDirectory: ...

    @property
    def periods(self) -> PeriodGuard: ...

    @property
    def numbers(self) -> Numbering: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    @property
    def reader(self) -> LedgerReader:
        """Reads this transaction's own writes."""
        ...

    @property
    def invoices(self) -> InvoiceReader:
        """Invoices, payments and profiles, reading this transaction's own writes."""
        ...

    @property
    def counterparties(self) -> CounterpartyReader:
        """Customer and supplier records, reading this transaction's own writes."""
        ...

    @property
    def first_attempt(self) -> bool:
        """This is the command's first attempt: no earlier attempt of it can have committed."""
        ...

    def now(self) -> datetime: ...

    def today(self) -> date:
        """The business day of `now()`, in the business calendar's time zone."""
        ...

    @property
    def posting_window(self) -> PostingWindow:
        """The dates this tenant may post on, as of this command's business day."""
        ...

    async def load(self, cls: type[A], stream_id: str) -> A: ...

    async def exists(self, cls: type[Aggregate[Any]], stream_id: str) -> bool:
        """Whether a stream of this type has any event: what a create needs to know, without
        loading an aggregate it is about to make."""
        ...

    async def existing(self, cls: type[Aggregate[Any]], stream_ids: Sequence[str]) -> set[str]:
        """Which of these streams of this type have any event: `exists` for a batch."""
        ...

    async def record(self, *aggregates: Aggregate[Any]) -> None: ...

    async def commit(self) -> None: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]: ...

    @property
    def snapshots_due(self) -> Sequence[Aggregate[Any]]:
        """Aggregates whose commit crossed a snapshot boundary."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(
        self, ctx: RequestContext, *, first_attempt: bool = True
    ) -> AbstractAsyncContextManager[UnitOfWork]: ...


AfterCommit = Callable[[RequestContext, Sequence[Aggregate[Any]]], Awaitable[None]]
