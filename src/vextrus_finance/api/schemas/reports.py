from __future__ import annotations

from datetime import date, datetime
from typing import Any

from vextrus_finance.api.schemas.common import AmountOut, Body, View
from vextrus_finance.application.views import TrialBalanceView
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.fiscal import PeriodStatus
from vextrus_finance.domain.money import format_amount


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


def trial_balance_json(view: TrialBalanceView) -> dict[str, Any]:
    """Exactly `TrialBalanceOut.model_validate(view).model_dump(mode="json")` (a unit test holds
    the two equal), written out by hand: with 10,000 accounts, validating and dumping through
    the model cost more than computing the balances (profile in docs/performance.md)."""
    entries = [
        {
            "account_id": e.account_id,
            "code": e.code,
            "name": e.name,
            "type": e.type.value,
            "debit": format_amount(e.debit),
            "credit": format_amount(e.credit),
            "net": format_amount(e.net),
        }
        for e in view.entries
    ]
    totals = view.totals
    return {
        "as_of": view.as_of.isoformat(),
        "fiscal_year": view.fiscal_year,
        "currency": view.currency,
        "entries": entries,
        "totals": {
            "debit": format_amount(totals.debit),
            "credit": format_amount(totals.credit),
            "variance": format_amount(totals.variance),
            "balanced": totals.balanced,
        },
        "by_type": {
            t.value: {
                "debit": format_amount(s.debit),
                "credit": format_amount(s.credit),
                "net": format_amount(s.net),
                "count": s.count,
            }
            for t, s in view.by_type.items()
        },
    }
