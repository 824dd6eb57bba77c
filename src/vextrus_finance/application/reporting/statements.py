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

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from operator import itemgetter
from typing import Protocol

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
# The same and the account's balance at the end of a day (debits − credits, paisa).
StatementBalance = tuple[str, str, str, str, str, int]
# Every account with its balance at `to`, the movements over [from, to] and the range's
# closing movements (`StatementReader.balances_and_movements`).
StatementFigures = tuple[list[StatementBalance], dict[str, int], dict[str, int]]


class StatementReader(Protocol):
    """What the statements read; the SQL ledger reader answers all of it in one snapshot."""

    async def statement_accounts(self, currency: str) -> list[StatementAccount]: ...

    async def balances_and_movements(
        self, currency: str, date_from: date, date_to: date
    ) -> StatementFigures:
        """Every account in `currency` with its balance at the end of `date_to`, and
        `movements` and `closing_movements` over [date_from, date_to], read together."""
        ...

    async def movements(self, date_from: date, date_to: date) -> dict[str, int]:
        """Σ debit − credit per account of every ledger entry dated in the range."""
        ...

    async def closing_movements(self, date_from: date, date_to: date) -> dict[str, int]:
        """The same, of the entries of CLOSING journals and of journals reversing them."""
        ...


# Lines and adjustments: a statement has one per account (thousands); a frozen dataclass's
# __init__ (object.__setattr__ per field) cost about ten times a slotted one's (ADR 0047).
@dataclass(slots=True)
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


@dataclass(slots=True)
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


def net_of_closing(raw: Mapping[str, int], closing: Mapping[str, int]) -> dict[str, int]:
    """The movements less the closing entries of the same range."""
    moved = dict(raw)
    for account_id, net in closing.items():
        moved[account_id] = moved.get(account_id, 0) - net
    return moved


def _profit(types: Mapping[str, str], moved: Mapping[str, int]) -> int:
    """Revenue − expense = −Σ (debits − credits) of the revenue and expense accounts (of the
    statement's currency: `types` holds only those)."""
    return -sum(net for i, net in moved.items() if types.get(i) in _PROFIT_TYPES)


def _sections(
    types: Collection[AccountType],
    chart: Mapping[str, tuple[str, str, str, str, str] | StatementBalance],
    amounts: Mapping[str, int],
    compare: Mapping[str, int] | None,
    extra: StatementLine | None = None,
) -> list[StatementSection]:
    """A section per type of `types` (the last one gets `extra`, a computed line, at its end
    when it is non-zero): the accounts with a non-zero amount (or compare amount), by code.
    `amounts` and `compare` hold non-zero figures only, so only those accounts are sorted and
    given a line."""
    shown = amounts.keys() | compare.keys() if compare is not None else amounts.keys()
    lines: dict[str, list[StatementLine]] = {t.value: [] for t in types}
    get = amounts.get
    other = compare.get if compare is not None else None
    for account_id, code, name, account_type, *_ in sorted(
        (chart[i] for i in shown), key=itemgetter(1)
    ):
        lines[account_type].append(
            StatementLine(
                account_id,
                code,
                name,
                get(account_id, 0),
                other(account_id, 0) if other is not None else None,
            )
        )
    if extra is not None and (extra.amount or extra.compare_amount):
        lines[AccountType.EQUITY.value].append(extra)
    return [
        StatementSection(
            t,
            lines[t.value],
            sum(line.amount for line in lines[t.value]),
            sum(line.compare_amount or 0 for line in lines[t.value])
            if compare is not None
            else None,
        )
        for t in types
    ]


# --- the statements ------------------------------------------------------------------------


async def _moved(reader: StatementReader, date_from: date, date_to: date) -> dict[str, int]:
    raw = await reader.movements(date_from, date_to)
    return net_of_closing(raw, await reader.closing_movements(date_from, date_to))


