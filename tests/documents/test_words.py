"""Amounts in words: Bengali (every number 0–99 has its own word) and English, lakh/crore."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vextrus_finance.documents.words_bn import (
    BENGALI_0_TO_99,
    amount_in_words_bn,
    number_in_words_bn,
)
from vextrus_finance.documents.words_en import amount_in_words_en, number_in_words_en

# Typed a second time, separately from the module's table and in a different layout (ten a
# row), and compared row by row with an independently written 0–99 table from another public
# project: they agree on all 100 except that it writes 88 as the colloquial আটাশি, where we use
# the standard অষ্টাশি. NFC-normalised here because an editor may produce the precomposed য়
# (U+09DF), which NFC decomposes.
_EXPECTED_ROWS = """
শূন্য এক দুই তিন চার পাঁচ ছয় সাত আট নয়
দশ এগারো বারো তেরো চৌদ্দ পনেরো ষোলো সতেরো আঠারো উনিশ
বিশ একুশ বাইশ তেইশ চব্বিশ পঁচিশ ছাব্বিশ সাতাশ আটাশ ঊনত্রিশ
ত্রিশ একত্রিশ বত্রিশ তেত্রিশ চৌত্রিশ পঁয়ত্রিশ ছত্রিশ সাঁইত্রিশ আটত্রিশ ঊনচল্লিশ
চল্লিশ একচল্লিশ বিয়াল্লিশ তেতাল্লিশ চুয়াল্লিশ পঁয়তাল্লিশ ছেচল্লিশ সাতচল্লিশ আটচল্লিশ ঊনপঞ্চাশ
পঞ্চাশ একান্ন বায়ান্ন তিপ্পান্ন চুয়ান্ন পঞ্চান্ন ছাপ্পান্ন সাতান্ন আটান্ন ঊনষাট
ষাট একষট্টি বাষট্টি তেষট্টি চৌষট্টি পঁয়ষট্টি ছেষট্টি সাতষট্টি আটষট্টি ঊনসত্তর
সত্তর একাত্তর বাহাত্তর তিয়াত্তর চুয়াত্তর পঁচাত্তর ছিয়াত্তর সাতাত্তর আটাত্তর ঊনআশি
আশি একাশি বিরাশি তিরাশি চুরাশি পঁচাশি ছিয়াশি সাতাশি অষ্টাশি ঊননব্বই
নব্বই একানব্বই বিরানব্বই তিরানব্বই চুরানব্বই পঁচানব্বই ছিয়ানব্বই সাতানব্বই আটানব্বই নিরানব্বই
"""
EXPECTED_BN = [unicodedata.normalize("NFC", w) for w in _EXPECTED_ROWS.split()]


def test_the_expected_table_has_one_word_per_number() -> None:
    assert len(EXPECTED_BN) == 100
    assert len(set(EXPECTED_BN)) == 100


@pytest.mark.parametrize("n", range(100))
def test_bengali_word_for_every_number_below_hundred(n: int) -> None:
    assert number_in_words_bn(n) == EXPECTED_BN[n]


def test_a_few_famous_ones_by_hand() -> None:
    # The original service wrote 31 as "ত্রিশ এক"; 52 (বায়ান্ন) and 71 (একাত্তর) every
    # Bangladeshi knows; 88 and 99 are the most irregular.
    assert number_in_words_bn(31) == "একত্রিশ"
    assert number_in_words_bn(52) == unicodedata.normalize("NFC", "বায়ান্ন")
    assert number_in_words_bn(71) == "একাত্তর"
    assert number_in_words_bn(88) == "অষ্টাশি"
    assert number_in_words_bn(99) == "নিরানব্বই"


def test_words_below_hundred_are_single_words_in_nfc() -> None:
    for n, word in enumerate(BENGALI_0_TO_99):
        assert " " not in word, n  # never composed as "tens + ones"
        assert unicodedata.normalize("NFC", word) == word, n
        assert all("\u0980" <= c <= "\u09ff" for c in word), n  # Bengali block only


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (100, "এক শত"),
        (101, "এক শত এক"),
        (999, "নয় শত নিরানব্বই"),
        (1_000, "এক হাজার"),
        (3_131, "তিন হাজার এক শত একত্রিশ"),
        (1_00_000, "এক লক্ষ"),
        (1_00_001, "এক লক্ষ এক"),
        (99_99_999, "নিরানব্বই লক্ষ নিরানব্বই হাজার নয় শত নিরানব্বই"),
        (1_00_00_000, "এক কোটি"),
        (12_34_56_789, "বারো কোটি চৌত্রিশ লক্ষ ছাপ্পান্ন হাজার সাত শত ঊননব্বই"),
        (99_00_00_000, "নিরানব্বই কোটি"),
        (1_00_00_00_000, "এক শত কোটি"),  # 100 crore: the crore count is itself in words
        (1_000_00_00_000, "এক হাজার কোটি"),
        (
            12345_67_89_012,
            "বারো হাজার তিন শত পঁয়তাল্লিশ কোটি সাতষট্টি লক্ষ ঊননব্বই হাজার বারো",
        ),
        (10**14, "এক কোটি কোটি"),
    ],
)
def test_bengali_hundreds_thousands_lakhs_crores(n: int, words: str) -> None:
    assert number_in_words_bn(n) == unicodedata.normalize("NFC", words)


@pytest.mark.parametrize(
    ("paisa", "words"),
    [
        (0, "শূন্য টাকা মাত্র"),
        (50, "শূন্য টাকা পঞ্চাশ পয়সা মাত্র"),
        (3_131, "একত্রিশ টাকা একত্রিশ পয়সা মাত্র"),
        (1_00_000_00, "এক লক্ষ টাকা মাত্র"),
        (37_49_881_25, "সাঁইত্রিশ লক্ষ ঊনপঞ্চাশ হাজার আট শত একাশি টাকা পঁচিশ পয়সা মাত্র"),
    ],
)
def test_bengali_amounts(paisa: int, words: str) -> None:
    assert amount_in_words_bn(paisa) == unicodedata.normalize("NFC", words)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "Zero"),
        (13, "Thirteen"),
        (40, "Forty"),
        (99, "Ninety Nine"),
        (105, "One Hundred Five"),
        (1_00_000, "One Lakh"),
        (
            1_23_45_678,
            "One Crore Twenty Three Lakh Forty Five Thousand Six Hundred Seventy Eight",
        ),
        (1_00_00_00_000, "One Hundred Crore"),
        (12345_00_00_000, "Twelve Thousand Three Hundred Forty Five Crore"),
    ],
)
def test_english_numbers(n: int, words: str) -> None:
    assert number_in_words_en(n) == words


@pytest.mark.parametrize(
    ("paisa", "words"),
    [
        (0, "Taka Zero Only"),
        (100, "Taka One Only"),
        (1, "Taka Zero and One Paisa Only"),
        (1_00_000_25, "Taka One Lakh and Twenty Five Paisa Only"),
        (
            1_23_45_678_90,
            "Taka One Crore Twenty Three Lakh Forty Five Thousand Six Hundred Seventy Eight"
            " and Ninety Paisa Only",
        ),
    ],
)
def test_english_amounts(paisa: int, words: str) -> None:
    assert amount_in_words_en(paisa) == words


@pytest.mark.parametrize(
    "spell", [number_in_words_bn, number_in_words_en, amount_in_words_bn, amount_in_words_en]
)
def test_negative_numbers_have_no_words(spell: object) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        spell(-1)  # type: ignore[operator]


# Reading the words back: if every number's words parse to that number, no two numbers share
# words and no digit group is dropped or doubled (what "lakh/crore recursion" can get wrong).
_BN_VALUES = {word: n for n, word in enumerate(EXPECTED_BN)}
_BN_UNITS = {"শত": 100, "হাজার": 1_000, "লক্ষ": 1_00_000}
_EN_ONES = (
    "Zero One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Thirteen Fourteen"
    " Fifteen Sixteen Seventeen Eighteen Nineteen"
)
_EN_TENS = "Twenty Thirty Forty Fifty Sixty Seventy Eighty Ninety"
_EN_VALUES = {w: n for n, w in enumerate(_EN_ONES.split(" "))} | {
    w: 10 * (i + 2) for i, w in enumerate(_EN_TENS.split(" "))
}
_EN_UNITS = {"Hundred": 100, "Thousand": 1_000, "Lakh": 1_00_000}


def _read(tokens: list[str], values: dict[str, int], units: dict[str, int], crore: str) -> int:
    if crore in tokens:
        last = len(tokens) - 1 - tokens[::-1].index(crore)
        head = _read(tokens[:last], values, units, crore)
        assert head > 0
        return head * 10_000_000 + _read(tokens[last + 1 :], values, units, crore)
    total, pending, previous_unit = 0, 0, 10**9
    for token in tokens:
        if token in units:
            assert 0 < pending < 100, tokens
            assert units[token] < previous_unit, tokens
            total += pending * units[token]
            pending, previous_unit = 0, units[token]
        else:
            pending += values[token]
    return total + pending


@given(st.integers(min_value=0, max_value=10**17))
def test_bengali_words_read_back_to_the_number(n: int) -> None:
    words = number_in_words_bn(n).split(" ")
    assert _read(words, _BN_VALUES, _BN_UNITS, "কোটি") == n
    assert words.count("শূন্য") == (1 if n == 0 else 0)


@given(st.integers(min_value=0, max_value=10**17))
def test_english_words_read_back_to_the_number(n: int) -> None:
    words = number_in_words_en(n).split(" ")
    assert _read(words, _EN_VALUES, _EN_UNITS, "Crore") == n


@given(st.integers(min_value=0, max_value=10**17))
def test_amount_words_carry_taka_and_paisa(paisa: int) -> None:
    taka, rest = divmod(paisa, 100)
    bn = amount_in_words_bn(paisa)
    assert bn.startswith(number_in_words_bn(taka) + " টাকা")
    assert bn.endswith(" মাত্র")
    assert ("পয়সা" in bn) == (rest != 0)
    en = amount_in_words_en(paisa)
    assert en.startswith(f"Taka {number_in_words_en(taka)}")
    assert en.endswith(" Only")
    assert ("Paisa" in en) == (rest != 0)
