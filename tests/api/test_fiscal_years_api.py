"""The fiscal-year close and reopen over REST (ADR 0048): one CLOSING journal on 30 June moves
revenue and expense to retained earnings, only it may post into the closed last period, a
second close is 409, the reopen reverses it (with a CLOSING journal) and the year closes again."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.api.helpers import (
    API,
    D,
    balance,
    close_periods,
    cr,
    create_accounts,
    dr,
    get_json,
    journal_body,
    post_journal,
    problem_of,
)
from tests.api.helpers import close_fiscal_year as close_year
from tests.api.helpers import reopen_fiscal_year as reopen_year

YEAR = "FY2025-2026"
REASON = {"reason": "Year-end close"}


async def chart(client: Any, h: dict[str, str], *, retained: bool = True) -> dict[str, Any]:
    specs = [
        ("1000", "Cash", "ASSET"),
        ("4000", "Contract revenue", "REVENUE"),
        ("4100", "Other income", "REVENUE"),
        ("5000", "Site wages", "EXPENSE"),
        ("3300", "Other reserve", "EQUITY"),
    ]
    if retained:
        specs.append(("3200", "Retained earnings", "EQUITY"))
    return await create_accounts(client, h, *specs)


async def trial_balance(client: Any, h: dict[str, str], as_of: str) -> dict[str, Decimal]:
    report = await get_json(client, f"{API}/reports/trial-balance", h, as_of=as_of)
    return {e["code"]: Decimal(e["net"]) for e in report["entries"] if Decimal(e["net"])}


async def years(client: Any, h: dict[str, str]) -> dict[str, dict[str, Any]]:
    body = await get_json(client, f"{API}/fiscal-years", h)
    assert body["next_cursor"] is None
    return {y["code"]: y for y in body["items"]}


async def test_close_round_trip_reopen_and_close_again(client, auth):
    h = auth()
    a = await chart(client, h)
    await post_journal(
        client, h, "2025-08-10", [dr(a["1000"], "1000.00"), cr(a["4000"], "1000.00")]
    )
    await post_journal(client, h, "2026-03-01", [dr(a["5000"], "300.25"), cr(a["1000"], "300.25")])
    # other income that nets to zero by 30 June gets no line
    await post_journal(client, h, "2025-09-01", [dr(a["1000"], "5.00"), cr(a["4100"], "5.00")])
    await post_journal(client, h, "2025-09-02", [dr(a["4100"], "5.00"), cr(a["1000"], "5.00")])
    # the next year's revenue, posted before the close: not part of it
    await post_journal(client, h, "2026-07-05", [dr(a["1000"], "50.00"), cr(a["4000"], "50.00")])
    before = await trial_balance(client, h, "2026-07-31")
    await close_periods(client, h, YEAR, range(1, 13))

    response = await close_year(client, h)
    assert response.status_code == 200, response.text
    year = response.json()
    assert (year["code"], year["start"], year["end"]) == (YEAR, "2025-07-01", "2026-06-30")
    assert year["status"] == "CLOSED"
    assert year["retained_earnings_account_id"] == a["3200"]["id"]
    journal = await get_json(client, f"{API}/journals/{year['closing_journal_id']}", h)
    assert (journal["type"], journal["status"], journal["date"]) == (
        "CLOSING",
        "POSTED",
        "2026-06-30",
    )
    assert journal["number"].startswith("CJ-2026-06-")
    assert journal["fiscal_period"] == "FY2025-2026-P12"
    lines = {line["account_code"]: (line["debit"], line["credit"]) for line in journal["lines"]}
    assert lines == {
        "4000": ("1000.00", "0.00"),
        "5000": ("0.00", "300.25"),
        "3200": ("0.00", "699.75"),
    }
    # the next year's trial balance: revenue and expense at zero, 3200 holding the profit
    after = await trial_balance(client, h, "2026-07-31")
    assert after == {"1000": before["1000"], "4000": D("50.00"), "3200": D("699.75")}
    assert await trial_balance(client, h, "2026-06-30") == {
        "1000": D("699.75"),
        "3200": D("699.75"),
    }
    listed = await years(client, h)
    assert listed[YEAR]["status"] == "CLOSED"
    assert listed[YEAR]["closing_journal_id"] == year["closing_journal_id"]

    # a second close is refused
    assert problem_of(await close_year(client, h), 409)["code"] == "year_closed"
    # its periods cannot be reopened while the year is closed
    url = f"{API}/fiscal-periods/FY2025-2026-P12/reopen"
    refused = await client.post(url, json={"reason": "late bill"}, headers=h)
    assert problem_of(refused, 409)["code"] == "year_closed"
    # the closing journal is reversed only by reopening the year
    url = f"{API}/journals/{journal['id']}/reverse"
    refused = await client.post(url, json={"date": "2026-07-31"}, headers=h)
    assert problem_of(refused, 409)["code"] == "closing_journal"

    response = await reopen_year(client, h)
    assert response.status_code == 200, response.text
    reopened = response.json()
    assert (reopened["status"], reopened["closing_journal_id"]) == ("OPEN", None)
    original = await get_json(client, f"{API}/journals/{journal['id']}", h)
    assert original["status"] == "REVERSED"
    reversal = await get_json(client, f"{API}/journals/{original['reversed_by_id']}", h)
    assert (reversal["type"], reversal["date"]) == ("CLOSING", "2026-06-30")
    assert reversal["reverses_id"] == journal["id"]
    assert reversal["reference"] == f"REV-{journal['number']}"
    swapped = {line["account_code"]: (line["credit"], line["debit"]) for line in reversal["lines"]}
    assert swapped == lines
    assert await trial_balance(client, h, "2026-07-31") == before
    assert (await years(client, h))[YEAR]["status"] == "OPEN"
    assert problem_of(await reopen_year(client, h), 409)["code"] == "year_open"

    # and it closes again, with a new journal
    again = await close_year(client, h)
    assert again.status_code == 200, again.text
    assert again.json()["closing_journal_id"] not in (None, journal["id"])
    assert await trial_balance(client, h, "2026-07-31") == after


async def test_only_the_close_posts_into_the_closed_last_period(client, auth):
    h = auth()
    a = await chart(client, h)
    await post_journal(client, h, "2026-06-15", [dr(a["5000"], "80.00"), cr(a["1000"], "80.00")])
    await close_periods(client, h, YEAR, range(1, 13))
    body = journal_body("2026-06-30", [dr(a["5000"], "1.00"), cr(a["1000"], "1.00")], post=True)
    refused = await client.post(f"{API}/journals", json=body, headers=h)
    assert problem_of(refused, 422)["code"] == "period_closed"
    manual = {**journal_body("2026-07-01", body["lines"], post=True), "type": "CLOSING"}
    refused = await client.post(f"{API}/journals", json=manual, headers=h)
    assert problem_of(refused, 422)["errors"][0]["field"] == "type"

    response = await close_year(client, h)
    assert response.status_code == 200, response.text
    journal = await get_json(client, f"{API}/journals/{response.json()['closing_journal_id']}", h)
    assert journal["fiscal_period"] == "FY2025-2026-P12"
    assert await balance(client, h, a["5000"]["id"]) == 0
    # still closed to everyone else afterwards
    refused = await client.post(f"{API}/journals", json=body, headers=h)
    assert problem_of(refused, 422)["code"] == "period_closed"
    # a loss goes to retained earnings as a debit
    assert await balance(client, h, a["3200"]["id"]) == D("-80.00")


async def test_close_needs_all_twelve_periods_closed(client, auth):
    h = auth()
    await chart(client, h)
    await close_periods(client, h, YEAR, range(1, 13, 2))  # P01, P03, … P11
    problem = problem_of(await close_year(client, h), 409)
    assert problem["code"] == "periods_open"
    assert [e["message"] for e in problem["errors"]] == [
        f"{YEAR}-P{n:02d}" for n in (2, 4, 6, 8, 10, 12)
    ]
    assert {e["field"] for e in problem["errors"]} == {"periods"}
    assert (await years(client, h))[YEAR]["status"] == "OPEN"
    assert problem_of(await reopen_year(client, h), 409)["code"] == "year_open"


async def test_a_year_without_revenue_or_expense_closes_without_a_journal(client, auth):
    h = auth()
    a = await chart(client, h)
    await post_journal(client, h, "2024-08-01", [dr(a["1000"], "10.00"), cr(a["3300"], "10.00")])
    await close_periods(client, h, "FY2024-2025", range(1, 13))
    response = await close_year(client, h, "FY2024-2025")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["closing_journal_id"]) == ("CLOSED", None)
    # listed from the first posting's year to the current one
    current = datetime.now(ZoneInfo("Asia/Dhaka")).date()
    last = current.year if current.month >= 7 else current.year - 1
    listed = await years(client, h)
    assert list(listed) == [f"FY{y}-{y + 1}" for y in range(2024, last + 1)]
    assert listed["FY2024-2025"]["status"] == "CLOSED"
    assert {y["status"] for c, y in listed.items() if c != "FY2024-2025"} == {"OPEN"}
    reopened = await reopen_year(client, h, "FY2024-2025")
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "OPEN"


async def test_retained_earnings_must_be_an_active_equity_account(client, auth):
    h = auth()
    a = await chart(client, h, retained=False)
    await post_journal(client, h, "2025-08-10", [dr(a["1000"], "9.00"), cr(a["4000"], "9.00")])
    await close_periods(client, h, YEAR, range(1, 13))
    field = "retained_earnings_account_id"
    for given in (None, a["4000"]["id"], "no-such-account"):
        body = {field: given} if given else {}
        problem = problem_of(await close_year(client, h, **body), 422)
        assert problem["errors"][0]["field"] == field, problem
    inactive = a["3300"]
    url = f"{API}/accounts/{inactive['id']}/deactivate"
    response = await client.post(url, json={"reason": "merged into 3200"}, headers=h)
    assert response.status_code == 200, response.text
    problem = problem_of(await close_year(client, h, **{field: inactive["id"]}), 422)
    assert (problem["errors"][0]["field"], problem["code"]) == (field, "account_inactive")
    assert (await years(client, h))[YEAR]["status"] == "OPEN"

    (reserve,) = (await create_accounts(client, h, ("3400", "General reserve", "EQUITY"))).values()
    response = await close_year(client, h, **{field: reserve["id"]})
    assert response.status_code == 200, response.text
    assert response.json()[field] == reserve["id"]
    assert await balance(client, h, reserve["id"]) == D("9.00")


async def test_close_replays_under_its_idempotency_key(client, auth):
    h = auth()
    a = await chart(client, h)
    await post_journal(client, h, "2025-08-10", [dr(a["1000"], "9.00"), cr(a["4000"], "9.00")])
    await close_periods(client, h, YEAR, range(1, 13))
    keyed = {**h, "Idempotency-Key": "close-fy2025"}
    url = f"{API}/fiscal-years/{YEAR}/close"
    first = await client.post(url, json=REASON, headers=keyed)
    again = await client.post(url, json=REASON, headers=keyed)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"


async def test_permissions(client, auth):
    admin = auth()
    await chart(client, admin)
    await close_periods(client, admin, YEAR, range(1, 13))
    accountant = auth(roles=("accountant",), sub="acc")
    assert problem_of(await close_year(client, accountant), 403)["code"] == "forbidden"
    assert (await years(client, accountant))[YEAR]["status"] == "OPEN"
    assert (await close_year(client, admin)).status_code == 200
    assert problem_of(await reopen_year(client, accountant), 403)["code"] == "forbidden"
    user = auth(roles=("user",), sub="someone")
    problem_of(await client.get(f"{API}/fiscal-years", headers=user), 403)
    manager = auth(roles=("finance_manager",), sub="fm")
    assert (await reopen_year(client, manager)).status_code == 200


async def test_a_code_that_is_not_a_fiscal_year_is_422(client, auth):
    h = auth()
    for code in ("FY2025-2027", "2025", "FY2025-2026-P01"):
        problem = problem_of(await close_year(client, h, code), 422)
        assert problem["errors"][0]["field"] == "code"
