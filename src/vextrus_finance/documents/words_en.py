"""Amounts in English words the Bangladeshi way: lakh (10^5) and crore (10^7), not million.

"Taka One Crore Twenty Three Lakh Forty Five Thousand Six Hundred Seventy Eight and Ninety
Paisa Only" is how Bangladeshi cheques and invoices write 1,23,45,678.90. A count of crores
above 99 is itself written in words (Taka One Thousand Crore Only)."""

from __future__ import annotations

_ONES = (
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
)
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return f"{_TENS[tens]} {_ONES[ones]}" if ones else _TENS[tens]


def _below_crore(n: int) -> list[str]:
    words: list[str] = []
    lakhs, n = divmod(n, 100_000)
    thousands, n = divmod(n, 1_000)
    hundreds, rest = divmod(n, 100)
    for count, unit in ((lakhs, "Lakh"), (thousands, "Thousand"), (hundreds, "Hundred")):
        if count:
            words += [_below_hundred(count), unit]
    if rest:
        words.append(_below_hundred(rest))
    return words


def _words(n: int) -> list[str]:
    crores, rest = divmod(n, 10_000_000)
    head = [*_words(crores), "Crore"] if crores else []
    return head + _below_crore(rest)


def number_in_words_en(n: int) -> str:
    """A non-negative whole number in words: 100_000 → "One Lakh"."""
    if n < 0:
        raise ValueError("amounts in words are for non-negative numbers")
    return " ".join(_words(n)) if n else _ONES[0]


def amount_in_words_en(paisa: int) -> str:
    """Taka and paisa in words: 10_000_025 → "Taka One Lakh and Twenty Five Paisa Only"."""
    if paisa < 0:
        raise ValueError("amounts in words are for non-negative amounts")
    taka, rest = divmod(paisa, 100)
    text = f"Taka {number_in_words_en(taka)}"
    if rest:
        text += f" and {_below_hundred(rest)} Paisa"
    return f"{text} Only"
