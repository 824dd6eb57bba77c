"""Adapters of the three financial statements (ADR 0047) → `PrintableReport` (ADR 0049).

Each statement prints as Code | Account (or Item) | Amount, with a Comparison column when the
JSON carries comparison figures (`compare` was asked for): a heading row per section, its
accounts, the section's subtotal, and the statement's total rows. Every figure is read from
the JSON document the route answers, so the files show exactly what the JSON shows."""

from __future__ import annotations

from datetime import date
from typing import Any

from vextrus_finance.documents.reports import labels
from vextrus_finance.documents.reports.model import (
    Cell,
    Column,
    HeaderLine,
    Label,
    PrintableReport,
    Row,
    RowKind,
    paisa,
)
from vextrus_finance.documents.reports.tables import ACCOUNT, CODE, file_stem

_AMOUNT = Column("amount", labels.AMOUNT, "money")
_COMPARE = Column("compare_amount", labels.COMPARE_AMOUNT, "money")


def _figures(bodies: list[dict[str, Any]], key: str) -> tuple[int, ...]:
    """`key` of the statement's figures and, with comparison, of the compared ones."""
    return tuple(paisa(body[key]) for body in bodies)


def _pair(body: dict[str, Any], key: str, compare: bool) -> tuple[int, ...]:
    """A line's (or a section's) `key` and, with comparison, its `compare_key`."""
    keys = (key, f"compare_{key}") if compare else (key,)
    return tuple(paisa(body[k]) for k in keys)


def _row(label: Label, figures: tuple[Cell, ...], kind: RowKind = "subtotal") -> Row:
    return Row((None, label, *figures), kind)


def _line_name(line: dict[str, Any]) -> str | Label:
    """An account's own name; the computed prior-years line in the page's language."""
    return labels.PRIOR_YEARS_NOT_CLOSED if line["account_id"] is None else str(line["name"])


def _sections(doc: dict[str, Any], compare: bool) -> list[Row]:
    blank: tuple[Cell, ...] = (None, None) if compare else (None,)
    rows: list[Row] = []
    for section in doc["sections"]:
        kind = section["type"]
        rows.append(_row(labels.SECTIONS[kind], blank, "heading"))
        rows += [
            Row((line["code"], _line_name(line), *_pair(line, "amount", compare)))
            for line in section["accounts"]
        ]
        rows.append(_row(labels.SECTION_TOTALS[kind], _pair(section, "total", compare)))
    return rows


def _columns(compare: bool, middle: Column) -> tuple[Column, ...]:
    return (CODE, middle, _AMOUNT, _COMPARE) if compare else (CODE, middle, _AMOUNT)


def profit_and_loss_table(doc: dict[str, Any]) -> PrintableReport:
    compare = "compare_net_profit" in doc
    rows = _sections(doc, compare)
    rows.append(_row(labels.NET_PROFIT, _pair(doc, "net_profit", compare), "total"))
    header = [
        HeaderLine(labels.FROM, date.fromisoformat(doc["from"])),
        HeaderLine(labels.TO, date.fromisoformat(doc["to"])),
    ]
    if compare:
        header.append(HeaderLine(labels.COMPARE_FROM, date.fromisoformat(doc["compare_from"])))
        header.append(HeaderLine(labels.COMPARE_TO, date.fromisoformat(doc["compare_to"])))
    header.append(HeaderLine(labels.CURRENCY, doc["currency"]))
    return PrintableReport(
        name=file_stem("profit-and-loss", doc["from"], doc["to"]),
        title=labels.PROFIT_AND_LOSS,
        header=tuple(header),
        columns=_columns(compare, ACCOUNT),
        rows=tuple(rows),
    )


def balance_sheet_table(doc: dict[str, Any]) -> PrintableReport:
    """Sections, then current-year earnings (its own line until the year is closed), then the
    totals: assets, and liabilities + equity + current-year earnings."""
    compare = "compare_totals" in doc
    totals = [doc["totals"], *([doc["compare_totals"]] if compare else [])]
    rows = _sections(doc, compare)
    rows.append(_row(labels.CURRENT_YEAR_EARNINGS, _pair(doc, "current_year_earnings", compare)))
    rows.append(_row(labels.SECTION_TOTALS["ASSET"], _figures(totals, "assets"), "total"))
    rows.append(
        _row(
            labels.TOTAL_LIABILITIES_AND_EQUITY,
            _figures(totals, "liabilities_and_equity"),
            "total",
        )
    )
    header = [HeaderLine(labels.AS_OF, date.fromisoformat(doc["as_of"]))]
    if compare:
        header.append(HeaderLine(labels.COMPARE_AS_OF, date.fromisoformat(doc["compare_as_of"])))
    balanced = all(body["balanced"] for body in totals)
    header.append(HeaderLine(labels.BALANCED, labels.YES if balanced else labels.NO))
    header.append(HeaderLine(labels.CURRENCY, doc["currency"]))
    return PrintableReport(
        name=file_stem("balance-sheet", doc["as_of"]),
        title=labels.BALANCE_SHEET,
        header=tuple(header),
        columns=_columns(compare, ACCOUNT),
        rows=tuple(rows),
    )


def cash_flow_table(doc: dict[str, Any]) -> PrintableReport:
    """Indirect method: net profit and the operating adjustments, then the three activities'
    net cash, the net change, and opening and closing cash."""
    rows = [
        _row(labels.OPERATING_ACTIVITIES, (None,), "heading"),
        _row(labels.NET_PROFIT, (paisa(doc["net_profit"]),), "detail"),
        _row(labels.ADJUSTMENTS, (None,), "heading"),
        *(Row((a["code"], a["name"], paisa(a["amount"]))) for a in doc["adjustments"]),
        _row(labels.NET_OPERATING, (paisa(doc["operating"]),)),
        _row(labels.NET_INVESTING, (paisa(doc["investing"]),)),
        _row(labels.NET_FINANCING, (paisa(doc["financing"]),)),
        _row(labels.NET_CHANGE, (paisa(doc["net_change"]),), "total"),
        _row(labels.OPENING_CASH, (paisa(doc["opening_cash"]),), "detail"),
        _row(labels.CLOSING_CASH, (paisa(doc["closing_cash"]),), "total"),
    ]
    return PrintableReport(
        name=file_stem("cash-flow", doc["from"], doc["to"]),
        title=labels.CASH_FLOW,
        header=(
            HeaderLine(labels.FROM, date.fromisoformat(doc["from"])),
            HeaderLine(labels.TO, date.fromisoformat(doc["to"])),
            HeaderLine(labels.CURRENCY, doc["currency"]),
        ),
        columns=_columns(False, Column("item", labels.ITEM)),
        rows=tuple(rows),
    )
