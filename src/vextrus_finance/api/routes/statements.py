"""Profit and loss, balance sheet and cash flow (ADR 0047); from the stored balances the trial
balance reads, in one read snapshot. JSON, or with `format` a CSV, XLSX or PDF of the same
figures (ADR 0049: documents/reports/statements.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import Response

from vextrus_finance.api.exports import EXPORT_RESPONSES, ReportDep, ReportRequest
from vextrus_finance.api.permissions import API
from vextrus_finance.api.schemas.common import IsoDate
from vextrus_finance.api.schemas.statements import (
    BalanceSheetOut,
    CashFlowOut,
    ProfitAndLossOut,
    balance_sheet_document,
    cash_flow_document,
    profit_and_loss_document,
)
from vextrus_finance.application.reporting import statements
from vextrus_finance.application.reporting.statements import Compare, StatementReader
from vextrus_finance.documents.reports.statements import (
    balance_sheet_table,
    cash_flow_table,
    profit_and_loss_table,
)
from vextrus_finance.domain.accounts import validate_currency
from vextrus_finance.domain.errors import InvalidInput

router = APIRouter(prefix=f"{API}/reports", tags=["reports"])

From = Annotated[IsoDate, Query(alias="from", description="First day of the range (inclusive)")]
To = Annotated[IsoDate, Query(description="Last day of the range (inclusive)")]
Currency = Annotated[str, Query(description="Accounts in this currency only")]

_EXCLUDES_CLOSE = (
    " Ledger entries of CLOSING journals (the fiscal-year close) and of journals reversing "
    "them that fall inside the statement's range are left out, so a year's statements read the "
    "same before and after its close."
)


_F = TypeVar("_F", bound=Callable[..., Any])
_EXPORTS = (
    " With `format=csv|xlsx|pdf` (and `report:export`) the same figures as a file: a heading "
    "row per section, its accounts, the section's subtotal and the statement's totals, a "
    "Comparison column when `compare` is given; labels in `lang`."
)


def _statement_route(path: str, model: type[Any], description: str) -> Callable[[_F], _F]:
    """GET `path`: the JSON `model`, or with `format` its file (EXPORT_RESPONSES)."""
    return router.get(
        path,
        response_model=model,
        response_model_by_alias=True,
        responses=EXPORT_RESPONSES,
        description=description,
    )


@asynccontextmanager
async def _reading(
    report: ReportRequest, currency: str
) -> AsyncIterator[tuple[StatementReader, str]]:
    """The tenant's ledger in one read snapshot, and the validated currency."""
    currency = validate_currency(currency)
    async with report.container.reader(report.ctx.tenant_id) as reader:
        yield reader, currency


@_statement_route(
    "/profit-and-loss",
    ProfitAndLossOut,
    "Revenue and expense over [from, to]: each account's movement on its normal "
    "side (credit for revenue, debit for expense), accounts with a non-zero amount (or compare "
    "amount) only, by code; net_profit = revenue − expense. `compare=previous_period`: the "
    "same number of days ending the day before `from`; `previous_year`: the same dates a year "
    "earlier (29 February → 28 February). `project_id` is not supported yet (422): the stored "
    "totals are per account, not per project." + _EXCLUDES_CLOSE + _EXPORTS,
)
async def get_profit_and_loss(
    report: ReportDep,
    date_from: From,
    to: To,
    compare: Compare | None = None,
    project_id: str | None = None,
    currency: Currency = "BDT",
) -> Response:
    if project_id is not None:
        raise InvalidInput(
            "filtering by project is not supported yet: the ledger keeps totals per account, "
            "not per project",
            field="project_id",
            code="not_supported",
        )
    async with _reading(report, currency) as (reader, cur):
        found = await statements.profit_and_loss(reader, date_from, to, cur, compare)
    return await report.answer(profit_and_loss_document(found), profit_and_loss_table)


@_statement_route(
    "/balance-sheet",
    BalanceSheetOut,
    "Assets, liabilities and equity at the end of `as_of`, each account on its "
    "normal side (non-zero only, by code). `current_year_earnings` is revenue − expense from "
    "the start of as_of's fiscal year (1 July) to as_of. Revenue and expense of earlier years "
    "that no fiscal-year close moved to retained earnings appear inside EQUITY as the line "
    "'Retained earnings — prior years not closed' (account_id and code null), so that "
    "assets = liabilities + equity + current_year_earnings to the paisa; after a close it is "
    "zero and left out, and the profit sits in retained earnings. The closing journal of "
    "as_of's own fiscal year is left out (a year-end balance sheet reads the same before and "
    "after its close). `compare=previous_year` only: the same day a year earlier." + _EXPORTS,
)
async def get_balance_sheet(
    report: ReportDep,
    as_of: Annotated[IsoDate, Query(description="Balances at the end of this day")],
    compare: Literal["previous_year"] | None = None,
    currency: Currency = "BDT",
) -> Response:
    against = Compare(compare) if compare else None
    async with _reading(report, currency) as (reader, cur):
        found = await statements.balance_sheet(reader, as_of, cur, against)
    return await report.answer(balance_sheet_document(found), balance_sheet_table)


@_statement_route(
    "/cash-flow",
    CashFlowOut,
    "Indirect method over [from, to], from each account's cash_flow_class. "
    "net_profit as in the profit and loss; adjustments: the movement of every non-cash "
    "OPERATING asset, liability and equity account (an increase of an asset is negative, of a "
    "liability positive), non-zero only, by code; operating = net_profit + adjustments; "
    "investing and financing: the same for INVESTING and FINANCING accounts; net_change = "
    "operating + investing + financing = closing_cash − opening_cash, where the cash is the "
    "CASH accounts' balance at the end of the day before `from` and at the end of `to`. A "
    "revenue or expense account's class is ignored (profit enters through net_profit)."
    + _EXCLUDES_CLOSE
    + _EXPORTS,
)
async def get_cash_flow(
    report: ReportDep, date_from: From, to: To, currency: Currency = "BDT"
) -> Response:
    async with _reading(report, currency) as (reader, cur):
        found = await statements.cash_flow(reader, date_from, to, cur)
    return await report.answer(cash_flow_document(found), cash_flow_table)
