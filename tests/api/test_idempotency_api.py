"""Idempotency-Key on POSTs: replay the first answer, refuse a different body, per tenant."""

from __future__ import annotations

import json

from tests.api import helpers
from tests.api.helpers import (
    API,
    D,
    assert_invalid,
    balance,
    cr,
    create_accounts,
    create_journal,
    dr,
    journal_body,
    list_all,
    problem_of,
)

CHART = (("1000", "Cash in Hand", "ASSET"), ("4000", "Contract Revenue", "REVENUE"))


async def test_same_key_and_body_replays_the_first_answer_once(client, auth):
    h = auth()
    a = await create_accounts(client, h, *CHART)
    body = journal_body("2025-08-01", [dr("1000", "150.00"), cr("4000", "150.00")], post=True)
    headers = {**h, "Idempotency-Key": "pay-2025-08-01-0001"}

    first = await client.post(f"{API}/journals", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers

    second = await client.post(f"{API}/journals", json=body, headers=headers)
    assert second.status_code == 201, second.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()

    # the same JSON written differently (key order, spacing) is the same request
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    third = await client.post(
        f"{API}/journals",
        content=reordered,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert third.status_code == 201, third.text
    assert third.json() == first.json()
    assert third.headers["idempotent-replayed"] == "true"

    journals = await list_all(client, f"{API}/journals", h)
    assert [j["id"] for j in journals] == [first.json()["id"]]
    assert await balance(client, h, a["1000"]["id"]) == D("150.00")


async def test_same_key_with_a_different_body_is_422(client, auth):
    h = auth()
    a = await create_accounts(client, h, *CHART)
    headers = {**h, "Idempotency-Key": "key-1"}
    body = journal_body("2025-08-01", [dr("1000", "150.00"), cr("4000", "150.00")], post=True)
    first = await client.post(f"{API}/journals", json=body, headers=headers)
    assert first.status_code == 201

    changed = journal_body("2025-08-01", [dr("1000", "150.01"), cr("4000", "150.01")], post=True)
    response = await client.post(f"{API}/journals", json=changed, headers=headers)
    body_422 = assert_invalid(response, "Idempotency-Key")
    assert body_422["code"] == "idempotency_key_reused"
    # the same key on another endpoint is another request too
    response = await client.post(
        f"{API}/accounts",
        json={"code": "1100", "name": "Bank", "type": "ASSET"},
        headers=headers,
    )
    problem_of(response, 422)

    assert len(await list_all(client, f"{API}/journals", h)) == 1
    assert len(await list_all(client, f"{API}/accounts", h)) == 2
    assert await balance(client, h, a["1000"]["id"]) == D("150.00")
    # and the first answer is still what the key replays
    again = await client.post(f"{API}/journals", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]


async def test_keys_are_per_tenant(client, auth):
    h1, h2 = auth(tenant="t1"), auth(tenant="t2")
    await create_accounts(client, h1, *CHART)
    await create_accounts(client, h2, *CHART)
    # lines by code: the very same body is valid in both tenants
    body = journal_body("2025-08-01", [dr("1000", "75.50"), cr("4000", "75.50")], post=True)
    key = {"Idempotency-Key": "shared-key"}

    one = await client.post(f"{API}/journals", json=body, headers={**h1, **key})
    two = await client.post(f"{API}/journals", json=body, headers={**h2, **key})
    assert one.status_code == two.status_code == 201
    assert "idempotent-replayed" not in two.headers
    assert one.json()["id"] != two.json()["id"]

    t1 = await list_all(client, f"{API}/journals", h1)
    t2 = await list_all(client, f"{API}/journals", h2)
    assert [j["id"] for j in t1] == [one.json()["id"]]
    assert [j["id"] for j in t2] == [two.json()["id"]]
    cash_t2 = await helpers.get_json(client, f"{API}/accounts/by-code/1000", h2)
    assert cash_t2["balance"] == "75.50"


async def test_idempotent_account_creation_and_commands(client, auth):
    h = auth()
    body = {"code": "1000", "name": "Cash in Hand", "type": "ASSET"}
    keyed = {**h, "Idempotency-Key": "open-cash"}
    first = await client.post(f"{API}/accounts", json=body, headers=keyed)
    second = await client.post(f"{API}/accounts", json=body, headers=keyed)
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["idempotent-replayed"] == "true"
    # without the key, the same body is a second attempt at the code: 409
    problem_of(await client.post(f"{API}/accounts", json=body, headers=h), 409)
    assert len(await list_all(client, f"{API}/accounts", h)) == 1

    await create_accounts(client, h, ("4000", "Revenue", "REVENUE"))
    draft = await create_journal(client, h, "2025-08-01", [dr("1000", "5.00"), cr("4000", "5.00")])
    post_key = {**h, "Idempotency-Key": "post-draft"}
    posted = await client.post(f"{API}/journals/{draft['id']}/post", headers=post_key)
    assert posted.status_code == 200, posted.text
    replay = await client.post(f"{API}/journals/{draft['id']}/post", headers=post_key)
    assert replay.status_code == 200  # replayed, not "already posted"
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == posted.json()
    problem_of(await client.post(f"{API}/journals/{draft['id']}/post", headers=h), 409)
    assert await balance(client, h, first.json()["id"]) == D("5.00")

    reverse_key = {**h, "Idempotency-Key": "reverse-it"}
    reverse_body = {"date": "2025-08-02"}
    r1 = await client.post(
        f"{API}/journals/{draft['id']}/reverse", json=reverse_body, headers=reverse_key
    )
    r2 = await client.post(
        f"{API}/journals/{draft['id']}/reverse", json=reverse_body, headers=reverse_key
    )
    assert r1.status_code == r2.status_code == 201
    assert r1.json()["id"] == r2.json()["id"]
    assert len(await list_all(client, f"{API}/journals", h, type="REVERSING")) == 1
    assert await balance(client, h, first.json()["id"]) == 0


async def test_a_malformed_key_is_422(client, auth):
    h = auth()
    await create_accounts(client, h, *CHART)
    body = journal_body("2025-08-01", [dr("1000", "1.00"), cr("4000", "1.00")])
    for key in ("x" * 256, "has space", "ü-nicode"):
        try:
            response = await client.post(
                f"{API}/journals", json=body, headers={**h, "Idempotency-Key": key}
            )
        except UnicodeEncodeError:
            continue  # httpx will not send it; nothing to check
        assert_invalid(response, "Idempotency-Key")
    assert await list_all(client, f"{API}/journals", h) == []
