"""Money is `Decimal` with two places (paisa), rounded half-up; stored as integer paisa."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.limits import MAX_AMOUNT

__all__ = ["MAX_AMOUNT"]  # re-exported: callers know it as money's limit

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
BASE_CURRENCY = "BDT"


def round_money(value: Decimal) -> Decimal:
    """Round to paisa, half-up (how Bangladeshi invoices and returns round)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,20}(\.[0-9]+)?")


def parse_amount(value: object, *, field: str, positive: bool = False) -> Decimal:
    """Parse an amount given as a plain decimal string or an integer.

    Refused: more than two decimal places, exponents, NaN/Infinity, floats whose shortest form
    is not exact, and (when `positive`) zero or negative amounts."""
    if isinstance(value, float):
        # A JSON number arrives as a float; its shortest repr is what the client wrote.
        value = repr(value)
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise InvalidInput('must be a decimal string such as "1234.50"', field=field)
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip()
        if not _PLAIN_DECIMAL.fullmatch(text):
            raise InvalidInput(f"{value!r} is not a plain decimal amount", field=field)
        amount = Decimal(text)
    if not amount.is_finite():
        raise InvalidInput("must be a finite amount", field=field)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidInput("must have at most 2 decimal places", field=field)
    if abs(amount) > MAX_AMOUNT:
        raise InvalidInput(f"must not exceed {MAX_AMOUNT}", field=field)
    # `+ 0` folds "-0" into plain zero.
    amount = amount.quantize(CENT) + ZERO
    if positive and amount <= 0:
        raise InvalidInput("must be greater than zero", field=field)
    return amount


def to_minor(amount: Decimal) -> int:
    """Decimal taka → integer paisa (exact; amounts are already quantized)."""
    return int(round_money(amount) * 100)


def from_minor(paisa: int) -> Decimal:
    """Integer paisa → Decimal taka with two places."""
    return (Decimal(paisa) / 100).quantize(CENT)


def format_amount(amount: Decimal) -> str:
    """The JSON form of an amount: a plain decimal string with exactly two places."""
    return f"{round_money(amount) + ZERO:f}"


def format_minor(paisa: int) -> str:
    """Integer paisa → the same string `format_amount(from_minor(paisa))` gives, without a
    `Decimal` on the way: reports of 10,000 accounts format tens of thousands of amounts."""
    whole, cents = divmod(-paisa if paisa < 0 else paisa, 100)
    return f"-{whole}.{cents:02d}" if paisa < 0 else f"{whole}.{cents:02d}"
