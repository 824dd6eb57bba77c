"""The chart of accounts as commands see it, inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.ports import AccountRecord
from vextrus_finance.domain.accounts import AccountBalance, AccountType, BalanceLimit
from vextrus_finance.domain.money import from_minor
from vextrus_finance.infrastructure.schema import accounts


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
# ORDER BY + FOR UPDATE locks rows in id order: two postings touching the same accounts queue
# instead of deadlocking. (SQLite has one writer; the clause is not emitted there.)
_LOCK_BALANCES = (
    sa.select(
        accounts.c.id,
        accounts.c.code,
        accounts.c.type,
        accounts.c.is_active,
        accounts.c.balance_limit,
        accounts.c.debit_total,
        accounts.c.credit_total,
    )
    .where(
        accounts.c.tenant_id == sa.bindparam("tenant_id"),
        accounts.c.id.in_(sa.bindparam("ids", expanding=True)),
    )
    .order_by(accounts.c.id)
    .with_for_update()
)


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
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        result = await self._conn.execute(
            _LOCK_BALANCES, {"tenant_id": self._tenant, "ids": wanted}
        )
        return {
            row.id: AccountBalance(
                id=row.id,
                code=row.code,
                type=AccountType(row.type),
                is_active=row.is_active,
                balance_limit=BalanceLimit(row.balance_limit) if row.balance_limit else None,
                debit_total=from_minor(row.debit_total),
                credit_total=from_minor(row.credit_total),
            )
            for row in result
        }
