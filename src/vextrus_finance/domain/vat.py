"""Bangladesh VAT and the invoice totals rule.

Per line: amount = quantity × unit price (to the paisa); SD = amount × SD rate; VAT =
(amount + SD) × VAT rate — the VAT base includes supplementary duty; AIT = amount × AIT rate
(withheld on the line value alone). Each figure is rounded half-up to the paisa on its line,
and the invoice totals are the sums of the rounded line figures, so the printed lines always
add up to the printed totals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.money import MAX_AMOUNT, ZERO, round_money

HUNDRED = Decimal(100)
_RATE_RE = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2})?")
_QUANTITY_RE = re.compile(r"[0-9]{1,12}(\.[0-9]{1,4})?")
SD_RATE_MAX = Decimal(500)  # SD on some tobacco and vehicles is several hundred per cent
AIT_RATE_MAX = Decimal(100)


class VatRate(StrEnum):
    STANDARD = "STANDARD"
    REDUCED_10 = "REDUCED_10"
    REDUCED_7_5 = "REDUCED_7_5"
    REDUCED_5 = "REDUCED_5"
    ZERO = "ZERO"  # zero-rated (exports): VAT charged at 0 %, input credit allowed
    EXEMPT = "EXEMPT"  # outside VAT: no rate at all

    @property
    def percent(self) -> Decimal | None:
        """The rate in per cent; None for EXEMPT (no rate applies, which is not 0 %)."""
        return _PERCENT[self]


_PERCENT: dict[VatRate, Decimal | None] = {
    VatRate.STANDARD: Decimal(15),
    VatRate.REDUCED_10: Decimal(10),
    VatRate.REDUCED_7_5: Decimal("7.5"),
    VatRate.REDUCED_5: Decimal(5),
    VatRate.ZERO: Decimal(0),
    VatRate.EXEMPT: None,
}


def _parse_decimal(
    value: object, pattern: re.Pattern[str], *, field: str, wrong_type: str, mismatch: str
) -> Decimal:
    """A decimal given as a string, int or Decimal (never a bool) that matches `pattern`;
    `mismatch` follows the repr of the value in the message."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidInput(wrong_type, field=field)
    text = str(value).strip()
    if not pattern.fullmatch(text):
        raise InvalidInput(f"{value!r} {mismatch}", field=field)
    return Decimal(text)


def parse_rate(value: object, *, field: str, maximum: Decimal) -> Decimal:
    """A percentage given as a decimal string (`"20"` is 20 %), 0 ≤ rate ≤ maximum, ≤ 2 dp."""
    rate = _parse_decimal(
        value,
        _RATE_RE,
        field=field,
        wrong_type='must be a percentage as a decimal string, e.g. "20"',
        mismatch="is not a percentage with at most 2 decimal places",
    )
    if rate > maximum:
        raise InvalidInput(f"must be at most {maximum} per cent", field=field)
    return rate


def parse_quantity(value: object, *, field: str) -> Decimal:
    """Quantity > 0 with at most 4 decimal places (2.5 tonnes of rod, 0.125 katha)."""
    if isinstance(value, float):
        value = repr(value)
    quantity = _parse_decimal(
        value,
        _QUANTITY_RE,
        field=field,
        wrong_type='must be a decimal string such as "2.5"',
        mismatch="is not a positive quantity with at most 4 decimal places",
    )
    if quantity <= 0:
        raise InvalidInput("must be greater than zero", field=field)
    return quantity


def percent_of(amount: Decimal, rate: Decimal | None) -> Decimal:
    if rate is None:
        return ZERO
    return round_money(amount * rate / HUNDRED)


@dataclass(frozen=True)
class LineFigures:
    amount: Decimal
    sd: Decimal
    vat: Decimal
    ait: Decimal

    @property
    def total(self) -> Decimal:
        """Value including taxes (what the buyer owes for the line before withholding)."""
        return self.amount + self.sd + self.vat


def line_figures(
    quantity: Decimal,
    unit_price: Decimal,
    vat_rate: VatRate,
    sd_rate: Decimal = ZERO,
    ait_rate: Decimal = ZERO,
    *,
    field: str = "lines",
) -> LineFigures:
    amount = round_money(quantity * unit_price)
    sd = percent_of(amount, sd_rate)
    vat = percent_of(amount + sd, vat_rate.percent)
    ait = percent_of(amount, ait_rate)
    if amount + sd + vat > MAX_AMOUNT:
        raise InvalidInput(f"the line total must not exceed {MAX_AMOUNT}", field=field)
    return LineFigures(amount=amount, sd=sd, vat=vat, ait=ait)
