"""The three financial statements — profit and loss, balance sheet, cash flow (indirect) — from
the stored totals the trial balance reads (ADR 0047): never a scan of journal lines.

Every figure is integer paisa. The movement of an account over [from, to] is the reader's
`movements` (debits − credits of the range, from the month totals) less `closing_movements`
(the ledger entries of CLOSING journals — the fiscal-year close — and of their reversals dated
inside the range): a statement never shows the close itself, so a year's statements read the
same before and after its close. Balances at a date come from `net_balances_as_of`, the trial
balance's query. Amounts are positive on each type's normal side (debit for assets and
expenses, credit for the rest)."""

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
_CLASSES = {c.value: c for c in CashFlowClass}


class Compare(StrEnum):
    PREVIOUS_PERIOD = "previous_period"
    PREVIOUS_YEAR = "previous_year"


# (account id, code, name, type, cash-flow class), as stored
StatementAccount = tuple[str, str, str, str, str]


class StatementReader(Protocol):
    """What the statements read; the SQL ledger reader answers all of it in one snapshot."""

    async def statement_accounts(self, currency: str) -> list[StatementAccount]: ...

    async def net_balances_as_of(self, as_of: date, currency: str) -> list[NetBalanceRow]: ...

    async def movements(self, date_from: date, date_to: date) -> dict[str, int]:
        """Σ debit − credit per account of every ledger entry dated in the range."""
        ...

    async def closing_movements(self, date_from: date, date_to: date) -> dict[str, int]:
        """The same, of the entries of CLOSING journals and of journals reversing them."""
        ...


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


def _by_type(
    accounts: Iterable[tuple[str, str, str, str]],
) -> dict[str, list[tuple[str, str, str]]]:
    """(id, code, name) of each type's accounts, by code: sorted once for every section."""
    grouped: dict[str, list[tuple[str, str, str]]] = {t.value: [] for t in AccountType}
    for account_id, code, name, account_type in sorted(accounts, key=lambda a: a[1]):
        grouped[account_type].append((account_id, code, name))
    return grouped


def net_of_closing(raw: Mapping[str, int], closing: Mapping[str, int]) -> dict[str, int]:
    """The movements less the closing entries of the same range."""
    moved = dict(raw)
    for account_id, net in closing.items():
        moved[account_id] = moved.get(account_id, 0) - net
    return moved


def _normal(account_type: str, net_debit: int) -> int:
    return net_debit if _DEBIT_NORMAL[account_type] else -net_debit


def _profit(types: Mapping[str, str], moved: Mapping[str, int]) -> int:
    """Revenue − expense = −Σ (debits − credits) of the revenue and expense accounts (of the
    statement's currency: `types` holds only those)."""
    return -sum(net for i, net in moved.items() if types.get(i) in _PROFIT_TYPES)


def _section(
    account_type: AccountType,
    accounts: list[tuple[str, str, str]],
    amounts: Mapping[str, int],
    compare: Mapping[str, int] | None,
    extra: StatementLine | None = None,
) -> StatementSection:
    """The accounts with a non-zero amount (or compare amount), by code; `extra` (a computed
    line) last when it is non-zero."""
    lines = []
    get = amounts.get
    for account_id, code, name in accounts:
        amount = get(account_id, 0)
        other = compare.get(account_id, 0) if compare is not None else None
        if amount or other:
            lines.append(StatementLine(account_id, code, name, amount, other))
    if extra is not None and (extra.amount or extra.compare_amount):
        lines.append(extra)
    total = sum(line.amount for line in lines)
    compare_total = sum(line.compare_amount or 0 for line in lines) if compare is not None else None
    return StatementSection(account_type, lines, total, compare_total)


# --- the statements ------------------------------------------------------------------------


async def _moved(reader: StatementReader, date_from: date, date_to: date) -> dict[str, int]:
    raw = await reader.movements(date_from, date_to)
    return net_of_closing(raw, await reader.closing_movements(date_from, date_to))


def _on_normal_side(
    types: Mapping[str, str], moved: Mapping[str, int], wanted: frozenset[str]
) -> dict[str, int]:
    return {
        i: _normal(t, net) for i, net in moved.items() if (t := types.get(i, "")) in wanted and net
    }


