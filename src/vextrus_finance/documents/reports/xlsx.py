"""A report as an XLSX workbook (openpyxl in write-only mode, with lxml: rows stream out, and a
10,000-account trial balance is ~0.9 s of CPU; without lxml openpyxl's pure-Python XML writer
took twice that).

Numbers are numbers: an amount is the exact two-place Decimal of its paisa with the format
'#,##0.00', a count an integer, a date a date cell ('yyyy-mm-dd'); text is always stored as
text, so a name beginning with "=" never becomes a formula. Above the table, a header block:
the title, the company and its BIN, the report's own lines (period or as-of …) and the
generation time; then the bold row of column labels, frozen with everything above it.

CPU-bound for large reports: the API runs it in the render pool, like PDFs."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from vextrus_finance.documents.numerals import Lang
from vextrus_finance.documents.reports import labels
from vextrus_finance.documents.reports.model import (
    Cell,
    ExportHeader,
    Label,
    PrintableReport,
    money_decimal,
)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_WIDTH = {"text": 36, "money": 16, "date": 12, "int": 10}


def render_xlsx(report: PrintableReport, header: ExportHeader, lang: Lang) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=report.title("en")[:31])
    bold = Font(bold=True)

    def cell(value: Any, *, number_format: str | None = None, strong: bool = False) -> Any:
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"  # never a formula, whatever the text begins with
        if number_format:
            made.number_format = number_format
        if strong:
            made.font = bold
        return made

    def typed(kind: str, value: Cell, strong: bool) -> Any:
        if isinstance(value, Label):
            value = value(lang)
        if not strong and (value is None or (isinstance(value, str) and value[:1] != "=")):
            return value  # a plain value is a cell object fewer (most of a large sheet's time)
        if value is None or isinstance(value, str):
            return cell(value, strong=strong)
        if kind == "money" and isinstance(value, int):
            return cell(money_decimal(value), number_format=MONEY_FORMAT, strong=strong)
        if kind == "int" and isinstance(value, int) and not strong:
            return value
        if isinstance(value, date):
            return cell(value, number_format=DATE_FORMAT, strong=strong)
        return cell(value, strong=strong)

    for index, column in enumerate(report.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTH[column.kind]
    block: list[list[Any]] = [
        [cell(report.title(lang), strong=True)],
        [cell(labels.COMPANY(lang)), cell(header.company_name or labels.NOT_SET(lang))],
        [cell(labels.BIN(lang)), cell(header.company_bin or labels.NOT_SET(lang))],
        *([cell(line.label(lang)), typed(_kind(line.value), line.value, False)]
          for line in report.header),
        [
            cell(labels.GENERATED_AT(lang)),
            cell(header.generated_at.replace(tzinfo=None), number_format=DATETIME_FORMAT),
            cell(header.generated_at.tzname() or ""),
        ],
        [cell(labels.AMOUNTS_IN(lang))],
        [],
    ]  # fmt: skip
    header_row = len(block) + 1
    # Frozen: everything down to the column labels stays in view while scrolling.
    sheet.freeze_panes = f"A{header_row + 1}"
    for line in block:
        sheet.append(line)
    sheet.append([cell(column.label(lang), strong=True) for column in report.columns])
    kinds = [column.kind for column in report.columns]
    for row in report.rows:
        strong = row.kind != "detail"
        sheet.append(
            [typed(kind, value, strong) for kind, value in zip(kinds, row.cells, strict=True)]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _kind(value: Cell) -> str:
    return "date" if isinstance(value, date) else "text"
