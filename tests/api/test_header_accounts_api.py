"""Header accounts (those with sub-accounts) take no journal lines: their balance is the sum of
their children's, so a line on one would be invisible to every sub-ledger."""

from __future__ import annotations

from tests.api.helpers import (
    API,
    assert_invalid,
    cr,
    create_account,
    create_journal,
    dr,
    journal_body,
    post_journal,
)
from tests.api.invoice_helpers import seed_tenant


async def test_a_line_on_a_header_account_is_refused_naming_it(client, container, auth):
    await seed_tenant(container)
    h = auth()
    for lines, field in (
        ([dr("1000", "10"), cr("3100", "10")], "lines[0].account_code"),
        ([dr("1100", "10"), cr("3000", "10")], "lines[1].account_code"),
    ):
        for post in (True, False):
            response = await client.post(
                f"{API}/journals", json=journal_body("2025-08-10", lines, post=post), headers=h
            )
            assert_invalid(response, field, code="header_account")
    header = (await client.get(f"{API}/accounts/by-code/1120", headers=h)).json()
    response = await client.post(
        f"{API}/journals",
        json=journal_body("2025-08-10", [dr(header, "10"), cr("3100", "10")], post=True),
        headers=h,
    )
    assert_invalid(response, "lines[0].account_id", code="header_account")
    batch = await client.post(
        f"{API}/journals/batch",
        json={"journals": [journal_body("2025-08-10", [dr("1000", "1"), cr("3100", "1")])]},
        headers=h,
    )
    assert batch.status_code == 422, batch.text
    assert "header_account" in batch.text
    # The leaves still take lines.
    await post_journal(client, h, "2025-08-10", [dr("1100", "10"), cr("3100", "10")])


async def test_an_account_becomes_a_header_when_it_gets_a_child(client, container, auth):
    await seed_tenant(container)
    h = auth()
    leaf = await create_account(client, h, "1600", "Deposits", "ASSET")
    await post_journal(client, h, "2025-08-10", [dr(leaf, "10"), cr("3100", "10")])
    draft = await create_journal(client, h, "2025-08-10", [dr(leaf, "5"), cr("3100", "5")])
    await create_account(client, h, "1600-01", "Deposit at WASA", "ASSET", parent_id=leaf["id"])
    response = await client.post(
        f"{API}/journals",
        json=journal_body("2025-08-11", [dr(leaf, "10"), cr("3100", "10")], post=True),
        headers=h,
    )
    assert_invalid(response, "lines[0].account_id", code="header_account")
    response = await client.patch(
        f"{API}/journals/{draft['id']}",
        json={"lines": [dr(leaf, "6"), cr("3100", "6")]},
        headers={**h, "If-Match": f'"{draft["version"]}"'},
    )
    assert_invalid(response, "lines[0].account_id", code="header_account")


async def test_the_posting_profile_refuses_a_header_account(client, container, auth):
    await seed_tenant(container)
    h = auth()
    response = await client.put(f"{API}/posting-profile", json={"bank": "1120"}, headers=h)
    assert_invalid(response, "bank", code="header_account")
    response = await client.put(f"{API}/posting-profile", json={"bank": "1120-02"}, headers=h)
    assert response.status_code == 200, response.text


async def test_a_draft_is_held_to_the_rules_when_posted(client, container, auth):
    await seed_tenant(container)
    h = auth()
    leaf = await create_account(client, h, "1600", "Deposits", "ASSET")
    draft = await create_journal(client, h, "2025-08-10", [dr(leaf, "5"), cr("3100", "5")])
    await create_account(client, h, "1600-01", "Deposit at WASA", "ASSET", parent_id=leaf["id"])
    response = await client.post(f"{API}/journals/{draft['id']}/post", headers=h)
    assert_invalid(response, "lines[0].account_id", code="header_account")
