"""The chart of accounts as commands see it, inside their transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.ports import AccountRecord, LockedAccounts
from vextrus_finance.domain.accounts import AccountBalance, AccountType, BalanceLimit
from vextrus_finance.domain.money import from_minor
from vextrus_finance.infrastructure.driver_sql import Sql, driver
from vextrus_finance.infrastructure.schema import accounts

_ACCOUNT_TYPES = {t.value: t for t in AccountType}


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
    )


# Prebuilt with bound (expanding) parameters: compiled once per dialect, not per command.
_BY_IDS = sa.select(accounts).where(
    accounts.c.tenant_id == sa.bindparam("tenant_id"),
    accounts.c.id.in_(sa.bindparam("ids", expanding=True)),
)
_BY_CODES = sa.select(accounts).where(
    accounts.c.tenant_id == sa.bindparam("tenant_id"),
    accounts.c.code.in_(sa.bindparam("codes", expanding=True)),
)
# Every posting locks its accounts: through the driver (ADR 0026). ORDER BY + FOR UPDATE locks
# the rows in id order, so two postings touching the same accounts queue instead of
# deadlocking (SQLite has one writer; the clause is not emitted there). A list parameter is a
# JSON array on SQLite and an array on PostgreSQL.
_LOCK = (
    "SELECT id, code, name, type, parent_id, currency, is_active, balance_limit, debit_total, "
    "credit_total FROM accounts WHERE tenant_id = ? AND "
)
_IN_LIST = {"sqlite": "IN (SELECT value FROM json_each(?))", "postgresql": "= ANY(?::text[])"}


def _lock_sql(*columns: str) -> Sql:
    def text(dialect: str) -> str:
        named = " OR ".join(f"{column} {_IN_LIST[dialect]}" for column in columns)
        return f"{_LOCK}({named}) ORDER BY id"

    return Sql.each(sqlite=text("sqlite"), postgresql=text("postgresql") + " FOR UPDATE")


_LOCK_BY_IDS = _lock_sql("id")
_LOCK_BY_CODES = _lock_sql("code")
_LOCK_BY_IDS_OR_CODES = _lock_sql("id", "code")


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
        wanted_ids, wanted_codes = sorted(set(ids)), sorted(set(codes))
        lists: tuple[list[str], ...]
        if wanted_ids and wanted_codes:
            sql, lists = _LOCK_BY_IDS_OR_CODES, (wanted_ids, wanted_codes)
        elif wanted_ids:
            sql, lists = _LOCK_BY_IDS, (wanted_ids,)
        elif wanted_codes:
            sql, lists = _LOCK_BY_CODES, (wanted_codes,)
        else:
            return {}, {}, {}
        db = await driver(self._conn)
        params: tuple[object, ...] = lists
        if db.dialect == "sqlite":
            params = tuple(json.dumps(names) for names in lists)
        by_id: dict[str, AccountRecord] = {}
        by_code: dict[str, AccountRecord] = {}
        balances: dict[str, AccountBalance] = {}
        for row in await db.fetch(sql, (self._tenant, *params)):
            (id_, code, name, type_, parent, currency, active, limit, debit, credit) = row
            account_type = _ACCOUNT_TYPES[type_]
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
        return by_id, by_code, balances
