"""What counterparty queries return, and the reader port commands and routes use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from vextrus_finance.application.ledger.views import Page
from vextrus_finance.domain.counterparties import CounterpartyDetails, CounterpartyKind
from vextrus_finance.domain.money import BASE_CURRENCY, ZERO


@dataclass(frozen=True, kw_only=True)
class CounterpartyRecordView(CounterpartyDetails):
    """The record's details as stored, with who made it and its version."""

    id: str
    created_at: datetime
    created_by: str
    version: int


@dataclass(frozen=True)
class CounterpartyFilter:
    kind: CounterpartyKind | None = None  # CUSTOMER or SUPPLIER also match BOTH
    q: str | None = None  # part of the name, any case
    bin: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class StatementLine:
    date: date
    document_type: str  # SALES_INVOICE, PURCHASE_INVOICE, PAYMENT, JOURNAL
    document_id: str
    number: str
    description: str
    debit: Decimal  # what the party came to owe us (receivable side)
    credit: Decimal  # what it paid, or what we came to owe it
    balance: Decimal  # running: positive = the party owes us, negative = we owe it


@dataclass(frozen=True)
class StatementView:
    counterparty: CounterpartyRecordView
    date_from: date
    date_to: date
    currency: str
    opening_balance: Decimal
    lines: list[StatementLine]
    closing_balance: Decimal


class CounterpartyReader(Protocol):
    async def counterparty(self, counterparty_id: str) -> CounterpartyRecordView | None: ...

    async def existing(self, ids: set[str]) -> frozenset[str]: ...

    async def by_bin(self, bin: str) -> CounterpartyRecordView | None: ...

    async def by_name(self, name: str) -> CounterpartyRecordView | None: ...

    async def counterparties(
        self, where: CounterpartyFilter, *, limit: int, cursor: str | None
    ) -> Page[CounterpartyRecordView]: ...


def statement_of(
    counterparty: CounterpartyRecordView,
    entries: Sequence[StatementLine],
    date_from: date,
    date_to: date,
) -> StatementView:
    """Opening balance (everything dated before `date_from`), the entries dated in the range in
    date then number order with a running balance, and the closing balance at `date_to` —
    for a customer, what the aging as of `date_to` shows for it."""
    ordered = sorted(entries, key=lambda e: (e.date, e.number, e.debit < e.credit))
    opening = sum((e.debit - e.credit for e in ordered if e.date < date_from), ZERO)
    running = opening
    lines: list[StatementLine] = []
    for entry in ordered:
        if date_from <= entry.date <= date_to:
            running += entry.debit - entry.credit
            lines.append(replace(entry, balance=running))
    return StatementView(counterparty, date_from, date_to, BASE_CURRENCY, opening, lines, running)