def _on_normal_side(
    types: Mapping[str, str], moved: Mapping[str, int], wanted: frozenset[str]
) -> dict[str, int]:
    return {
        i: net if _DEBIT_NORMAL[t] else -net
        for i, net in moved.items()
        if (t := types.get(i, "")) in wanted and net
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
    chart = {a[0]: a for a in await reader.statement_accounts(currency)}
    types = {i: a[3] for i, a in chart.items()}
    moved = await _moved(reader, date_from, date_to)
    other_moved = await _moved(reader, span[0], span[1]) if span else None
    amounts = _on_normal_side(types, moved, _PROFIT_TYPES)
    other = _on_normal_side(types, other_moved, _PROFIT_TYPES) if other_moved is not None else None
    return ProfitAndLoss(
        date_from=date_from,
        date_to=date_to,
        currency=currency,
        sections=_sections((AccountType.REVENUE, AccountType.EXPENSE), chart, amounts, other),
        net_profit=_profit(types, moved),
        compare_from=span[0] if span else None,
        compare_to=span[1] if span else None,
        compare_net_profit=_profit(types, other_moved) if other_moved is not None else None,
    )


@dataclass(frozen=True)
class _Position:
    chart: dict[str, StatementBalance]
    amounts: dict[str, int]  # balance-sheet accounts on their normal side, non-zero only
    current_year_earnings: int
    prior_years_not_closed: int


async def _position(reader: StatementReader, as_of: date, currency: str) -> _Position:
    """The balances at the end of `as_of` without the closing entries of its own fiscal year,
    the profit of that year so far, and the profit of earlier years never closed: revenue and
    expense balances left at the start of the year (zero once every earlier year is closed).
    One pass over the accounts, in integer paisa."""
    rows, moved, closing = await reader.balances_and_movements(
        currency, fiscal_year_start(as_of), as_of
    )
    amounts: dict[str, int] = {}
    earnings = unclosed = 0  # −Σ (debits − credits): the year's movement, the balance
    get_moved, get_closing = moved.get, closing.get
    debit_normal = _DEBIT_NORMAL
    for account_id, _, _, account_type, _, stored in rows:
        balance = stored - get_closing(account_id, 0) if closing else stored
        if account_type in _PROFIT_TYPES:
            earnings -= get_moved(account_id, 0) - get_closing(account_id, 0)
            unclosed -= balance
        elif balance:
            amounts[account_id] = balance if debit_normal[account_type] else -balance
    return _Position({r[0]: r for r in rows}, amounts, earnings, unclosed - earnings)


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
    prior = StatementLine(
        None,
        None,
        PRIOR_YEARS_NOT_CLOSED,
        now.prior_years_not_closed,
        then.prior_years_not_closed if then else None,
    )
    sections = _sections(
        _BALANCE_SHEET_TYPES, now.chart, now.amounts, then.amounts if then else None, prior
    )
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
    rows, raw, closing = await reader.balances_and_movements(currency, date_from, date_to)
    moved = net_of_closing(raw, closing) if closing else raw
    get_moved, get_raw = moved.get, raw.get
    profit = closing_cash = cash_moved = 0
    operating_lines: list[tuple[str, str, int]] = []
    sums = dict.fromkeys(CashFlowClass, 0)
    cash, operating_class = CashFlowClass.CASH, CashFlowClass.OPERATING
    for account_id, code, name, account_type, kind, balance in rows:
        flow = _CLASSES.get(kind, operating_class)
        if flow is cash:  # whatever the account's type
            closing_cash += balance
            cash_moved += get_raw(account_id, 0)
        if account_type in _PROFIT_TYPES:
            profit -= get_moved(account_id, 0)
            continue  # profit enters through net profit, whatever the account's class
        effect = -get_moved(account_id, 0)
        sums[flow] += effect
        if flow is operating_class and effect:
            operating_lines.append((code, name, effect))
    operating_lines.sort(key=itemgetter(0))
    adjustments = [CashFlowAdjustment(code, name, amount) for code, name, amount in operating_lines]
    opening_cash = closing_cash - cash_moved
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
