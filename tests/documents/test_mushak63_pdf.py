"""Mushak-6.3 as PDF: a real A4 page whose numbers can be found by text search.

What extraction yields, checked by hand: English text comes back verbatim. Bengali digits,
commas and full stops come back exactly (each digit is one glyph), but Bengali *words* do not:
pre-base vowel signs such as ি and ে are drawn before their consonant, and both pypdf and
pdftotext return them out of order or drop them (একত্রিশ extracts as একত্রশ). The page itself is
right (see the Chromium test and the ADR); so for Bengali these tests assert the amounts and
dates in Bengali digits, the BINs and the Mushak number in their registered (ASCII) digits,
plus the embedded Bengali font."""

from __future__ import annotations

import io
import logging
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.documents.factory import (
    AIT,
    BUYER_BIN,
    GRAND_TOTAL,
    HOSTILE_NAME,
    MUSHAK_NUMBER,
    PAYABLE,
    SD_TOTAL,
    SELLER_BIN,
    SUBTOTAL,
    VAT_TOTAL,
    make_document,
    make_line,
    require_binary,
)
from vextrus_finance.documents.mushak63 import no_fetch_url_fetcher, render_pdf
from vextrus_finance.documents.numerals import to_bengali_digits

IDENTIFIERS = [MUSHAK_NUMBER, SELLER_BIN, BUYER_BIN]  # registered digits in both languages
AMOUNTS = [SUBTOTAL, SD_TOTAL, VAT_TOTAL, GRAND_TOTAL, "27/11/2026", "14:05:09"]
FIGURES = IDENTIFIERS + AMOUNTS


def printed(figure: str, lang: str) -> str:
    return to_bengali_digits(figure) if lang == "bn" and figure in AMOUNTS else figure


A4_POINTS = (595.28, 841.89)


@cache
def pdf(lang: str) -> bytes:
    return render_pdf(make_document(), lang)  # type: ignore[arg-type]


