"""What queries return: plain dataclasses that the API turns into JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from vextrus_finance.domain.accounts import AccountType, BalanceLimit, CashFlowClass
from vextrus_finance.domain.fiscal import PeriodStatus
from vextrus_finance.domain.journals import JournalLine, JournalStatus, JournalType

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class AccountFacts:
    """An account as the read model stores it: the command side's record and the query
    side's view both extend it."""

    id: str
    code: str
    name: str
    type: AccountType
    parent_id: str | None
    currency: str
    is_active: bool
    balance_limit: BalanceLimit | None


@dataclass(frozen=True)
class AccountView(AccountFacts):
    debit_total: Decimal
    credit_total: Decimal
    balance: Decimal
    version: int
    created_at: datetime
    updated_at: datetime
    deactivated_at: datetime | None
    deactivation_reason: str | None
    cash_flow_class: CashFlowClass
    balance_as_of: date | None = None  # None: all-time totals, as stored


@dataclass(frozen=True)
class JournalLineView(JournalLine):
    """The journal's line as stored, with its position in the journal."""

    line_no: int = field(kw_only=True)


@dataclass(frozen=True)
class JournalView:
    id: str
    number: str
    date: date
    type: JournalType
    status: JournalStatus
    currency: str
    description: str
    reference: str | None
    fiscal_period: str
    lines: list[JournalLineView]
    total_debit: Decimal
    total_credit: Decimal
    created_at: datetime
    created_by: str
    posted_at: datetime | None
    posted_by: str | None
    reversed_by_id: str | None
    reverses_id: str | None
    cancel_reason: str | None
    version: int


@dataclass(frozen=True)
class LedgerLineView:
    date: date
    journal_id: str
    journal_number: str
    journal_type: JournalType
    line_id: str
    description: str | None
    reference: str | None
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class LedgerPage:
    account: AccountView
    opening_balance: Decimal
    items: list[LedgerLineView]
    next_cursor: str | None


@dataclass(frozen=True)
class PeriodView:
    code: str
    fiscal_year: str
    start: date
    end: date
    status: PeriodStatus
    changed_at: datetime | None
    changed_by: str | None
    reason: str | None
    version: int


@dataclass(frozen=True)
class FiscalYearView:
    """A fiscal year as `GET /fiscal-years` lists it (ADR 0048)."""

    code: str
    start: date
    end: date
    status: PeriodStatus
    closing_journal_id: str | None
    retained_earnings_account_id: str | None
    changed_at: datetime | None
    changed_by: str | None
    reason: str | None
    version: int


@dataclass(frozen=True)
class FiscalYearsSeen:
    """What the listing of fiscal years is made from: the first day with a posting or a
    period change (None: neither) and the years ever closed or reopened."""

    first_day: date | None
    changed: list[FiscalYearView]


@dataclass(frozen=True)
class BalanceRow:
    """An account's cumulative totals as of a date, from the stored per-period totals."""

    account_id: str
    code: str
    name: str
    type: AccountType
    is_active: bool
    debit_total: Decimal
    credit_total: Decimal


# An account's debits minus credits as of a date, in integer paisa: (account_id, code, name,
# type as stored, is_active, net debit). A tuple, not a dataclass: the trial balance reads one
# per account, and at 10,000 accounts objects per row cost more than the query.
NetBalanceRow = tuple[str, str, str, str, bool, int]


@dataclass(frozen=True)
class TrialBalanceEntry:
    account_id: str
    code: str
    name: str
    type: AccountType
    debit: Decimal
    credit: Decimal
    net: Decimal


@dataclass(frozen=True)
class TypeTotals:
    debit: Decimal
    credit: Decimal
    net: Decimal
    count: int


@dataclass(frozen=True)
class TrialBalanceTotals:
    debit: Decimal
    credit: Decimal
    variance: Decimal
    balanced: bool


@dataclass(frozen=True)
class TrialBalanceView:
    as_of: date
    fiscal_year: str
    currency: str
    entries: list[TrialBalanceEntry]
    totals: TrialBalanceTotals
    by_type: dict[AccountType, TypeTotals]
