"""A reversing journal cannot itself be reversed (issue 15, item 6): that would re-post the
original's effect while the original still says REVERSED."""

from __future__ import annotations

from tests.api.helpers import (
    API,
    D,
    balance,
    cr,
    create_account,
    dr,
    get_json,
    post_journal,
    problem_of,
)


async def test_a_reversal_cannot_be_reversed(client, auth):
    h = auth()
    bank = await create_account(client, h, "1120", "Bank", "ASSET")
    capital = await create_account(client, h, "3100", "Share Capital", "EQUITY")
    original = await post_journal(
        client, h, "2025-09-01", [dr(bank, "700.00"), cr(capital, "700.00")]
    )
    response = await client.post(
        f"{API}/journals/{original['id']}/reverse",
        json={"date": "2025-09-02", "reason": "Entered twice"},
        headers=h,
    )
    assert response.status_code == 201, response.text
    reversal = response.json()

    response = await client.post(
        f"{API}/journals/{reversal['id']}/reverse",
        json={"date": "2025-09-03", "reason": "Undo the undo"},
        headers=h,
    )
    body = problem_of(response, 409)
    assert body["code"] == "reversal_not_reversible"
    assert await balance(client, h, bank["id"]) == D("0.00")
    assert (await get_json(client, f"{API}/journals/{reversal['id']}", h))["status"] == "POSTED"
    assert (await get_json(client, f"{API}/journals/{original['id']}", h))["status"] == "REVERSED"
