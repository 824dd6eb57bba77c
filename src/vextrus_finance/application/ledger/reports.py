"""The trial balance: debit and credit columns, totals and per-type sums from stored totals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from vextrus_finance.application.ledger.views import (
    BalanceRow,
    TrialBalanceEntry,
    TrialBalanceTotals,
    TrialBalanceView,
    TypeTotals,
)
from vextrus_finance.domain.accounts import AccountType, signed_balance
from vextrus_finance.domain.fiscal import FiscalYear, fiscal_year_of
from vextrus_finance.domain.money import ZERO


def entry_for(row: BalanceRow) -> TrialBalanceEntry:
    """A positive balance sits in the column of the account's normal side, a negative one
    in the other column; `net` is the balance on the normal side."""
    net = signed_balance(row.type, row.debit_total, row.credit_total)
    on_debit_side = (net >= 0) == row.type.debit_normal
    return TrialBalanceEntry(
        account_id=row.account_id,
        code=row.code,
        name=row.name,
        type=row.type,
        debit=abs(net) if on_debit_side else ZERO,
        credit=ZERO if on_debit_side else abs(net),
        net=net,
    )


def trial_balance(
    rows: Iterable[BalanceRow],
    *,
    as_of: date,
    currency: str,
    fiscal_year: FiscalYear | None = None,
    include_zero: bool = True,
) -> TrialBalanceView:
    entries = [
        entry
        for entry, row in ((entry_for(r), r) for r in rows)
        if entry.net != 0 or (include_zero and row.is_active)
    ]
    entries.sort(key=lambda e: e.code)
    debit = sum((e.debit for e in entries), ZERO)
    credit = sum((e.credit for e in entries), ZERO)
    # One pass over the entries (there can be 10,000 and more), not one per type.
    debits = dict.fromkeys(AccountType, ZERO)
    credits = dict.fromkeys(AccountType, ZERO)
    nets = dict.fromkeys(AccountType, ZERO)
    counts = dict.fromkeys(AccountType, 0)
    for e in entries:
        debits[e.type] += e.debit
        credits[e.type] += e.credit
        nets[e.type] += e.net
        counts[e.type] += 1
    by_type = {
        t: TypeTotals(debit=debits[t], credit=credits[t], net=nets[t], count=counts[t])
        for t in AccountType
    }
    return TrialBalanceView(
        as_of=as_of,
        fiscal_year=(fiscal_year or fiscal_year_of(as_of)).label,
        currency=currency,
        entries=entries,
        totals=TrialBalanceTotals(
            debit=debit, credit=credit, variance=debit - credit, balanced=debit == credit
        ),
        by_type=by_type,
    )
