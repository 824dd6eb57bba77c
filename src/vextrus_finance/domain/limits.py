"""The largest figures the service accepts, in one place (ADR 0033).

Totals are stored as integer paisa in signed 64-bit columns (±9.22 × 10^18). The limits sit far
above any construction company's books and far below that bound, so that SQL may add up many
of them (a trial balance over thousands of accounts, a month's lines) without leaving the
integer range: on PostgreSQL a bigint overflow is an error, on SQLite it silently becomes REAL."""

from __future__ import annotations

from decimal import Decimal

from vextrus_finance.domain.errors import InvalidState

# One amount: a journal line, an invoice line's value, a payment. 10^14 paisa (1 trillion taka).
MAX_AMOUNT = Decimal("999999999999.99")
# A journal's or invoice's total, and an account's lifetime debit or credit total:
# 10^15 paisa (10 trillion taka). 9,000 accounts at this limit still sum inside 2^63 paisa.
MAX_TOTAL = Decimal("9999999999999.99")
MAX_TOTAL_PAISA = 999_999_999_999_999
# Lines of one journal (and of one batch: journals per request).
MAX_JOURNAL_LINES = 500


def stored_totals_out_of_range() -> InvalidState:
    """Stored totals no answer can be exact about: their sum leaves 64 bits, or (SQLite) they
    were stored as REAL. Only data written before these limits can be so (409)."""
    return InvalidState(
        "stored account totals are out of the ledger's range; run `vextrus-finance verify`",
        code="stored_total_out_of_range",
    )
