"""Journals over REST: drafts, posting, numbering, line rules, editing, reversal, cancel, lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.helpers import (
    API,
    NUMBER_RE,
    D,
    all_pages,
    assert_amount,
    assert_invalid,
    balances,
    cr,
    create_account,
    create_accounts,
    create_journal,
    dr,
    get_json,
    journal_body,
    list_all,
    post_journal,
    problem_of,
)

CHART = (
    ("1000", "Cash in Hand", "ASSET"),
    ("1100", "Bank - Sonali Current", "ASSET"),
    ("2000", "Accounts Payable", "LIABILITY"),
    ("3000", "Share Capital", "EQUITY"),
    ("4000", "Contract Revenue", "REVENUE"),
    ("5000", "Site Expenses", "EXPENSE"),
)
JOURNAL_FIELDS = {
    "id",
    "number",
    "date",
    "type",
    "status",
    "description",
    "reference",
    "fiscal_period",
    "lines",
    "total_debit",
    "total_credit",
    "posted_at",
    "posted_by",
    "reversed_by_id",
    "reverses_id",
    "version",
}
LINE_FIELDS = {"id", "account_id", "account_code", "debit", "credit", "description"}


async def chart(client, h) -> dict[str, dict[str, Any]]:
    return await create_accounts(client, h, *CHART)


def zero_balances() -> dict[str, Decimal]:
    return {code: Decimal("0") for code, _, _ in CHART}


async def test_create_a_draft_answers_201_with_strings_of_two_places(client, auth):
    h = auth(sub="clerk-7")
    a = await chart(client, h)
    response = await client.post(
        f"{API}/journals",
        json={
            "date": "2025-08-14",
            "description": "Cement for site 4",
            "reference": "PO-2025-118",
            "lines": [
                {
                    "account_code": "5000",
                    "debit": "1500",
                    "description": "cement",
                    "cost_center": "SITE-4",
                    "project": "P-0042",
                    "tax_code": "VAT15",
                },
                {"account_id": a["1000"]["id"], "credit": "1234.5"},
                {"account_id": a["1100"]["id"], "credit": "265.50"},
            ],
        },
        headers=h,
    )
    assert response.status_code == 201, response.text
    j = response.json()
    assert set(j) >= JOURNAL_FIELDS
    assert response.headers["location"] == f"{API}/journals/{j['id']}"
    assert response.headers["etag"].strip('W/"') == str(j["version"])
    assert j["status"] == "DRAFT"
    assert j["type"] == "GENERAL"
    assert j["date"] == "2025-08-14"
    assert j["fiscal_period"] == "FY2025-2026-P02"
    assert j["reference"] == "PO-2025-118"
    assert j["description"] == "Cement for site 4"
    assert j["posted_at"] is None
    assert j["posted_by"] is None
    assert j["reversed_by_id"] is None
    assert j["reverses_id"] is None
    assert NUMBER_RE.fullmatch(j["number"])
    assert j["number"] == "GJ-2025-08-000001"
    assert_amount(j["total_debit"], "1500.00")
    assert_amount(j["total_credit"], "1500.00")
    assert len(j["lines"]) == 3
    for line in j["lines"]:
        assert set(line) >= LINE_FIELDS
    first, second, third = j["lines"]
    assert (first["account_id"], first["account_code"]) == (a["5000"]["id"], "5000")
    assert_amount(first["debit"], "1500.00")
    assert_amount(first["credit"], "0.00")
    assert first["description"] == "cement"
    assert first["cost_center"] == "SITE-4"
    assert first["project"] == "P-0042"
    assert first["tax_code"] == "VAT15"
    assert (second["account_code"], second["credit"], second["debit"]) == (
        "1000",
        "1234.50",
        "0.00",
    )
    assert (third["account_code"], third["credit"]) == ("1100", "265.50")

    # a draft moves no balance
    assert await balances(client, h, a.values()) == zero_balances()
    fetched = await get_json(client, f"{API}/journals/{j['id']}", h)
    assert fetched == j


async def test_create_with_post_true_moves_balances_exactly(client, auth):
    h = auth(sub="chief-accountant")
    a = await chart(client, h)
    expected = zero_balances()

    j = await post_journal(
        client,
        h,
        "2025-07-01",
        [dr(a["1100"], "1000000.00"), cr(a["3000"], "1000000.00")],
        description="Paid-up capital",
    )
    assert j["status"] == "POSTED"
    assert j["posted_by"] == "chief-accountant"
    assert j["posted_at"] is not None
    expected["1100"] += D("1000000.00")
    expected["3000"] += D("1000000.00")  # credit-normal: credit raises it

    await post_journal(
        client,
        h,
        "2025-07-15",
        [
            dr(a["5000"], "12345.67"),
            dr(a["1000"], "0.01"),
            cr(a["2000"], "12345.67"),
            cr(a["1100"], "0.01"),
        ],
    )
    expected["5000"] += D("12345.67")
    expected["1000"] += D("0.01")
    expected["2000"] += D("12345.67")
    expected["1100"] -= D("0.01")

    await post_journal(client, h, "2025-07-31", [dr("2000", "45.67"), cr("1100", "45.67")])
    expected["2000"] -= D("45.67")
    expected["1100"] -= D("45.67")

    await post_journal(client, h, "2025-08-01", [dr("1000", "99.99"), cr("4000", "99.99")])
    expected["1000"] += D("99.99")
    expected["4000"] += D("99.99")

    assert await balances(client, h, a.values()) == expected
    assert expected["1100"] == D("999954.32")
    account = await get_json(client, f"{API}/accounts/{a['1100']['id']}", h)
    assert_amount(account["balance"], "999954.32")


async def test_numbers_are_sequential_per_prefix_and_month(client, auth):
    h = auth()
    a = await chart(client, h)
    lines = [dr(a["1000"], "1.00"), cr(a["4000"], "1.00")]

    async def number(day: str, journal_type: str = "GENERAL", *, post: bool = False) -> str:
        j = await create_journal(client, h, day, lines, post=post, type=journal_type)
        return j["number"]

    assert await number("2025-08-01") == "GJ-2025-08-000001"
    assert await number("2025-08-31", post=True) == "GJ-2025-08-000002"
    assert await number("2025-09-01") == "GJ-2025-09-000001"
    assert await number("2025-08-10", "ADJUSTMENT") == "AJ-2025-08-000001"
    assert await number("2025-08-10", "SALES") == "SJ-2025-08-000001"
    assert await number("2025-08-10", "PURCHASE") == "PJ-2025-08-000001"
    assert await number("2025-08-10", "CASH_RECEIPT") == "CR-2025-08-000001"
    assert await number("2025-08-10", "CASH_PAYMENT") == "CP-2025-08-000001"
    assert await number("2025-08-10", "OPENING") == "OJ-2025-08-000001"
    # CLOSING journals are made only by the fiscal-year close (ADR 0048)
    closing = await client.post(
        f"{API}/journals",
        json={**journal_body("2025-08-10", lines), "type": "CLOSING"},
        headers=h,
    )
    assert problem_of(closing, 422)["errors"][0]["field"] == "type"
    # a refused journal consumes no number
    refused = await client.post(
        f"{API}/journals",
        json=journal_body("2025-08-02", [dr(a["1000"], "1.00"), cr(a["4000"], "2.00")]),
        headers=h,
    )
    problem_of(refused, 422)
    assert await number("2025-08-02") == "GJ-2025-08-000003"
    assert await number("2026-01-05") == "GJ-2026-01-000001"
    assert await number("2025-08-15") == "GJ-2025-08-000004"
    numbers = [j["number"] for j in await list_all(client, f"{API}/journals", h)]
    assert len(numbers) == len(set(numbers)) == 12


async def test_line_and_balance_rules_are_422_problems_naming_the_field(client, auth):
    h = auth()
    a = await chart(client, h)
    cash, revenue, bank = a["1000"], a["4000"], a["1100"]
    # (lines, the field to name, its code or None); a line with both or neither side has
    # no single wrong field, so naming the line or a field in it will do there.
    cases: list[tuple[list[dict[str, Any]], str, str | None]] = [
        # unbalanced by one paisa
        ([dr(cash, "100.00"), cr(revenue, "99.99")], "lines", "unbalanced"),
        ([dr(cash, "100.00"), cr(revenue, "50.00"), cr(bank, "50.01")], "lines", "unbalanced"),
        # a line with both sides, and one with neither
        (
            [dr(cash, "100.00"), {**cr(revenue, "100.00"), "debit": "100.00"}],
            "lines[1]",
            None,
        ),
        ([dr(cash, "100.00"), {"account_id": revenue["id"]}], "lines[1]", None),
        ([dr(cash, "100.00"), cr(revenue, "0.00"), cr(bank, "100.00")], "lines[1]", None),
        # negative and 3-decimal amounts
        # (negatives: the line or a field in it here; the exact field in the next test)
        ([dr(cash, "-100.00"), cr(revenue, "-100.00")], "lines[0]", None),
        ([dr(cash, "100.00"), cr(revenue, "-100.00"), cr(bank, "200.00")], "lines[1]", None),
        ([dr(cash, "100.005"), cr(revenue, "100.005")], "lines[0].debit", None),
        ([dr(cash, "100.00"), cr(revenue, "100.001")], "lines[1].credit", None),
        ([dr(cash, "1e2"), cr(revenue, "100.00")], "lines[0].debit", None),
        ([dr(cash, "abc"), cr(revenue, "100.00")], "lines[0].debit", None),
        # unknown accounts
        (
            [dr(cash, "5.00"), {"account_id": "no-such-id", "credit": "5.00"}],
            "lines[1].account_id",
            None,
        ),
        ([dr(cash, "5.00"), cr("9999", "5.00")], "lines[1].account_code", None),
        ([dr(cash, "5.00"), {"credit": "5.00"}], "lines[1]", None),
        # fewer than two lines
        ([dr(cash, "0.01")], "lines", None),
        ([], "lines", None),
    ]
    whole_line = {"lines[0]", "lines[1]"}
    for lines, field, code in cases:
        response = await client.post(
            f"{API}/journals", json=journal_body("2025-08-01", lines, post=True), headers=h
        )
        body = assert_invalid(response, field, code=code, exact=field not in whole_line)
        assert body["code"] != "internal_error"
        assert body["detail"]
    assert await list_all(client, f"{API}/journals", h) == []
    assert await balances(client, h, a.values()) == zero_balances()


async def test_a_negative_amount_names_its_debit_or_credit_field(client, auth):
    """Like a 3-decimal amount (`lines[0].debit`), a negative one names the amount field
    that is wrong, not just the line."""
    h = auth()
    a = await chart(client, h)
    cash, revenue, bank = a["1000"], a["4000"], a["1100"]
    cases = [
        ([dr(cash, "-100.00"), cr(revenue, "-100.00")], "lines[0].debit"),
        ([dr(cash, "100.00"), cr(revenue, "-100.00"), cr(bank, "200.00")], "lines[1].credit"),
    ]
    for lines, field in cases:
        response = await client.post(
            f"{API}/journals", json=journal_body("2025-08-01", lines, post=True), headers=h
        )
        assert_invalid(response, field)
    assert await list_all(client, f"{API}/journals", h) == []


async def test_account_code_of_another_tenant_is_422_and_not_used(client, auth):
    h1, h2 = auth(tenant="t1"), auth(tenant="t2")
    await create_account(client, h1, "1000", "Cash t1", "ASSET")
    foreign = await create_account(client, h2, "4500", "Other tenant revenue", "REVENUE")
    foreign_cash = await create_account(client, h2, "1000", "Cash t2", "ASSET")

    by_code = await client.post(
        f"{API}/journals",
        json=journal_body("2025-08-01", [dr("1000", "10.00"), cr("4500", "10.00")], post=True),
        headers=h1,
    )
    assert_invalid(by_code, "lines[1].account_code")
    by_id = await client.post(
        f"{API}/journals",
        json=journal_body("2025-08-01", [dr("1000", "10.00"), cr(foreign, "10.00")], post=True),
        headers=h1,
    )
    assert_invalid(by_id, "lines[1].account_id")

    assert await list_all(client, f"{API}/journals", h1) == []
    assert await list_all(client, f"{API}/journals", h2) == []
    t2_accounts = await list_all(client, f"{API}/accounts", h2)
    assert {a["code"]: a["balance"] for a in t2_accounts} == {"1000": "0.00", "4500": "0.00"}
    cash_t1 = await get_json(client, f"{API}/accounts/by-code/1000", h1)
    assert cash_t1["balance"] == "0.00"
    assert cash_t1["id"] != foreign_cash["id"]


async def test_patch_edits_drafts_only(client, auth):
    h = auth()
    a = await chart(client, h)
    draft = await create_journal(
        client, h, "2025-08-01", [dr(a["5000"], "10.00"), cr(a["1000"], "10.00")]
    )
    url = f"{API}/journals/{draft['id']}"

    response = await client.patch(
        url,
        json={
            "description": "Corrected",
            "reference": "INV-9",
            "date": "2025-08-20",
            "lines": [
                dr(a["5000"], "70.00"),
                dr(a["2000"], "5.25"),
                cr(a["1000"], "75.25"),
            ],
        },
        headers=h,
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["status"] == "DRAFT"
    assert edited["description"] == "Corrected"
    assert edited["reference"] == "INV-9"
    assert edited["date"] == "2025-08-20"
    assert edited["number"] == draft["number"]
    assert edited["version"] == draft["version"] + 1
    assert [(x["account_code"], x["debit"], x["credit"]) for x in edited["lines"]] == [
        ("5000", "70.00", "0.00"),
        ("2000", "5.25", "0.00"),
        ("1000", "0.00", "75.25"),
    ]
    assert_amount(edited["total_debit"], D("70.00") + D("5.25"))
    assert_amount(edited["total_credit"], "75.25")

    # an edit that would unbalance the draft is refused, the draft unchanged
    assert_invalid(
        await client.patch(
            url, json={"lines": [dr(a["5000"], "1.00"), cr(a["1000"], "2.00")]}, headers=h
        ),
        "lines",
    )
    assert_invalid(await client.patch(url, json={"description": None}, headers=h), "description")
    assert (await get_json(client, url, h))["version"] == edited["version"]

    # the reference can be removed
    cleared = await client.patch(url, json={"reference": None}, headers=h)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["reference"] is None

    posted = await client.post(f"{url}/post", headers=h)
    assert posted.status_code == 200, posted.text
    problem_of(await client.patch(url, json={"description": "Too late"}, headers=h), 409)
    after = await get_json(client, url, h)
    assert after["description"] == "Corrected"
    assert after["status"] == "POSTED"
    problem_of(
        await client.patch(f"{API}/journals/no-such-id", json={"description": "x"}, headers=h), 404
    )


async def test_post_endpoint_posts_a_draft_once(client, auth):
    h = auth(sub="approver-1")
    a = await chart(client, h)
    draft = await create_journal(
        client, h, "2025-09-30", [dr(a["1100"], "2500.50"), cr(a["4000"], "2500.50")]
    )
    assert await balances(client, h, a.values()) == zero_balances()

    response = await client.post(f"{API}/journals/{draft['id']}/post", headers=h)
    assert response.status_code == 200, response.text
    posted = response.json()
    assert posted["status"] == "POSTED"
    assert posted["posted_by"] == "approver-1"
    assert posted["number"] == draft["number"]
    assert posted["version"] == draft["version"] + 1
    expected = zero_balances()
    expected["1100"] = D("2500.50")
    expected["4000"] = D("2500.50")
    assert await balances(client, h, a.values()) == expected

    problem_of(await client.post(f"{API}/journals/{draft['id']}/post", headers=h), 409)
    assert await balances(client, h, a.values()) == expected
    problem_of(await client.post(f"{API}/journals/no-such-id/post", headers=h), 404)


async def test_reverse_creates_a_posted_reversing_journal_and_marks_the_original(client, auth):
    h = auth(sub="controller")
    a = await chart(client, h)
    original = await post_journal(
        client,
        h,
        "2025-08-10",
        [dr(a["5000"], "800.00"), dr(a["1000"], "0.50"), cr(a["2000"], "800.50")],
        description="Steel invoice",
        reference="BILL-77",
    )
    url = f"{API}/journals/{original['id']}"

    response = await client.post(
        f"{url}/reverse", json={"date": "2025-09-02", "reason": "Duplicate bill"}, headers=h
    )
    assert response.status_code == 201, response.text
    rj = response.json()
    assert response.headers["location"] == f"{API}/journals/{rj['id']}"
    assert rj["id"] != original["id"]
    assert rj["type"] == "REVERSING"
    assert rj["status"] == "POSTED"
    assert rj["date"] == "2025-09-02"
    assert rj["fiscal_period"] == "FY2025-2026-P03"
    assert rj["number"] == "RJ-2025-09-000001"
    assert rj["reference"] == f"REV-{original['number']}"
    assert rj["reverses_id"] == original["id"]
    assert rj["posted_by"] == "controller"
    swapped = [(x["account_code"], x["credit"], x["debit"]) for x in original["lines"]]
    assert [(x["account_code"], x["debit"], x["credit"]) for x in rj["lines"]] == swapped
    assert_amount(rj["total_debit"], "800.50")
    assert_amount(rj["total_credit"], "800.50")

    reversed_original = await get_json(client, url, h)
    assert reversed_original["status"] == "REVERSED"
    assert reversed_original["reversed_by_id"] == rj["id"]
    assert reversed_original["lines"] == original["lines"]
    assert await balances(client, h, a.values()) == zero_balances()

    # the reversal shows in the list as a posted REVERSING journal
    listed = await list_all(client, f"{API}/journals", h, type="REVERSING")
    assert [j["id"] for j in listed] == [rj["id"]]

    second = await client.post(f"{url}/reverse", json={"date": "2025-09-03"}, headers=h)
    problem_of(second, 409)
    assert len(await list_all(client, f"{API}/journals", h)) == 2
    assert await balances(client, h, a.values()) == zero_balances()

    # the reversing journal cannot itself be reversed (issue 15): the books stay put
    again = await client.post(
        f"{API}/journals/{rj['id']}/reverse", json={"date": "2025-09-03"}, headers=h
    )
    assert problem_of(again, 409)["code"] == "reversal_not_reversible"
    assert await balances(client, h, a.values()) == zero_balances()


async def test_reverse_refuses_drafts_cancelled_and_dates_before_the_original(client, auth):
    h = auth()
    a = await chart(client, h)
    lines = [dr(a["1000"], "10.00"), cr(a["4000"], "10.00")]
    draft = await create_journal(client, h, "2025-08-10", lines)
    problem_of(
        await client.post(
            f"{API}/journals/{draft['id']}/reverse", json={"date": "2025-08-11"}, headers=h
        ),
        409,
    )
    assert (await get_json(client, f"{API}/journals/{draft['id']}", h))["status"] == "DRAFT"

    posted = await post_journal(client, h, "2025-08-10", lines)
    assert_invalid(
        await client.post(
            f"{API}/journals/{posted['id']}/reverse", json={"date": "2025-08-09"}, headers=h
        ),
        "date",
    )
    assert_invalid(
        await client.post(f"{API}/journals/{posted['id']}/reverse", json={}, headers=h), "date"
    )
    problem_of(
        await client.post(
            f"{API}/journals/no-such-id/reverse", json={"date": "2025-08-11"}, headers=h
        ),
        404,
    )
    assert (await get_json(client, f"{API}/journals/{posted['id']}", h))["status"] == "POSTED"
    assert len(await list_all(client, f"{API}/journals", h)) == 2


async def test_cancel_only_drafts_with_a_reason(client, auth):
    h = auth()
    a = await chart(client, h)
    lines = [dr(a["1000"], "10.00"), cr(a["4000"], "10.00")]
    draft = await create_journal(client, h, "2025-08-10", lines)
    url = f"{API}/journals/{draft['id']}"

    assert_invalid(await client.post(f"{url}/cancel", json={}, headers=h), "reason")
    assert_invalid(await client.post(f"{url}/cancel", json={"reason": ""}, headers=h), "reason")
    assert (await get_json(client, url, h))["status"] == "DRAFT"

    response = await client.post(f"{url}/cancel", json={"reason": "Entered twice"}, headers=h)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "CANCELLED"
    assert response.json()["cancel_reason"] == "Entered twice"

    problem_of(await client.post(f"{url}/cancel", json={"reason": "Again please"}, headers=h), 409)
    problem_of(await client.post(f"{url}/post", headers=h), 409)
    problem_of(await client.patch(url, json={"description": "Revived"}, headers=h), 409)

    posted = await post_journal(client, h, "2025-08-11", lines)
    problem_of(
        await client.post(
            f"{API}/journals/{posted['id']}/cancel", json={"reason": "Not a draft"}, headers=h
        ),
        409,
    )
    assert (await get_json(client, f"{API}/journals/{posted['id']}", h))["status"] == "POSTED"
    expected = zero_balances()
    expected["1000"] = D("10.00")
    expected["4000"] = D("10.00")
    assert await balances(client, h, a.values()) == expected


async def test_list_filters_and_cursor_pages(client, auth):
    h = auth()
    a = await chart(client, h)
    lines = [dr(a["1000"], "1.00"), cr(a["4000"], "1.00")]
    made: list[dict[str, Any]] = []
    for day, journal_type, post in [
        ("2025-07-31", "GENERAL", True),
        ("2025-08-01", "GENERAL", False),
        ("2025-08-01", "ADJUSTMENT", True),
        ("2025-08-15", "GENERAL", True),
        ("2025-08-31", "SALES", False),
        ("2025-09-01", "GENERAL", True),
        ("2025-09-01", "GENERAL", True),
        ("2026-01-10", "ADJUSTMENT", False),
    ]:
        made.append(await create_journal(client, h, day, lines, post=post, type=journal_type))
    cancelled = made[1]
    response = await client.post(
        f"{API}/journals/{cancelled['id']}/cancel", json={"reason": "not needed"}, headers=h
    )
    assert response.status_code == 200
    reversal = await client.post(
        f"{API}/journals/{made[3]['id']}/reverse", json={"date": "2025-08-20"}, headers=h
    )
    assert reversal.status_code == 201
    rj = reversal.json()

    status = {
        j["id"]: ("POSTED" if post else "DRAFT")
        for j, post in zip(made, [True, False, True, True, False, True, True, False], strict=True)
    }
    status[cancelled["id"]] = "CANCELLED"
    status[made[3]["id"]] = "REVERSED"
    status[rj["id"]] = "POSTED"
    everything = [*made, rj]
    info = {j["id"]: (j["date"], j["type"], j["number"]) for j in everything}

    def expect(pred) -> set[str]:
        return {jid for jid in info if pred(jid)}

    async def listed(**params: Any) -> set[str]:
        items = await list_all(client, f"{API}/journals", h, **params)
        found = [j["id"] for j in items]
        assert len(found) == len(set(found))
        return set(found)

    assert await listed(status="POSTED") == expect(lambda j: status[j] == "POSTED")
    assert await listed(status="DRAFT") == {made[4]["id"], made[7]["id"]}
    assert await listed(status="CANCELLED") == {cancelled["id"]}
    assert await listed(status="REVERSED") == {made[3]["id"]}
    assert await listed(type="ADJUSTMENT") == {made[2]["id"], made[7]["id"]}
    assert await listed(period="FY2025-2026-P02") == expect(
        lambda j: info[j][0].startswith("2025-08")
    )
    assert await listed(**{"from": "2025-08-01", "to": "2025-08-31"}) == expect(
        lambda j: "2025-08-01" <= info[j][0] <= "2025-08-31"
    )
    assert await listed(**{"from": "2025-09-01"}) == expect(lambda j: info[j][0] >= "2025-09-01")
    assert await listed(to="2025-07-31") == {made[0]["id"]}
    assert await listed(status="POSTED", type="GENERAL", period="FY2025-2026-P03") == {
        made[5]["id"],
        made[6]["id"],
    }
    assert await listed(period="FY2024-2025-P01") == set()

    # paging: every journal exactly once, newest date first, then number descending
    pages = await all_pages(client, f"{API}/journals", h, limit=2)
    assert [len(p) for p in pages] == [2, 2, 2, 2, 1]
    order = [j["id"] for page in pages for j in page]
    assert len(order) == len(set(order)) == len(everything)
    expected_order = sorted(info, key=lambda j: (info[j][0], info[j][2]), reverse=True)
    assert order == expected_order

    filtered_pages = await all_pages(client, f"{API}/journals", h, limit=1, status="POSTED")
    assert {j["id"] for p in filtered_pages for j in p} == expect(lambda j: status[j] == "POSTED")

    for bad in ({"status": "OPEN"}, {"type": "MISC"}, {"period": "2025-08"}):
        (name,) = bad
        assert_invalid(await client.get(f"{API}/journals", params=bad, headers=h), name)
    assert_invalid(
        await client.get(
            f"{API}/journals", params={"from": "2025-09-01", "to": "2025-08-01"}, headers=h
        ),
        "from",
    )
    assert_invalid(await client.get(f"{API}/journals?cursor=bm9wZQ", headers=h), "cursor")


async def test_another_tenants_journal_is_404(client, auth):
    h1, h2 = auth(tenant="t1"), auth(tenant="t2")
    a = await chart(client, h1)
    j = await post_journal(client, h1, "2025-08-01", [dr(a["1000"], "5.00"), cr(a["4000"], "5.00")])
    problem_of(await client.get(f"{API}/journals/{j['id']}", headers=h2), 404)
    assert await list_all(client, f"{API}/journals", h2) == []
    assert (await get_json(client, f"{API}/journals/{j['id']}", h1))["id"] == j["id"]
    problem_of(await client.get(f"{API}/journals/no-such-id", headers=h1), 404)
