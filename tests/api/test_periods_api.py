"""Fiscal periods over REST: the twelve periods of a Bangladesh fiscal year, close and reopen."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.api.helpers import (
    API,
    D,
    assert_invalid,
    balance,
    cr,
    create_accounts,
    create_journal,
    dr,
    get_json,
    journal_body,
    list_all,
    post_journal,
    problem_of,
)

# FY2025-2026, written out by hand: July 2025 … June 2026 (2026 is not a leap year).
FY2025_2026 = [
    ("FY2025-2026-P01", "2025-07-01", "2025-07-31"),
    ("FY2025-2026-P02", "2025-08-01", "2025-08-31"),
    ("FY2025-2026-P03", "2025-09-01", "2025-09-30"),
    ("FY2025-2026-P04", "2025-10-01", "2025-10-31"),
    ("FY2025-2026-P05", "2025-11-01", "2025-11-30"),
    ("FY2025-2026-P06", "2025-12-01", "2025-12-31"),
    ("FY2025-2026-P07", "2026-01-01", "2026-01-31"),
    ("FY2025-2026-P08", "2026-02-01", "2026-02-28"),
    ("FY2025-2026-P09", "2026-03-01", "2026-03-31"),
    ("FY2025-2026-P10", "2026-04-01", "2026-04-30"),
    ("FY2025-2026-P11", "2026-05-01", "2026-05-31"),
    ("FY2025-2026-P12", "2026-06-01", "2026-06-30"),
]
REASON = {"reason": "Month-end close"}


async def periods(client, h, fiscal_year: str = "FY2025-2026") -> dict[str, dict]:
    body = await get_json(client, f"{API}/fiscal-periods", h, fiscal_year=fiscal_year)
    assert body["next_cursor"] is None
    return {p["code"]: p for p in body["items"]}


async def test_a_fiscal_year_has_twelve_periods_from_july_to_june(client, auth):
    h = auth()
    body = await get_json(client, f"{API}/fiscal-periods", h, fiscal_year="FY2025-2026")
    items = body["items"]
    assert [(p["code"], p["start"], p["end"]) for p in items] == FY2025_2026
    assert {p["status"] for p in items} == {"OPEN"}
    # a leap year's February
    leap = await periods(client, h, "FY2027-2028")
    assert leap["FY2027-2028-P08"]["start"] == "2028-02-01"
    assert leap["FY2027-2028-P08"]["end"] == "2028-02-29"
    assert leap["FY2027-2028-P01"]["start"] == "2027-07-01"

    # without fiscal_year: the year that holds today in Dhaka
    today = datetime.now(ZoneInfo("Asia/Dhaka")).date()
    start_year = today.year if today.month >= 7 else today.year - 1
    current = await get_json(client, f"{API}/fiscal-periods", h)
    assert [p["code"] for p in current["items"]] == [
        f"FY{start_year}-{start_year + 1}-P{n:02d}" for n in range(1, 13)
    ]
    assert current["items"][0]["start"] == date(start_year, 7, 1).isoformat()
    assert current["items"][-1]["end"] == date(start_year + 1, 6, 30).isoformat()

    for bad in ("2025", "FY2025-2027", "FY2025", "fy2025-2026x"):
        assert_invalid(
            await client.get(f"{API}/fiscal-periods", params={"fiscal_year": bad}, headers=h),
            "fiscal_year",
        )


async def test_close_refuses_postings_until_reopened(client, auth):
    h = auth(sub="fm-1", roles=("finance_manager",))
    a = await create_accounts(
        client, h, ("1000", "Cash in Hand", "ASSET"), ("4000", "Contract Revenue", "REVENUE")
    )
    lines = [dr(a["1000"], "100.00"), cr(a["4000"], "100.00")]
    draft = await create_journal(client, h, "2025-09-10", lines)
    earlier = await post_journal(client, h, "2025-09-05", lines)

    response = await client.post(
        f"{API}/fiscal-periods/FY2025-2026-P03/close", json=REASON, headers=h
    )
    assert response.status_code == 200, response.text
    closed = response.json()
    assert closed["code"] == "FY2025-2026-P03"
    assert closed["status"] == "CLOSED"
    assert closed["reason"] == "Month-end close"
    assert closed["changed_by"] == "fm-1"
    assert (closed["start"], closed["end"]) == ("2025-09-01", "2025-09-30")
    listed = await periods(client, h)
    assert [c for c, p in listed.items() if p["status"] == "CLOSED"] == ["FY2025-2026-P03"]

    # every way into September is refused, naming the date
    for day in ("2025-09-01", "2025-09-30"):
        refused = await client.post(
            f"{API}/journals", json=journal_body(day, lines, post=True), headers=h
        )
        assert_invalid(refused, "date", code="period_closed")
    assert_invalid(
        await client.post(f"{API}/journals", json=journal_body("2025-09-15", lines), headers=h),
        "date",
        code="period_closed",
    )
    assert_invalid(
        await client.post(f"{API}/journals/{draft['id']}/post", headers=h),
        "date",
        code="period_closed",
    )
    assert_invalid(
        await client.post(
            f"{API}/journals/{earlier['id']}/reverse", json={"date": "2025-09-20"}, headers=h
        ),
        "date",
        code="period_closed",
    )
    batch = await client.post(
        f"{API}/journals/batch",
        json={"journals": [journal_body("2025-09-02", lines, post=True)]},
        headers=h,
    )
    assert_invalid(batch, "journals[0].date", code="period_closed")
    assert await balance(client, h, a["1000"]["id"]) == D("100.00")

    # the neighbouring months are open
    await post_journal(client, h, "2025-08-31", lines)
    await post_journal(client, h, "2025-10-01", lines)
    assert await balance(client, h, a["1000"]["id"]) == D("300.00")

    response = await client.post(
        f"{API}/fiscal-periods/FY2025-2026-P03/reopen",
        json={"reason": "Late supplier bill"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "OPEN"
    assert response.json()["reason"] == "Late supplier bill"
    assert {p["status"] for p in (await periods(client, h)).values()} == {"OPEN"}

    await post_journal(client, h, "2025-09-30", lines)
    posted = await client.post(f"{API}/journals/{draft['id']}/post", headers=h)
    assert posted.status_code == 200, posted.text
    assert await balance(client, h, a["1000"]["id"]) == D("500.00")
    statuses = {j["status"] for j in await list_all(client, f"{API}/journals", h)}
    assert statuses == {"POSTED"}


async def test_closing_twice_or_reopening_an_open_period_is_409(client, auth):
    h = auth()
    url = f"{API}/fiscal-periods/FY2025-2026-P01"
    problem_of(await client.post(f"{url}/reopen", json=REASON, headers=h), 409)
    assert (await client.post(f"{url}/close", json=REASON, headers=h)).status_code == 200
    problem_of(await client.post(f"{url}/close", json=REASON, headers=h), 409)
    assert (await periods(client, h))["FY2025-2026-P01"]["status"] == "CLOSED"
    assert (await client.post(f"{url}/reopen", json=REASON, headers=h)).status_code == 200
    problem_of(await client.post(f"{url}/reopen", json=REASON, headers=h), 409)
    # and it can be closed again
    assert (await client.post(f"{url}/close", json=REASON, headers=h)).status_code == 200


async def test_close_needs_a_reason_and_a_real_period_code(client, auth):
    h = auth()
    url = f"{API}/fiscal-periods/FY2025-2026-P02/close"
    assert_invalid(await client.post(url, json={}, headers=h), "reason")
    assert_invalid(await client.post(url, json={"reason": ""}, headers=h), "reason")
    for code in ("FY2025-2026-P13", "FY2025-2026-P00", "2025-08", "FY2025-2027-P01"):
        response = await client.post(f"{API}/fiscal-periods/{code}/close", json=REASON, headers=h)
        assert response.status_code in (404, 422), response.text
        problem_of(response, response.status_code)
    assert {p["status"] for p in (await periods(client, h)).values()} == {"OPEN"}


async def test_close_and_reopen_need_finance_manager_or_admin(client, auth):
    url = f"{API}/fiscal-periods/FY2025-2026-P04"
    for role in ("accountant", "auditor", "user", "accounts_payable", "accounts_receivable"):
        h = auth(roles=(role,))
        problem_of(await client.post(f"{url}/close", json=REASON, headers=h), 403)
    admin = auth(roles=("admin",))
    assert (await periods(client, admin))["FY2025-2026-P04"]["status"] == "OPEN"

    manager = auth(roles=("finance_manager",))
    assert (await client.post(f"{url}/close", json=REASON, headers=manager)).status_code == 200
    accountant = auth(roles=("accountant",))
    problem_of(await client.post(f"{url}/reopen", json=REASON, headers=accountant), 403)
    assert (await periods(client, accountant))["FY2025-2026-P04"]["status"] == "CLOSED"
    assert (await client.post(f"{url}/reopen", json=REASON, headers=admin)).status_code == 200
    assert (await client.post(f"{url}/close", json=REASON, headers=admin)).status_code == 200
    assert (await client.post(f"{url}/reopen", json=REASON, headers=manager)).status_code == 200
    # the auditor reads periods
    assert len(await periods(client, auth(roles=("auditor",)))) == 12


async def test_periods_are_per_tenant(client, auth):
    h1, h2 = auth(tenant="t1"), auth(tenant="t2")
    url = f"{API}/fiscal-periods/FY2025-2026-P05"
    assert (await client.post(f"{url}/close", json=REASON, headers=h1)).status_code == 200
    assert (await periods(client, h2))["FY2025-2026-P05"]["status"] == "OPEN"
    a = await create_accounts(
        client, h2, ("1000", "Cash in Hand", "ASSET"), ("4000", "Revenue", "REVENUE")
    )
    await post_journal(client, h2, "2025-11-15", [dr(a["1000"], "1.00"), cr(a["4000"], "1.00")])
    assert (await periods(client, h1))["FY2025-2026-P05"]["status"] == "CLOSED"