def extracted(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def fonts(data: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            # Subset fonts are named ABCDEF+Family-Style.
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_one_a4_page(lang: str) -> None:
    data = pdf(lang)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")  # complete, not the original's truncated buffer
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.5)


@pytest.mark.parametrize("figure", FIGURES)
def test_english_figures_are_extractable_text(figure: str) -> None:
    assert figure in extracted(pdf("en"))


def test_english_labels_and_words_are_extractable() -> None:
    text = " ".join(extracted(pdf("en")).split())
    for phrase in ("Tax Invoice", "Mushak-6.3", "Rule 40", "Exempt"):
        assert phrase in text
    assert "Net payable" not in text  # income tax is not on the VAT document
    assert AIT not in text
    assert PAYABLE not in text
    assert "Taka Thirty Seven Lakh Forty Nine Thousand Eight Hundred" in text
    assert fonts(pdf("en")) >= {"Noto-Sans"}


@pytest.mark.parametrize("figure", AMOUNTS)
def test_bengali_figures_are_extractable_in_bengali_digits(figure: str) -> None:
    text = extracted(pdf("bn"))
    assert to_bengali_digits(figure) in text
    assert figure not in text or not re.search("[0-9]", figure)


@pytest.mark.parametrize("figure", IDENTIFIERS)
def test_bengali_pdf_keeps_registered_digits_of_identifiers(figure: str) -> None:
    assert figure in extracted(pdf("bn"))


def test_bengali_amounts_contain_no_latin_digit() -> None:
    text = extracted(pdf("bn"))
    amounts = re.findall(r"[০-৯][০-৯,]*\.[০-৯]{2}", text)
    assert len(amounts) >= 24  # 4 lines × 5 money columns + 4 totals
    latin = re.sub(r"\b\d{4}\.\d{2}\.\d{2}\b", "", text)  # HS codes keep ASCII digits
    assert not re.findall(r"\d[\d,]*\.\d\d", latin.translate(str.maketrans("", "", "০১২৩৪৫৬৭৮৯")))
    assert "মূসক-৬.৩" in text


def test_bengali_pdf_embeds_the_bengali_font() -> None:
    # Without it the page would print tofu boxes; with a font lacking the glyphs, WeasyPrint
    # would fall back silently, so the font's presence is the proof that Bengali was shaped.
    assert {"Noto-Sans-Bengali", "Noto-Sans-Bengali-Bold"} <= fonts(pdf("bn"))


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_pdftotext_finds_the_same_figures(lang: str) -> None:
    """Poppler's extractor (Debian poppler-utils) as a second, independent reader."""
    pdftotext = require_binary("pdftotext")
    result = subprocess.run(
        [pdftotext, "-enc", "UTF-8", "-", "-"],
        input=pdf(lang),
        capture_output=True,
        check=True,
        timeout=60,
    )
    text = result.stdout.decode("utf-8")
    for figure in FIGURES:
        assert printed(figure, lang) in text, figure


def test_hostile_name_is_plain_text_in_the_pdf() -> None:
    data = render_pdf(make_document(buyer_name=HOSTILE_NAME), "en")
    text = " ".join(extracted(data).split())
    assert '<script>alert("x")</script>' in text
    assert "<img src=x onerror=alert(1)>" in text


def test_a_long_invoice_flows_onto_more_pages_with_the_totals_at_the_end() -> None:
    lines = tuple(make_line(f"Item {n}", "3", 33_33) for n in range(1, 81))
    doc = make_document(lines)
    reader = PdfReader(io.BytesIO(render_pdf(doc, "en")))
    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text()
    # 80 × (3 × 33.33 = 99.99, VAT 15.00) = 7,999.20 + 1,200.00 = 9,199.20
    assert "9,199.20" in last
    assert f"{len(reader.pages)} / {len(reader.pages)}" in last  # page numbers in the margin
    # The column headings repeat on every page.
    assert all("Unit price" in " ".join(page.extract_text().split()) for page in reader.pages)


def test_bengali_page_numbers_use_bengali_digits() -> None:
    lines = tuple(make_line(f"Item {n}", "3", 33_33) for n in range(1, 81))
    reader = PdfReader(io.BytesIO(render_pdf(make_document(lines), "bn")))
    count = to_bengali_digits(str(len(reader.pages)))
    assert len(reader.pages) >= 2
    assert reader.pages[-1].extract_text().rstrip().endswith(f"{count} / {count}")
    assert "৯,১৯৯.২০" in reader.pages[-1].extract_text()


def test_the_renderer_fetches_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from weasyprint import HTML

    fetcher = no_fetch_url_fetcher()
    for url in ("file:///etc/hostname", "https://example.com/x.png", "data:text/plain,hi"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher(url)
    # Inside WeasyPrint a refused resource is skipped with a warning; the page still renders.
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = f'<link rel="stylesheet" href="{secret.as_uri()}"><p>ok 123</p>'
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert "ok 123" in extracted(data)
    assert any("disallowed protocol" in record.getMessage() for record in caplog.records)


def test_long_descriptions_are_not_measured_character_by_character(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With automatic table layout WeasyPrint measured the min-content width of
    every `overflow-wrap: anywhere` cell by laying the rest of its text out again at each
    character, so a 200-line invoice of 500-character descriptions took minutes. Counted
    instead of timed: the line splitter's calls grow with the text, not with its square."""
    import weasyprint.layout.preferred as preferred  # type: ignore[import-untyped]

    calls = 0
    split = preferred.split_first_line

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return split(*args, **kwargs)

    monkeypatch.setattr(preferred, "split_first_line", counting)
    description = ("Portland cement delivered to site " * 15)[:500]
    lines = tuple(make_line(f"{n} {description}", "1", 100) for n in range(5))
    assert render_pdf(make_document(lines), "en").startswith(b"%PDF")
    assert calls < 300, calls  # was ~3,000: 500 per description cell


def test_the_same_document_gives_the_same_bytes() -> None:
    """The stored copy of a document is a cache of a deterministic render: no creation date,
    no random file identifier."""
    assert render_pdf(make_document(), "bn") == pdf("bn")
