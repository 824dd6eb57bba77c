"""Digits and digit grouping for printed documents: Bengali digits and the lakh/crore system.

Bangladesh groups the integer part as the last three digits, then pairs: 1,23,45,678.90
(one crore twenty-three lakh …). Pairs continue above a crore (100 crore = 1,00,00,00,000),
which is how Bangladeshi banks and the NBR print large amounts. Both languages use this
grouping; only the digit shapes differ."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

Lang = Literal["en", "bn"]

LATIN_DIGITS = "0123456789"
BENGALI_DIGITS = "০১২৩৪৫৬৭৮৯"  # U+09E6 … U+09EF

_TO_BENGALI = str.maketrans(LATIN_DIGITS, BENGALI_DIGITS)
_TO_LATIN = str.maketrans(BENGALI_DIGITS, LATIN_DIGITS)


def to_bengali_digits(text: str) -> str:
    """Replace every ASCII digit with its Bengali digit; everything else is left alone."""
    return text.translate(_TO_BENGALI)


def to_latin_digits(text: str) -> str:
    """Replace every Bengali digit with its ASCII digit; everything else is left alone."""
    return text.translate(_TO_LATIN)


def localise_digits(text: str, lang: Lang) -> str:
    """Digits as the language prints them: Bengali digits for `bn`, unchanged for `en`."""
    return to_bengali_digits(text) if lang == "bn" else text


def group_lakh(digits: str) -> str:
    """Group a string of ASCII digits the Bangladeshi way: "12345678" → "1,23,45,678"."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"expected ASCII digits, got {digits!r}")
    if len(digits) <= 3:
        return digits
    head, last3 = digits[:-3], digits[-3:]
    pairs: list[str] = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    pairs.insert(0, head)
    return ",".join([*pairs, last3])


def format_paisa(paisa: int, lang: Lang = "en") -> str:
    """An amount in paisa as Taka with two places and lakh grouping: 123456789 → "12,34,567.89"."""
    sign = "-" if paisa < 0 else ""
    taka, rest = divmod(abs(paisa), 100)
    return localise_digits(f"{sign}{group_lakh(str(taka))}.{rest:02d}", lang)


def parse_grouped(text: str) -> int:
    """Inverse of `format_paisa`, for tests and for reading a printed amount back: paisa."""
    latin = to_latin_digits(text.strip())
    sign = -1 if latin.startswith("-") else 1
    taka, _, rest = latin.lstrip("-").partition(".")
    if len(rest) != 2 or not rest.isdigit():
        raise ValueError(f"{text!r} does not have exactly two decimal places")
    if taka != group_lakh(taka.replace(",", "")):
        raise ValueError(f"{text!r} is not grouped in lakhs and crores")
    return sign * (int(taka.replace(",", "")) * 100 + int(rest))


def format_decimal(value: Decimal, lang: Lang = "en") -> str:
    """A quantity or a rate without padding zeros and with lakh grouping: 12500.500 → "12,500.5".

    `normalize()` alone would print 1E+3 for 1000, hence the fixed-point format."""
    if not value.is_finite():
        raise ValueError(f"cannot print {value}")
    text = format(value.normalize(), "f")
    sign = "-" if text.startswith("-") else ""
    whole, dot, fraction = text.lstrip("-").partition(".")
    return localise_digits(f"{sign}{group_lakh(whole)}{dot}{fraction}", lang)


def format_rate(percent: Decimal, lang: Lang = "en") -> str:
    """A percentage rate as printed on the invoice: Decimal("7.50") → "7.5%"."""
    return f"{format_decimal(percent, lang)}%"
