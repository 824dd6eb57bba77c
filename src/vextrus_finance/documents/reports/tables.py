"""Adapters: a report's JSON document (exactly what its route answers) → `PrintableReport`.

Built from the JSON, not from the query, so every exported figure is the figure the JSON
shows. A new report plugs in with one function here (or in its own module) and one call in its
route: see ADR 0049."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from vextrus_finance.documents.reports import labels
from vextrus_finance.documents.reports.model import (
    Column,
    HeaderLine,
    Label,
    PrintableReport,
    Row,
    paisa,
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(*parts: str) -> str:
    """An ASCII file-name stem from its parts: ("ledger", "1000", "2025-12-31") → ledger-1000-…"""
    return "-".join(_UNSAFE.sub("_", part).strip("_") or "_" for part in parts)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --- trial balance -------------------------------------------------------------------------

CODE = Column("code", Label("Code", "কোড"))
ACCOUNT = Column("name", Label("Account", "হিসাবের নাম"))
TYPE = Column("type", Label("Type", "ধরন"))
DEBIT = Column("debit", Label("Debit", "ডেবিট"), "money")
CREDIT = Column("credit", Label("Credit", "ক্রেডিট"), "money")
NET = Column("net", Label("Net balance", "নিট স্থিতি"), "money")


def trial_balance_table(doc: dict[str, Any]) -> PrintableReport:
    rows = [
        Row(
            (
                entry["code"],
                entry["name"],
                labels.account_type(entry["type"]),
                paisa(entry["debit"]),
                paisa(entry["credit"]),
                paisa(entry["net"]),
            )
        )
        for entry in doc["entries"]
    ]
    totals = doc["totals"]
    rows.append(
        Row(
            (None, labels.TOTAL, None, paisa(totals["debit"]), paisa(totals["credit"]), None),
            "total",
        )
    )
    return PrintableReport(
        name=file_stem("trial-balance", doc["as_of"]),
        title=Label("Trial balance", "রেওয়ামিল"),
        header=(
            HeaderLine(labels.AS_OF, date.fromisoformat(doc["as_of"])),
            HeaderLine(labels.FISCAL_YEAR, doc["fiscal_year"]),
            HeaderLine(labels.CURRENCY, doc["currency"]),
        ),
        columns=(CODE, ACCOUNT, TYPE, DEBIT, CREDIT, NET),
        rows=tuple(rows),
    )


# --- general ledger of an account ----------------------------------------------------------

OPENING = Label("Opening balance", "প্রারম্ভিক স্থিতি")
CLOSING = Label("Closing balance", "সমাপনী স্থিতি")
LEDGER_COLUMNS = (
    Column("date", Label("Date", "তারিখ"), "date"),
    Column("journal_number", Label("Journal", "জার্নাল")),
    Column("description", Label("Description", "বিবরণ")),
    Column("reference", Label("Reference", "সূত্র")),
    DEBIT,
    CREDIT,
    Column("balance", Label("Balance", "স্থিতি"), "money"),
)


def ledger_table(
    doc: dict[str, Any], date_from: date | None, date_to: date | None
) -> PrintableReport:
    """`doc` holds every line of the window (all pages): an opening row, one row per line, and
    a closing row with the window's debit and credit sums and the closing balance."""
    items = doc["items"]
    rows = [Row((date_from, None, OPENING, None, None, None, paisa(doc["opening_balance"])),
                "subtotal")]  # fmt: skip
    rows += [
        Row(
            (
                date.fromisoformat(item["date"]),
                item["journal_number"],
                item["description"],
                item["reference"],
                paisa(item["debit"]),
                paisa(item["credit"]),
                paisa(item["balance"]),
            )
        )
        for item in items
    ]
    debits = sum(paisa(item["debit"]) for item in items)
    credits = sum(paisa(item["credit"]) for item in items)
    closing = paisa(doc["closing_balance"])
    rows.append(Row((date_to, None, CLOSING, None, debits, credits, closing), "total"))
    header = [HeaderLine(Label("Account", "হিসাব"), f"{doc['account_code']} {doc['account_name']}")]
    if date_from:
        header.append(HeaderLine(labels.FROM, date_from))
    if date_to:
        header.append(HeaderLine(labels.TO, date_to))
    header.append(HeaderLine(labels.CURRENCY, doc["currency"]))
    window = [d.isoformat() for d in (date_from, date_to) if d]
    return PrintableReport(
        name=file_stem("ledger", doc["account_code"], *window),
        title=Label("General ledger", "সাধারণ খতিয়ান"),
        header=tuple(header),
        columns=LEDGER_COLUMNS,
        rows=tuple(rows),
    )


# --- aging ---------------------------------------------------------------------------------

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total")
AGING_COLUMNS = (
    Column("counterparty", Label("Counterparty", "পক্ষ")),
    Column("invoices", Label("Invoices", "চালান"), "int"),
    Column("current", Label("Not yet due", "মেয়াদ পূর্ণ হয়নি"), "money"),
    Column("days_1_30", Label("1–30 days", "১–৩০ দিন"), "money"),
    Column("days_31_60", Label("31–60 days", "৩১–৬০ দিন"), "money"),
    Column("days_61_90", Label("61–90 days", "৬১–৯০ দিন"), "money"),
    Column("days_over_90", Label("Over 90 days", "৯০ দিনের বেশি"), "money"),
    Column("total", labels.TOTAL, "money"),
)
_AGING_TITLE = {
    "SALES": Label("Receivables aging", "প্রাপ্য হিসাবের বয়সভিত্তিক বিশ্লেষণ"),
    "PURCHASE": Label("Payables aging", "প্রদেয় হিসাবের বয়সভিত্তিক বিশ্লেষণ"),
}


def _buckets(buckets: dict[str, str]) -> tuple[int, ...]:
    return tuple(paisa(buckets[name]) for name in BUCKETS)


def aging_table(doc: dict[str, Any]) -> PrintableReport:
    rows = [
        Row((row["counterparty_name"], row["invoices"], *_buckets(row["buckets"])))
        for row in doc["rows"]
    ]
    blank = (None,) * (len(BUCKETS) - 1)
    invoices = sum(int(row["invoices"]) for row in doc["rows"])
    rows.append(Row((labels.TOTAL, invoices, *_buckets(doc["totals"])), "total"))
    rows.append(
        Row((Label("Control accounts' balance", "নিয়ন্ত্রণ হিসাবের স্থিতি"), None, *blank,
             paisa(doc["ledger_balance"])), "subtotal")
    )  # fmt: skip
    rows.append(
        Row((Label("Difference", "পার্থক্য"), None, *blank, paisa(doc["difference"])),
            "subtotal")
    )  # fmt: skip
    kind = doc["kind"]
    return PrintableReport(
        name=file_stem("aging", kind.lower(), doc["as_of"]),
        title=_AGING_TITLE.get(kind, Label(f"{kind} aging", f"{kind} aging")),
        header=(
            HeaderLine(labels.AS_OF, date.fromisoformat(doc["as_of"])),
            HeaderLine(
                Label("Control accounts", "নিয়ন্ত্রণ হিসাব"), ", ".join(doc["control_accounts"])
            ),
            HeaderLine(labels.CURRENCY, doc["currency"]),
        ),
        columns=AGING_COLUMNS,
        rows=tuple(rows),
    )
