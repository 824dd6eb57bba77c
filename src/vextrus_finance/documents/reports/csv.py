"""A report as CSV: UTF-8 without a byte-order mark, one header row of column labels, then
one line per row (subtotals and totals included, labelled in their first text column).

Values are machine values whatever the language: amounts as plain two-place numbers
("-1234.50", no grouping), dates ISO 8601, counts as integers; only the column labels and
`Label` cells follow `lang`. The header block (company, period …) is not repeated in CSV: a
CSV is read by programs, which want a table whose first line names the columns.

A text cell that a spreadsheet would run as a formula (beginning with =, +, -, @, tab or
carriage return: a counterparty called "=HYPERLINK(…)") is written with a leading apostrophe,
the OWASP advice against CSV injection; amounts, dates and counts are never text."""

from __future__ import annotations

import csv
import io
from datetime import date

from vextrus_finance.documents.numerals import Lang
from vextrus_finance.documents.reports.model import CellText, PrintableReport, money_text

MEDIA_TYPE = "text/csv; charset=utf-8"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _not_formula(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


_CELLS = CellText(text=_not_formula, day=date.isoformat, money=money_text, count=str)


def render_csv(report: PrintableReport, lang: Lang) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.label(lang) for column in report.columns])
    kinds = [column.kind for column in report.columns]
    for row in report.rows:
        writer.writerow(
            [_CELLS.write(kind, cell, lang) for kind, cell in zip(kinds, row.cells, strict=True)]
        )
    return out.getvalue().encode("utf-8")
