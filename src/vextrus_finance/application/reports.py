"""The trial balance: debit and credit columns, totals and per-type sums from stored totals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from vextrus_finance.application.views import (
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
    by_type: dict[AccountType, TypeTotals] = {}
    for account_type in AccountType:
        of_type = [e for e in entries if e.type is account_type]
        by_type[account_type] = TypeTotals(
            debit=sum((e.debit for e in of_type), ZERO),
            credit=sum((e.credit for e in of_type), ZERO),
            net=sum((e.net for e in of_type), ZERO),
            count=len(of_type),
        )
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
