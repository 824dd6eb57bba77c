from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from vextrus_finance.api.schemas.common import NOT_NULL, AmountOut, Body, View
from vextrus_finance.domain.accounts import AccountType, BalanceLimit, CashFlowClass

_CASH_FLOW_CLASS = (
    "Where the account's movements go in the cash flow statement. Default when not given: "
    "FINANCING for EQUITY accounts, OPERATING for every other type (mark cash and bank "
    "accounts CASH, fixed assets and investments INVESTING, loans FINANCING). Ignored for "
    "REVENUE and EXPENSE accounts, whose movements enter through net profit."
)


class AccountIn(Body):
    code: str = Field(examples=["1120-04"])
    name: str = Field(examples=["Eastern Bank - Current Account"])
    type: AccountType
    parent_id: str | None = None
    currency: str = "BDT"
    balance_limit: BalanceLimit | None = None
    cash_flow_class: CashFlowClass | None = Field(default=None, description=_CASH_FLOW_CLASS)


class AccountPatch(Body):
    name: str | None = Field(default=None, json_schema_extra=NOT_NULL)
    parent_id: str | None = None
    balance_limit: BalanceLimit | None = None
    cash_flow_class: CashFlowClass | None = Field(
        default=None,
        description="A new cash-flow class (it cannot be removed)",
        json_schema_extra=NOT_NULL,
    )


class DeactivateIn(Body):
    reason: str = Field(examples=["Bank account closed in October 2025"])


class AccountOut(View):
    id: str
    code: str
    name: str
    type: AccountType
    parent_id: str | None
    currency: str
    is_active: bool
    balance: AmountOut = Field(
        description="Signed balance on the account's normal side at the end of balance_as_of"
    )
    balance_as_of: date | None = Field(
        default=None, description="The day the balance and totals are as of (default today)"
    )
    debit_total: AmountOut
    credit_total: AmountOut
    balance_limit: BalanceLimit | None
    cash_flow_class: CashFlowClass
    version: int
    created_at: datetime
    updated_at: datetime
    deactivated_at: datetime | None
    deactivation_reason: str | None
