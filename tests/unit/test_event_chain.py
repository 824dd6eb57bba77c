"""The canonical form of an event (ADR 0046) is frozen: these bytes and this hash may never
change; migration 0009 backfills with these functions, so the
backfill and the append agree by construction (tests/integration/test_event_hash_chain.py
checks it against a real upgrade)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from vextrus_finance.infrastructure.event_store import chain

ROW = {
    "position": 7,
    "event_id": "e-1",
    "tenant_id": "t1",
    "stream_type": "account",
    "stream_id": "a-1",
    "version": 1,
    "event_type": "AccountOpened",
    "schema_version": 1,
    "data": {"name": "নগদ", "code": "1000", "limit": None, "tags": [2, 1]},
    "metadata": {"user_id": "u", "correlation_id": None},
    "recorded_at": datetime(2025, 7, 1, 6, 30, 0, 5, tzinfo=UTC),
    "ignored": "columns outside the form are not hashed",
}


def test_the_canonical_form_is_frozen() -> None:
    assert chain.canonical(ROW, chain.GENESIS).decode("utf-8") == (
        '{"data":{"code":"1000","limit":null,"name":"নগদ","tags":[2,1]},"event_id":"e-1",'
        '"event_type":"AccountOpened","metadata":{"correlation_id":null,"user_id":"u"},'
        '"position":7,"prev_hash":"' + "0" * 64 + '","recorded_at":"2025-07-01T06:30:00.000005Z",'
        '"schema_version":1,"stream_id":"a-1","stream_type":"account","tenant_id":"t1",'
        '"version":1}'
    )
    assert chain.event_hash(ROW, chain.GENESIS) == (
        "d386da34e640aec4df7799abbbc9be17661b49d04e453d61f150509414f1f4db"
    )


def test_the_timestamp_is_utc_whatever_its_zone() -> None:
    dhaka = timezone(timedelta(hours=6))
    local = ROW["recorded_at"].astimezone(dhaka)
    naive = ROW["recorded_at"].replace(tzinfo=None)
    assert chain.timestamp(local) == chain.timestamp(naive) == "2025-07-01T06:30:00.000005Z"


def test_link_continues_each_tenants_chain() -> None:
    rows = [{**ROW, "position": p, "tenant_id": t} for p, t in [(1, "a"), (2, "b"), (3, "a")]]
    last = {"b": "f" * 64}
    chain.link(rows, last)
    assert rows[0]["prev_hash"] == chain.GENESIS
    assert rows[1]["prev_hash"] == "f" * 64
    assert rows[2]["prev_hash"] == rows[0]["hash"]
    assert last == {"a": rows[2]["hash"], "b": rows[1]["hash"]}
