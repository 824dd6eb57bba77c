"""Receivables and payables aging: open balances by how far past their due date they are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from vextrus_finance.application.invoicing.views import AgingBuckets, AgingRow, AgingView, OpenItem
from vextrus_finance.domain.invoices import InvoiceKind
from vextrus_finance.domain.money import BASE_CURRENCY, ZERO
from vextrus_finance.domain.posting_profiles import PostingRole

# The posting profile's role whose account is a control account of each kind (with the
# accounts invoices of the kind name: infrastructure/control_accounts.py).
CONTROL_ROLE = {
    InvoiceKind.SALES: PostingRole.ACCOUNTS_RECEIVABLE,
    InvoiceKind.PURCHASE: PostingRole.ACCOUNTS_PAYABLE,
}

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")


def bucket_of(days_past_due: int) -> str:
    """Not yet due (or due today) is current; then 1–30, 31–60, 61–90 and over 90 days."""
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "days_1_30"
    if days_past_due <= 60:
        return "days_31_60"
    if days_past_due <= 90:
        return "days_61_90"
    return "days_over_90"


def _buckets(sums: dict[str, Decimal]) -> AgingBuckets:
    return AgingBuckets(
        **{name: sums.get(name, ZERO) for name in BUCKETS}, total=sum(sums.values(), ZERO)
    )


def aging_report(
    kind: InvoiceKind,
    as_of: date,
    items: Sequence[OpenItem],
    control_accounts: Sequence[str] = (),
    ledger_balance: Decimal = ZERO,
) -> AgingView:
    """One row per counterparty (by its id when the invoice named one, else by name), tied
    out to `ledger_balance`: what the control accounts `control_accounts` held at `as_of`
    (receivables as debits, payables as credits)."""
    rows: dict[tuple[str | None, str], dict[str, Decimal]] = {}
    counts: dict[tuple[str | None, str], int] = {}
    totals: dict[str, Decimal] = {}
    for item in items:
        key = (item.counterparty_id, "" if item.counterparty_id else item.counterparty_name)
        bucket = bucket_of((as_of - item.due_date).days)
        sums = rows.setdefault(key, {})
        sums[bucket] = sums.get(bucket, ZERO) + item.balance_due
        totals[bucket] = totals.get(bucket, ZERO) + item.balance_due
        counts[key] = counts.get(key, 0) + (1 if item.is_invoice else 0)
    names = {
        (i.counterparty_id, "" if i.counterparty_id else i.counterparty_name): i.counterparty_name
        for i in items
    }
    result = [
        AgingRow(key[0], names[key], counts[key], _buckets(sums)) for key, sums in rows.items()
    ]
    result.sort(key=lambda row: (row.counterparty_name.lower(), row.counterparty_id or ""))
    total = _buckets(totals)
    return AgingView(
        kind,
        as_of,
        BASE_CURRENCY,
        result,
        total,
        control_accounts=list(control_accounts),
        ledger_balance=ledger_balance,
        difference=ledger_balance - total.total,
    )
