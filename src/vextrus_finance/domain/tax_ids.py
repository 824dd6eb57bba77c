"""Bangladeshi identifiers as value checks: VAT registration number (BIN, 13 digits), e-TIN
(12 digits), mobile numbers of the mobile financial services, and HS codes.

The original service took 9-digit BINs and 10-digit TINs; NBR issues 13 and 12 digits."""

from __future__ import annotations

import re

from vextrus_finance.domain.errors import InvalidInput

BIN_DIGITS = 13
TIN_DIGITS = 12
# Spaces and hyphens are how people write these numbers on letterheads: tolerated, dropped.
_SEPARATORS = re.compile(r"[\s-]")
_MOBILE_RE = re.compile(r"01[3-9][0-9]{8}")
_HS_RE = re.compile(r"[0-9]+")
HS_LENGTHS = (4, 6, 8, 10, 12)


def _digits(value: str, *, length: int, what: str, field: str, code: str) -> str:
    text = _SEPARATORS.sub("", value)
    if not text:
        raise InvalidInput(f"{what} must not be empty", field=field, code=code)
    if not text.isascii() or not text.isdigit():
        raise InvalidInput(
            f"{what} must contain only the digits 0-9 (got {value!r})", field=field, code=code
        )
    if len(text) != length:
        raise InvalidInput(
            f"{what} must be exactly {length} digits (got {len(text)})", field=field, code=code
        )
    return text


def validate_bin(value: str, *, field: str = "bin") -> str:
    """A VAT Business Identification Number: 13 digits, stored without separators."""
    return _digits(value, length=BIN_DIGITS, what="BIN", field=field, code="invalid_bin")


def validate_tin(value: str, *, field: str = "tin") -> str:
    """An electronic Taxpayer Identification Number (e-TIN): 12 digits."""
    return _digits(value, length=TIN_DIGITS, what="e-TIN", field=field, code="invalid_tin")


def normalize_mobile(value: str, *, field: str = "mobile_number") -> str:
    """A Bangladeshi mobile number as `01XXXXXXXXX`; accepts +880 / 880 / 0 prefixes."""
    text = _SEPARATORS.sub("", value)
    if text.startswith("+880"):
        text = "0" + text[4:]
    elif text.startswith("880"):
        text = "0" + text[3:]
    if not _MOBILE_RE.fullmatch(text):
        raise InvalidInput(
            f"{value!r} is not a Bangladeshi mobile number (01[3-9] and 8 more digits, "
            "optionally with +880)",
            field=field,
            code="invalid_mobile_number",
        )
    return text


def normalize_hs_code(value: str, *, field: str = "hs_code") -> str:
    """An HS code as digits in dotted groups, `2523.29.00`: 4 digits (heading), 6 (subheading)
    or Bangladesh's 8–12 digit tariff lines."""
    text = value.replace(".", "").replace(" ", "")
    if not _HS_RE.fullmatch(text) or not text.isascii() or len(text) not in HS_LENGTHS:
        raise InvalidInput(
            f"{value!r} is not an HS code: give 4, 6, 8, 10 or 12 digits, e.g. 2523.29.00",
            field=field,
            code="invalid_hs_code",
        )
    groups = [text[:4]] + [text[i : i + 2] for i in range(4, len(text), 2)]
    return ".".join(groups)
