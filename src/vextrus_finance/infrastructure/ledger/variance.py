"""The ledger's own health number: how far debits and credits are apart (must be 0)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.db.schema import accounts

MINOR_UNITS = 100  # paisa per taka (ADR 0004)


async def trial_balance_variance(conn: AsyncConnection) -> float:
    """Σ over tenants and currencies of |Σ debit totals − Σ credit totals| of the accounts
    read model, in major units. Reads the per-account totals kept at posting (one row per
    account), not the ledger lines, so it is cheap enough for every scrape. Per tenant and
    currency so that two defects cannot cancel out."""
    result = await conn.execute(
        sa.select(
            sa.func.sum(accounts.c.debit_total), sa.func.sum(accounts.c.credit_total)
        ).group_by(accounts.c.tenant_id, accounts.c.currency)
    )
    return sum(abs(int(debit or 0) - int(credit or 0)) for debit, credit in result) / MINOR_UNITS