async def profit_and_loss(
    reader: StatementReader,
    date_from: date,
    date_to: date,
    currency: str,
    compare: Compare | None = None,
) -> ProfitAndLoss:
    check_range(date_from, date_to)
    span = compare_range(date_from, date_to, compare) if compare else None
    chart = await reader.statement_accounts(currency)
    types = {a[0]: a[3] for a in chart}
    moved = await _moved(reader, date_from, date_to)
    other_moved = await _moved(reader, span[0], span[1]) if span else None
    grouped = _by_type(a[:4] for a in chart)
    amounts = _on_normal_side(types, moved, _PROFIT_TYPES)
    other = _on_normal_side(types, other_moved, _PROFIT_TYPES) if other_moved is not None else None
    sections = [
        _section(t, grouped[t.value], amounts, other)
        for t in (AccountType.REVENUE, AccountType.EXPENSE)
    ]
    return ProfitAndLoss(
        date_from=date_from,
        date_to=date_to,
        currency=currency,
        sections=sections,
        net_profit=_profit(types, moved),
        compare_from=span[0] if span else None,
        compare_to=span[1] if span else None,
        compare_net_profit=_profit(types, other_moved) if other_moved is not None else None,
    )


@dataclass(frozen=True)
class _Position:
    rows: list[NetBalanceRow]
    amounts: dict[str, int]  # balance-sheet accounts on their normal side
    current_year_earnings: int
    prior_years_not_closed: int


_BALANCE_TYPES = frozenset(t.value for t in _BALANCE_SHEET_TYPES)


async def _position(reader: StatementReader, as_of: date, currency: str) -> _Position:
    """The balances at the end of `as_of` without the closing entries of its own fiscal year,
    the profit of that year so far, and the profit of earlier years never closed: revenue and
    expense balances left at the start of the year (zero once every earlier year is closed)."""
    year_start = fiscal_year_start(as_of)
    rows = await reader.net_balances_as_of(as_of, currency)
    closing = await reader.closing_movements(year_start, as_of)
    this_year = await _moved(reader, year_start, as_of)
    types = {r[0]: r[3] for r in rows}
    balances = net_of_closing({r[0]: r[5] for r in rows}, closing)
    earnings = _profit(types, this_year)
    all_unclosed = _profit(types, balances)
    return _Position(
        rows,
        _on_normal_side(types, balances, _BALANCE_TYPES),
        earnings,
        all_unclosed - earnings,
    )


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
    compare_as_of = _year_earlier(as_of, "compare") if compare else None
    now = await _position(reader, as_of, currency)
    then = await _position(reader, compare_as_of, currency) if compare_as_of else None
    # Every account is in `now`: accounts are never deleted, and both read one snapshot.
    grouped = _by_type(r[:4] for r in now.rows)
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
            grouped[t.value],
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
    the change of the CASH accounts, whose balances open and close the statement (opening:
    the balance at `date_to` less the range's movement, i.e. at the end of `from − 1`)."""
    check_range(date_from, date_to)
    chart = await reader.statement_accounts(currency)
    rows = await reader.net_balances_as_of(date_to, currency)
    raw = await reader.movements(date_from, date_to)
    moved = net_of_closing(raw, await reader.closing_movements(date_from, date_to))
    types = {a[0]: a[3] for a in chart}
    classes = {a[0]: a[4] for a in chart}
    profit = _profit(types, moved)
    adjustments: list[CashFlowAdjustment] = []
    sums = dict.fromkeys(CashFlowClass, 0)
    for account_id, code, name, account_type, kind in sorted(chart, key=lambda a: a[1]):
        if account_type in _PROFIT_TYPES:
            continue  # profit enters through net profit, whatever the account's class
        effect = -moved.get(account_id, 0)
        flow = _CLASSES.get(kind, CashFlowClass.OPERATING)
        sums[flow] += effect
        if flow is CashFlowClass.OPERATING and effect:
            adjustments.append(CashFlowAdjustment(code, name, effect))
    cash = CashFlowClass.CASH.value
    closing_cash = sum(r[5] for r in rows if classes.get(r[0]) == cash)
    opening_cash = closing_cash - sum(net for i, net in raw.items() if classes.get(i) == cash)
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
        opening_cash=opening_cash,
        closing_cash=closing_cash,
    )
