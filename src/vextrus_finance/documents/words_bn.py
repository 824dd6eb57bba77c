"""Amounts in Bengali words, as written on a cheque or a tax invoice ("… টাকা … পয়সা মাত্র").

Bengali number words below one hundred are irregular: 31 is একত্রিশ, not "ত্রিশ এক" (the
original service's mistake, which knew only 0–30 and the tens). Every one of 0–99 therefore has
its own entry. Above 99 the words are regular: শত (hundred), হাজার (thousand), লক্ষ (lakh,
10^5), কোটি (crore, 10^7); a count of crores above 99 is itself written in words
(100 crore = এক শত কোটি).

Spelling follows the Bangla Academy standard forms (এগারো, বারো, ষোলো; ঊন- for 29, 39 … 89,
as in ঊনত্রিশ; উনিশ for 19; অষ্টাশি for 88, not the colloquial আটাশি). Every string is in Unicode
NFC, so য় is U+09AF U+09BC."""

from __future__ import annotations

# Index = the number. Written out in full on purpose; tests compare it with a second,
# independently typed table.
BENGALI_0_TO_99: tuple[str, ...] = (
    "শূন্য",  # 0
    "এক",  # 1
    "দুই",  # 2
    "তিন",  # 3
    "চার",  # 4
    "পাঁচ",  # 5
    "ছয়",  # 6
    "সাত",  # 7
    "আট",  # 8
    "নয়",  # 9
    "দশ",  # 10
    "এগারো",  # 11
    "বারো",  # 12
    "তেরো",  # 13
    "চৌদ্দ",  # 14
    "পনেরো",  # 15
    "ষোলো",  # 16
    "সতেরো",  # 17
    "আঠারো",  # 18
    "উনিশ",  # 19
    "বিশ",  # 20
    "একুশ",  # 21
    "বাইশ",  # 22
    "তেইশ",  # 23
    "চব্বিশ",  # 24
    "পঁচিশ",  # 25
    "ছাব্বিশ",  # 26
    "সাতাশ",  # 27
    "আটাশ",  # 28
    "ঊনত্রিশ",  # 29
    "ত্রিশ",  # 30
    "একত্রিশ",  # 31
    "বত্রিশ",  # 32
    "তেত্রিশ",  # 33
    "চৌত্রিশ",  # 34
    "পঁয়ত্রিশ",  # 35
    "ছত্রিশ",  # 36
    "সাঁইত্রিশ",  # 37
    "আটত্রিশ",  # 38
    "ঊনচল্লিশ",  # 39
    "চল্লিশ",  # 40
    "একচল্লিশ",  # 41
    "বিয়াল্লিশ",  # 42
    "তেতাল্লিশ",  # 43
    "চুয়াল্লিশ",  # 44
    "পঁয়তাল্লিশ",  # 45
    "ছেচল্লিশ",  # 46
    "সাতচল্লিশ",  # 47
    "আটচল্লিশ",  # 48
    "ঊনপঞ্চাশ",  # 49
    "পঞ্চাশ",  # 50
    "একান্ন",  # 51
    "বায়ান্ন",  # 52
    "তিপ্পান্ন",  # 53
    "চুয়ান্ন",  # 54
    "পঞ্চান্ন",  # 55
    "ছাপ্পান্ন",  # 56
    "সাতান্ন",  # 57
    "আটান্ন",  # 58
    "ঊনষাট",  # 59
    "ষাট",  # 60
    "একষট্টি",  # 61
    "বাষট্টি",  # 62
    "তেষট্টি",  # 63
    "চৌষট্টি",  # 64
    "পঁয়ষট্টি",  # 65
    "ছেষট্টি",  # 66
    "সাতষট্টি",  # 67
    "আটষট্টি",  # 68
    "ঊনসত্তর",  # 69
    "সত্তর",  # 70
    "একাত্তর",  # 71
    "বাহাত্তর",  # 72
    "তিয়াত্তর",  # 73
    "চুয়াত্তর",  # 74
    "পঁচাত্তর",  # 75
    "ছিয়াত্তর",  # 76
    "সাতাত্তর",  # 77
    "আটাত্তর",  # 78
    "ঊনআশি",  # 79
    "আশি",  # 80
    "একাশি",  # 81
    "বিরাশি",  # 82
    "তিরাশি",  # 83
    "চুরাশি",  # 84
    "পঁচাশি",  # 85
    "ছিয়াশি",  # 86
    "সাতাশি",  # 87
    "অষ্টাশি",  # 88
    "ঊননব্বই",  # 89
    "নব্বই",  # 90
    "একানব্বই",  # 91
    "বিরানব্বই",  # 92
    "তিরানব্বই",  # 93
    "চুরানব্বই",  # 94
    "পঁচানব্বই",  # 95
    "ছিয়ানব্বই",  # 96
    "সাতানব্বই",  # 97
    "আটানব্বই",  # 98
    "নিরানব্বই",  # 99
)

HUNDRED = "শত"
THOUSAND = "হাজার"
LAKH = "লক্ষ"
CRORE = "কোটি"
TAKA = "টাকা"
PAISA = "পয়সা"
ONLY = "মাত্র"


def _below_crore(n: int) -> list[str]:
    """Words for 1 ≤ n < 10^7 (nothing for 0, so "এক কোটি" does not end in শূন্য)."""
    words: list[str] = []
    lakhs, n = divmod(n, 100_000)
    thousands, n = divmod(n, 1_000)
    hundreds, rest = divmod(n, 100)
    for count, unit in ((lakhs, LAKH), (thousands, THOUSAND), (hundreds, HUNDRED)):
        if count:
            words += [BENGALI_0_TO_99[count], unit]
    if rest:
        words.append(BENGALI_0_TO_99[rest])
    return words


def _words(n: int) -> list[str]:
    crores, rest = divmod(n, 10_000_000)
    # A count of crores can itself exceed 99 (1,000 crore = এক হাজার কোটি): recurse.
    head = [*_words(crores), CRORE] if crores else []
    return head + _below_crore(rest)


def number_in_words_bn(n: int) -> str:
    """A non-negative whole number in Bengali words: 1_23_45_678 → "এক কোটি তেইশ লক্ষ …"."""
    if n < 0:
        raise ValueError("amounts in words are for non-negative numbers")
    return " ".join(_words(n)) if n else BENGALI_0_TO_99[0]


def amount_in_words_bn(paisa: int) -> str:
    """Taka and paisa in words, as on a cheque: "এক লক্ষ টাকা পঁচিশ পয়সা মাত্র"."""
    if paisa < 0:
        raise ValueError("amounts in words are for non-negative amounts")
    taka, rest = divmod(paisa, 100)
    parts = [number_in_words_bn(taka), TAKA]
    if rest:
        parts += [BENGALI_0_TO_99[rest], PAISA]
    return " ".join([*parts, ONLY])
