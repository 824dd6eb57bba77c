"""The chart of accounts as commands see it, inside their transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

from vextrus_finance.application.ports import AccountRecord, LockedAccounts
from vextrus_finance.domain.accounts import (
    ACCOUNT_TYPE_BY_VALUE,
    AccountBalance,
    AccountType,
    BalanceLimit,
)
from vextrus_finance.domain.fiscal import PeriodStatus
from vextrus_finance.domain.money import from_minor
from vextrus_finance.infrastructure.db.driver import driver
from vextrus_finance.infrastructure.db.reader import row_view
from vextrus_finance.infrastructure.db.schema import accounts, fiscal_periods, ledger_entries
from vextrus_finance.infrastructure.ledger.control_accounts import is_control_account
from vextrus_finance.infrastructure.ledger.period_guard import SqlPeriodGuard, period_status


def _record(row: sa.Row[tuple[object, ...]] | sa.RowMapping) -> AccountRecord:
    m = row._mapping if isinstance(row, sa.Row) else row
    return row_view(
        AccountRecord,
        m,
        type=AccountType(m["type"]),
        balance_limit=BalanceLimit(m["balance_limit"]) if m["balance_limit"] else None,
        is_header=bool(m["is_header"]),
        is_control=bool(m["is_control"]),
    )


# Prebuilt with bound (expanding) parameters: compiled once per dialect, not per command.
_CHILD = accounts.alias("child")
# A header account (one with children) takes no lines: one probe of ix_accounts_tenant_parent
# per account named, inside the statement that already reads it (no stored flag to keep
# rebuildable, no extra round trip).
_HAS_CHILDREN = sa.exists().where(
    _CHILD.c.tenant_id == accounts.c.tenant_id, _CHILD.c.parent_id == accounts.c.id
)
_IS_HEADER = _HAS_CHILDREN.label("is_header")
# A control account (the stored posting profile's receivable or payable, or an account some
# invoice names as its control account; `control_accounts.py`) takes manual lines only with a
# counterparty: one primary-key probe per role and one probe of
# ix_invoices_tenant_control_account.
_IS_CONTROL_CONDITION = is_control_account(accounts)
_IS_CONTROL = _IS_CONTROL_CONDITION.label("is_control")
_BY_IDS = sa.select(accounts, _IS_HEADER, _IS_CONTROL).where(
    accounts.c.tenant_id == sa.bindparam("tenant_id"),
    accounts.c.id.in_(sa.bindparam("ids", expanding=True)),
)
_BY_CODES = sa.select(accounts, _IS_HEADER, _IS_CONTROL).where(
    accounts.c.tenant_id == sa.bindparam("tenant_id"),
    accounts.c.code.in_(sa.bindparam("codes", expanding=True)),
)
# Served by ix_ledger_entries_account_order (tenant, account, date …): a range of one account.
_DAILY_AFTER = (
    sa.select(
        ledger_entries.c.entry_date,
        sa.func.sum(ledger_entries.c.debit),
        sa.func.sum(ledger_entries.c.credit),
    )
    .where(
        ledger_entries.c.tenant_id == sa.bindparam("tenant_id"),
        ledger_entries.c.account_id == sa.bindparam("account_id"),
        ledger_entries.c.entry_date > sa.bindparam("day", type_=sa.Date),
    )
    .group_by(ledger_entries.c.entry_date)
    .order_by(ledger_entries.c.entry_date)
)
# Every posting locks its accounts: through the driver (ADR 0026), with statements built here
# once per shape and dialect. ORDER BY + FOR UPDATE locks the rows in id order, so two postings
# touching the same accounts queue instead of deadlocking (SQLite has one writer; the clause is
# not emitted there). PostgreSQL takes each list as one array parameter; SQLite gets one
# placeholder per name (a list passed as JSON made its planner walk the tenant's whole chart
# in id order instead of looking the names up).
_LOCKED = (
    accounts.c.id,
    accounts.c.code,
    accounts.c.name,
    accounts.c.type,
    accounts.c.parent_id,
    accounts.c.currency,
    accounts.c.is_active,
    accounts.c.balance_limit,
    accounts.c.debit_total,
    accounts.c.credit_total,
    _IS_HEADER,
    _IS_CONTROL,
)
_TENANT = accounts.c.tenant_id == sa.bindparam("tenant_id")
# A posting's period guard carried by its account lock (PostgreSQL, ADR 0028): the CTE's FOR
# SHARE names fiscal_periods first, so the statement takes its ROW SHARE table lock — what
# holds a period close back (period_guard.py) — when it starts, before any account row: the
# lock order of docs/architecture.md §6 holds. Each account row carries the status.
_PERIOD = (
    sa.select(fiscal_periods.c.status)
    .where(
        fiscal_periods.c.tenant_id == sa.bindparam("tenant_id"),
        fiscal_periods.c.code == sa.bindparam("period"),
    )
    .with_for_update(read=True)
    .cte("period")
)
_PERIOD_STATUS = sa.select(_PERIOD.c.status).scalar_subquery().label("period_status")
# Above this many names a list goes to SQLite as one JSON array (a huge batch scans the chart
# once; SQLite caps the number of placeholders, and the statements cached here stay few).
SQLITE_PLACEHOLDER_LIMIT = 256


def _postgresql_lock(by_id: bool, by_code: bool, *, carry_period: bool) -> sa.Select[Any]:
    """Parameters: tenant_id, period (when carried), ids and codes (text arrays)."""
    named = [
        column == sa.any_(sa.bindparam(name, type_=ARRAY(sa.Text)))
        for column, name, wanted in (
            (accounts.c.id, "ids", by_id),
            (accounts.c.code, "codes", by_code),
        )
        if wanted
    ]
    columns = (*_LOCKED, _PERIOD_STATUS) if carry_period else _LOCKED
    return (
        sa.select(*columns)
        .where(_TENANT, sa.or_(*named))
        .order_by(accounts.c.id)
        .with_for_update(of=accounts)
    )


# How a lock statement takes one kind of names on SQLite.
_NONE, _EACH, _JSON = 0, 1, 2  # none; one placeholder per name; one JSON array


def _sqlite_lock(ids: int, codes: int) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    """Parameters: tenant_id, ids and codes (expanding, or JSON text above the placeholder
    limit). One SELECT per list joined by UNION, no ORDER BY: SQLite takes no row locks (one
    writer), and both an ORDER BY id and an OR of the two lists made its planner walk the
    tenant's whole chart when the table had no statistics yet."""
    selects = []
    for column, name, kind in ((accounts.c.id, "ids", ids), (accounts.c.code, "codes", codes)):
        if kind == _JSON:
            json_array = sa.func.json_each(sa.bindparam(name))
            names: Any = sa.select(sa.column("value")).select_from(json_array)
        elif kind == _EACH:
            names = sa.bindparam(name, expanding=True)
        else:
            continue
        selects.append(sa.select(*_LOCKED).where(_TENANT, column.in_(names)))
    return sa.union(*selects) if len(selects) > 1 else selects[0]


