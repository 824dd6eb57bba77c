"""The three financial statements — profit and loss, balance sheet, cash flow (indirect) — from
the stored balances the trial balance reads (ADR 0047): never a scan of journal lines.

Every figure is integer paisa computed from `NetBalanceRow`s (each account's debits − credits
at the end of a day). The movement of an account over [from, to] is

    balance(to) − balance(from − 1 day) − closing(from, to)

where `closing` sums the ledger entries of CLOSING journals (the fiscal-year close) and of their
reversals dated inside the range: a statement never shows the close itself, so a year's
statements read the same before and after its close. Amounts are positive on each type's
normal side (debit for assets and expenses, credit for the rest)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from vextrus_finance.application.ledger.views import NetBalanceRow
from vextrus_finance.domain.accounts import AccountType, CashFlowClass
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.fiscal import fiscal_year_start

PRIOR_YEARS_NOT_CLOSED = "Retained earnings — prior years not closed"
_BALANCE_SHEET_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)
_PROFIT_TYPES = frozenset({AccountType.REVENUE.value, AccountType.EXPENSE.value})
_DEBIT_NORMAL = {t.value: t.debit_normal for t in AccountType}


class Compare(StrEnum):
    PREVIOUS_PERIOD = "previous_period"
    PREVIOUS_YEAR = "previous_year"


class StatementReader(Protocol):
    """What the statements read; the SQL ledger reader answers all three in one snapshot."""

    async def net_balances_as_of(self, as_of: date, currency: str) -> list[NetBalanceRow]: ...

    async def closing_movements(
        self, date_from: date, date_to: date, currency: str
    ) -> dict[str, int]:
        """Σ debit − credit per account of the ledger entries dated in [date_from, date_to]
        of CLOSING journals and of journals reversing them."""
        ...

    async def cash_flow_classes(self, currency: str) -> dict[str, CashFlowClass]: ...


@dataclass(frozen=True)
class StatementLine:
    account_id: str | None  # None: a line the statement computes, not an account
    code: str | None
    name: str
    amount: int
    compare_amount: int | None = None


@dataclass(frozen=True)
class StatementSection:
    type: AccountType
    accounts: list[StatementLine]
    total: int
    compare_total: int | None = None


@dataclass(frozen=True)
class ProfitAndLoss:
    date_from: date
    date_to: date
    currency: str
    sections: list[StatementSection]
    net_profit: int
    compare_from: date | None = None
    compare_to: date | None = None
    compare_net_profit: int | None = None


@dataclass(frozen=True)
class BalanceSheetTotals:
    assets: int
    liabilities_and_equity: int

    @property
    def balanced(self) -> bool:
        return self.assets == self.liabilities_and_equity


@dataclass(frozen=True)
class BalanceSheet:
    as_of: date
    currency: str
    sections: list[StatementSection]
    current_year_earnings: int
    totals: BalanceSheetTotals
    compare_as_of: date | None = None
    compare_current_year_earnings: int | None = None
    compare_totals: BalanceSheetTotals | None = None


@dataclass(frozen=True)
class CashFlowAdjustment:
    code: str
    name: str
    amount: int


@dataclass(frozen=True)
class CashFlow:
    date_from: date
    date_to: date
    currency: str
    net_profit: int
    adjustments: list[CashFlowAdjustment]
    operating: int
    investing: int
    financing: int
    net_change: int
    opening_cash: int
    closing_cash: int


# --- dates ---------------------------------------------------------------------------------


def day_before(day: date) -> date | None:
    """None for the calendar's first day: nothing is before it, every balance is zero."""
    return None if day == date.min else day - timedelta(days=1)


def _year_earlier(day: date, field: str) -> date:
    if day.year == 1:
        raise InvalidInput("no year before the calendar's first year", field=field)
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year - 1, day=28)


def check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise InvalidInput("'from' must not be after 'to'", field="from")


def compare_range(date_from: date, date_to: date, compare: Compare) -> tuple[date, date]:
    """previous_period: the same number of days ending the day before `from`; previous_year:
    the same dates a year earlier (29 February → 28 February)."""
    if compare is Compare.PREVIOUS_YEAR:
        return _year_earlier(date_from, "compare"), _year_earlier(date_to, "compare")
    before = day_before(date_from)
    length = date_to - date_from
    if before is None or before - date.min < length:
        raise InvalidInput("no period before the calendar's first day", field="compare")
    return before - length, before


# --- the arithmetic ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Account:
    id: str
    code: str
    name: str
    type: str  # as stored


