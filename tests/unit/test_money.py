"""Money: parsing client amounts, paisa conversion, JSON formatting and half-up rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vextrus_finance.domain.errors import DomainError, InvalidInput
from vextrus_finance.domain.money import (
    BASE_CURRENCY,
    CENT,
    MAX_AMOUNT,
    ZERO,
    format_amount,
    from_minor,
    parse_amount,
    round_money,
    to_minor,
)

MAX_PAISA = to_minor(MAX_AMOUNT)
two_place_amounts = st.decimals(
    min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False
)


def test_constants() -> None:
    assert str(CENT) == "0.01"
    assert str(ZERO) == "0.00"
    assert BASE_CURRENCY == "BDT"
    assert str(MAX_AMOUNT) == "999999999999.99"
    # Integer paisa of the largest amount fits a signed 64-bit column.
    assert MAX_PAISA < 2**63 - 1


# --- parse_amount: accepted forms ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.50", "1234.50"),
        ("1234.5", "1234.50"),
        ("10", "10.00"),
        ("0", "0.00"),
        ("0.01", "0.01"),
        ("-15.25", "-15.25"),
        ("  42.10  ", "42.10"),
        ("007", "7.00"),
        (10, "10.00"),
        (0, "0.00"),
        (-3, "-3.00"),
        (12.5, "12.50"),
        (0.1, "0.10"),
        (19.99, "19.99"),
        (Decimal("3.1"), "3.10"),
        (Decimal("3.10"), "3.10"),
        ("999999999999.99", "999999999999.99"),
        ("-999999999999.99", "-999999999999.99"),
    ],
)
def test_parse_amount_accepts(raw: object, expected: str) -> None:
    amount = parse_amount(raw, field="amount")
    assert isinstance(amount, Decimal)
    assert amount == Decimal(expected)
    # Always quantized to two places, whatever the input looked like.
    assert amount.as_tuple().exponent == -2
    assert str(amount) == expected


def test_parse_amount_result_is_a_decimal_not_a_float() -> None:
    assert type(parse_amount(12.5, field="x")) is Decimal
    assert type(parse_amount(7, field="x")) is Decimal


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ("1.005", "at most 2 decimal places"),
        ("1.500", "at most 2 decimal places"),
        ("0.001", "at most 2 decimal places"),
        ("1e3", "not a plain decimal"),
        ("1E3", "not a plain decimal"),
        ("1.5e2", "not a plain decimal"),
        ("NaN", "not a plain decimal"),
        ("nan", "not a plain decimal"),
        ("Infinity", "not a plain decimal"),
        ("-Infinity", "not a plain decimal"),
        ("inf", "not a plain decimal"),
        ("", "not a plain decimal"),
        ("   ", "not a plain decimal"),
        ("abc", "not a plain decimal"),
        ("12abc", "not a plain decimal"),
        ("1,000.00", "not a plain decimal"),
        ("+5", "not a plain decimal"),
        (".5", "not a plain decimal"),
        ("5.", "not a plain decimal"),
        ("1 000", "not a plain decimal"),
        ("--5", "not a plain decimal"),
        ("0x10", "not a plain decimal"),
        ("1_000", "not a plain decimal"),
        ("123456789012345678901", "not a plain decimal"),  # more than 20 integer digits
        (0.1 + 0.2, "at most 2 decimal places"),  # repr 0.30000000000000004
        (1.005, "at most 2 decimal places"),
        (1e20, "not a plain decimal"),  # repr is 1e+20
        (float("nan"), "not a plain decimal"),
        (float("inf"), "not a plain decimal"),
        (Decimal("NaN"), "finite"),
        (Decimal("Infinity"), "finite"),
        (Decimal("1.005"), "at most 2 decimal places"),
    ],
)
def test_parse_amount_refuses_malformed(raw: object, match: str) -> None:
    with pytest.raises(InvalidInput, match=match) as info:
        parse_amount(raw, field="lines[0].debit")
    assert info.value.code == "invalid_input"
    assert info.value.field == "lines[0].debit"
    assert info.value.issues[0].field == "lines[0].debit"


@pytest.mark.parametrize("raw", [True, False, None, [], {}, b"10", object(), (1,)])
def test_parse_amount_refuses_non_amount_types(raw: object) -> None:
    with pytest.raises(InvalidInput, match=r'decimal string such as "1234\.50"') as info:
        parse_amount(raw, field="amount")
    assert info.value.field == "amount"


@pytest.mark.parametrize(
    "raw",
    [
        "1000000000000.00",
        "1000000000000000.00",
        "999999999999999.99",
        "1000000000000000",
        "-1000000000000000",
        "99999999999999999999",
        10**12,
        -(10**12),
        Decimal("1000000000000"),
    ],
)
def test_parse_amount_refuses_over_max(raw: object) -> None:
    with pytest.raises(InvalidInput, match="must not exceed") as info:
        parse_amount(raw, field="total")
    assert info.value.field == "total"


@pytest.mark.parametrize("raw", ["0", "0.00", 0, "-0.01", "-5", -1, Decimal("0")])
def test_parse_amount_positive_refuses_zero_and_negative(raw: object) -> None:
    with pytest.raises(InvalidInput, match="greater than zero") as info:
        parse_amount(raw, field="amount", positive=True)
    assert info.value.field == "amount"
    # Without `positive`, the same values are accepted.
    assert parse_amount(raw, field="amount") <= 0


def test_parse_amount_positive_accepts_smallest_amount() -> None:
    assert parse_amount("0.01", field="amount", positive=True) == CENT


def test_parse_amount_error_is_a_domain_error_with_the_given_field() -> None:
    with pytest.raises(DomainError) as info:
        parse_amount("x", field="payments[3].amount")
    assert isinstance(info.value, InvalidInput)
    assert info.value.field == "payments[3].amount"
    assert len(info.value.issues) == 1


def test_parse_amount_refuses_a_huge_decimal_with_invalid_input() -> None:
    # A Decimal from an internal caller must be refused like any other oversized amount,
    # not crash in `quantize` with decimal.InvalidOperation.
    with pytest.raises(InvalidInput, match="must not exceed") as info:
        parse_amount(Decimal("1E+30"), field="amount")
    assert info.value.field == "amount"


@given(two_place_amounts)
def test_parse_amount_round_trips_format_amount(amount: Decimal) -> None:
    text = format_amount(amount)
    parsed = parse_amount(text, field="amount")
    assert parsed == amount
    assert format_amount(parsed) == text


@given(st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1))
def test_parse_amount_accepts_any_integer_in_range(value: int) -> None:
    assert parse_amount(value, field="x") == Decimal(value)
    assert parse_amount(str(value), field="x") == Decimal(value)


@given(
    st.integers(min_value=0, max_value=10**12),
    st.text(alphabet="0123456789", min_size=3, max_size=8),
)
def test_parse_amount_refuses_any_string_with_three_or_more_places(
    whole: int, fraction: str
) -> None:
    with pytest.raises(InvalidInput, match="at most 2 decimal places"):
        parse_amount(f"{whole}.{fraction}", field="x")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_parse_amount_of_exact_float_cents_matches_the_string(cents: int) -> None:
    # A JSON number such as 12.5 arrives as a float; its shortest form is what was written.
    as_float = cents / 100
    assert parse_amount(as_float, field="x") == parse_amount(repr(as_float), field="x")
    assert parse_amount(as_float, field="x") == Decimal(cents) / 100


# --- paisa ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "paisa"),
    [
        ("0.00", 0),
        ("0.01", 1),
        ("1.00", 100),
        ("1234.50", 123450),
        ("-0.01", -1),
        ("-1234.56", -123456),
        ("999999999999999.99", 99999999999999999),
    ],
)
def test_to_minor_and_from_minor(amount: str, paisa: int) -> None:
    assert to_minor(Decimal(amount)) == paisa
    assert type(to_minor(Decimal(amount))) is int
    back = from_minor(paisa)
    assert back == Decimal(amount)
    assert str(back) == amount


def test_from_minor_always_has_two_places() -> None:
    assert str(from_minor(100)) == "1.00"
    assert str(from_minor(5)) == "0.05"
    assert str(from_minor(-5)) == "-0.05"
    assert str(from_minor(0)) == "0.00"


def test_to_minor_rounds_half_up_like_all_money() -> None:
    # Amounts should already be quantized; if not, rounding must follow the money rule
    # (ROUND_HALF_UP), not Decimal's default banker's rounding.
    assert to_minor(Decimal("0.125")) == 13
    assert to_minor(Decimal("0.005")) == 1
    assert to_minor(Decimal("2.675")) == 268


@given(st.integers(min_value=-MAX_PAISA, max_value=MAX_PAISA))
def test_paisa_round_trip_from_integers(paisa: int) -> None:
    assert to_minor(from_minor(paisa)) == paisa


@given(two_place_amounts)
def test_paisa_round_trip_from_amounts(amount: Decimal) -> None:
    paisa = to_minor(amount)
    assert from_minor(paisa) == amount
    assert Decimal(paisa) == amount * 100


# --- format_amount --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("0"), "0.00"),
        (Decimal("1"), "1.00"),
        (Decimal("1.5"), "1.50"),
        (Decimal("1234.50"), "1234.50"),
        (Decimal("-7.1"), "-7.10"),
        (Decimal("1E+3"), "1000.00"),  # never scientific notation
        (Decimal("1E+15"), "1000000000000000.00"),
        (Decimal("999999999999999.99"), "999999999999999.99"),
        (Decimal("0.01"), "0.01"),
    ],
)
def test_format_amount_always_two_places(amount: Decimal, text: str) -> None:
    assert format_amount(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [("0.125", "0.13"), ("2.675", "2.68"), ("0.005", "0.01"), ("-0.125", "-0.13")],
)
def test_format_amount_rounds_half_up(amount: str, text: str) -> None:
    # The spec: ROUND_HALF_UP everywhere; 0.125 must not become 0.12 (banker's rounding).
    assert format_amount(Decimal(amount)) == text


@given(two_place_amounts)
def test_format_amount_shape(amount: Decimal) -> None:
    text = format_amount(amount)
    whole, _, fraction = text.lstrip("-").partition(".")
    assert len(fraction) == 2
    assert whole.isdigit()
    assert "E" not in text
    assert "e" not in text


# --- round_money ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.125", "0.13"),
        ("2.675", "2.68"),
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("1.115", "1.12"),
        ("1.125", "1.13"),  # half-even would give 1.12
        ("2.665", "2.67"),  # half-even would give 2.66
        ("-0.125", "-0.13"),  # half-up rounds away from zero
        ("-2.675", "-2.68"),
        ("10", "10.00"),
        ("1.2", "1.20"),
        ("1.234999", "1.23"),
    ],
)
def test_round_money_half_up(value: str, expected: str) -> None:
    rounded = round_money(Decimal(value))
    assert rounded == Decimal(expected)
    assert str(rounded) == expected


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([1, -1]))
def test_round_money_of_half_paisa_rounds_away_from_zero(paisa: int, sign: int) -> None:
    value = sign * (Decimal(paisa) + Decimal("0.5")) / 100
    assert round_money(value) == sign * Decimal(paisa + 1) / 100


@given(two_place_amounts)
def test_round_money_is_identity_on_two_place_amounts(amount: Decimal) -> None:
    assert round_money(amount) == amount
    assert round_money(round_money(amount)) == round_money(amount)
