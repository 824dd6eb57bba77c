"""Chart of accounts over REST: create, read, list, update, deactivate, limits, ledger."""

from __future__ import annotations

import itertools
from decimal import Decimal

from tests.api.helpers import (
    API,
    D,
    all_pages,
    assert_amount,
    assert_invalid,
    balance,
    cr,
    create_account,
    create_accounts,
    create_journal,
    dr,
    get_json,
    list_all,
    post_journal,
    problem_of,
)

CONTRACT_FIELDS = {
    "id",
    "code",
    "name",
    "type",
    "parent_id",
    "currency",
    "is_active",
    "balance",
    "version",
}
REASON = "Closed by the test suite"


async def test_create_answers_201_with_location_etag_and_the_contract_fields(client, auth):
    h = auth()
    response = await client.post(
        f"{API}/accounts",
        json={"code": "1110-01", "name": "Petty Cash - Head Office", "type": "ASSET"},
        headers=h,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["code"] == "1110-01"
    assert body["name"] == "Petty Cash - Head Office"
    assert body["type"] == "ASSET"
    assert body["parent_id"] is None
    assert body["currency"] == "BDT"
    assert body["is_active"] is True
    assert_amount(body["balance"], "0")
    assert body["version"] == 1
    assert response.headers["location"] == f"{API}/accounts/{body['id']}"
    assert response.headers["etag"].strip('W/"') == str(body["version"])

    fetched = await client.get(response.headers["location"], headers=h)
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert fetched.headers["etag"] == response.headers["etag"]


async def test_create_with_currency_and_parent_of_the_same_type(client, auth):
    h = auth()
    parent = await create_account(client, h, "2000", "Current Liabilities", "LIABILITY")
    child = await create_account(
        client, h, "2100", "Accounts Payable", "LIABILITY", parent_id=parent["id"]
    )
    assert child["parent_id"] == parent["id"]
    usd = await create_account(client, h, "1130", "USD Bank Account", "ASSET", currency="USD")
    assert usd["currency"] == "USD"


async def test_duplicate_code_is_409_and_the_first_account_is_kept(client, auth):
    h = auth()
    first = await create_account(client, h, "1000", "Cash in Hand", "ASSET")
    response = await client.post(
        f"{API}/accounts", json={"code": "1000", "name": "Another", "type": "EXPENSE"}, headers=h
    )
    assert_invalid(response, "code", status=409)
    listed = await list_all(client, f"{API}/accounts", h)
    assert [a["id"] for a in listed] == [first["id"]]
    assert listed[0]["name"] == "Cash in Hand"


async def test_bad_code_name_or_type_is_422_naming_the_field(client, auth):
    h = auth()
    good = {"code": "1000", "name": "Cash", "type": "ASSET"}
    bad_values = [
        ("code", "100"),
        ("code", "10000"),
        ("code", "1000-1"),
        ("code", "1000-"),
        ("code", "ABCD"),
        ("code", "1000-01-1"),
        ("name", "ab"),
        ("name", "   ab   "),
        ("name", "x" * 256),
        ("type", "CASH"),
        ("type", "asset "),
        ("currency", "bdt"),
    ]
    for field, value in bad_values:
        response = await client.post(f"{API}/accounts", json={**good, field: value}, headers=h)
        assert_invalid(response, field)
    for field in ("code", "name", "type"):
        body = {k: v for k, v in good.items() if k != field}
        assert_invalid(await client.post(f"{API}/accounts", json=body, headers=h), field)
    # nothing was written by any of them
    assert await list_all(client, f"{API}/accounts", h) == []
    # the boundaries themselves are fine
    await create_account(client, h, "1000-01-02", "abc", "ASSET")
    await create_account(client, h, "1001", "y" * 255, "ASSET")


async def test_parent_of_another_type_or_unknown_parent_is_422(client, auth):
    h = auth()
    expense = await create_account(client, h, "5000", "Operating Expenses", "EXPENSE")
    response = await client.post(
        f"{API}/accounts",
        json={"code": "1100", "name": "Bank", "type": "ASSET", "parent_id": expense["id"]},
        headers=h,
    )
    assert_invalid(response, "parent_id")
    response = await client.post(
        f"{API}/accounts",
        json={"code": "1100", "name": "Bank", "type": "ASSET", "parent_id": "no-such-id"},
        headers=h,
    )
    assert_invalid(response, "parent_id")
    assert len(await list_all(client, f"{API}/accounts", h)) == 1


async def test_by_code_finds_the_account_and_404s_otherwise(client, auth):
    h = auth()
    account = await create_account(client, h, "1120-04", "Eastern Bank Current", "ASSET")
    await create_account(client, h, "1120-05", "City Bank Current", "ASSET")
    found = await get_json(client, f"{API}/accounts/by-code/1120-04", h)
    assert found["id"] == account["id"]
    assert found["name"] == "Eastern Bank Current"
    problem_of(await client.get(f"{API}/accounts/by-code/1120-06", headers=h), 404)
    problem_of(await client.get(f"{API}/accounts/no-such-id", headers=h), 404)


async def test_list_filters_by_type_and_active_and_pages_without_gaps(client, auth):
    h = auth()
    specs = [
        ("1000", "Cash in Hand", "ASSET"),
        ("1100", "Bank Accounts", "ASSET"),
        ("1200", "Accounts Receivable", "ASSET"),
        ("1300", "VAT Input", "ASSET"),
        ("2000", "Accounts Payable", "LIABILITY"),
        ("2100", "VAT Payable", "LIABILITY"),
        ("3000", "Share Capital", "EQUITY"),
        ("4000", "Contract Revenue", "REVENUE"),
        ("5000", "Site Expenses", "EXPENSE"),
        ("5100", "Salaries", "EXPENSE"),
        ("5200", "Rent", "EXPENSE"),
    ]
    # created out of code order, to see that pages follow the code, not insertion
    created = await create_accounts(client, h, *reversed(specs))
    for code in ("1300", "5100"):
        response = await client.post(
            f"{API}/accounts/{created[code]['id']}/deactivate", json={"reason": REASON}, headers=h
        )
        assert response.status_code == 200, response.text

    all_codes = sorted(code for code, _, _ in specs)
    pages = await all_pages(client, f"{API}/accounts", h, limit=3)
    assert [len(p) for p in pages] == [3, 3, 3, 2]
    paged = [a["code"] for page in pages for a in page]
    assert paged == all_codes  # ordered, no duplicates, no gaps

    one_page = await get_json(client, f"{API}/accounts", h, limit=500)
    assert [a["code"] for a in one_page["items"]] == all_codes
    assert one_page["next_cursor"] is None

    expenses = await list_all(client, f"{API}/accounts", h, type="EXPENSE", limit=1)
    assert [a["code"] for a in expenses] == ["5000", "5100", "5200"]
    assert {a["type"] for a in expenses} == {"EXPENSE"}

    inactive = await list_all(client, f"{API}/accounts", h, active="false")
    assert [a["code"] for a in inactive] == ["1300", "5100"]
    assert all(a["is_active"] is False for a in inactive)

    active = await list_all(client, f"{API}/accounts", h, active="true", limit=4)
    assert [a["code"] for a in active] == [c for c in all_codes if c not in {"1300", "5100"}]

    active_assets = await list_all(client, f"{API}/accounts", h, type="ASSET", active="true")
    assert [a["code"] for a in active_assets] == ["1000", "1100", "1200"]

    assert_invalid(await client.get(f"{API}/accounts?type=CASH", headers=h), "type")
    assert_invalid(await client.get(f"{API}/accounts?cursor=garbage", headers=h), "cursor")


async def test_patch_renames_and_moves_under_a_parent_and_back_to_top_level(client, auth):
    h = auth()
    parent = await create_account(client, h, "1100", "Bank Accounts", "ASSET")
    child = await create_account(client, h, "1100-01", "Sonali Bank", "ASSET")
    url = f"{API}/accounts/{child['id']}"

    response = await client.patch(url, json={"parent_id": parent["id"]}, headers=h)
    assert response.status_code == 200, response.text
    assert response.json()["parent_id"] == parent["id"]
    assert response.json()["version"] == 2
    assert response.headers["etag"].strip('W/"') == "2"

    response = await client.patch(url, json={"name": "Sonali Bank - Motijheel"}, headers=h)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Sonali Bank - Motijheel"
    assert response.json()["parent_id"] == parent["id"]  # untouched by a name-only patch

    response = await client.patch(url, json={"parent_id": None}, headers=h)
    assert response.status_code == 200, response.text
    fetched = await get_json(client, url, h)
    assert fetched["parent_id"] is None
    assert fetched["name"] == "Sonali Bank - Motijheel"
    assert fetched["code"] == "1100-01"


async def test_patch_refuses_bad_names_cycles_and_foreign_type_parents(client, auth):
    h = auth()
    top = await create_account(client, h, "1100", "Bank Accounts", "ASSET")
    child = await create_account(client, h, "1100-01", "Sonali Bank", "ASSET", parent_id=top["id"])
    revenue = await create_account(client, h, "4000", "Sales", "REVENUE")

    assert_invalid(
        await client.patch(f"{API}/accounts/{child['id']}", json={"name": "ab"}, headers=h),
        "name",
    )
    assert_invalid(
        await client.patch(
            f"{API}/accounts/{child['id']}", json={"parent_id": revenue["id"]}, headers=h
        ),
        "parent_id",
    )
    assert_invalid(
        await client.patch(
            f"{API}/accounts/{top['id']}", json={"parent_id": child["id"]}, headers=h
        ),
        "parent_id",
    )
    assert_invalid(
        await client.patch(f"{API}/accounts/{top['id']}", json={"parent_id": top["id"]}, headers=h),
        "parent_id",
    )
    assert_invalid(
        await client.patch(f"{API}/accounts/{top['id']}", json={"code": "1200"}, headers=h),
        "code",
    )
    problem_of(
        await client.patch(f"{API}/accounts/no-such-id", json={"name": "Whatever"}, headers=h), 404
    )
    after = await get_json(client, f"{API}/accounts/{child['id']}", h)
    assert after["name"] == "Sonali Bank"
    assert after["parent_id"] == top["id"]
    assert after["version"] == child["version"]


async def test_if_match_mismatch_is_412_and_a_match_is_200(client, auth):
    h = auth()
    account = await create_account(client, h, "5000", "Site Expenses", "EXPENSE")
    url = f"{API}/accounts/{account['id']}"
    renamed = await client.patch(url, json={"name": "Site Costs"}, headers=h)
    assert renamed.json()["version"] == 2

    stale = await client.patch(url, json={"name": "Stale Write"}, headers={**h, "If-Match": '"1"'})
    problem_of(stale, 412)
    assert (await get_json(client, url, h))["name"] == "Site Costs"

    fresh = await client.patch(url, json={"name": "Fresh Write"}, headers={**h, "If-Match": '"2"'})
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["name"] == "Fresh Write"
    assert fresh.json()["version"] == 3
    assert fresh.headers["etag"].strip('W/"') == "3"

    # the ETag handed out is itself a valid If-Match
    again = await client.patch(
        url, json={"name": "Third Write"}, headers={**h, "If-Match": fresh.headers["etag"]}
    )
    assert again.status_code == 200, again.text

    stale_deactivate = await client.post(
        f"{url}/deactivate", json={"reason": REASON}, headers={**h, "If-Match": '"3"'}
    )
    problem_of(stale_deactivate, 412)
    assert (await get_json(client, url, h))["is_active"] is True

    assert_invalid(
        await client.patch(url, json={"name": "Whatever"}, headers={**h, "If-Match": "abc"}),
        "If-Match",
    )


async def test_deactivate_needs_a_reason_of_10_to_500_characters(client, auth):
    h = auth()
    account = await create_account(client, h, "5300", "Old Expense", "EXPENSE")
    url = f"{API}/accounts/{account['id']}/deactivate"
    for reason in ("x" * 9, "   short  ", "x" * 501, ""):
        assert_invalid(await client.post(url, json={"reason": reason}, headers=h), "reason")
    assert_invalid(await client.post(url, json={}, headers=h), "reason")
    assert (await get_json(client, f"{API}/accounts/{account['id']}", h))["is_active"] is True

    response = await client.post(url, json={"reason": "x" * 10}, headers=h)
    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    assert response.json()["version"] == 2
    problem_of(await client.post(url, json={"reason": "x" * 500}, headers=h), 409)


async def test_deactivate_refuses_a_nonzero_balance_and_active_children(client, auth):
    h = auth()
    parent = await create_account(client, h, "1100", "Bank Accounts", "ASSET")
    child = await create_account(
        client, h, "1100-01", "Sonali Bank", "ASSET", parent_id=parent["id"]
    )
    capital = await create_account(client, h, "3000", "Share Capital", "EQUITY")

    problem_of(
        await client.post(
            f"{API}/accounts/{parent['id']}/deactivate", json={"reason": REASON}, headers=h
        ),
        409,
    )
    await post_journal(client, h, "2025-08-01", [dr(child, "500.00"), cr(capital, "500.00")])
    problem_of(
        await client.post(
            f"{API}/accounts/{child['id']}/deactivate", json={"reason": REASON}, headers=h
        ),
        409,
    )
    assert (await get_json(client, f"{API}/accounts/{child['id']}", h))["is_active"] is True

    # back to zero: now the child can go, and then the parent
    await post_journal(client, h, "2025-08-02", [dr(capital, "500.00"), cr(child, "500.00")])
    assert await balance(client, h, child["id"]) == 0
    for account in (child, parent):
        response = await client.post(
            f"{API}/accounts/{account['id']}/deactivate", json={"reason": REASON}, headers=h
        )
        assert response.status_code == 200, response.text
        assert response.json()["is_active"] is False


async def test_an_inactive_account_is_refused_in_a_journal_line(client, auth):
    h = auth()
    cash, _old, revenue = (
        await create_accounts(
            client,
            h,
            ("1000", "Cash in Hand", "ASSET"),
            ("1900", "Old Suspense", "ASSET"),
            ("4000", "Sales", "REVENUE"),
        )
    ).values()
    # a draft written while the account was active
    draft = await create_journal(client, h, "2025-08-01", [dr(_old, "10.00"), cr(revenue, "10.00")])
    response = await client.post(
        f"{API}/accounts/{_old['id']}/deactivate", json={"reason": REASON}, headers=h
    )
    assert response.status_code == 200

    by_id = await client.post(
        f"{API}/journals",
        json={
            "date": "2025-08-01",
            "description": "uses an inactive account",
            "lines": [dr(cash, "10.00"), cr(revenue, "5.00"), cr(_old, "5.00")],
            "post": True,
        },
        headers=h,
    )
    assert_invalid(by_id, "lines[2].account_id")
    by_code = await client.post(
        f"{API}/journals",
        json={
            "date": "2025-08-01",
            "description": "uses an inactive account",
            "lines": [dr("1900", "10.00"), cr("4000", "10.00")],
        },
        headers=h,
    )
    body = problem_of(by_code, 422)
    assert any(f.startswith("lines[0].account") for f in (e["field"] for e in body["errors"]))
    # posting the earlier draft is refused too, and nothing moved
    assert_invalid(
        await client.post(f"{API}/journals/{draft['id']}/post", headers=h), "lines[0].account_id"
    )
    assert await balance(client, h, cash["id"]) == 0
    assert await balance(client, h, revenue["id"]) == 0
    journals = await list_all(client, f"{API}/journals", h)
    assert [(j["id"], j["status"]) for j in journals] == [(draft["id"], "DRAFT")]


async def test_non_negative_limit_is_enforced_at_posting_and_writes_nothing(client, auth):
    h = auth()
    cash = await create_account(
        client, h, "1000", "Cash in Hand", "ASSET", balance_limit="non_negative"
    )
    capital = await create_account(client, h, "3000", "Share Capital", "EQUITY")
    expense = await create_account(client, h, "5000", "Site Expenses", "EXPENSE")
    assert cash["balance_limit"] == "non_negative"

    # overdrawing an empty cash account
    response = await client.post(
        f"{API}/journals",
        json={
            "date": "2025-08-01",
            "description": "Pay before funding",
            "lines": [dr(expense, "100.00"), cr(cash, "100.00")],
            "post": True,
        },
        headers=h,
    )
    assert_invalid(response, "lines[1].account_id", code="balance_limit_exceeded")
    assert await balance(client, h, cash["id"]) == 0
    assert await balance(client, h, expense["id"]) == 0
    assert await list_all(client, f"{API}/journals", h) == []

    funded = D("250.00")
    await post_journal(client, h, "2025-08-02", [dr(cash, "250.00"), cr(capital, "250.00")])
    await post_journal(client, h, "2025-08-03", [dr(expense, "200.00"), cr(cash, "200.00")])
    left = funded - D("200.00")

    # one paisa too much, as a posted create and as a draft then posted
    response = await client.post(
        f"{API}/journals",
        json={
            "date": "2025-08-04",
            "description": "One paisa over",
            "lines": [dr(expense, "50.01"), cr(cash, "50.01")],
            "post": True,
        },
        headers=h,
    )
    assert_invalid(response, "lines[1].account_id", code="balance_limit_exceeded")
    draft = await create_journal(client, h, "2025-08-04", [dr(expense, "50.01"), cr(cash, "50.01")])
    assert_invalid(
        await client.post(f"{API}/journals/{draft['id']}/post", headers=h),
        "lines[1].account_id",
        code="balance_limit_exceeded",
    )
    assert (await get_json(client, f"{API}/journals/{draft['id']}", h))["status"] == "DRAFT"
    assert await balance(client, h, cash["id"]) == left
    assert await balance(client, h, expense["id"]) == D("200.00")

    # exactly down to zero is allowed
    await post_journal(client, h, "2025-08-05", [dr(expense, "50.00"), cr(cash, "50.00")])
    assert await balance(client, h, cash["id"]) == 0
    assert await balance(client, h, expense["id"]) == D("250.00")

    # a limit that the balance already breaks cannot be set; one it meets can
    suspense = await create_account(client, h, "1900", "Suspense", "ASSET")
    await post_journal(client, h, "2025-08-06", [dr(expense, "10.00"), cr(suspense, "10.00")])
    assert_invalid(
        await client.patch(
            f"{API}/accounts/{suspense['id']}", json={"balance_limit": "non_negative"}, headers=h
        ),
        "balance_limit",
    )
    response = await client.patch(
        f"{API}/accounts/{expense['id']}", json={"balance_limit": "non_negative"}, headers=h
    )
    assert response.status_code == 200, response.text
    assert response.json()["balance_limit"] == "non_negative"
    assert_invalid(
        await client.post(
            f"{API}/accounts",
            json={"code": "1001", "name": "Bad Limit", "type": "ASSET", "balance_limit": "max"},
            headers=h,
        ),
        "balance_limit",
    )


async def test_general_ledger_running_balance_filters_and_cursor_pages(client, auth):
    h = auth()
    cash = await create_account(client, h, "1000", "Cash in Hand", "ASSET")
    capital = await create_account(client, h, "3000", "Share Capital", "EQUITY")
    revenue = await create_account(client, h, "4000", "Contract Revenue", "REVENUE")
    expense = await create_account(client, h, "5000", "Site Expenses", "EXPENSE")

    # (date, cash debit, cash credit, the other account); posted in this order, which is
    # also the date order except the backdated 2025-07-20 entry.
    movements = [
        ("2025-07-05", "1000.00", None, capital),
        ("2025-07-20", None, "150.25", expense),
        ("2025-08-01", "300.10", None, revenue),
        ("2025-08-01", None, "20.05", expense),
        ("2025-08-01", "5.00", None, revenue),
        ("2025-09-15", None, "400.00", expense),
        ("2025-10-01", "99.99", None, revenue),
    ]
    order = [0, 2, 3, 4, 5, 6, 1]  # post the 2025-07-20 one last
    numbers: dict[int, str] = {}
    for i in order:
        day, debit, credit, other = movements[i]
        lines = (
            [dr(cash, debit), cr(other, debit)] if debit else [dr(other, credit), cr(cash, credit)]
        )
        numbers[i] = (await post_journal(client, h, day, lines, description=f"m{i}"))["number"]
    # a draft never reaches the ledger
    await create_journal(client, h, "2025-08-01", [dr(cash, "7777.00"), cr(revenue, "7777.00")])

    # the expected ledger: by date, then in posting order
    expected = []
    running = Decimal("0")
    ranked = sorted(range(len(movements)), key=lambda i: (movements[i][0], order.index(i)))
    for i in ranked:
        day, debit, credit, _ = movements[i]
        delta = D(debit) if debit else -D(credit)
        running += delta
        expected.append((day, numbers[i], D(debit or "0"), D(credit or "0"), running))

    def rows(items):
        return [
            (
                x["date"],
                x["journal_number"],
                Decimal(x["debit"]),
                Decimal(x["credit"]),
                Decimal(x["balance"]),
            )
            for x in items
        ]

    url = f"{API}/accounts/{cash['id']}/ledger"
    full = await get_json(client, url, h)
    assert rows(full["items"]) == expected
    assert Decimal(full["opening_balance"]) == 0
    assert Decimal(full["closing_balance"]) == expected[-1][4]
    assert full["closing_balance"] == f"{expected[-1][4]:.2f}"
    assert Decimal(full["closing_balance"]) == await balance(client, h, cash["id"])
    for item in full["items"]:
        for key in ("debit", "credit", "balance"):
            assert_amount(item[key], item[key])

    # from/to: the opening balance is everything before `from`
    window = await get_json(client, url, h, **{"from": "2025-07-21", "to": "2025-08-31"})
    in_window = [e for e in expected if "2025-07-21" <= e[0] <= "2025-08-31"]
    opening = sum((e[2] - e[3] for e in expected if e[0] < "2025-07-21"), start=Decimal("0"))
    assert opening == D("1000.00") - D("150.25")
    assert Decimal(window["opening_balance"]) == opening
    assert rows(window["items"]) == in_window
    assert Decimal(window["closing_balance"]) == in_window[-1][4]
    assert_invalid(
        await client.get(url, headers=h, params={"from": "2025-09-01", "to": "2025-08-01"}),
        "from",
    )

    # pages of two: the running balance continues across pages, including in the middle
    # of the three entries of 2025-08-01
    pages = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await get_json(client, url, h, **params)
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [len(p["items"]) for p in pages] == [2, 2, 2, 1]
    assert [r for p in pages for r in rows(p["items"])] == expected
    for previous, page in itertools.pairwise(pages):
        assert Decimal(page["opening_balance"]) == Decimal(previous["items"][-1]["balance"])

    # paging inside a window too
    windowed = []
    cursor = None
    while True:
        params = {"limit": 1, "from": "2025-08-01", "to": "2025-09-30"}
        if cursor:
            params["cursor"] = cursor
        page = await get_json(client, url, h, **params)
        windowed.extend(rows(page["items"]))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert windowed == [e for e in expected if "2025-08-01" <= e[0] <= "2025-09-30"]

    # a credit-normal account runs on its own side: revenue balance grows with credits
    rev = await get_json(client, f"{API}/accounts/{revenue['id']}/ledger", h)
    assert [Decimal(x["balance"]) for x in rev["items"]] == [
        D("300.10"),
        D("305.10"),
        D("405.09"),
    ]
    problem_of(await client.get(f"{API}/accounts/no-such-id/ledger", headers=h), 404)
