"""Idempotency keys are scoped to the tenant and the user: another user's same key and body is
another request, never a replay of the first user's answer."""

from __future__ import annotations

import asyncio

from tests.api.helpers import API, cr, create_accounts, dr, journal_body, list_all

CHART = (("1000", "Cash", "ASSET"), ("4000", "Revenue", "REVENUE"))


async def test_keys_are_per_user(client, auth):
    alice, bob = auth(sub="alice"), auth(sub="bob")
    await create_accounts(client, alice, *CHART)
    body = journal_body("2025-08-01", [dr("1000", "75.50"), cr("4000", "75.50")], post=True)
    key = {"Idempotency-Key": "shared-key"}

    one = await client.post(f"{API}/journals", json=body, headers={**alice, **key})
    two = await client.post(f"{API}/journals", json=body, headers={**bob, **key})
    assert one.status_code == two.status_code == 201
    assert "idempotent-replayed" not in two.headers
    assert one.json()["id"] != two.json()["id"]
    assert (one.json()["created_by"], two.json()["created_by"]) == ("alice", "bob")

    # Each user's retry replays that user's own answer.
    again = await client.post(f"{API}/journals", json=body, headers={**bob, **key})
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == two.json()["id"]
    journals = await list_all(client, f"{API}/journals", alice)
    assert sorted(j["id"] for j in journals) == sorted([one.json()["id"], two.json()["id"]])


async def test_concurrent_requests_of_one_user_with_one_key_write_once(client, auth):
    h = auth(sub="alice")
    await create_accounts(client, h, *CHART)
    body = journal_body("2025-08-01", [dr("1000", "10.00"), cr("4000", "10.00")], post=True)
    headers = {**h, "Idempotency-Key": "burst"}
    answers = await asyncio.gather(
        *(client.post(f"{API}/journals", json=body, headers=headers) for _ in range(5))
    )
    assert {a.status_code for a in answers} <= {201, 409}
    assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 1
    assert len(await list_all(client, f"{API}/journals", h)) == 1
