"""What `verify` reports about data entered before today's rules refused it (ADR 0039): a
limited account that went below zero on some day, a posting outside the posting window, a
reversed reversal. Reported, not repaired, and not a failure of the read models: the events
are the truth, and correcting them is an accountant's journal."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.accounts import ACCOUNT_TYPE_BY_VALUE, BalanceLimit
from vextrus_finance.domain.journals import JournalType
from vextrus_finance.domain.money import format_minor
from vextrus_finance.domain.posting_window import PostingWindow
from vextrus_finance.infrastructure.db.schema import accounts, journals, ledger_entries
from vextrus_finance.infrastructure.rebuild.findings import Finding


async def rule_findings(conn: AsyncConnection, window: PostingWindow) -> list[Finding]:
    return [
        *await _below_limit(conn),
        *await _outside_window(conn, window),
        *await _reversed_reversals(conn),
    ]


async def _below_limit(conn: AsyncConnection) -> list[Finding]:
    """Limited accounts whose running balance was below zero at the end of some day: the
    daily sums of those accounts only (few), walked in date order."""
    a, le = accounts, ledger_entries
    rows = await conn.execute(
        sa.select(
            a.c.tenant_id,
            a.c.code,
            a.c.type,
            le.c.entry_date,
            sa.func.sum(le.c.debit),
            sa.func.sum(le.c.credit),
        )
        .select_from(
            a.join(le, sa.and_(le.c.tenant_id == a.c.tenant_id, le.c.account_id == a.c.id))
        )
        .where(a.c.balance_limit == BalanceLimit.NON_NEGATIVE.value)
        .group_by(a.c.tenant_id, a.c.code, a.c.type, le.c.entry_date)
        .order_by(a.c.tenant_id, a.c.code, le.c.entry_date)
    )
    lowest: dict[tuple[str, str], tuple[int, date]] = {}
    running: dict[tuple[str, str], int] = {}
    for tenant, code, type_, day, debit, credit in rows:
        move = int(debit) - int(credit)
        if not ACCOUNT_TYPE_BY_VALUE[type_].debit_normal:
            move = -move
        key = (tenant, code)
        running[key] = running.get(key, 0) + move
        if running[key] < 0 and (key not in lowest or running[key] < lowest[key][0]):
            lowest[key] = (running[key], day)
    return [
        Finding(
            tenant,
            "below_limit",
            code,
            f"non_negative account {code} was {format_minor(paisa)} at the end of {day}",
        )
        for (tenant, code), (paisa, day) in sorted(lowest.items())
    ]


async def _outside_window(conn: AsyncConnection, window: PostingWindow) -> list[Finding]:
    j = journals
    rows = await conn.execute(
        sa.select(j.c.tenant_id, j.c.number, j.c.date)
        .where(sa.or_(j.c.date < window.start, j.c.date > window.end))
        .order_by(j.c.tenant_id, j.c.date, j.c.number)
    )
    return [
        Finding(
            tenant,
            "outside_posting_window",
            number,
            f"journal {number} is dated {day}, outside {window.start} – {window.end}",
        )
        for tenant, number, day in rows
    ]


async def _reversed_reversals(conn: AsyncConnection) -> list[Finding]:
    j = journals
    rows = await conn.execute(
        sa.select(j.c.tenant_id, j.c.number)
        .where(j.c.type == JournalType.REVERSING.value, j.c.reversed_by_id.is_not(None))
        .order_by(j.c.tenant_id, j.c.number)
    )
    return [
        Finding(
            tenant,
            "reversed_reversal",
            number,
            f"reversing journal {number} was itself reversed: its original's effect is posted "
            "again while the original says REVERSED",
        )
        for tenant, number in rows
    ]
