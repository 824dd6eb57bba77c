"""The neutral "printable table" every exported report is turned into.

A `PrintableReport` is plain, picklable data (it crosses into a render worker): a bilingual
title, the header block's report-specific lines (period or as-of, account, kind …), typed
columns and rows. Amounts are integer paisa, dates are `date`s, counts are `int`s; a `Label`
is text with its English and Bengali wording, resolved by the renderer in the requested
language. The company, its BIN and the generation time are not the report's: they arrive in
an `ExportHeader` made by the API for each request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from vextrus_finance.documents.numerals import Lang

ColumnKind = Literal["text", "money", "date", "int"]
RowKind = Literal["detail", "heading", "subtotal", "total"]


@dataclass(frozen=True)
class Label:
    """Words printed in the page's language."""

    en: str
    bn: str

    def __call__(self, lang: Lang) -> str:
        return self.bn if lang == "bn" else self.en


# A cell by its column's kind: text → str or Label, money → int paisa, date → date, int → int.
# None is an empty cell in any column.
Cell = str | Label | int | date | None


@dataclass(frozen=True)
class Column:
    key: str  # stable, machine name (not printed)
    label: Label
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    kind: RowKind = "detail"


@dataclass(frozen=True)
class HeaderLine:
    """One line of the header block below the company: "As of: 31/12/2025"."""

    label: Label
    value: Cell


@dataclass(frozen=True)
class PrintableReport:
    name: str  # file-name stem, ASCII: "trial-balance-2025-12-31"
    title: Label
    header: tuple[HeaderLine, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    def __post_init__(self) -> None:
        if not self.name.isascii() or any(c in self.name for c in '"/\\;'):
            raise ValueError(f"report name {self.name!r} is not a plain ASCII file name")
        width = len(self.columns)
        for row in self.rows:
            if len(row.cells) != width:
                raise ValueError(f"a row of {len(row.cells)} cells in a {width}-column report")
            for column, cell in zip(self.columns, row.cells, strict=True):
                if cell is not None and not _fits(column.kind, cell):
                    raise ValueError(f"{column.key}: {cell!r} is not a {column.kind} cell")


def _fits(kind: ColumnKind, cell: Cell) -> bool:
    if kind == "text":
        return isinstance(cell, str | Label)
    if kind == "date":
        return isinstance(cell, date) and not isinstance(cell, datetime)
    return isinstance(cell, int) and not isinstance(cell, bool)  # money (paisa) and int


@dataclass(frozen=True)
class CellText:
    """How a text renderer (CSV, PDF) writes each kind of value; `write` dispatches a cell."""

    text: Callable[[str], str]
    day: Callable[[date], str]
    money: Callable[[int], str]
    count: Callable[[int], str]

    def write(self, kind: ColumnKind, cell: Cell, lang: Lang) -> str:
        if cell is None:
            return ""
        if isinstance(cell, Label):
            return cell(lang)
        if isinstance(cell, str):
            return self.text(cell)
        if isinstance(cell, date):
            return self.day(cell)
        return self.money(cell) if kind == "money" else self.count(cell)


@dataclass(frozen=True)
class ExportHeader:
    """Who the report is for and when it was made, the same for every report."""

    company_name: str | None
    company_bin: str | None
    generated_at: datetime  # aware, in the business time zone


def paisa(amount: str) -> int:
    """A JSON amount ("-1234.50") as integer paisa; anything but two places is refused."""
    value = Decimal(amount)
    if value.as_tuple().exponent != -2:
        raise ValueError(f"{amount!r} is not an amount with two places")
    return int(value.scaleb(2))


def money_text(paisa_amount: int) -> str:
    """Integer paisa as the plain machine number of CSV: "-1234.50" (no grouping)."""
    sign = "-" if paisa_amount < 0 else ""
    whole, cents = divmod(abs(paisa_amount), 100)
    return f"{sign}{whole}.{cents:02d}"


def money_decimal(paisa_amount: int) -> Decimal:
    """Integer paisa as an exact two-place Decimal (what XLSX cells hold)."""
    return Decimal(paisa_amount).scaleb(-2)
