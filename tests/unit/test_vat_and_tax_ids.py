"""VAT, SD and AIT arithmetic and the Bangladeshi identifiers, without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.invoices import LineSpec, build_lines, totals_of
from vextrus_finance.domain.tax_ids import (
    normalize_hs_code,
    normalize_mobile,
    validate_bin,
    validate_tin,
)
from vextrus_finance.domain.vat import VatRate, line_figures, parse_quantity, parse_rate

D = Decimal


def totals(*specs: LineSpec):
    return totals_of(build_lines(specs))


def spec(qty: str, price: str, rate: VatRate = VatRate.STANDARD, **kw) -> LineSpec:
    return LineSpec("work", qty, D(price), rate, **kw)


# --- the upstream reference values ----------------------------------------------------------


def test_ten_times_one_thousand_standard():
    t = totals(spec("10", "1000"))
    assert (t.subtotal, t.vat_total, t.grand_total) == (D("10000"), D("1500"), D("11500"))
    assert t.payable_total == D("11500")


def test_fifteen_and_seven_and_a_half_percent_lines_of_ten_thousand():
    t = totals(spec("1", "10000"), spec("1", "10000", VatRate.REDUCED_7_5))
    assert t.vat_total == D("2250.00")
    assert t.grand_total == D("22250.00")


def test_three_times_thirty_three_thirty_three():
    t = totals(spec("3", "33.33"))
    assert t.subtotal == D("99.99")
    assert t.vat_total == D("15.00")  # 14.9985 rounds half-up


# --- SD is inside the VAT base; AIT is on the line value alone ------------------------------


def test_sd_twenty_percent_is_taxed_by_vat():
    # 10 000 + SD 2 000; VAT (10 000 + 2 000) × 15 % = 1 800; grand 13 800.
    t = totals(spec("10", "1000", sd_rate="20"))
    assert (t.sd_total, t.vat_total, t.grand_total) == (D("2000"), D("1800"), D("13800"))


def test_ait_is_withheld_from_payable_not_from_grand_total():
    t = totals(spec("10", "1000", ait_rate="5"))
    assert (t.grand_total, t.ait_total, t.payable_total) == (D("11500"), D("500"), D("11000"))


def test_sd_and_ait_together():
    # 10 000; SD 10 % = 1 000; VAT 11 000 × 15 % = 1 650; grand 12 650; AIT 3 % = 300.
    t = totals(spec("10", "1000", sd_rate="10", ait_rate="3"))
    assert t.grand_total == D("12650")
    assert t.payable_total == D("12350")


def test_sd_with_reduced_rate_and_rounding():
    # 7 × 14.29 = 100.03; SD 25 % = 25.0075 → 25.01; VAT (125.04) × 7.5 % = 9.378 → 9.38.
    f = line_figures(D("7"), D("14.29"), VatRate.REDUCED_7_5, D("25"))
    assert (f.amount, f.sd, f.vat, f.total) == (D("100.03"), D("25.01"), D("9.38"), D("134.42"))


@pytest.mark.parametrize(
    ("rate", "vat"),
    [
        (VatRate.STANDARD, "150.00"),
        (VatRate.REDUCED_10, "100.00"),
        (VatRate.REDUCED_7_5, "75.00"),
        (VatRate.REDUCED_5, "50.00"),
        (VatRate.ZERO, "0.00"),
        (VatRate.EXEMPT, "0.00"),
    ],
)
def test_every_rate_code(rate, vat):
    assert line_figures(D("1"), D("1000"), rate).vat == D(vat)


def test_exempt_has_no_rate_and_zero_rated_has_zero():
    assert VatRate.EXEMPT.percent is None
    assert VatRate.ZERO.percent == 0
    assert VatRate.REDUCED_10.percent == 10


def test_line_amount_rounds_quantity_times_price_half_up():
    assert line_figures(D("0.125"), D("10.00"), VatRate.ZERO).amount == D("1.25")
    assert line_figures(D("0.0005"), D("10.00"), VatRate.ZERO).amount == D("0.01")


# --- bad line input: every problem named by field, all at once ------------------------------


def test_bad_lines_name_each_field():
    with pytest.raises(InvalidInput) as caught:
        build_lines(
            [
                LineSpec("", "0", D("-1"), VatRate.STANDARD, sd_rate="abc"),
                LineSpec("ok", "1.23456", D("1"), VatRate.STANDARD, ait_rate="101", hs_code="12"),
            ]
        )
    fields = {issue.field for issue in caught.value.issues}
    assert fields == {
        "lines[0].description",
        "lines[0].quantity",
        "lines[0].unit_price",
        "lines[0].sd_rate",
        "lines[1].quantity",
        "lines[1].ait_rate",
        "lines[1].hs_code",
    }


def test_no_lines_is_refused():
    with pytest.raises(InvalidInput) as caught:
        build_lines([])
    assert caught.value.field == "lines"


@pytest.mark.parametrize("bad", ["-1", "0", "1e3", "1.00001", "", "x", True])
def test_quantity_must_be_positive_plain_decimal(bad):
    with pytest.raises(InvalidInput):
        parse_quantity(bad, field="q")


def test_quantity_accepts_json_numbers_exactly():
    assert parse_quantity(2.5, field="q") == D("2.5")
    assert parse_quantity(3, field="q") == D("3")


@pytest.mark.parametrize("bad", ["-5", "5.001", "501", "1e2", "", None, 5.5])
def test_rates_are_percent_strings(bad):
    with pytest.raises(InvalidInput):
        parse_rate(bad, field="sd_rate", maximum=D(500))


def test_rate_accepts_two_places():
    assert parse_rate("7.5", field="r", maximum=D(100)) == D("7.5")
    assert parse_rate(20, field="r", maximum=D(100)) == D(20)


# --- identifiers --------------------------------------------------------------------------


def test_bin_is_thirteen_digits():
    assert validate_bin("000123456-0101") == "0001234560101"
    assert validate_bin("0001234560101") == "0001234560101"
    for bad in ("123456789", "12345678901234", "00012345601O1"):
        with pytest.raises(InvalidInput) as caught:
            validate_bin(bad, field="counterparty.bin")
        assert caught.value.field == "counterparty.bin"
        assert caught.value.code == "invalid_bin"


def test_tin_is_twelve_digits():
    assert validate_tin("1234 5678 9012") == "123456789012"
    for bad in ("1234567890", "1234567890123", "12345678901a"):
        with pytest.raises(InvalidInput) as caught:
            validate_tin(bad)
        assert caught.value.code == "invalid_tin"


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("01712345678", "01712345678"),
        ("+8801712345678", "01712345678"),
        ("8801912345678", "01912345678"),
        ("+880 1312-345678", "01312345678"),
        ("01512345678", "01512345678"),
    ],
)
def test_mobile_numbers_normalise(given, normal):
    assert normalize_mobile(given) == normal


@pytest.mark.parametrize(
    "bad", ["01212345678", "0171234567", "017123456789", "+8811712345678", "1712345678", ""]
)
def test_bad_mobile_numbers(bad):
    with pytest.raises(InvalidInput) as caught:
        normalize_mobile(bad, field="wallet.mobile_number")
    assert caught.value.field == "wallet.mobile_number"


def test_hs_codes():
    assert normalize_hs_code("25232900") == "2523.29.00"
    assert normalize_hs_code("2523.29.00") == "2523.29.00"
    assert normalize_hs_code("9954") == "9954"
    assert normalize_hs_code("8471300000") == "8471.30.00.00"
    for bad in ("252", "2523.2", "abcd", "2523292"):
        with pytest.raises(InvalidInput):
            normalize_hs_code(bad)
