"""The NUL character is refused in every part of a request. PostgreSQL cannot store it in text
(the insert or even a comparison fails, which surfaced as a 500), SQLite would cut strings at
it in places, and no field of this API has a use for it. Checked before any handler runs and
named by field, so the answer is the same on both databases."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

NUL = "\x00"


def nul_field(path: str, query_string: bytes, body: bytes) -> str | None:
    """Where the request carries a NUL: `path`, a query parameter's name, or a JSON path into
    the body (`lines[0].description`); None when it carries none."""
    if NUL in path:
        return "path"
    if b"%00" in query_string or NUL.encode() in query_string:
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        for name, value in pairs:
            if NUL in value and NUL not in name:
                return name
        return "query"
    if b"\\u0000" in body:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return None  # not JSON after all: the JSON parser answers with its own 422
        return _in_document(document, "")
    return None


def _in_document(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return (where or "body") if NUL in value else None
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _in_document(item, f"{where}[{i}]")
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if NUL in key:
                return where or "body"
            found = _in_document(item, name)
            if found is not None:
                return found
    return None
