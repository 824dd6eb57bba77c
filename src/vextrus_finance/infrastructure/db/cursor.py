"""Opaque keyset cursors: the sort key of the last item, as URL-safe base64 JSON."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Any

from vextrus_finance.domain.errors import InvalidInput


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# The cursors this service gives out are a few sort-key values: well under this.
MAX_CURSOR_CHARS = 1024


def decode_cursor(cursor: str, length: int) -> list[Any]:
    """The values of a cursor this service gave out; anything else is a 422 naming `cursor`:
    also a forged one that nests deeply (the JSON parser recurses) or holds non-scalars."""
    values: Any = None
    if len(cursor) <= MAX_CURSOR_CHARS:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
            values = None
    if (
        not isinstance(values, list)
        or len(values) != length
        or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values)
        or any(isinstance(v, str) and "\x00" in v for v in values)
    ):
        raise InvalidInput("not a cursor this list gave out", field="cursor")
    return values


def decode_date_cursor(cursor: str) -> tuple[date, str]:
    """The (date, number) key of a list sorted by date and document number."""
    after_date, after_number = decode_cursor(cursor, 2)
    try:
        return date.fromisoformat(str(after_date)), str(after_number)
    except ValueError:
        raise InvalidInput("not a cursor this list gave out", field="cursor") from None