@dataclass(frozen=True)
class _Slot:
    """Where one placeholder's value comes from: `values[key]`, or its `index`-th name."""

    key: str
    index: int | None = None


@dataclass(frozen=True)
class _Statement:
    """A lock statement as the driver runs it: its text and where each parameter comes from."""

    sql: str
    order: tuple[_Slot, ...]

    @classmethod
    def expand(cls, compiled: SQLCompiler, ids: int, codes: int) -> _Statement:
        """The statement for `ids` and `codes` names: SQLAlchemy expands the lists and renders
        the constants (the control account's roles); each placeholder is traced back to its
        value by the slot it was given."""
        slots: dict[str, Any] = {"tenant_id": _Slot("tenant_id"), "period": _Slot("period")}
        for key, count in (("ids", ids), ("codes", codes)):
            bind = compiled.binds.get(key)
            expanding = bind is not None and bind.expanding
            slots[key] = [_Slot(key, n) for n in range(count)] if expanding else _Slot(key)
        given = {name: slot for name, slot in slots.items() if name in compiled.binds}
        expanded = compiled.construct_expanded_state(given)
        order = tuple(expanded.parameters[name] for name in expanded.positiontup or ())
        assert all(isinstance(slot, _Slot) for slot in order), order
        return cls(expanded.statement, order)

    def args(self, values: dict[str, Any]) -> list[Any]:
        return [values[s.key] if s.index is None else values[s.key][s.index] for s in self.order]


