"""What `verify` reports about the receivable and payable sub-ledgers (ADR 0037): data written
before those rules that the aging cannot tie out, listed so that a person can fix it.
Findings are warnings, not failures: the read models are still exact replays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.invoices import InvoiceStatus
from vextrus_finance.domain.journals import JournalStatus
from vextrus_finance.infrastructure.db.schema import (
    accounts,
    counterparties,
    invoices,
    journal_lines,
    journals,
    ledger_entries,
    payments,
)
from vextrus_finance.infrastructure.ledger.control_accounts import is_control_account
from vextrus_finance.infrastructure.rebuild.findings import Finding

# Enough to act on; a tenant with more has a pattern to fix, not rows to read one by one.
LIMIT_PER_CHECK = 200


async def _per_invoice(
    conn: AsyncConnection,
    check: str,
    column: sa.Column[Any],
    detail: Callable[[str, Any], str],
    *where: sa.ColumnElement[bool],
) -> list[Finding]:
    """One finding of `check` per invoice matching `where` (the first LIMIT_PER_CHECK by tenant
    and number), its detail from the invoice's counterparty name and `column`."""
    i = invoices
    rows = await conn.execute(
        sa.select(i.c.tenant_id, i.c.number, i.c.counterparty_name, column)
        .where(*where)
        .order_by(i.c.tenant_id, i.c.number)
        .limit(LIMIT_PER_CHECK)
    )
    return [Finding(t, check, number, detail(name, value)) for t, number, name, value in rows]


async def _cancelled_drafts(conn: AsyncConnection) -> list[Finding]:
    """Drafts cancelled before approval: counted at full amount by the aging before the fix."""
    i = invoices
    return await _per_invoice(
        conn,
        "cancelled_draft",
        i.c.payable_total,
        lambda name, total: (
            f"{name}: {total / 100:.2f} was counted in the aging before the fix; now left out"
        ),
        i.c.status == InvoiceStatus.CANCELLED.value,
        i.c.journal_id.is_(None),
    )


async def _invoices_without_record(conn: AsyncConnection) -> list[Finding]:
    """Invoices whose counterparty is not a record: the aging groups them by name."""
    i, c = invoices, counterparties
    known = sa.exists().where(c.c.tenant_id == i.c.tenant_id, c.c.id == i.c.counterparty_id)
    return await _per_invoice(
        conn,
        "invoice_without_counterparty_record",
        i.c.counterparty_id,
        lambda name, cp_id: (
            f"{name} (id {cp_id or 'none'}) is no counterparty record: aged by name"
        ),
        i.c.status != InvoiceStatus.CANCELLED.value,
        sa.not_(known),
    )


async def _control_lines_without_counterparty(conn: AsyncConnection) -> list[Finding]:
    """Posted manual lines on a control account (`control_accounts.py`: the profile's or one
    an invoice names) without a counterparty: the aging's
    `difference`. Invoice and payment journals are theirs' own sub-ledger and not listed."""
    jl, j, i, p = journal_lines, journals, invoices, payments
    a = accounts.alias("control")
    system = sa.union(
        sa.select(i.c.tenant_id, i.c.journal_id.label("id")),
        sa.select(i.c.tenant_id, i.c.cancellation_journal_id),
        sa.select(p.c.tenant_id, p.c.journal_id),
        sa.select(p.c.tenant_id, p.c.reversal_journal_id),
    ).subquery()
    by_system = sa.exists().where(system.c.tenant_id == j.c.tenant_id, system.c.id == j.c.id)
    rows = await conn.execute(
        sa.select(
            j.c.tenant_id, j.c.number, jl.c.line_no, jl.c.account_code, jl.c.debit, jl.c.credit
        )
        .select_from(
            jl.join(j, sa.and_(j.c.tenant_id == jl.c.tenant_id, j.c.id == jl.c.journal_id)).join(
                a, sa.and_(a.c.tenant_id == jl.c.tenant_id, a.c.id == jl.c.account_id)
            )
        )
        .where(
            is_control_account(a),
            jl.c.counterparty_id.is_(None),
            j.c.status.in_([JournalStatus.POSTED.value, JournalStatus.REVERSED.value]),
            sa.not_(by_system),
        )
        .order_by(j.c.tenant_id, j.c.number, jl.c.line_no)
        .limit(LIMIT_PER_CHECK)
    )
    return [
        Finding(
            t,
            "control_line_without_counterparty",
            f"{number} line {line_no}",
            f"account {code} {'debit' if debit else 'credit'} {(debit or credit) / 100:.2f} "
            "names no counterparty: not in the aging",
        )
        for t, number, line_no, code, debit, credit in rows
    ]


async def _header_account_entries(conn: AsyncConnection) -> list[Finding]:
    """Posted lines on accounts that now have sub-accounts (header accounts refuse new ones)."""
    le, a = ledger_entries, accounts
    child = accounts.alias("child")
    has_child = sa.exists().where(child.c.tenant_id == a.c.tenant_id, child.c.parent_id == a.c.id)
    rows = await conn.execute(
        sa.select(a.c.tenant_id, a.c.code, sa.func.count())
        .select_from(
            le.join(a, sa.and_(a.c.tenant_id == le.c.tenant_id, a.c.id == le.c.account_id))
        )
        .where(has_child)
        .group_by(a.c.tenant_id, a.c.code)
        .order_by(a.c.tenant_id, a.c.code)
        .limit(LIMIT_PER_CHECK)
    )
    return [
        Finding(t, "header_account_lines", code, f"{n} posted lines on a header account")
        for t, code, n in rows
    ]


async def subledger_findings(conn: AsyncConnection) -> list[Finding]:
    found: list[Finding] = []
    for check in (
        _cancelled_drafts,
        _invoices_without_record,
        _control_lines_without_counterparty,
        _header_account_entries,
    ):
        found += await check(conn)
    return found
