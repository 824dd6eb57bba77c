"""Postings and documents must be dated inside the posting window, and account balances are
balances as of a day (issue 15, item 5)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.api.helpers import (
    API,
    D,
    assert_invalid,
    cr,
    create_account,
    dr,
    get_json,
    journal_body,
    post_journal,
)
from tests.api.invoice_helpers import invoice_body, line, seed_tenant


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Dhaka")).date()


def _window_end() -> date:
    """The end of the fiscal year (1 July – 30 June) after the current one."""
    today = _today()
    start_year = today.year if today.month >= 7 else today.year - 1
    return date(start_year + 2, 6, 30)


WINDOW_START = date(2000, 7, 1)  # POSTING_WINDOW_FIRST_DAY's default is the start of FY2000-01


@pytest.mark.parametrize("day", ["1899-06-30", "2000-06-30", "9999-12-31", "2099-07-01"])
async def test_journal_dates_outside_the_window_are_refused(client, auth, day):
    h = auth()
    cash = await create_account(client, h, "1110", "Cash in Hand", "ASSET")
    capital = await create_account(client, h, "3100", "Share Capital", "EQUITY")
    lines = [dr(cash, "10.00"), cr(capital, "10.00")]
    for post in (True, False):
        response = await client.post(
            f"{API}/journals", json=journal_body(day, lines, post=post), headers=h
        )
        body = assert_invalid(response, "date", code="date_out_of_range")
        assert WINDOW_START.isoformat() in body["detail"]
        assert _window_end().isoformat() in body["detail"]
    response = await client.post(
        f"{API}/journals/batch",
        json={"journals": [journal_body("2025-08-01", lines, post=True), journal_body(day, lines)]},
        headers=h,
    )
    assert_invalid(response, "journals[1].date", code="date_out_of_range")
    assert await get_json(client, f"{API}/journals", h) == {"items": [], "next_cursor": None}


async def test_the_window_edges_are_allowed_and_a_day_past_them_is_not(client, auth):
    h = auth()
    cash = await create_account(client, h, "1110", "Cash in Hand", "ASSET")
    capital = await create_account(client, h, "3100", "Share Capital", "EQUITY")
    lines = [dr(cash, "10.00"), cr(capital, "10.00")]
    await post_journal(client, h, WINDOW_START.isoformat(), lines)
    await post_journal(client, h, _window_end().isoformat(), lines)
    past_end = (_window_end() + timedelta(days=1)).isoformat()
    assert_invalid(
        await client.post(f"{API}/journals", json=journal_body(past_end, lines), headers=h),
        "date",
        code="date_out_of_range",
    )
    # a draft cannot be moved out of the window, nor reversed to a day outside it
    draft = await client.post(f"{API}/journals", json=journal_body("2025-08-01", lines), headers=h)
    assert draft.status_code == 201, draft.text
    assert_invalid(
        await client.patch(
            f"{API}/journals/{draft.json()['id']}", json={"date": "2099-07-01"}, headers=h
        ),
        "date",
        code="date_out_of_range",
    )
    posted = await post_journal(client, h, "2025-08-02", lines)
    assert_invalid(
        await client.post(
            f"{API}/journals/{posted['id']}/reverse", json={"date": "9999-12-31"}, headers=h
        ),
        "date",
        code="date_out_of_range",
    )


async def test_invoice_and_payment_dates_outside_the_window_are_refused(client, container, auth):
    await seed_tenant(container)
    h = auth()
    response = await client.post(
        f"{API}/invoices",
        json=invoice_body([line("1", "100")], invoice_date="2099-07-01", due_date="2099-08-01"),
        headers=h,
    )
    assert_invalid(response, "invoice_date", code="date_out_of_range")
    response = await client.post(
        f"{API}/payments",
        json={"amount": "10.00", "method": "CASH", "direction": "IN", "payment_date": "1899-06-30"},
        headers=h,
    )
    assert_invalid(response, "payment_date", code="date_out_of_range")


async def test_balances_are_as_of_today_unless_a_day_is_given(client, auth):
    h = auth()
    cash = await create_account(client, h, "1110", "Cash in Hand", "ASSET")
    capital = await create_account(client, h, "3100", "Share Capital", "EQUITY")
    await post_journal(client, h, "2025-08-01", [dr(cash, "100.00"), cr(capital, "100.00")])
    later = _window_end()
    await post_journal(client, h, later.isoformat(), [dr(cash, "40.00"), cr(capital, "40.00")])

    today = _today().isoformat()
    got = await get_json(client, f"{API}/accounts/{cash['id']}", h)
    assert D(got["balance"]) == D("100.00")
    assert got["balance_as_of"] == today
    assert D(got["debit_total"]) == D("100.00")
    by_code = await get_json(client, f"{API}/accounts/by-code/1110", h)
    assert (D(by_code["balance"]), by_code["balance_as_of"]) == (D("100.00"), today)
    listed = await get_json(client, f"{API}/accounts", h)
    assert {a["code"]: D(a["balance"]) for a in listed["items"]} == {
        "1110": D("100.00"),
        "3100": D("100.00"),
    }
    # the trial balance as of today agrees with the accounts
    tb = await get_json(client, f"{API}/reports/trial-balance", h)
    assert {e["code"]: D(e["debit"]) for e in tb["entries"]}["1110"] == D("100.00")

    # as of a given day: before anything, and the later posting's day
    early = await get_json(client, f"{API}/accounts/{cash['id']}", h, as_of="2025-07-31")
    assert (D(early["balance"]), early["balance_as_of"]) == (D("0.00"), "2025-07-31")
    future = await get_json(client, f"{API}/accounts", h, as_of=later.isoformat())
    assert {a["code"]: D(a["balance"]) for a in future["items"]} == {
        "1110": D("140.00"),
        "3100": D("140.00"),
    }
    assert_invalid(
        await client.get(f"{API}/accounts/{cash['id']}", params={"as_of": "someday"}, headers=h),
        "as_of",
    )
    # the calendar's ends answer, they do not fail
    for edge, expected in (("0001-01-01", D("0.00")), ("9999-12-31", D("140.00"))):
        got = await get_json(client, f"{API}/accounts/by-code/1110", h, as_of=edge)
        assert (D(got["balance"]), got["balance_as_of"]) == (expected, edge)
