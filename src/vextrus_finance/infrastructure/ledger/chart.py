"""The chart of accounts as commands see it, inside their transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.ports import AccountRecord, LockedAccounts
from vextrus_finance.domain.accounts import (
    ACCOUNT_TYPE_BY_VALUE,
    AccountBalance,
    AccountType,
    BalanceLimit,
)
from vextrus_finance.domain.fiscal import FiscalPeriod, PeriodStatus
from vextrus_finance.domain.money import from_minor
from vextrus_finance.infrastructure.db.driver import driver
from vextrus_finance.infrastructure.db.schema import accounts, ledger_entries
from vextrus_finance.infrastructure.ledger.control_accounts import (
    condition_sql,
    is_control_account,
)
from vextrus_finance.infrastructure.ledger.period_guard import SqlPeriodGuard


def _record(row: sa.Row[tuple[object, ...]] | sa.RowMapping) -> AccountRecord:
    m = row._mapping if isinstance(row, sa.Row) else row
    return AccountRecord(
        id=m["id"],
        code=m["code"],
        name=m["name"],
        type=AccountType(m["type"]),
        parent_id=m["parent_id"],
        currency=m["currency"],
        is_active=m["is_active"],
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
# Every posting locks its accounts: through the driver (ADR 0026). ORDER BY + FOR UPDATE locks
# the rows in id order, so two postings touching the same accounts queue instead of
# deadlocking (SQLite has one writer; the clause is not emitted there). PostgreSQL takes each
# list as one array parameter; SQLite gets one placeholder per name (a list passed as JSON made
# its planner walk the tenant's whole chart in id order instead of looking the names up).
# The code's own constants only.
_LOCK = (
    "SELECT id, code, name, type, parent_id, currency, is_active, balance_limit, debit_total, "  # noqa: S608
    "credit_total, "
    + condition_sql(_HAS_CHILDREN)
    + " AS is_header, ("
    + condition_sql(_IS_CONTROL_CONDITION)
    + ") AS is_control FROM accounts WHERE tenant_id = {} AND "
)
# A create-and-post on PostgreSQL: its period's status and its accounts in one round trip
# (ADR 0028). The CTE's FOR SHARE names fiscal_periods first, so the statement takes its ROW
# SHARE table lock — what holds a period close back (period_guard.py) — when it starts, before
# any account row: the lock order of docs/architecture.md §6 holds. A period without a row is
# open (NULL), as `SqlPeriodGuard` reads it.
_PERIOD = (
    "WITH period AS (SELECT status FROM fiscal_periods WHERE tenant_id = $1 AND code = $2"
    " FOR SHARE) "
)


def _postgresql_lock(columns: tuple[str, ...], *, with_period: bool) -> str:
    """`_LOCK` for PostgreSQL: $1 the tenant, then (with the period) $2 its code, then one
    array parameter per column named."""
    select = _LOCK.format("$1")
    first = 2
    if with_period:
        select = _PERIOD + select.replace(
            " FROM accounts WHERE", ", (SELECT status FROM period) FROM accounts WHERE"
        )
        first = 3
    names = " OR ".join(f"{column} = ANY(${n}::text[])" for n, column in enumerate(columns, first))
    return f"{select}({names}) ORDER BY id FOR UPDATE OF accounts"


_LOCKED_COLUMNS: tuple[tuple[str, ...], ...] = (("id",), ("code",), ("id", "code"))
_POSTGRESQL_LOCKS = {c: _postgresql_lock(c, with_period=False) for c in _LOCKED_COLUMNS}
_POSTGRESQL_POSTING_LOCKS = {c: _postgresql_lock(c, with_period=True) for c in _LOCKED_COLUMNS}
_SQLITE_LOCKS: dict[tuple[int, int], str] = {}
# Above this many names a list goes to SQLite as one JSON array (a huge batch scans the chart
# once; SQLite caps the number of placeholders, and the texts cached here stay few).
SQLITE_PLACEHOLDER_LIMIT = 256


def _sqlite_lock(ids: int, codes: int) -> str:
    text = _SQLITE_LOCKS.get((ids, codes))
    if text is None:
        selects = []
        for column, count in (("id", ids), ("code", codes)):
            if count > SQLITE_PLACEHOLDER_LIMIT:
                names = "(SELECT value FROM json_each(?))"
            elif count:
                names = f"({', '.join('?' * count)})"
            else:
                continue
            selects.append(_LOCK.format("?") + f"{column} IN {names}")
        # One SELECT per column joined by UNION, no ORDER BY: SQLite takes no row locks (one
        # writer), and both an ORDER BY id and an OR of the two lists made its planner walk the
        # tenant's whole chart when the table had no statistics yet.
        text = " UNION ".join(selects)
        if ids <= SQLITE_PLACEHOLDER_LIMIT and codes <= SQLITE_PLACEHOLDER_LIMIT:
            _SQLITE_LOCKS[(ids, codes)] = text
    return text


def _sqlite_names(names: list[str]) -> list[str]:
    """The parameters `_sqlite_lock` expects for one list."""
    return [json.dumps(names)] if len(names) > SQLITE_PLACEHOLDER_LIMIT else names


class SqlAccountDirectory:
    def __init__(self, conn: AsyncConnection, tenant_id: str) -> None:
        self._conn = conn
        self._tenant = tenant_id

    async def by_ids(self, ids: Iterable[str]) -> dict[str, AccountRecord]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        result = await self._conn.execute(_BY_IDS, {"tenant_id": self._tenant, "ids": wanted})
        return {row.id: _record(row) for row in result}

    async def by_codes(self, codes: Iterable[str]) -> dict[str, AccountRecord]:
        wanted = list(set(codes))
        if not wanted:
            return {}
        result = await self._conn.execute(_BY_CODES, {"tenant_id": self._tenant, "codes": wanted})
        return {row.code: _record(row) for row in result}

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

    async def lock_balances(self, ids: Iterable[str]) -> dict[str, AccountBalance]:
        return (await self.lock(ids, ()))[2]

    async def lock(self, ids: Iterable[str], codes: Iterable[str]) -> LockedAccounts:
        """The accounts named by id or by code, with their limits and totals, locked until
        commit in id order: resolving and locking a posting's accounts in one statement."""
        return (await self._lock(ids, codes, None))[1]

    async def lock_for_posting(
        self, period: FiscalPeriod, ids: Iterable[str], codes: Iterable[str]
    ) -> tuple[PeriodStatus, LockedAccounts]:
        """On PostgreSQL one statement (a round trip fewer per create-and-post); on SQLite,
        whose statements run inline, the guard's own read and then `lock`."""
        if self._conn.dialect.name == "sqlite":
            status = await SqlPeriodGuard(self._conn, self._tenant).status_for_posting(period)
            return status, await self.lock(ids, codes)
        carried, locked = await self._lock(ids, codes, period)
        if carried is None:  # no account matched, so no row carried the status: ask for it
            carried = await SqlPeriodGuard(self._conn, self._tenant).status_for_posting(period)
        return carried, locked

    async def daily_movements_after(
        self, account_id: str, day: date
    ) -> list[tuple[date, Decimal, Decimal]]:
        result = await self._conn.execute(
            _DAILY_AFTER, {"tenant_id": self._tenant, "account_id": account_id, "day": day}
        )
        return [(d, from_minor(int(dr)), from_minor(int(cr))) for d, dr, cr in result]

    async def _lock(
        self, ids: Iterable[str], codes: Iterable[str], period: FiscalPeriod | None
    ) -> tuple[PeriodStatus | None, LockedAccounts]:
        wanted_ids, wanted_codes = sorted(set(ids)), sorted(set(codes))
        if not (wanted_ids or wanted_codes):
            return None, ({}, {}, {})
        db = await driver(self._conn)
        params: tuple[object, ...]
        if db.dialect == "sqlite":
            sql = _sqlite_lock(len(wanted_ids), len(wanted_codes))
            params = tuple(
                value
                for names in (wanted_ids, wanted_codes)
                if names
                for value in (self._tenant, *_sqlite_names(names))
            )
        else:
            columns = tuple(c for c, names in (("id", wanted_ids), ("code", wanted_codes)) if names)
            lists = tuple(names for names in (wanted_ids, wanted_codes) if names)
            if period is None:
                sql, params = _POSTGRESQL_LOCKS[columns], (self._tenant, *lists)
            else:
                sql = _POSTGRESQL_POSTING_LOCKS[columns]
                params = (self._tenant, period.code, *lists)
        by_id: dict[str, AccountRecord] = {}
        by_code: dict[str, AccountRecord] = {}
        balances: dict[str, AccountBalance] = {}
        status: PeriodStatus | None = None
        for row in await db.fetch(sql, params):
            (id_, code, name, type_, parent, currency, active, limit, debit, credit) = row[:10]
            if period is not None:
                status = PeriodStatus(row[12]) if row[12] else PeriodStatus.OPEN
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
        return status, (by_id, by_code, balances)
