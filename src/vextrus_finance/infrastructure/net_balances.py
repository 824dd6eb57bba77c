"""Balances of every account at the end of a day, as debits minus credits in integer paisa: the
trial balance's query (ADR 0021, ADR 0025).

A balance at the end of `as_of` is assembled from what is stored: the all-time totals on each
account row, one total per account and month (`account_period_totals`) and the posted lines
(`ledger_entries`). `plan_for` picks, for the date, the fewest stored rows that give the exact
balance; `NetBalanceQuery` sums them in one statement and fetches the rows through the driver.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.views import NetBalanceRow
from vextrus_finance.infrastructure.schema import account_period_totals, accounts, ledger_entries

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


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the bind parameters in the SQL's positional order
    processors: tuple[Callable[[Any], Any] | None, ...]


class NetBalanceQuery:
    """One statement per plan shape, compiled once per dialect and run through the driver.

    At 10,000 rows SQLAlchemy's result processing (a `Row` per account, result processors,
    the async adapter's cursor) cost about as much as the query itself on SQLite (~10 ms,
    docs/performance.md). The statement is still built and compiled by SQLAlchemy — the bind
    parameters go through the same bind processors — and only the fetch goes to the driver:
    aiosqlite's `execute_fetchall` (one hop to its thread) or asyncpg's `fetch`. The amounts are
    cast to BIGINT so that PostgreSQL's `sum` (NUMERIC) arrives as `int`, not `Decimal`."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, bool, int, int], _Compiled] = {}

    @staticmethod
    def statement(plan: Plan) -> sa.Select[Any]:
        apt, le, a = account_period_totals, ledger_entries, accounts
        tenant = sa.bindparam("tenant", type_=a.c.tenant_id.type)
        # (sign, amount) terms; no literal numbers, so the only bind parameters are the named ones.
        terms: list[tuple[int, sa.ColumnElement[Any]]] = []
        if plan.from_totals:
            terms.append((1, a.c.debit_total - a.c.credit_total))
        joined: sa.FromClause = a
        if plan.months is not None:
            periods = (
                sa.select(apt.c.account_id, sa.func.sum(apt.c.debit - apt.c.credit).label("net"))
                .where(
                    apt.c.tenant_id == tenant,
                    apt.c.month.between(
                        sa.bindparam("month_from", type_=apt.c.month.type),
                        sa.bindparam("month_to", type_=apt.c.month.type),
                    ),
                )
                .group_by(apt.c.account_id)
                .subquery("periods")
            )
            joined = joined.outerjoin(periods, periods.c.account_id == a.c.id)
            terms.append((plan.months_sign, sa.func.coalesce(periods.c.net, _ZERO)))
        if plan.days is not None:
            in_days = (
                sa.select(le.c.account_id, sa.func.sum(le.c.debit - le.c.credit).label("net"))
                .where(
                    le.c.tenant_id == tenant,
                    le.c.entry_date.between(
                        sa.bindparam("day_from", type_=le.c.entry_date.type),
                        sa.bindparam("day_to", type_=le.c.entry_date.type),
                    ),
                )
                .group_by(le.c.account_id)
                .subquery("in_days")
            )
            joined = joined.outerjoin(in_days, in_days.c.account_id == a.c.id)
            terms.append((plan.days_sign, sa.func.coalesce(in_days.c.net, _ZERO)))
        net: sa.ColumnElement[Any] = _ZERO
        for i, (sign, term) in enumerate(terms):
            if i == 0:
                net = term if sign > 0 else -term
            else:
                net = net + term if sign > 0 else net - term
        # Not ordered: the document sorts by code in Python (the database's collation need not
        # sort codes as Python does, and PostgreSQL's collation-aware sort cost ~20 ms).
        return (
            sa.select(
                a.c.id,
                a.c.code,
                a.c.name,
                a.c.type,
                a.c.is_active,
                sa.cast(net, sa.BigInteger).label("net"),
            )
            .select_from(joined)
            .where(
                a.c.tenant_id == tenant,
                a.c.currency == sa.bindparam("currency", type_=a.c.currency.type),
            )
        )

    def _compile(self, dialect: Dialect, plan: Plan) -> _Compiled:
        shape = (
            dialect.name,
            plan.from_totals,
            0 if plan.months is None else plan.months_sign,
            0 if plan.days is None else plan.days_sign,
        )
        compiled = self._compiled.get(shape)
        if compiled is None:
            statement = self.statement(plan).compile(dialect=dialect)
            names = tuple(statement.positiontup or ())
            processors = tuple(
                statement.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in names
            )
            compiled = self._compiled[shape] = _Compiled(str(statement), names, processors)
        return compiled

    async def rows(
        self, conn: AsyncConnection, tenant_id: str, currency: str, plan: Plan
    ) -> list[NetBalanceRow]:
        """Must run inside the reader's transaction, after a statement of SQLAlchemy's own has
        begun it (the asyncpg adapter begins its REPEATABLE READ transaction lazily)."""
        compiled = self._compile(conn.dialect, plan)
        values: dict[str, Any] = {"tenant": tenant_id, "currency": currency}
        if plan.months is not None:
            values["month_from"], values["month_to"] = plan.months
        if plan.days is not None:
            values["day_from"], values["day_to"] = plan.days
        parameters = [
            value if process is None else process(value)
            for value, process in zip(
                (values[name] for name in compiled.names), compiled.processors, strict=True
            )
        ]
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        found: Sequence[Sequence[Any]]
        if conn.dialect.name == "sqlite":
            found = await driver.execute_fetchall(compiled.sql, parameters)
        else:
            found = await driver.fetch(compiled.sql, *parameters)
        # SQLite stores booleans as 0/1.
        return [
            (account_id, code, name, account_type, bool(is_active), net)
            for account_id, code, name, account_type, is_active, net in found
        ]
