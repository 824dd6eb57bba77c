"""POST /journals/batch: atomic (all or nothing) and non-atomic (per-item errors)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api import helpers
from tests.api.helpers import (
    API,
    D,
    assert_amount,
    assert_invalid,
    balances,
    cr,
    create_accounts,
    dr,
    journal_body,
    list_all,
    post_journal,
)

CHART = (
    ("1000", "Cash in Hand", "ASSET"),
    ("1100", "Bank", "ASSET"),
    ("2000", "Accounts Payable", "LIABILITY"),
    ("4000", "Contract Revenue", "REVENUE"),
    ("5000", "Site Expenses", "EXPENSE"),
)


def zero() -> dict[str, Decimal]:
    return {code: Decimal("0") for code, _, _ in CHART}


async def setup(client, h) -> dict[str, dict[str, Any]]:
    return await create_accounts(client, h, *CHART)


async def test_atomic_batch_writes_every_journal(client, auth):
    h = auth()
    a = await setup(client, h)
    journals = [
        journal_body(
            "2025-08-01",
            [dr(a["1000"], "1000.00"), cr(a["4000"], "1000.00")],
            post=True,
            description="Receipt 1",
        ),
        journal_body(
            "2025-08-02",
            [dr(a["5000"], "250.75"), cr("1000", "200.00"), cr("2000", "50.75")],
            post=True,
            description="Site costs",
        ),
        journal_body(
            "2025-08-03",
            [dr("1100", "10.10"), cr("4000", "10.10")],
            description="Draft in the batch",
        ),
    ]
    response = await client.post(f"{API}/journals/batch", json={"journals": journals}, headers=h)
    assert response.status_code == 201, response.text
    body = response.json()
    items = body["items"]
    assert [j["description"] for j in items] == ["Receipt 1", "Site costs", "Draft in the batch"]
    assert [j["status"] for j in items] == ["POSTED", "POSTED", "DRAFT"]
    assert [j["number"] for j in items] == [
        "GJ-2025-08-000001",
        "GJ-2025-08-000002",
        "GJ-2025-08-000003",
    ]
    assert not body.get("errors")
    assert_amount(items[1]["total_debit"], "250.75")

    listed = await list_all(client, f"{API}/journals", h)
    assert {j["id"] for j in listed} == {j["id"] for j in items}
    expected = zero()
    expected["1000"] += D("1000.00") - D("200.00")
    expected["4000"] += D("1000.00")
    expected["5000"] += D("250.75")
    expected["2000"] += D("50.75")
    assert await balances(client, h, a.values()) == expected


async def test_one_bad_journal_fails_an_atomic_batch_and_nothing_is_written(client, auth):
    h = auth()
    a = await setup(client, h)
    good = journal_body("2025-08-01", [dr(a["1000"], "100.00"), cr(a["4000"], "100.00")], post=True)
    bad_cases: list[tuple[dict[str, Any], str]] = [
        (
            journal_body("2025-08-02", [dr(a["5000"], "60.00"), cr(a["1000"], "59.99")], post=True),
            "journals[1].lines",
        ),
        (
            journal_body(
                "2025-08-02",
                [dr(a["5000"], "60.00"), {"account_id": "nope", "credit": "60.00"}],
                post=True,
            ),
            "journals[1].lines[1].account_id",
        ),
        (
            journal_body("2025-08-02", [dr(a["5000"], "60.001"), cr(a["1000"], "60.00")]),
            "journals[1].lines[0].debit",
        ),
        (
            {"description": "no date", "lines": [dr(a["5000"], "1.00"), cr(a["1000"], "1.00")]},
            "journals[1].date",
        ),
    ]
    for bad, field in bad_cases:
        response = await client.post(
            f"{API}/journals/batch",
            json={"journals": [good, bad, good], "atomic": True},
            headers=h,
        )
        assert_invalid(response, field)
    # the default is atomic too
    response = await client.post(
        f"{API}/journals/batch", json={"journals": [good, good, bad_cases[0][0]]}, headers=h
    )
    assert_invalid(response, "journals[2].lines")

    assert await list_all(client, f"{API}/journals", h) == []
    assert await balances(client, h, a.values()) == zero()
    # and no journal number was used up by the failed batches
    j = await post_journal(client, h, "2025-08-05", [dr(a["1000"], "1.00"), cr(a["4000"], "1.00")])
    assert j["number"] == "GJ-2025-08-000001"


async def test_atomic_batch_is_refused_when_together_the_journals_break_a_limit(client, auth):
    h = auth()
    a = await setup(client, h)
    limited = await helpers.create_account(
        client, h, "1200", "Petty Cash", "ASSET", balance_limit="non_negative"
    )
    fund = journal_body("2025-08-01", [dr(limited, "100.00"), cr(a["4000"], "100.00")], post=True)
    spend = journal_body("2025-08-02", [dr(a["5000"], "60.00"), cr(limited, "60.00")], post=True)
    # each journal alone is fine; the third one takes the account to -20.00
    response = await client.post(
        f"{API}/journals/batch", json={"journals": [fund, spend, spend]}, headers=h
    )
    assert_invalid(response, "journals[2].lines[1].account_id", code="balance_limit_exceeded")
    assert await list_all(client, f"{API}/journals", h) == []
    assert await helpers.balance(client, h, limited["id"]) == 0


async def test_non_atomic_batch_writes_the_good_ones_and_lists_the_bad_index(client, auth):
    h = auth()
    a = await setup(client, h)
    journals = [
        journal_body("2025-08-01", [dr(a["1000"], "300.00"), cr(a["4000"], "300.00")], post=True),
        journal_body("2025-08-02", [dr(a["5000"], "75.00"), cr(a["1000"], "75.01")], post=True),
        journal_body("2025-08-03", [dr(a["5000"], "20.00"), cr(a["1000"], "20.00")], post=True),
        journal_body("2025-08-04", [dr("5000", "1.00"), cr("9999", "1.00")], post=True),
        journal_body("2025-08-05", [dr(a["1100"], "5.00"), cr(a["4000"], "5.00")]),
        journal_body(
            "2025-08-06",
            [dr(a["5000"], "1.00"), {"account_id": "nope", "credit": "1.00"}],
            post=True,
        ),
    ]
    response = await client.post(
        f"{API}/journals/batch", json={"journals": journals, "atomic": False}, headers=h
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert [j["date"] for j in body["items"]] == ["2025-08-01", "2025-08-03", "2025-08-05"]
    assert [j["status"] for j in body["items"]] == ["POSTED", "POSTED", "DRAFT"]
    errors = body["errors"]
    assert [e["index"] for e in errors] == [1, 3, 5]
    assert [e["status"] for e in errors] == [422, 422, 422]
    assert any(e["field"] == "journals[1].lines" for e in errors[0]["errors"])
    assert any(e["field"] == "journals[3].lines[1].account_code" for e in errors[1]["errors"])
    assert any(e["field"] == "journals[5].lines[1].account_id" for e in errors[2]["errors"])

    listed = await list_all(client, f"{API}/journals", h)
    assert {j["id"] for j in listed} == {j["id"] for j in body["items"]}
    expected = zero()
    expected["1000"] += D("300.00") - D("20.00")
    expected["4000"] += D("300.00")
    expected["5000"] += D("20.00")
    assert await balances(client, h, a.values()) == expected
    # numbers stay gapless across the skipped ones
    assert sorted(j["number"] for j in listed) == [
        "GJ-2025-08-000001",
        "GJ-2025-08-000002",
        "GJ-2025-08-000003",
    ]


async def test_batch_body_rules(client, auth):
    h = auth()
    await setup(client, h)
    assert_invalid(
        await client.post(f"{API}/journals/batch", json={"journals": []}, headers=h), "journals"
    )
    assert_invalid(await client.post(f"{API}/journals/batch", json={}, headers=h), "journals")
    assert await list_all(client, f"{API}/journals", h) == []


async def test_non_atomic_batch_checks_limits_against_the_journals_before_it(client, auth):
    h = auth()
    a = await setup(client, h)
    limited = await helpers.create_account(
        client, h, "1200", "Petty Cash", "ASSET", balance_limit="non_negative"
    )
    fund = journal_body("2025-08-01", [dr(limited, "100.00"), cr(a["4000"], "100.00")], post=True)

    def spend(amount: str) -> dict[str, Any]:
        return journal_body("2025-08-02", [dr(a["5000"], amount), cr(limited, amount)], post=True)

    # 100 - 60 = 40; 60 more would be -20 (refused); 30 leaves 10; 10.01 would be -0.01
    journals = [fund, spend("60.00"), spend("60.00"), spend("30.00"), spend("10.01")]
    response = await client.post(
        f"{API}/journals/batch", json={"journals": journals, "atomic": False}, headers=h
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert [e["index"] for e in body["errors"]] == [2, 4]
    assert all(e["code"] == "balance_limit_exceeded" for e in body["errors"])
    assert len(body["items"]) == 3
    assert await helpers.balance(client, h, limited["id"]) == D("100.00") - D("60.00") - D("30.00")
    assert await helpers.balance(client, h, a["5000"]["id"]) == D("90.00")
