"""Mushak-6.3, the tax invoice (কর চালানপত্র) of a sales invoice, as HTML and as PDF.

The invoice aggregate builds a `Mushak63Document` with every amount already computed (integer
paisa); this module only checks that the figures agree and prints them. The PDF is WeasyPrint's
rendering of the same HTML, so the page a browser shows and the PDF never disagree, and every
number in the PDF is real, extractable text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NoReturn

from vextrus_finance.documents.labels import LABELS, Labels
from vextrus_finance.documents.numerals import (
    Lang,
    format_decimal,
    format_paisa,
    format_rate,
    localise_digits,
)
from vextrus_finance.documents.templating import CONTENT_SECURITY_POLICY, render_template
from vextrus_finance.documents.words_bn import amount_in_words_bn
from vextrus_finance.documents.words_en import amount_in_words_en
from vextrus_finance.settings import get_settings

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "Mushak63Document",
    "Mushak63Line",
    "Party",
    "no_fetch_url_fetcher",
    "render_html",
    "render_pdf",
]


@dataclass(frozen=True)
class Party:
    name: str
    address: str | None
    bin: str | None
    tin: str | None


@dataclass(frozen=True)
class Mushak63Line:
    description: str
    hs_code: str | None
    unit: str | None
    quantity: Decimal
    unit_price_paisa: int
    amount_paisa: int
    sd_rate: Decimal
    sd_paisa: int
    vat_rate: Decimal | None  # percent; None = exempt
    vat_paisa: int
    total_paisa: int

    def __post_init__(self) -> None:
        # A tax invoice whose own columns disagree is worse than no document: refuse it here,
        # where the caller's bug is visible, rather than print it.
        if self.total_paisa != self.amount_paisa + self.sd_paisa + self.vat_paisa:
            _inconsistent(f"line {self.description!r}: total ≠ value + SD + VAT")
        if self.vat_rate is None and self.vat_paisa != 0:
            _inconsistent(f"line {self.description!r}: an exempt line carries VAT")
        if min(self.unit_price_paisa, self.amount_paisa, self.sd_paisa, self.vat_paisa) < 0:
            _inconsistent(f"line {self.description!r}: negative amount")


@dataclass(frozen=True)
class Mushak63Document:
    mushak_number: str
    issued_at: datetime  # timezone-aware; printed in the business time zone
    invoice_number: str
    invoice_date: date
    seller: Party
    buyer: Party
    lines: tuple[Mushak63Line, ...]
    subtotal_paisa: int
    sd_total_paisa: int
    vat_total_paisa: int
    grand_total_paisa: int
    ait_paisa: int
    payable_paisa: int
    currency: str
    # Where the goods go and what carries them; the buyer's address stands for the
    # destination when none is given.
    destination: str | None = None
    vehicle_type: str | None = None
    vehicle_number: str | None = None
    cancelled: bool = False  # a reprint for the record, marked CANCELLED

    def __post_init__(self) -> None:
        if self.issued_at.utcoffset() is None:
            _inconsistent("issued_at must be timezone-aware (the time of issue is printed)")
        if not self.lines:
            _inconsistent("a tax invoice needs at least one line")
        if self.currency != "BDT":
            # Mushak-6.3 values are in Taka by law, and the words say "Taka"/"টাকা".
            _inconsistent(f"Mushak-6.3 is issued in BDT, not {self.currency}")
        sums = {
            "subtotal": (self.subtotal_paisa, sum(line.amount_paisa for line in self.lines)),
            "SD total": (self.sd_total_paisa, sum(line.sd_paisa for line in self.lines)),
            "VAT total": (self.vat_total_paisa, sum(line.vat_paisa for line in self.lines)),
            "grand total": (
                self.grand_total_paisa,
                self.subtotal_paisa + self.sd_total_paisa + self.vat_total_paisa,
            ),
            "payable": (self.payable_paisa, self.grand_total_paisa - self.ait_paisa),
        }
        for name, (given, expected) in sums.items():
            if given != expected:
                _inconsistent(f"{name} is {given} paisa but the lines give {expected}")
        if not 0 <= self.ait_paisa <= self.grand_total_paisa:
            _inconsistent("AIT must be between zero and the grand total")


def _inconsistent(message: str) -> NoReturn:
    raise ValueError(f"Mushak-6.3: {message}")


def _business_time(instant: datetime) -> datetime:
    # The form prints the time of issue in the business time zone. The render interface is
    # (doc, lang) and PDFs render in worker processes, so the zone is read from the settings of
    # the process rendering, which are those the service was started with.
    return get_settings().calendar.local_time(instant)


def _text(value: str | None) -> str:
    """An identifier (BIN, TIN, HS code, serial and invoice numbers) keeps its registered
    ASCII digits in every language, so it matches the register it is checked against; "—" if
    absent. Free text (names, addresses, descriptions, units) is printed as the user wrote it."""
    return value or "—"


def _party(party: Party) -> dict[str, str]:
    return {
        "name": party.name,
        "address": party.address or "—",
        "bin": _text(party.bin),
        "tin": _text(party.tin),
    }


def _line(serial: int, line: Mushak63Line, labels: Labels) -> dict[str, str]:
    lang = labels.lang
    return {
        "serial": localise_digits(str(serial), lang),
        "description": line.description,
        "hs_code": _text(line.hs_code),
        "unit": line.unit or "—",
        "quantity": format_decimal(line.quantity, lang),
        "unit_price": format_paisa(line.unit_price_paisa, lang),
        "amount": format_paisa(line.amount_paisa, lang),
        "sd_rate": format_rate(line.sd_rate, lang),
        "sd_amount": format_paisa(line.sd_paisa, lang),
        "vat_rate": labels.exempt if line.vat_rate is None else format_rate(line.vat_rate, lang),
        "vat_amount": format_paisa(line.vat_paisa, lang),
        "total": format_paisa(line.total_paisa, lang),
    }


def _words(paisa: int, lang: Lang) -> str:
    return amount_in_words_bn(paisa) if lang == "bn" else amount_in_words_en(paisa)


def _context(doc: Mushak63Document, lang: Lang) -> dict[str, Any]:
    labels = LABELS[lang]
    issued = _business_time(doc.issued_at)
    return {
        "labels": labels,
        "lang": lang,
        "mushak_number": _text(doc.mushak_number),
        "invoice_number": _text(doc.invoice_number),
        "invoice_date": localise_digits(doc.invoice_date.strftime("%d/%m/%Y"), lang),
        "issue_date": localise_digits(issued.strftime("%d/%m/%Y"), lang),
        "issue_time": localise_digits(issued.strftime("%H:%M:%S"), lang),
        "issue_datetime": issued.isoformat(),
        "seller": _party(doc.seller),
        "buyer": _party(doc.buyer),
        # The form asks where the goods go: the invoice's destination, else the buyer's address.
        "destination": doc.destination or doc.buyer.address or "—",
        "vehicle": " ".join(v for v in (doc.vehicle_type, doc.vehicle_number) if v),
        "cancelled": doc.cancelled,
        "column_numbers": [localise_digits(str(n), lang) for n in range(1, 13)],
        "lines": [_line(n, line, labels) for n, line in enumerate(doc.lines, start=1)],
        "subtotal": format_paisa(doc.subtotal_paisa, lang),
        "sd_total": format_paisa(doc.sd_total_paisa, lang),
        "vat_total": format_paisa(doc.vat_total_paisa, lang),
        # The VAT document ends at the value including VAT and SD: income tax deducted at
        # source (AIT) and the net the buyer pays belong to the invoice, not to Mushak 6.3.
        "grand_total": format_paisa(doc.grand_total_paisa, lang),
        "grand_total_words": _words(doc.grand_total_paisa, lang),
    }


def render_html(doc: Mushak63Document, lang: Literal["en", "bn"]) -> str:
    """The tax invoice as one self-contained HTML page (inline CSS, A4 print styles)."""
    if lang not in LABELS:
        raise ValueError(f"unsupported language {lang!r}")
    return render_template("mushak63.html.j2", _context(doc, lang))


def no_fetch_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that allows no protocol at all.

    The page needs nothing from outside (inline CSS, system fonts); refusing every fetch keeps
    a crafted value from making the renderer read a local file or call a URL, even if escaping
    ever failed. A refused fetch is a warning in WeasyPrint's log, not a failed render."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    return URLFetcher(allowed_protocols=frozenset())


def render_pdf(doc: Mushak63Document, lang: Literal["en", "bn"]) -> bytes:
    """The same page as an A4 PDF with embedded (subset) Noto fonts and extractable text.

    CPU-bound (~0.1–0.2 s a page, ~1 s for a process's first): call it from a worker thread in
    async code."""
    # Imported here: WeasyPrint loads Pango at import time, which only PDF requests need.
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_html(doc, lang)
    pdf: bytes = HTML(string=html, url_fetcher=no_fetch_url_fetcher()).write_pdf()
    return pdf
