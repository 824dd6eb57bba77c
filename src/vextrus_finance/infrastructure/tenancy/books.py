"""A tenant's books as its read models and counters hold them (`Books`): what the export
records in the manifest and the import must find again after projecting."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.db.schema import accounts, counters, ledger_entries
from vextrus_finance.infrastructure.tenancy.archive import Books


async def tenant_books(conn: AsyncConnection, tenant_id: str) -> Books:
    by_account = await conn.execute(
        sa.select(accounts.c.code, accounts.c.debit_total, accounts.c.credit_total).where(
            accounts.c.tenant_id == tenant_id
        )
    )
    le = ledger_entries
    by_currency = await conn.execute(
        sa.select(le.c.currency, sa.func.sum(le.c.debit), sa.func.sum(le.c.credit))
        .where(le.c.tenant_id == tenant_id)
        .group_by(le.c.currency)
    )
    numbering = await conn.execute(
        sa.select(counters.c.name, counters.c.value).where(counters.c.tenant_id == tenant_id)
    )
    return Books(
        accounts={str(code): (int(d), int(c)) for code, d, c in by_account},
        currencies={str(cur): (int(d), int(c)) for cur, d, c in by_currency},
        counters={str(name): int(value) for name, value in numbering},
    )