_COMPILED: dict[tuple[str, int, int, bool], SQLCompiler] = {}
_STATEMENTS: dict[tuple[str, int, int, bool], _Statement] = {}


def _compiled(dialect: Dialect, ids: int, codes: int, *, carry_period: bool) -> SQLCompiler:
    """A lock statement compiled once per dialect and kind of lists."""
    key = (dialect.name, ids, codes, carry_period)
    found = _COMPILED.get(key)
    if found is None:
        if dialect.name == "sqlite":
            statement: sa.ClauseElement = _sqlite_lock(ids, codes)
        else:
            statement = _postgresql_lock(bool(ids), bool(codes), carry_period=carry_period)
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        found = _COMPILED[key] = compiled
    return found


def _kind(count: int) -> int:
    return _NONE if not count else _JSON if count > SQLITE_PLACEHOLDER_LIMIT else _EACH


def lock_statement(dialect: Dialect, ids: int, codes: int, *, carry_period: bool) -> _Statement:
    """The lock for `ids` names by id and `codes` by code, expanded once per count on SQLite
    (counts above the placeholder limit share one statement) and per kind on PostgreSQL."""
    if dialect.name == "sqlite":
        ids, codes = (min(n, SQLITE_PLACEHOLDER_LIMIT + 1) for n in (ids, codes))
        carry_period = False
        kinds = (_kind(ids), _kind(codes))
    else:
        ids, codes = min(ids, 1), min(codes, 1)
        kinds = (ids, codes)
    key = (dialect.name, ids, codes, carry_period)
    found = _STATEMENTS.get(key)
    if found is None:
        compiled = _compiled(dialect, *kinds, carry_period=carry_period)
        found = _STATEMENTS[key] = _Statement.expand(compiled, ids, codes)
    return found


def _sqlite_names(names: list[str]) -> list[str] | str:
    """A list as the SQLite statement takes it: JSON text above the placeholder limit."""
    return json.dumps(names) if len(names) > SQLITE_PLACEHOLDER_LIMIT else names