def _accounts(rows: Iterable[NetBalanceRow]) -> dict[str, _Account]:
    return {r[0]: _Account(r[0], r[1], r[2], r[3]) for r in rows}


def _nets(rows: Iterable[NetBalanceRow] | None) -> dict[str, int]:
    return {} if rows is None else {r[0]: r[5] for r in rows}


def movements(
    end: Iterable[NetBalanceRow],
    start: Iterable[NetBalanceRow] | None,
    closing: Mapping[str, int],
) -> dict[str, int]:
    """Debits − credits per account between two balances (`start`: the day before the range;
    None: nothing before it), less the closing entries of the range."""
    before = _nets(start)
    return {r[0]: r[5] - before.get(r[0], 0) - closing.get(r[0], 0) for r in end}


def _normal(account_type: str, net_debit: int) -> int:
    return net_debit if _DEBIT_NORMAL[account_type] else -net_debit


def _section(
    account_type: AccountType,
    accounts: Iterable[_Account],
    amounts: Mapping[str, int],
    compare: Mapping[str, int] | None,
    extra: StatementLine | None = None,
) -> StatementSection:
    """The accounts of a type with a non-zero amount (or compare amount), by code; `extra`
    (a computed line) last when it is non-zero."""
    lines = []
    for account in sorted(accounts, key=lambda a: a.code):
        if account.type != account_type.value:
            continue
        amount = amounts.get(account.id, 0)
        other = compare.get(account.id, 0) if compare is not None else None
        if amount or other:
            lines.append(StatementLine(account.id, account.code, account.name, amount, other))
    if extra is not None and (extra.amount or extra.compare_amount):
        lines.append(extra)
    total = sum(line.amount for line in lines)
    compare_total = sum(line.compare_amount or 0 for line in lines) if compare is not None else None
    return StatementSection(account_type, lines, total, compare_total)


def profit_and_loss_figures(
    accounts: Mapping[str, _Account], moved: Mapping[str, int]
) -> dict[str, int]:
    """Each revenue and expense account's movement on its normal side."""
    return {
        account_id: _normal(accounts[account_id].type, net)
        for account_id, net in moved.items()
        if accounts[account_id].type in _PROFIT_TYPES
    }


def net_profit(accounts: Mapping[str, _Account], moved: Mapping[str, int]) -> int:
    """Revenue − expense = −Σ (debits − credits) of the revenue and expense accounts."""
    return -sum(net for i, net in moved.items() if accounts[i].type in _PROFIT_TYPES)


# --- reading -------------------------------------------------------------------------------


async def _moved(
    reader: StatementReader, date_from: date, date_to: date, currency: str
) -> tuple[dict[str, _Account], dict[str, int]]:
    end = await reader.net_balances_as_of(date_to, currency)
    before = day_before(date_from)
    start = await reader.net_balances_as_of(before, currency) if before else None
    closing = await reader.closing_movements(date_from, date_to, currency)
    return _accounts(end), movements(end, start, closing)


async def profit_and_loss(
    reader: StatementReader,
    date_from: date,
    date_to: date,
    currency: str,
    compare: Compare | None = None,
) -> ProfitAndLoss:
    check_range(date_from, date_to)
    span = compare_range(date_from, date_to, compare) if compare else None
    accounts, moved = await _moved(reader, date_from, date_to, currency)
    amounts = profit_and_loss_figures(accounts, moved)
    other: dict[str, int] | None = None
    other_profit = None
    if span is not None:
        other_accounts, other_moved = await _moved(reader, span[0], span[1], currency)
        other = profit_and_loss_figures(other_accounts, other_moved)
        other_profit = net_profit(other_accounts, other_moved)
    sections = [
        _section(t, accounts.values(), amounts, other)
        for t in (AccountType.REVENUE, AccountType.EXPENSE)
    ]
    return ProfitAndLoss(
        date_from=date_from,
        date_to=date_to,
        currency=currency,
        sections=sections,
        net_profit=net_profit(accounts, moved),
        compare_from=span[0] if span else None,
        compare_to=span[1] if span else None,
        compare_net_profit=other_profit,
    )


@dataclass(frozen=True)
class _Position:
    accounts: dict[str, _Account]
    amounts: dict[str, int]  # balance-sheet accounts on their normal side
    current_year_earnings: int
    prior_years_not_closed: int


