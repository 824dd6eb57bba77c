"""The per-tenant hash chain over the event log (ADR 0046): the canonical form of an event and
its hash. Pure functions; the append, `verify` and migration 0009 compute exactly this.

FROZEN: changing the canonical form changes every stored hash, and migration 0009 backfills
with these very functions; tests/unit/test_event_chain.py pins the bytes and the hash. A new
form needs a new chain version, a migration rewriting the chain, and an ADR."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# The `prev_hash` of a tenant's first event.
GENESIS = "0" * 64

# The fields of an event row that its hash covers, in the canonical object (keys are sorted
# anyway); with `prev_hash` under that name.
FIELDS = (
    "position",
    "event_id",
    "tenant_id",
    "stream_type",
    "stream_id",
    "version",
    "event_type",
    "schema_version",
    "data",
    "metadata",
    "recorded_at",
)


def timestamp(value: datetime) -> str:
    """`recorded_at` in the canonical form: UTC, microseconds, `Z`. A naive value (SQLite
    read without the application's column type) is UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: Mapping[Any, Any], prev_hash: str) -> bytes:
    """UTF-8 JSON, keys sorted at every level, no whitespace, non-ASCII as itself, of the
    `FIELDS` of the row (`recorded_at` as `timestamp()` text) and `prev_hash`."""
    document = {name: row[name] for name in FIELDS}
    document["recorded_at"] = timestamp(row["recorded_at"])
    document["prev_hash"] = prev_hash
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def event_hash(row: Mapping[Any, Any], prev_hash: str) -> str:
    """SHA-256, lower-case hex, of `canonical(row, prev_hash)`."""
    return hashlib.sha256(canonical(row, prev_hash)).hexdigest()


def link(rows: list[dict[str, Any]], last: dict[str, str]) -> None:
    """Set `prev_hash` and `hash` on rows in position order, continuing each tenant's chain
    from `last` (tenant → hash of its newest event; absent: `GENESIS`), which is updated."""
    for row in rows:
        tenant = row["tenant_id"]
        prev = last.get(tenant, GENESIS)
        row["prev_hash"] = prev
        row["hash"] = last[tenant] = event_hash(row, prev)
