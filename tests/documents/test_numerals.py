"""Bengali digits and Bangladeshi (lakh/crore) digit grouping."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vextrus_finance.documents.numerals import (
    BENGALI_DIGITS,
    format_decimal,
    format_paisa,
    format_rate,
    group_lakh,
    localise_digits,
    parse_grouped,
    to_bengali_digits,
    to_latin_digits,
)

# 10^17 paisa is the largest amount the service stores (ADR 0004).
paisa = st.integers(min_value=-(10**17), max_value=10**17)
GROUPED = re.compile(r"-?(\d{1,3}|\d{1,2}(,\d{2})*,\d{3})\.\d{2}")


def test_the_ten_bengali_digits_in_order() -> None:
    assert to_bengali_digits("0123456789") == "০১২৩৪৫৬৭৮৯"
    assert [ord(c) for c in BENGALI_DIGITS] == list(range(0x09E6, 0x09F0))


def test_only_digits_change() -> None:
    assert to_bengali_digits("M63-2026/27, ৳ 1,234.50") == "M৬৩-২০২৬/২৭, ৳ ১,২৩৪.৫০"
    assert to_latin_digits("মূসক-৬.৩") == "মূসক-6.3"
    assert localise_digits("12", "en") == "12"
    assert localise_digits("12", "bn") == "১২"


@given(st.text())
def test_bengali_digits_round_trip(text: str) -> None:
    latin = to_latin_digits(text)  # any Bengali digits in the input become Latin first
    bengali = to_bengali_digits(latin)
    assert not re.search("[0-9]", bengali)
    assert to_latin_digits(bengali) == latin
    assert len(bengali) == len(latin)


@pytest.mark.parametrize(
    ("digits", "grouped"),
    [
        ("0", "0"),
        ("999", "999"),
        ("1000", "1,000"),
        ("99999", "99,999"),
        ("100000", "1,00,000"),
        ("1234567", "12,34,567"),
        ("12345678", "1,23,45,678"),
        ("123456789", "12,34,56,789"),
        ("1000000000", "1,00,00,00,000"),  # 100 crore: pairs continue above a crore
        ("123456789012", "1,23,45,67,89,012"),
    ],
)
def test_lakh_grouping(digits: str, grouped: str) -> None:
    assert group_lakh(digits) == grouped


@pytest.mark.parametrize("bad", ["", "12a", "-5", "১২৩", "1,000"])
def test_grouping_takes_plain_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="ASCII digits"):
        group_lakh(bad)


def test_amounts_in_paisa() -> None:
    assert format_paisa(12_345_678_90) == "1,23,45,678.90"
    assert format_paisa(12_345_678_90, "bn") == "১,২৩,৪৫,৬৭৮.৯০"
    assert format_paisa(0) == "0.00"
    assert format_paisa(5) == "0.05"
    assert format_paisa(-100_000_00) == "-1,00,000.00"


@given(paisa)
def test_grouping_round_trips(amount: int) -> None:
    for lang in ("en", "bn"):
        text = format_paisa(amount, lang)  # type: ignore[arg-type]
        assert parse_grouped(text) == amount
    latin = format_paisa(amount)
    assert GROUPED.fullmatch(latin), latin
    # Removing the commas gives the plain amount back.
    assert Decimal(latin.replace(",", "")) == Decimal(amount) / 100


@pytest.mark.parametrize("text", ["1,234,567.00", "12,34,567.0", "1234567.00", "12,34,567"])
def test_parse_refuses_western_grouping_and_missing_paisa(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - both messages are ValueErrors
        parse_grouped(text)


@pytest.mark.parametrize(
    ("value", "en", "bn"),
    [
        (Decimal("1200"), "1,200", "১,২০০"),
        (Decimal("1E+3"), "1,000", "১,০০০"),  # normalize() alone would print 1E+3
        (Decimal("12.500"), "12.5", "১২.৫"),
        (Decimal("150000.25"), "1,50,000.25", "১,৫০,০০০.২৫"),
        (Decimal("0.001"), "0.001", "০.০০১"),
    ],
)
def test_quantities(value: Decimal, en: str, bn: str) -> None:
    assert format_decimal(value, "en") == en
    assert format_decimal(value, "bn") == bn


def test_rates() -> None:
    assert format_rate(Decimal("15")) == "15%"
    assert format_rate(Decimal("7.50")) == "7.5%"
    assert format_rate(Decimal("0.00")) == "0%"
    assert format_rate(Decimal("7.5"), "bn") == "৭.৫%"


def test_infinite_quantities_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot print"):
        format_decimal(Decimal("NaN"))
