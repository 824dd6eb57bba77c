"""The financial statements' JSON (issue 20 contract): amounts as 2-dp strings, positive on each
type's normal side. Comparison fields appear only when `compare` is asked for."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from vextrus_finance.api.schemas.common import View
from vextrus_finance.application.reporting.statements import (
    BalanceSheet,
    BalanceSheetTotals,
    CashFlow,
    ProfitAndLoss,
    StatementLine,
    StatementSection,
)
from vextrus_finance.domain.money import format_minor

_Amount = Field(json_schema_extra={"pattern": r"^-?\d+\.\d{2}$", "examples": ["1234.50"]})


class StatementLineOut(View):
    account_id: str | None = Field(
        description="null on a computed line (the balance sheet's 'Retained earnings — prior "
        "years not closed')"
    )
    code: str | None
    name: str
    amount: str = _Amount
    compare_amount: str | None = Field(default=None, description="Only with `compare`")


class StatementSectionOut(View):
    type: Literal["REVENUE", "EXPENSE", "ASSET", "LIABILITY", "EQUITY"]
    accounts: list[StatementLineOut]
    total: str = _Amount
    compare_total: str | None = Field(default=None, description="Only with `compare`")


class ProfitAndLossOut(View):
    from_: date = Field(alias="from")
    to: date
    currency: str
    sections: list[StatementSectionOut]
    net_profit: str = _Amount
    compare_from: date | None = Field(default=None, description="Only with `compare`")
    compare_to: date | None = Field(default=None, description="Only with `compare`")
    compare_net_profit: str | None = Field(default=None, description="Only with `compare`")


class BalanceSheetTotalsOut(View):
    assets: str = _Amount
    liabilities_and_equity: str = _Amount
    balanced: bool


class BalanceSheetOut(View):
    as_of: date
    currency: str
    sections: list[StatementSectionOut]
    current_year_earnings: str = _Amount
    totals: BalanceSheetTotalsOut
    compare_as_of: date | None = Field(default=None, description="Only with `compare`")
    compare_current_year_earnings: str | None = Field(
        default=None, description="Only with `compare`"
    )
    compare_totals: BalanceSheetTotalsOut | None = Field(
        default=None, description="Only with `compare`"
    )


class CashFlowAdjustmentOut(View):
    code: str
    name: str
    amount: str = _Amount


class CashFlowOut(View):
    from_: date = Field(alias="from")
    to: date
    currency: str
    net_profit: str = _Amount
    adjustments: list[CashFlowAdjustmentOut]
    operating: str = _Amount
    investing: str = _Amount
    financing: str = _Amount
    net_change: str = _Amount
    opening_cash: str = _Amount
    closing_cash: str = _Amount


def _line(line: StatementLine, compare: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account_id": line.account_id,
        "code": line.code,
        "name": line.name,
        "amount": format_minor(line.amount),
    }
    if compare:
        body["compare_amount"] = format_minor(line.compare_amount or 0)
    return body


def _section(section: StatementSection, compare: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": section.type.value,
        "accounts": [_line(line, compare) for line in section.accounts],
        "total": format_minor(section.total),
    }
    if compare:
        body["compare_total"] = format_minor(section.compare_total or 0)
    return body


def profit_and_loss_document(report: ProfitAndLoss) -> dict[str, Any]:
    compare = report.compare_net_profit is not None
    body: dict[str, Any] = {
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
        "currency": report.currency,
        "sections": [_section(s, compare) for s in report.sections],
        "net_profit": format_minor(report.net_profit),
    }
    if compare and report.compare_from and report.compare_to:
        body["compare_from"] = report.compare_from.isoformat()
        body["compare_to"] = report.compare_to.isoformat()
        body["compare_net_profit"] = format_minor(report.compare_net_profit or 0)
    return body


def _totals(totals: BalanceSheetTotals) -> dict[str, Any]:
    return {
        "assets": format_minor(totals.assets),
        "liabilities_and_equity": format_minor(totals.liabilities_and_equity),
        "balanced": totals.balanced,
    }


def balance_sheet_document(report: BalanceSheet) -> dict[str, Any]:
    compare = report.compare_totals is not None
    body: dict[str, Any] = {
        "as_of": report.as_of.isoformat(),
        "currency": report.currency,
        "sections": [_section(s, compare) for s in report.sections],
        "current_year_earnings": format_minor(report.current_year_earnings),
        "totals": _totals(report.totals),
    }
    if report.compare_totals is not None and report.compare_as_of is not None:
        body["compare_as_of"] = report.compare_as_of.isoformat()
        body["compare_current_year_earnings"] = format_minor(
            report.compare_current_year_earnings or 0
        )
        body["compare_totals"] = _totals(report.compare_totals)
    return body


def cash_flow_document(report: CashFlow) -> dict[str, Any]:
    return {
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
        "currency": report.currency,
        "net_profit": format_minor(report.net_profit),
        "adjustments": [
            {"code": a.code, "name": a.name, "amount": format_minor(a.amount)}
            for a in report.adjustments
        ],
        "operating": format_minor(report.operating),
        "investing": format_minor(report.investing),
        "financing": format_minor(report.financing),
        "net_change": format_minor(report.net_change),
        "opening_cash": format_minor(report.opening_cash),
        "closing_cash": format_minor(report.closing_cash),
    }
