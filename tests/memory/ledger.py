"""The chart, the period guard and the ledger's reads, derived from the events: an account's
totals are the lines of every journal posted to it, as the SQL projection adds them up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tests.memory.events import EventLog, Stream
from vextrus_finance.application.invoicing.aging import CONTROL_ROLE
from vextrus_finance.application.ledger.queries import JournalFilter
from vextrus_finance.application.ledger.views import (
    AccountView,
    BalanceRow,
    FiscalYearsSeen,
    FiscalYearView,
    JournalLineView,
    JournalView,
    LedgerPage,
    NetBalanceRow,
    Page,
    PeriodView,
)
from vextrus_finance.application.ports import AccountRecord, LockedAccounts
from vextrus_finance.domain.accounts import Account, AccountBalance, AccountType, signed_balance
from vextrus_finance.domain.fiscal import (
    FiscalPeriod,
    FiscalYear,
    PeriodStatus,
    parse_fiscal_year,
    parse_period,
)
from vextrus_finance.domain.fiscal_years import FiscalYearBook
from vextrus_finance.domain.invoices import Invoice
from vextrus_finance.domain.journals import Journal
from vextrus_finance.domain.money import ZERO, to_minor
from vextrus_finance.domain.periods import FiscalPeriodBook
from vextrus_finance.domain.posting_profiles import PostingProfile


@dataclass(frozen=True)
class _Entry:
    account_id: str
    day: date
    debit: Decimal
    credit: Decimal


def _entries(log: EventLog) -> list[_Entry]:
    """One per line of every journal ever posted (a reversed journal's lines stay: its
    reversal posts their opposites)."""
    return [
        _Entry(line.account_id, journal.state.date, line.debit, line.credit)
        for journal in log.aggregates(Journal).values()
        if journal.state.posted_at is not None
        for line in journal.state.lines
    ]


def _totals(log: EventLog) -> dict[str, tuple[Decimal, Decimal]]:
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for entry in _entries(log):
        debit, credit = totals.get(entry.account_id, (ZERO, ZERO))
        totals[entry.account_id] = (debit + entry.debit, credit + entry.credit)
    return totals


def _control_codes_and_ids(log: EventLog) -> tuple[set[str], set[str]]:
    """The codes invoices name as their control account, and the posting profile's
    receivable and payable accounts (control_accounts.py in SQL)."""
    codes = {
        code
        for invoice in log.aggregates(Invoice).values()
        if (code := invoice.state.details.control_account_code) is not None
    }
    profile = next(iter(log.aggregates(PostingProfile).values()), None)
    ids = set()
    if profile is not None:
        ids = {
            profile.state.accounts[r].id
            for r in CONTROL_ROLE.values()
            if r in profile.state.accounts
        }
    return codes, ids


class MemoryAccountDirectory:
    def __init__(self, log: EventLog) -> None:
        self._log = log

    def _records(self) -> dict[str, AccountRecord]:
        accounts = self._log.aggregates(Account)
        parents = {a.state.parent_id for a in accounts.values()}
        codes, ids = _control_codes_and_ids(self._log)
        return {
            account_id: AccountRecord(
                id=account_id,
                code=s.code,
                name=s.name,
                type=s.type,
                parent_id=s.parent_id,
                currency=s.currency,
                is_active=s.is_active,
                balance_limit=s.balance_limit,
                is_header=account_id in parents,
                is_control=s.code in codes or account_id in ids,
            )
            for account_id, s in ((i, a.state) for i, a in accounts.items())
        }

    async def by_ids(self, ids: Iterable[str]) -> dict[str, AccountRecord]:
        records = self._records()
        return {i: records[i] for i in set(ids) if i in records}

    async def by_codes(self, codes: Iterable[str]) -> dict[str, AccountRecord]:
        by_code = {r.code: r for r in self._records().values()}
        return {c: by_code[c] for c in set(codes) if c in by_code}

    async def code_taken(self, code: str) -> bool:
        return any(r.code == code for r in self._records().values())

    async def ancestors(self, account_id: str) -> frozenset[str]:
        records = self._records()
        found: set[str] = set()
        parent = records[account_id].parent_id if account_id in records else None
        while parent is not None and parent not in found and parent in records:
            found.add(parent)
            parent = records[parent].parent_id
        return frozenset(found)

    async def has_active_children(self, account_id: str) -> bool:
        return any(r.parent_id == account_id and r.is_active for r in self._records().values())

    async def lock(self, ids: Iterable[str], codes: Iterable[str] = ()) -> LockedAccounts:
        """Nothing to lock: one unit of work runs at a time (`MemoryBooks.writer`)."""
        by_id = await self.by_ids(ids)
        by_code = await self.by_codes(codes)
        totals = _totals(self._log)
        balances = {
            r.id: AccountBalance(
                id=r.id,
                code=r.code,
                type=r.type,
                is_active=r.is_active,
                balance_limit=r.balance_limit,
                debit_total=totals.get(r.id, (ZERO, ZERO))[0],
                credit_total=totals.get(r.id, (ZERO, ZERO))[1],
            )
            for r in (*by_id.values(), *by_code.values())
        }
        return LockedAccounts(
            by_id | {r.id: r for r in by_code.values()},
            by_code | {r.code: r for r in by_id.values()},
            balances,
        )

    async def daily_movements_after(
        self, account_id: str, day: date
    ) -> list[tuple[date, Decimal, Decimal]]:
        sums: dict[date, tuple[Decimal, Decimal]] = {}
        for entry in _entries(self._log):
            if entry.account_id == account_id and entry.day > day:
                debit, credit = sums.get(entry.day, (ZERO, ZERO))
                sums[entry.day] = (debit + entry.debit, credit + entry.credit)
        return [(d, debit, credit) for d, (debit, credit) in sorted(sums.items())]


class MemoryPeriodGuard:
    """One unit of work runs at a time, so a guard needs no lock: only the status is read."""

    def __init__(self, log: EventLog) -> None:
        self._log = log

    async def guard_posting(self, period: FiscalPeriod) -> None:
        return None

    async def status(self, period: FiscalPeriod) -> PeriodStatus:
        return self._log.load(FiscalPeriodBook, period.code).status

    async def lock_for_change(self) -> None:
        return None


def _account_view(stream: Stream[Account], totals: tuple[Decimal, Decimal]) -> AccountView:
    s = stream.aggregate.state
    debit, credit = totals
    return AccountView(
        id=stream.aggregate.id,
        code=s.code,
        name=s.name,
        type=s.type,
        parent_id=s.parent_id,
        currency=s.currency,
        is_active=s.is_active,
        balance_limit=s.balance_limit,
        debit_total=debit,
        credit_total=credit,
        balance=signed_balance(s.type, debit, credit),
        version=stream.aggregate.version,
        created_at=stream.first.recorded_at,
        updated_at=stream.last.recorded_at,
        deactivated_at=s.deactivated_at,
        deactivation_reason=s.deactivation_reason,
        cash_flow_class=s.cash_flow_class,
    )


def _journal_view(stream: Stream[Journal]) -> JournalView:
    journal = stream.aggregate
    s = journal.state
    lines = [
        JournalLineView(
            id=line.id,
            line_no=no,
            account_id=line.account_id,
            account_code=line.account_code,
            debit=line.debit,
            credit=line.credit,
            description=line.description,
            cost_center=line.cost_center,
            project=line.project,
            tax_code=line.tax_code,
            counterparty_id=line.counterparty_id,
        )
        for no, line in enumerate(s.lines, start=1)
    ]
    return JournalView(
        id=journal.id,
        number=s.number,
        date=s.date,
        type=s.type,
        status=s.status,
        currency=s.currency,
        description=s.description,
        reference=s.reference,
        fiscal_period=s.fiscal_period,
        lines=lines,
        total_debit=s.total_debit,
        total_credit=s.total_credit,
        created_at=stream.first.recorded_at,
        created_by=stream.first.user_id,
        posted_at=s.posted_at,
        posted_by=s.posted_by,
        reversed_by_id=s.reversed_by_id,
        reverses_id=s.reverses_id,
        cancel_reason=s.cancel_reason,
        version=journal.version,
    )


class MemoryLedgerReader:
    def __init__(self, log: EventLog) -> None:
        self._log = log

    def _accounts(self) -> list[AccountView]:
        totals = _totals(self._log)
        return [
            _account_view(stream, totals.get(account_id, (ZERO, ZERO)))
            for account_id, stream in self._log.streams(Account).items()
        ]

    async def account(self, account_id: str) -> AccountView | None:
        return next((a for a in self._accounts() if a.id == account_id), None)

    async def account_by_code(self, code: str) -> AccountView | None:
        return next((a for a in self._accounts() if a.code == code), None)

    async def journal(self, journal_id: str) -> JournalView | None:
        stream = self._log.streams(Journal).get(journal_id)
        return _journal_view(stream) if stream is not None else None

    async def journal_by_number(self, number: str) -> JournalView | None:
        streams = self._log.streams(Journal).values()
        return next((_journal_view(s) for s in streams if s.aggregate.state.number == number), None)

    async def journals_by_ids(self, journal_ids: Sequence[str]) -> list[JournalView]:
        streams = self._log.streams(Journal)
        return [_journal_view(streams[i]) for i in journal_ids if i in streams]

    async def accounts(
        self,
        *,
        account_type: AccountType | None,
        active: bool | None,
        limit: int,
        cursor: str | None,
    ) -> Page[AccountView]:
        raise NotImplementedError("MemoryLedgerReader.accounts (a page of the chart)")

    async def accounts_as_of(self, views: Sequence[AccountView], as_of: date) -> list[AccountView]:
        raise NotImplementedError("MemoryLedgerReader.accounts_as_of")

    async def journals(
        self, where: JournalFilter, *, limit: int, cursor: str | None
    ) -> Page[JournalView]:
        raise NotImplementedError("MemoryLedgerReader.journals (a filtered page)")

    async def balances_as_of(self, as_of: date, currency: str) -> list[BalanceRow]:
        raise NotImplementedError("MemoryLedgerReader.balances_as_of")

    async def net_balances_as_of(self, as_of: date, currency: str) -> list[NetBalanceRow]:
        moved: dict[str, int] = {}
        for entry in _entries(self._log):
            if entry.day <= as_of:
                net = to_minor(entry.debit) - to_minor(entry.credit)
                moved[entry.account_id] = moved.get(entry.account_id, 0) + net
        return [
            (account_id, s.code, s.name, s.type.value, s.is_active, moved.get(account_id, 0))
            for account_id, stream in self._log.streams(Account).items()
            if (s := stream.aggregate.state).currency == currency
        ]

    async def ledger(
        self,
        account: AccountView,
        *,
        date_from: date | None,
        date_to: date | None,
        limit: int,
        cursor: str | None,
    ) -> LedgerPage:
        raise NotImplementedError("MemoryLedgerReader.ledger (an account's general ledger)")

    async def closed_or_reopened_periods(self, fiscal_year: FiscalYear) -> list[PeriodView]:
        raise NotImplementedError("MemoryLedgerReader.closed_or_reopened_periods")

    async def fiscal_years_seen(self) -> FiscalYearsSeen:
        days = [entry.day for entry in _entries(self._log)]
        days += [parse_period(code).start for code in self._log.streams(FiscalPeriodBook)]
        changed = [
            FiscalYearView(
                code=code,
                start=(year := parse_fiscal_year(code)).start,
                end=year.end,
                status=(s := stream.aggregate.state).status,
                closing_journal_id=s.closing_journal_id,
                retained_earnings_account_id=s.retained_earnings_account_id,
                changed_at=s.changed_at,
                changed_by=s.changed_by,
                reason=s.reason,
                version=stream.aggregate.version,
            )
            for code, stream in sorted(self._log.streams(FiscalYearBook).items())
        ]
        first = min(days) if days else None
        return FiscalYearsSeen(first.replace(day=1) if first else None, changed)
