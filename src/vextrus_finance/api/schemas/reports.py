from __future__ import annotations

from datetime import date, datetime

from vextrus_finance.api.schemas.common import AmountOut, Body, View
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.fiscal import PeriodStatus


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
