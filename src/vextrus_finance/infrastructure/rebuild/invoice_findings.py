"""What `verify` reports about invoices and payments written before the rules of ADR 0035 held:
data the service now refuses but that may already be stored. These are findings for a person
to look at (they are the books as recorded), not read-model faults, so they do not fail
`verify`."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.calendar import BusinessCalendar
from vextrus_finance.domain.invoices import InvoiceKind
from vextrus_finance.domain.payments import PaymentStatus
from vextrus_finance.infrastructure.db.schema import invoices, payments
from vextrus_finance.infrastructure.rebuild.findings import Finding

_SETTLED = (PaymentStatus.COMPLETED.value, PaymentStatus.RECONCILED.value)


async def invoice_findings(conn: AsyncConnection, calendar: BusinessCalendar) -> list[Finding]:
    return [
        *await _backdated_tax_invoices(conn, calendar),
        *await _payments_before_their_invoice(conn),
        *await _wallet_transactions_used_twice(conn),
    ]


async def _backdated_tax_invoices(
    conn: AsyncConnection, calendar: BusinessCalendar
) -> list[Finding]:
    """Sales invoices whose date is not the day their Mushak 6.3 was issued (ADR 0035)."""
    i = invoices
    result = await conn.execute(
        sa.select(i.c.tenant_id, i.c.number, i.c.invoice_date, i.c.issued_at)
        .where(i.c.kind == InvoiceKind.SALES.value, i.c.issued_at.is_not(None))
        .order_by(i.c.tenant_id, i.c.number)
    )
    return [
        Finding(
            tenant,
            "tax_invoice_date_not_issue_date",
            number,
            f"dated {dated} but issued on {issue_day} ({calendar.zone_name})",
        )
        for tenant, number, dated, issued in result
        if (issue_day := calendar.local_date(issued)) != dated
    ]


async def _payments_before_their_invoice(conn: AsyncConnection) -> list[Finding]:
    p, i = payments, invoices
    result = await conn.execute(
        sa.select(p.c.tenant_id, p.c.number, p.c.payment_date, i.c.number, i.c.invoice_date)
        .select_from(p.join(i, sa.and_(i.c.tenant_id == p.c.tenant_id, i.c.id == p.c.invoice_id)))
        .where(p.c.payment_date < i.c.invoice_date, p.c.status.in_(_SETTLED))
        .order_by(p.c.tenant_id, p.c.number)
    )
    return [
        Finding(tenant, "payment_before_invoice", payment, f"{paid} is before {inv} of {dated}")
        for tenant, payment, paid, inv, dated in result
    ]


async def _wallet_transactions_used_twice(conn: AsyncConnection) -> list[Finding]:
    p = payments
    numbers = sa.func.count()
    result = await conn.execute(
        sa.select(p.c.tenant_id, p.c.wallet_provider, p.c.wallet_transaction_id, numbers)
        .where(p.c.wallet_transaction_id.is_not(None), p.c.status.in_(_SETTLED))
        .group_by(p.c.tenant_id, p.c.wallet_provider, p.c.wallet_transaction_id)
        .having(numbers > 1)
        .order_by(p.c.tenant_id, p.c.wallet_provider, p.c.wallet_transaction_id)
    )
    return [
        Finding(
            tenant,
            "duplicate_wallet_transaction",
            f"{provider} {transaction}",
            f"completes {count} payments",
        )
        for tenant, provider, transaction, count in result
    ]