class SqlAccountDirectory:
    def __init__(
        self, conn: AsyncConnection, tenant_id: str, guard: SqlPeriodGuard | None = None
    ) -> None:
        self._conn = conn
        self._tenant = tenant_id
        # The unit of work's period guard: a pending guard rides on the account lock.
        self._guard = guard or SqlPeriodGuard(conn, tenant_id)

    async def _named(
        self, statement: sa.Select[Any], param: str, names: Iterable[str], *, by: str
    ) -> dict[str, AccountRecord]:
        """The accounts `statement` finds for `names` (its list parameter `param`), keyed
        by their column `by`; no statement for no names."""
        wanted = list(set(names))
        if not wanted:
            return {}
        result = await self._conn.execute(statement, {"tenant_id": self._tenant, param: wanted})
        return {row._mapping[by]: _record(row) for row in result}

    async def by_ids(self, ids: Iterable[str]) -> dict[str, AccountRecord]:
        return await self._named(_BY_IDS, "ids", ids, by="id")

    async def by_codes(self, codes: Iterable[str]) -> dict[str, AccountRecord]:
        return await self._named(_BY_CODES, "codes", codes, by="code")

    async def code_taken(self, code: str) -> bool:
        result = await self._conn.execute(
            sa.select(sa.literal(1)).where(
                accounts.c.tenant_id == self._tenant, accounts.c.code == code
            )
        )
        return result.first() is not None

    async def ancestors(self, account_id: str) -> frozenset[str]:
        chain = (
            sa.select(accounts.c.id, accounts.c.parent_id)
            .where(accounts.c.tenant_id == self._tenant, accounts.c.id == account_id)
            .cte("chain", recursive=True)
        )
        parent = accounts.alias("parent")
        chain = chain.union(
            sa.select(parent.c.id, parent.c.parent_id).where(
                parent.c.tenant_id == self._tenant, parent.c.id == chain.c.parent_id
            )
        )
        result = await self._conn.execute(sa.select(chain.c.id).where(chain.c.id != account_id))
        return frozenset(result.scalars())

    async def has_active_children(self, account_id: str) -> bool:
        result = await self._conn.execute(
            sa.select(sa.literal(1)).where(
                accounts.c.tenant_id == self._tenant,
                accounts.c.parent_id == account_id,
                accounts.c.is_active.is_(True),
            )
        )
        return result.first() is not None

    async def daily_movements_after(
        self, account_id: str, day: date
    ) -> list[tuple[date, Decimal, Decimal]]:
        result = await self._conn.execute(
            _DAILY_AFTER, {"tenant_id": self._tenant, "account_id": account_id, "day": day}
        )
        return [(d, from_minor(int(dr)), from_minor(int(cr))) for d, dr, cr in result]

    async def lock(self, ids: Iterable[str], codes: Iterable[str] = ()) -> LockedAccounts:
        """One statement. On PostgreSQL it also carries a period guard still pending (a round
        trip fewer per create-and-post); SQLite runs its statements inline, and its guard
        needs no lock (one writer), so there the guard is read on its own."""
        wanted_ids, wanted_codes = sorted(set(ids)), sorted(set(codes))
        if not (wanted_ids or wanted_codes):
            return LockedAccounts({}, {}, {})
        db = await driver(self._conn)
        values: dict[str, Any] = {"tenant_id": self._tenant}
        period = None
        if db.dialect == "sqlite":
            values |= {"ids": _sqlite_names(wanted_ids), "codes": _sqlite_names(wanted_codes)}
        else:
            period = self._guard.carry()
            values |= {"ids": wanted_ids, "codes": wanted_codes}
            if period is not None:
                values["period"] = period.code
        statement = lock_statement(
            self._conn.dialect, len(wanted_ids), len(wanted_codes), carry_period=period is not None
        )
        by_id: dict[str, AccountRecord] = {}
        by_code: dict[str, AccountRecord] = {}
        balances: dict[str, AccountBalance] = {}
        status: PeriodStatus | None = None
        for row in await db.fetch(statement.sql, statement.args(values)):
            (id_, code, name, type_, parent, currency, active, limit, debit, credit) = row[:10]
            if period is not None:
                status = period_status(row[12])
            account_type = ACCOUNT_TYPE_BY_VALUE[type_]
            balance_limit = BalanceLimit(limit) if limit else None
            record = AccountRecord(
                id=id_,
                code=code,
                name=name,
                type=account_type,
                parent_id=parent,
                currency=currency,
                is_active=bool(active),
                balance_limit=balance_limit,
                is_header=bool(row[10]),
                is_control=bool(row[11]),
            )
            by_id[id_] = record
            by_code[code] = record
            balances[id_] = AccountBalance(
                id=id_,
                code=code,
                type=account_type,
                is_active=bool(active),
                balance_limit=balance_limit,
                debit_total=from_minor(debit),
                credit_total=from_minor(credit),
            )
        if period is not None:
            self._guard.carried(period, status)
        return LockedAccounts(by_id, by_code, balances)
