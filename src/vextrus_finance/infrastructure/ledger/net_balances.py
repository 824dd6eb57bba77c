"""Balances of every account at the end of a day, as debits minus credits in integer paisa: the
trial balance's query (ADR 0021, ADR 0025).

A balance at the end of `as_of` is assembled from what is stored: the all-time totals on each
account row, one total per account and month (`account_period_totals`) and the posted lines
(`ledger_entries`). `plan_for` picks, for the date, the fewest stored rows that give the exact
balance; `NetBalanceQuery` sums them per account and fetches the rows through the driver.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.ledger.views import NetBalanceRow
from vextrus_finance.domain.limits import stored_totals_out_of_range
from vextrus_finance.infrastructure.db.driver import Select
from vextrus_finance.infrastructure.db.errors import is_overflow
from vextrus_finance.infrastructure.db.schema import account_period_totals, accounts, ledger_entries

_ZERO: sa.ColumnElement[int] = sa.literal_column(
    "0"
)  # not a bind parameter: the statement's are all named


def _month_index(key: int) -> int:
    """`YYYYMM` → months since year 0, so that month keys can be counted and stepped."""
    return key // 100 * 12 + key % 100 - 1


def _month_key(index: int) -> int:
    return index // 12 * 100 + index % 12 + 1


@dataclass(frozen=True)
class Plan:
    """balance(as_of) = [all-time totals if `from_totals`] + `months_sign` × Σ month totals of
    `months` + `days_sign` × Σ ledger entries dated in `days` (ranges inclusive; `None` = the
    side is not read at all)."""

    from_totals: bool
    months: tuple[int, int] | None
    months_sign: int
    days: tuple[date, date] | None
    days_sign: int


def plan_for(as_of: date, first_month: int | None, last_month: int | None) -> Plan:
    """The cheapest exact way to the balances at the end of `as_of`, given the first and last
    months that have stored totals (`None`: no postings at all).

    The days of `as_of`'s month come from whichever side of `as_of` is shorter: its first days
    up to `as_of` added to the months before, or the days after `as_of` subtracted from a sum
    that includes the whole month. A month's last day therefore reads no ledger entries at all
    — the usual past date, a month or year end. The months are then walked from whichever end
    holds fewer of them: forward from the first stored month and added to zero, or backward
    from the last one and subtracted from the all-time totals ("today" reads almost nothing,
    a date years back no more than a date in the middle)."""
    month = _month_index(as_of.year * 100 + as_of.month)
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    days_after = last_day - as_of.day
    # Days after `as_of` are subtracted from a sum that covers the whole month.
    upper = days_after < as_of.day
    days: tuple[date, date] | None
    if upper:
        days = (as_of + timedelta(days=1), as_of.replace(day=last_day)) if days_after else None
    else:
        days = (as_of.replace(day=1), as_of)
    # Forward: months up to the one before (lower) or including (upper) `as_of`'s month, added
    # to zero. Backward: the months after that, subtracted from the all-time totals.
    forward_to = month if upper else month - 1
    if first_month is None or last_month is None:
        return Plan(False, None, 1, None, 1)  # nothing posted: every balance is zero
    first, last = _month_index(first_month), _month_index(last_month)
    forward_count = max(0, min(forward_to, last) - first + 1)
    backward_count = max(0, last - max(forward_to + 1, first) + 1)
    days_sign = -1 if upper else 1
    if forward_count <= backward_count:
        months = (_month_key(first), _month_key(min(forward_to, last))) if forward_count else None
        return Plan(False, months, 1, days, days_sign)
    months = (_month_key(max(forward_to + 1, first)), _month_key(last)) if backward_count else None
    return Plan(True, months, -1, days, days_sign)


_Sums = Sequence[tuple[str, int]]  # (account id, Σ debit − credit) rows


def _tenant() -> sa.BindParameter[str]:
    return sa.bindparam("tenant", type_=accounts.c.tenant_id.type)


def _accounts_statement() -> sa.Select[Any]:
    a = accounts
    return sa.select(
        a.c.id, a.c.code, a.c.name, a.c.type, a.c.is_active, a.c.debit_total - a.c.credit_total
    ).where(
        a.c.tenant_id == _tenant(),
        a.c.currency == sa.bindparam("currency", type_=a.c.currency.type),
    )


def _sum_statement(amounts: sa.Table, key: sa.ColumnElement[Any]) -> Select:
    """Σ debit − credit per account over a range of `key` (month or entry date). Cast to BIGINT
    so that PostgreSQL's `sum` (NUMERIC) arrives as `int`, not `Decimal`."""
    return Select(
        sa.select(
            amounts.c.account_id,
            sa.cast(sa.func.sum(amounts.c.debit - amounts.c.credit), sa.BigInteger),
        )
        .where(
            amounts.c.tenant_id == _tenant(),
            key.between(sa.bindparam("low", type_=key.type), sa.bindparam("high", type_=key.type)),
        )
        .group_by(amounts.c.account_id),
        off_loop=True,
    )


