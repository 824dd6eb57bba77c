from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from pydantic import Field

from vextrus_finance.api.schemas.common import AmountOut, Body, View
from vextrus_finance.application.ledger.views import NetBalanceRow
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.fiscal import FiscalYear, PeriodStatus, fiscal_year_of
from vextrus_finance.domain.money import format_minor


class TrialBalanceEntryOut(View):
    account_id: str
    code: str
    name: str
    type: AccountType
    debit: AmountOut
    credit: AmountOut
    net: AmountOut


class TrialBalanceTotalsOut(View):
    debit: AmountOut
    credit: AmountOut
    variance: AmountOut
    balanced: bool


class TypeTotalsOut(View):
    debit: AmountOut
    credit: AmountOut
    net: AmountOut
    count: int


class TrialBalanceOut(View):
    as_of: date
    fiscal_year: str
    currency: str
    entries: list[TrialBalanceEntryOut]
    totals: TrialBalanceTotalsOut
    by_type: dict[AccountType, TypeTotalsOut]


class PeriodOut(View):
    code: str
    fiscal_year: str
    start: date
    end: date
    status: PeriodStatus
    changed_at: datetime | None
    changed_by: str | None
    reason: str | None
    version: int


class PeriodChangeIn(Body):
    reason: str
    force: bool = Field(
        default=False,
        description="Close even with draft invoices or pending payments dated in the period "
        "(otherwise 409 period_has_open_documents lists them); ignored by reopen",
    )


_DEBIT_NORMAL = {t.value: t.debit_normal for t in AccountType}
_NOTHING = "0.00"
_BY_CODE = itemgetter(1)


def trial_balance_document(
    rows: Iterable[NetBalanceRow],
    *,
    as_of: date,
    currency: str,
    fiscal_year: FiscalYear | None = None,
    include_zero: bool = True,
) -> dict[str, Any]:
    """Exactly what `TrialBalanceOut` dumps for `trial_balance(...)` of the same balances (property
    tests hold the two equal), computed in integer paisa from `NetBalanceRow`s: one formatted
    amount per account and no `Decimal`, so 10,000 accounts cost milliseconds, not a tenth of
    a second (docs/performance.md).

    The column rule of `reports.entry_for`, in paisa: with `d` = debits − credits, the debit
    column holds `d` when positive and the credit column `−d` when negative, whatever the
    account's type; `net` is `d` on a debit-normal account and `−d` on the others."""
    sums = {t.value: [0, 0, 0, 0] for t in AccountType}  # debit, credit, net, count
    # Per type: its sums and whether it is debit-normal, in one lookup per account.
    of_type = {t: (sums[t], normal) for t, normal in _DEBIT_NORMAL.items()}
    entries: list[dict[str, str]] = []
    append = entries.append
    # One pass, one branch per sign, the amount formatted inline (as `format_minor` does): this
    # loop runs once per account on every trial balance (docs/performance.md).
    for account_id, code, name, account_type, is_active, d in sorted(rows, key=_BY_CODE):
        s, debit_normal = of_type[account_type]
        if d > 0:
            whole, cents = divmod(d, 100)
            debit = f"{whole}.{cents:02d}"
            credit = _NOTHING
            net = debit if debit_normal else "-" + debit
            s[0] += d
            s[2] += d if debit_normal else -d
        elif d < 0:
            whole, cents = divmod(-d, 100)
            credit = f"{whole}.{cents:02d}"
            debit = _NOTHING
            net = "-" + credit if debit_normal else credit
            s[1] -= d
            s[2] += d if debit_normal else -d
        elif include_zero and is_active:
            debit = credit = net = _NOTHING
        else:
            continue
        s[3] += 1
        append(
            {
                "account_id": account_id,
                "code": code,
                "name": name,
                "type": account_type,
                "debit": debit,
                "credit": credit,
                "net": net,
            }
        )
    total_debit = sum(s[0] for s in sums.values())
    total_credit = sum(s[1] for s in sums.values())
    return {
        "as_of": as_of.isoformat(),
        "fiscal_year": (fiscal_year or fiscal_year_of(as_of)).label,
        "currency": currency,
        "entries": entries,
        "totals": {
            "debit": format_minor(total_debit),
            "credit": format_minor(total_credit),
            "variance": format_minor(total_debit - total_credit),
            "balanced": total_debit == total_credit,
        },
        "by_type": {
            t: {
                "debit": format_minor(s[0]),
                "credit": format_minor(s[1]),
                "net": format_minor(s[2]),
                "count": s[3],
            }
            for t, s in sums.items()
        },
    }