async def _position(reader: StatementReader, as_of: date, currency: str) -> _Position:
    """The balances at the end of `as_of` without the closing entries of its own fiscal year,
    the profit of that year so far, and the profit of earlier years never closed."""
    year_start = fiscal_year_start(as_of)
    end = await reader.net_balances_as_of(as_of, currency)
    before = day_before(year_start)
    start = await reader.net_balances_as_of(before, currency) if before else None
    closing = await reader.closing_movements(year_start, as_of, currency)
    accounts = _accounts(end)
    this_year = movements(end, start, closing)
    start_nets = _nets(start)
    amounts = {
        r[0]: _normal(r[3], r[5] - closing.get(r[0], 0)) for r in end if r[3] not in _PROFIT_TYPES
    }
    # Revenue and expense balances left at the start of the year: earlier years' profit that
    # no close moved to retained earnings (zero once every earlier year is closed).
    prior = -sum(net for i, net in start_nets.items() if accounts[i].type in _PROFIT_TYPES)
    return _Position(accounts, amounts, net_profit(accounts, this_year), prior)


def _totals(sections: list[StatementSection], earnings: int, compare: bool) -> BalanceSheetTotals:
    def total(section: StatementSection) -> int:
        return (section.compare_total or 0) if compare else section.total

    assets, liabilities, equity = (total(s) for s in sections)
    return BalanceSheetTotals(assets, liabilities + equity + earnings)


async def balance_sheet(
    reader: StatementReader, as_of: date, currency: str, compare: Compare | None = None
) -> BalanceSheet:
    if compare is Compare.PREVIOUS_PERIOD:
        raise InvalidInput("a balance sheet compares with previous_year only", field="compare")
    now = await _position(reader, as_of, currency)
    compare_as_of = _year_earlier(as_of, "compare") if compare else None
    then = await _position(reader, compare_as_of, currency) if compare_as_of else None
    # Accounts opened after the comparison date are in `now` only; none is in `then` only.
    accounts = now.accounts
    prior = StatementLine(
        None,
        None,
        PRIOR_YEARS_NOT_CLOSED,
        now.prior_years_not_closed,
        then.prior_years_not_closed if then else None,
    )
    sections = [
        _section(
            t,
            accounts.values(),
            now.amounts,
            then.amounts if then else None,
            prior if t is AccountType.EQUITY else None,
        )
        for t in _BALANCE_SHEET_TYPES
    ]
    return BalanceSheet(
        as_of=as_of,
        currency=currency,
        sections=sections,
        current_year_earnings=now.current_year_earnings,
        totals=_totals(sections, now.current_year_earnings, compare=False),
        compare_as_of=compare_as_of,
        compare_current_year_earnings=then.current_year_earnings if then else None,
        compare_totals=_totals(sections, then.current_year_earnings, compare=True)
        if then
        else None,
    )


async def cash_flow(
    reader: StatementReader, date_from: date, date_to: date, currency: str
) -> CashFlow:
    """Indirect method: net profit, then the movement of every non-cash OPERATING balance-sheet
    account (an asset that grew used cash, a liability that grew brought it: −movement in
    debit terms), then INVESTING and FINANCING accounts the same way. The sections add up to
    the change of the CASH accounts, whose balances open and close the statement."""
    check_range(date_from, date_to)
    classes = await reader.cash_flow_classes(currency)
    end = await reader.net_balances_as_of(date_to, currency)
    before = day_before(date_from)
    start = await reader.net_balances_as_of(before, currency) if before else None
    closing = await reader.closing_movements(date_from, date_to, currency)
    accounts = _accounts(end)
    moved = movements(end, start, closing)
    profit = net_profit(accounts, moved)
    adjustments: list[CashFlowAdjustment] = []
    sums = dict.fromkeys(CashFlowClass, 0)
    for account in sorted(accounts.values(), key=lambda a: a.code):
        if account.type in _PROFIT_TYPES:
            continue  # profit enters through net profit, whatever the account's class
        effect = -moved[account.id]
        kind = classes.get(account.id, CashFlowClass.OPERATING)
        sums[kind] += effect
        if kind is CashFlowClass.OPERATING and effect:
            adjustments.append(CashFlowAdjustment(account.code, account.name, effect))
    cash = {i for i, kind in classes.items() if kind is CashFlowClass.CASH}
    before_nets = _nets(start)
    opening = sum(net for i, net in before_nets.items() if i in cash)
    closing_cash = sum(r[5] for r in end if r[0] in cash)
    operating = profit + sums[CashFlowClass.OPERATING]
    investing, financing = sums[CashFlowClass.INVESTING], sums[CashFlowClass.FINANCING]
    return CashFlow(
        date_from=date_from,
        date_to=date_to,
        currency=currency,
        net_profit=profit,
        adjustments=adjustments,
        operating=operating,
        investing=investing,
        financing=financing,
        net_change=operating + investing + financing,
        opening_cash=opening,
        closing_cash=closing_cash,
    )