# A span of stored rows: ("months", first YYYYMM, last YYYYMM) or ("days", first, last day).
Span = tuple[str, Any, Any]
_SPAN_SUMS = {
    "months": _sum_statement(account_period_totals, account_period_totals.c.month),
    "days": _sum_statement(ledger_entries, ledger_entries.c.entry_date),
}


async def span_sums(conn: AsyncConnection, tenant_id: str, span: Span) -> _Sums:
    """Σ debit − credit per account of the month totals or the ledger entries of `span` (the
    one statement of each kind that the trial balance and the statements read); a sum beyond
    BIGINT is `stored_totals_out_of_range`. Accounts without rows in the span are missing."""
    kind, low, high = span
    try:
        return cast(_Sums, await _SPAN_SUMS[kind].rows(conn, tenant=tenant_id, low=low, high=high))
    except (OverflowError, sa.exc.DBAPIError) as exc:
        if is_overflow(exc):
            raise stored_totals_out_of_range() from exc
        raise


def plan_spans(plan: Plan) -> list[tuple[Span, int]]:
    """The spans `plan` sums with their signs (the all-time totals aside)."""
    spans: list[tuple[Span, int]] = []
    if plan.months is not None:
        spans.append((("months", *plan.months), plan.months_sign))
    if plan.days is not None:
        spans.append((("days", *plan.days), plan.days_sign))
    return spans


ACCOUNTS_WITH_TOTALS = Select(_accounts_statement(), off_loop=True)


class NetBalanceQuery:
    """Up to three statements, each over one table: the accounts (with their all-time totals),
    the month totals of `plan.months` summed per account, the ledger entries of `plan.days`
    summed per account; combined per account in Python, in the reader's one transaction.

    Not one statement joining the sums to the accounts: on a PostgreSQL table not yet analysed
    (a fresh rebuild) the planner took each grouped side for one row and ran it once per
    account in a nested loop. Three single-table statements have no join to get wrong, and
    combining the rows in a dict costs about what the database's hash join did.

    Each statement is compiled once per dialect and fetched through the driver (`Select`, off the
    event loop on SQLite), plain tuples: SQLAlchemy's result handling of a whole chart cost
    about as much as the SQLite query itself (docs/performance.md, ADR 0025)."""

    async def rows(
        self, conn: AsyncConnection, tenant_id: str, currency: str, plan: Plan
    ) -> list[NetBalanceRow]:
        """Runs inside the reader's transaction (the driver begins the asyncpg adapter's
        REPEATABLE READ transaction if no statement has yet): the statements read one
        snapshot."""
        moved: dict[str, int] = {}
        for span, sign in plan_spans(plan):
            side = await span_sums(conn, tenant_id, span)
            if not moved:  # the first side read: one dict built in C when added
                moved = dict(side) if sign > 0 else {key: -net for key, net in side}
                continue
            for account_id, net in side:
                moved[account_id] = moved.get(account_id, 0) + sign * net
        found = await ACCOUNTS_WITH_TOTALS.rows(conn, tenant=tenant_id, currency=currency)
        get = moved.get
        # bool(): SQLite stores booleans as 0/1.
        if plan.from_totals:
            return [
                (account_id, code, name, account_type, bool(is_active), total + get(account_id, 0))
                for account_id, code, name, account_type, is_active, total in found
            ]
        return [
            (account_id, code, name, account_type, bool(is_active), get(account_id, 0))
            for account_id, code, name, account_type, is_active, _ in found
        ]
