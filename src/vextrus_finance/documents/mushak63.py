"""Mushak-6.3, the tax invoice (কর চালানপত্র) of a sales invoice, as HTML and as PDF.

A `Mushak63Document` arrives with every amount already computed (integer paisa) from the
invoice; this module checks that its figures agree, and the template prints the dataclass as it
is. The PDF is WeasyPrint's rendering of the same HTML, so the page a browser shows and the PDF
never disagree, and every number in the PDF is real, extractable text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NoReturn

from vextrus_finance.documents.labels import LABELS
from vextrus_finance.documents.templating import CONTENT_SECURITY_POLICY, render_template
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


def render_html(doc: Mushak63Document, lang: Literal["en", "bn"]) -> str:
    """The tax invoice as one self-contained HTML page (inline CSS, A4 print styles)."""
    if lang not in LABELS:
        raise ValueError(f"unsupported language {lang!r}")
    return render_template(
        "mushak63.html.j2",
        doc=doc,
        lang=lang,
        labels=LABELS[lang],
        issued_local=_business_time(doc.issued_at),
    )


def _business_time(instant: datetime) -> datetime:
    # The form prints the time of issue in the business time zone. The render interface is
    # (doc, lang) and PDFs render in worker processes, so the zone is read from the settings of
    # the process rendering, which are those the service was started with.
    return get_settings().calendar.local_time(instant)


def no_fetch_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that allows no protocol at all.

    The page needs nothing from outside (inline CSS, system fonts); refusing every fetch keeps
    a crafted value from making the renderer read a local file or call a URL, even if escaping
    ever failed. A refused fetch is a warning in WeasyPrint's log, not a failed render."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    return URLFetcher(allowed_protocols=frozenset())


def render_pdf(doc: Mushak63Document, lang: Literal["en", "bn"]) -> bytes:
    """The same page as an A4 PDF with embedded (subset) Noto fonts and extractable text.

    CPU-bound and not interruptible: async code runs it in the render pool (ADR 0031)."""
    # Imported here: WeasyPrint loads Pango at import time, which only PDF requests need.
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_html(doc, lang)
    pdf: bytes = HTML(string=html, url_fetcher=no_fetch_url_fetcher()).write_pdf()
    return pdf
