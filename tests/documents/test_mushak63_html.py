"""Mushak-6.3 as HTML: the fields the law asks for, both languages, escaping, digits, totals."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.documents.factory import (
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
)
from tests.documents.page import Page
from vextrus_finance.documents.labels import BN, EN, Labels
from vextrus_finance.documents.mushak63 import CONTENT_SECURITY_POLICY, render_html
from vextrus_finance.documents.numerals import parse_grouped, to_bengali_digits
from vextrus_finance.documents.words_bn import amount_in_words_bn

LANGS = [("en", EN), ("bn", BN)]


def page(lang: str, **kwargs: object) -> Page:
    return Page(render_html(make_document(**kwargs), lang))  # type: ignore[arg-type]


@pytest.mark.parametrize(("lang", "labels"), LANGS)
def test_every_label_the_form_requires_is_printed(lang: str, labels: Labels) -> None:
    text = page(lang).text
    only_when_cancelled = {"lang", "cancelled", "cancelled_note"}
    for field, label in vars(labels).items():
        if field not in only_when_cancelled:
            assert label in text, field


def test_the_form_identifies_itself_in_both_languages() -> None:
    en, bn = page("en").text, page("bn").text
    assert "Tax Invoice" in en
    assert "Mushak-6.3" in en
    assert "[See clause (c) and (f) of sub-rule (1) of Rule 40]" in en
    assert "কর চালানপত্র" in bn
    assert "মূসক-৬.৩" in bn
    assert "[বিধি ৪০ এর উপ-বিধি (১) এর দফা (গ) ও দফা (চ) দ্রষ্টব্য]" in bn


def test_english_page_shows_the_parties_and_the_challan() -> None:
    p = page("en")
    assert p.of("seller-name") == "Vextrus Construction Ltd."
    assert p.of("seller-bin") == SELLER_BIN
    assert p.of("seller-tin") == "123456789012"
    assert p.of("seller-address") == "House 12, Road 5, Gulshan-1, Dhaka 1212"
    assert p.of("buyer-name") == "Rupayan Housing Estate Ltd."
    assert p.of("buyer-bin") == BUYER_BIN
    assert p.of("buyer-tin") == "—"  # absent, and said so rather than left blank
    assert p.of("buyer-address") == "Plot 31, Sector 99, Uttara, Dhaka 1230"
    assert p.of("destination") == "Plot 31, Sector 99, Uttara, Dhaka 1230"
    assert p.of("mushak-number") == MUSHAK_NUMBER
    assert p.of("invoice-number") == "INV-2026-11-27-000042"
    assert p.of("invoice-date") == "27/11/2026"


def test_time_of_issue_is_printed_in_dhaka_time() -> None:
    # 20:30 UTC on the 27th is 02:30 on the 28th in Dhaka (UTC+6): date and time both move.
    p = page("en", issued_at=datetime(2026, 11, 27, 20, 30, 15, tzinfo=UTC))
    assert p.of("issue-date") == "28/11/2026"
    assert p.of("issue-time") == "02:30:15 (Bangladesh time)"
    machine = [a["datetime"] for tag, a in p.attributes if tag == "time"]
    assert machine == ["2026-11-28T02:30:15+06:00"]
    # Any aware time is converted, not printed in its own zone.
    new_york = timezone(timedelta(hours=-5))
    p = page("en", issued_at=datetime(2026, 11, 27, 15, 30, 15, tzinfo=new_york))
    assert p.of("issue-time").startswith("02:30:15")


def test_naive_time_of_issue_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_document(issued_at=datetime(2026, 11, 27, 8, 5))


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        ("subtotal", SUBTOTAL),
        ("sd-total", SD_TOTAL),
        ("vat-total", VAT_TOTAL),
        ("grand-total", GRAND_TOTAL),
    ],
)
def test_totals_use_lakh_grouping_in_both_languages(cls: str, expected: str) -> None:
    assert page("en").of(cls) == expected
    assert page("bn").of(cls) == to_bengali_digits(expected)


def test_line_cells_in_english() -> None:
    rows = re.findall(r'<tr class="line">(.*?)</tr>', render_html(make_document(), "en"), re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    assert cells[1] == [
        "2",
        "Deformed steel bar",
        "7214.20.00",
        "tonne",
        "12.5",
        "95,500.00",
        "11,93,750.00",
        "0%",
        "0.00",
        "7.5%",
        "89,531.25",
        "12,83,281.25",
    ]
    # The exempt line says so instead of printing a 0 % rate.
    assert cells[2][9] == "Exempt"
    assert cells[2][2] == "—"  # no HS code
    # SD is part of the VAT base: 10,20,000 + 20 % SD = 12,24,000; 15 % VAT = 1,83,600.
    assert cells[3][6:] == [
        "10,20,000.00",
        "20%",
        "2,04,000.00",
        "15%",
        "1,83,600.00",
        "14,07,600.00",
    ]


def test_exempt_line_in_bengali() -> None:
    p = page("bn")
    assert p.of("vat-rate").split() == ["১৫%", "৭.৫%", "অব্যাহতিপ্রাপ্ত", "১৫%"]


def test_amount_in_words_in_both_languages() -> None:
    en, bn = page("en"), page("bn")
    assert en.of("grand-total-words") == (
        "Taka Thirty Seven Lakh Forty Nine Thousand Eight Hundred Eighty One"
        " and Twenty Five Paisa Only"
    )
    assert bn.of("grand-total-words") == ("সাঁইত্রিশ লক্ষ ঊনপঞ্চাশ হাজার আট শত একাশি টাকা পঁচিশ পয়সা মাত্র")


def test_income_tax_and_net_payable_are_not_on_the_vat_document() -> None:
    """AIT is income tax deducted by the buyer: it and the net payable belong to the invoice,
    not to Mushak 6.3, which ends at the value including SD and VAT."""
    for lang in ("en", "bn"):
        p = page(lang)
        assert (p.of("ait-amount"), p.of("payable-amount"), p.of("payable-words")) == ("", "", "")
    text = page("en").text
    assert "Net payable" not in text
    assert "advance income tax" not in text
    assert PAYABLE not in text


def test_bengali_page_keeps_registered_digits_of_identifiers() -> None:
    # Free text is printed as typed; numbers, dates and times the service formats are Bengali;
    # identifiers checked against a register — BIN, e-TIN, HS code, the Mushak serial and the
    # invoice number — keep the ASCII digits they were registered with.
    doc = make_document()
    doc = replace(
        doc,
        seller=replace(doc.seller, address="Gulshan, Dhaka"),
        buyer=replace(doc.buyer, address="Uttara, Dhaka"),
        lines=tuple(replace(line, description="Building material") for line in doc.lines),
    )
    p = Page(render_html(doc, "bn"))
    assert p.of("mushak-number") == MUSHAK_NUMBER
    assert (p.of("seller-bin"), p.of("buyer-bin")) == (SELLER_BIN, BUYER_BIN)
    assert p.of("seller-tin") == "123456789012"
    for value in ("27/11/2026", "14:05:09", GRAND_TOTAL):
        assert to_bengali_digits(value) in p.text
    identifiers = (MUSHAK_NUMBER, SELLER_BIN, BUYER_BIN, "123456789012", doc.invoice_number)
    rest = p.text
    for value in (*identifiers, *(line.hs_code for line in doc.lines if line.hs_code)):
        rest = rest.replace(value, "")
    assert not re.search("[0-9]", rest), re.findall(r".{20}[0-9].{20}", rest)


def test_destination_vehicle_and_cancelled_mark() -> None:
    plain = page("en")
    assert plain.of("cancelled-word") == ""
    assert "CANCELLED" not in plain.text
    assert plain.of("vehicle") == ""
    doc = replace(
        make_document(),
        destination="Site 4, Purbachal, Dhaka",
        vehicle_type="Covered van",
        vehicle_number="DHAKA METRO-TA 11-2233",
        cancelled=True,
    )
    en, bn = Page(render_html(doc, "en")), Page(render_html(doc, "bn"))
    assert en.of("destination") == "Site 4, Purbachal, Dhaka"
    assert en.of("vehicle") == "Covered van DHAKA METRO-TA 11-2233"
    assert bn.of("vehicle") == "Covered van DHAKA METRO-TA 11-2233"  # as registered
    assert en.of("cancelled-word") == "CANCELLED"
    assert bn.of("cancelled-word") == "বাতিল"


def test_english_page_has_no_bengali_digit() -> None:
    assert not re.search("[০-৯]", page("en").text)


def test_hostile_counterparty_is_printed_as_text_not_markup() -> None:
    doc = make_document(buyer_name=HOSTILE_NAME)
    doc = replace(
        doc,
        buyer=replace(doc.buyer, address='"><iframe src="https://evil.example">'),
        lines=(make_line("</td></tr></table><script>steal()</script>", "1", 100),),
        subtotal_paisa=100,
        sd_total_paisa=0,
        vat_total_paisa=15,
        grand_total_paisa=115,
        ait_paisa=0,
        payable_paisa=115,
    )
    html = render_html(doc, "en")
    p = Page(html)
    assert "script" not in p.tags
    assert "img" not in p.tags
    assert "iframe" not in p.tags
    assert p.of("buyer-name") == HOSTILE_NAME  # shown exactly as the user typed it
    assert '"><iframe src="https://evil.example">' in p.text
    assert "&lt;script&gt;" in html
    assert p.tags.count("table") == 5  # no table was closed early by a description


def test_the_page_allows_only_its_own_stylesheet() -> None:
    p = page("bn")
    policy = [a["content"] for tag, a in p.attributes if a.get("http-equiv")]
    assert policy == [CONTENT_SECURITY_POLICY]
    digest = base64.b64encode(hashlib.sha256(p.style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "@page" in p.style
    assert "A4" in p.style
    assert "Noto Sans Bengali" in p.style


def test_html_declares_its_language() -> None:
    assert '<html lang="bn">' in render_html(make_document(), "bn")
    assert '<html lang="en">' in render_html(make_document(), "en")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        render_html(make_document(), "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subtotal_paisa": 1}, "subtotal"),
        ({"vat_total_paisa": 1}, "VAT total"),
        ({"grand_total_paisa": 1}, "grand total"),
        ({"payable_paisa": 1}, "payable"),
        ({"currency": "USD"}, "BDT"),
        ({"lines": ()}, "at least one line"),
    ],
)
def test_a_document_that_does_not_add_up_is_refused(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        replace(make_document(), **change)  # type: ignore[arg-type]


def test_a_line_that_does_not_add_up_is_refused() -> None:
    line = make_line("Cement", "10", 100_000)
    with pytest.raises(ValueError, match="total"):
        replace(line, total_paisa=line.total_paisa + 1)
    with pytest.raises(ValueError, match="exempt line carries VAT"):
        replace(line, vat_rate=None)
    assert replace(line, vat_rate=Decimal("10"), vat_paisa=line.vat_paisa).vat_rate == 10


line_inputs = st.tuples(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100_000), places=3),
    st.integers(min_value=0, max_value=10**9),  # unit price up to 1 crore taka
    st.sampled_from(["0", "10", "20", "35"]),
    st.sampled_from(["15", "10", "7.5", "5", "0", None]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(line_inputs, min_size=1, max_size=5), st.sampled_from(["0", "3", "5", "10"]))
def test_any_invoice_prints_totals_that_read_back(
    inputs: list[tuple[Decimal, int, str, str | None]], ait: str
) -> None:
    lines = tuple(
        make_line(f"Item {n}", str(q), price, sd_rate=sd, vat_rate=vat)
        for n, (q, price, sd, vat) in enumerate(inputs, start=1)
    )
    doc = make_document(lines, ait_percent=ait)
    for lang in ("en", "bn"):
        p = Page(render_html(doc, lang))
        assert parse_grouped(p.of("grand-total")) == doc.grand_total_paisa
        assert parse_grouped(p.of("vat-total")) == doc.vat_total_paisa
        assert len(p.of("vat-rate").split()) == len(lines)
    words = Page(render_html(doc, "bn")).of("grand-total-words")
    assert words == amount_in_words_bn(doc.grand_total_paisa)
