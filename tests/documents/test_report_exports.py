"""The report-export framework without a database: the printable-table model refuses what it
cannot print, and each renderer prints what the model holds (ADR 0049)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from vextrus_finance.documents.reports.csv import render_csv
from vextrus_finance.documents.reports.model import (
    Column,
    ExportHeader,
    HeaderLine,
    Label,
    PrintableReport,
    Row,
    money_decimal,
    money_text,
    paisa,
)
from vextrus_finance.documents.reports.pdf import render_report_html
from vextrus_finance.documents.reports.xlsx import render_xlsx

HOSTILE = '<script>alert("x")</script>'
COLUMNS = (
    Column("name", Label("Name", "নাম")),
    Column("day", Label("Day", "দিন"), "date"),
    Column("count", Label("Count", "সংখ্যা"), "int"),
    Column("amount", Label("Amount", "পরিমাণ"), "money"),
)
HEADER = ExportHeader(None, None, datetime(2026, 1, 5, 4, 30, tzinfo=UTC))


def report(*rows: Row) -> PrintableReport:
    return PrintableReport(
        name="demo-2025-12-31",
        title=Label("Demo", "ডেমো"),
        header=(HeaderLine(Label("As of", "তারিখ"), date(2025, 12, 31)),),
        columns=COLUMNS,
        rows=rows,
    )


def test_the_model_refuses_what_it_cannot_print() -> None:
    with pytest.raises(ValueError, match="3 cells in a 4-column"):
        report(Row(("a", None, None)))
    with pytest.raises(ValueError, match="amount"):
        report(Row(("a", None, None, "12.50")))  # an amount must be paisa, not text
    with pytest.raises(ValueError, match="day"):
        report(Row(("a", datetime(2025, 1, 1, tzinfo=UTC), None, None)))
    with pytest.raises(ValueError, match="count"):
        report(Row(("a", None, True, None)))
    with pytest.raises(ValueError, match="file name"):
        PrintableReport('a"b', Label("x", "x"), (), (), ())
    with pytest.raises(ValueError, match="two places"):
        paisa("12.5")


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_an_amount_survives_every_format(amount: int) -> None:
    assert paisa(money_text(amount)) == amount
    assert money_decimal(amount) == Decimal(amount) / 100
    assert money_decimal(amount).as_tuple().exponent == -2
    data = render_xlsx(report(Row(("x", None, None, amount))), HEADER, "en")
    sheet = load_workbook(io.BytesIO(data)).active
    cell = next(row[3] for row in sheet.iter_rows() if row[0].value == "x")
    assert Decimal(str(cell.value)) == Decimal(amount) / 100
    rows = list(csv.reader(io.StringIO(render_csv(report(Row(("x", None, None, amount))), "en")
                                       .decode())))  # fmt: skip
    assert Decimal(rows[1][3]) == Decimal(amount) / 100


def test_csv_is_plain_machine_values_and_never_a_formula() -> None:
    data = report(
        Row(('=HYPERLINK("http://x")', date(2025, 8, 10), 3, -123456789)),
        Row((Label("Total", "মোট"), None, None, 5), "total"),
    )
    rows = list(csv.reader(io.StringIO(render_csv(data, "bn").decode("utf-8"))))
    assert rows == [
        ["নাম", "দিন", "সংখ্যা", "পরিমাণ"],
        ['\'=HYPERLINK("http://x")', "2025-08-10", "3", "-1234567.89"],
        ["মোট", "", "", "0.05"],
    ]


def test_xlsx_text_stays_text_and_a_missing_company_is_said() -> None:
    data = render_xlsx(report(Row(("=1+1", date(2025, 8, 10), 7, 150))), HEADER, "en")
    sheet = load_workbook(io.BytesIO(data)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert values.count("not set") == 2  # company and BIN
    row = next(r for r in sheet.iter_rows() if r[0].value == "=1+1")
    assert row[0].data_type == "s"
    assert row[1].value == datetime(2025, 8, 10)
    assert row[2].value == 7
    assert row[3].value == 1.5
    assert row[3].number_format == "#,##0.00"


def test_the_page_escapes_user_text_and_prints_bengali_digits() -> None:
    page = render_report_html(report(Row((HOSTILE, date(2025, 8, 10), 12, 1234567))), HEADER, "bn")
    assert HOSTILE not in page
    assert "&lt;script&gt;" in page
    assert "১২,৩৪৫.৬৭" in page
    assert "১০/০৮/২০২৫" in page
    assert "৩১/১২/২০২৫" in page  # the header line's date
    english = render_report_html(report(Row(("x", None, 12, 1234567))), HEADER, "en")
    assert "12,345.67" in english
