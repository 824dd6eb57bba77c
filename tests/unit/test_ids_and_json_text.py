"""The id and JSON formatting on the posting path (ADR 0028): the same values the standard
library would give."""

from __future__ import annotations

import json
import uuid

from vextrus_finance.application.context import new_id
from vextrus_finance.infrastructure.db.database import json_text


def test_new_ids_are_canonical_random_uuids() -> None:
    ids = [new_id() for _ in range(2000)]
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == value  # canonical: lower-case hex, 8-4-4-4-12
    assert len(set(ids)) == len(ids)
    # Every variant digit occurs: the two random bits next to the variant stay random.
    assert {value[19] for value in ids} == set("89ab")


def test_json_text_is_the_json_the_stdlib_would_read_back() -> None:
    value = {
        "description": "ভাড়া — নভেম্বর",  # Bengali text stays UTF-8 (the stdlib escapes it)
        "lines": [{"debit": "1234.50", "credit": "0.00", "no": 1}],
        "reference": None,
        "posted": True,
    }
    text = json_text(value)
    assert json.loads(text) == value
    assert "ভাড়া" in text


def test_what_orjson_refuses_is_written_by_the_stdlib_encoder() -> None:
    huge = {"paisa": 10**25, "by_month": {202611: "x"}}  # beyond 64 bits; a non-string key
    assert json.loads(json_text(huge)) == {"paisa": 10**25, "by_month": {"202611": "x"}}
