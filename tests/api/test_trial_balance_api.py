"""The trial balance as of any date, checked against sums computed here from the journals
the test posted (per account: debits − credits up to the end of the day)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.api.helpers import (
    API,
    D,
    assert_amount,
    assert_invalid,
    cr,
    create_accounts,
    create_journal,
    dr,
    get_json,
    post_journal,
)

TYPES = ("ASSET", "LIABILITY", "EQUITY", "REVENUE", "EXPENSE")
DEBIT_NORMAL = {"ASSET", "EXPENSE"}
CHART = (
    ("1000", "Cash in Hand", "ASSET"),
    ("1100", "Bank - Sonali Current", "ASSET"),
    ("1300", "Work in Progress", "ASSET"),
    ("2000", "Accounts Payable", "LIABILITY"),
    ("2100", "VAT Payable", "LIABILITY"),
    ("3000", "Share Capital", "EQUITY"),
    ("4000", "Contract Revenue", "REVENUE"),
    ("5000", "Site Expenses", "EXPENSE"),
    ("5100", "Salaries", "EXPENSE"),
)
TYPE_OF = {code: t for code, _, t in CHART}
Entry = tuple[str, str, Decimal, Decimal]  # (date, account code, debit, credit)


def expected_at(entries: list[Entry], as_of: str) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """code → (debit column, credit column, net on the normal side), by hand."""
    moved = {code: Decimal("0") for code in TYPE_OF}
    for day, code, debit, credit in entries:
        if day <= as_of:
            moved[code] += debit - credit
    result = {}
    for code, x in moved.items():
        debit_col = x if x > 0 else Decimal("0")
        credit_col = -x if x < 0 else Decimal("0")
        net = x if TYPE_OF[code] in DEBIT_NORMAL else -x
        result[code] = (debit_col, credit_col, net)
    return result


def check(report: dict[str, Any], entries: list[Entry], as_of: str) -> None:
    expected = expected_at(entries, as_of)
    assert report["as_of"] == as_of
    assert report["currency"] == "BDT"
    got = {}
    for e in report["entries"]:
        for key in ("debit", "credit", "net"):
            assert_amount(e[key], e[key])
        got[e["code"]] = (Decimal(e["debit"]), Decimal(e["credit"]), Decimal(e["net"]))
        assert e["type"] == TYPE_OF[e["code"]]
    # zero rows (active accounts without a balance) may be listed or left out
    nonzero = {code: v for code, v in expected.items() if v != (0, 0, 0)}
    assert {c: v for c, v in got.items() if v != (0, 0, 0)} == nonzero, as_of
    assert set(got) <= set(expected)
    total_debit = sum((v[0] for v in expected.values()), Decimal("0"))
    total_credit = sum((v[1] for v in expected.values()), Decimal("0"))
    assert total_debit == total_credit
    totals = report["totals"]
    assert_amount(totals["debit"], total_debit)
    assert_amount(totals["credit"], total_credit)
    assert_amount(totals["variance"], "0")
    assert totals["balanced"] is True
    assert set(report["by_type"]) == set(TYPES)
    for t in TYPES:
        codes = [c for c in expected if TYPE_OF[c] == t]
        group = report["by_type"][t]
        assert_amount(group["debit"], sum((expected[c][0] for c in codes), Decimal("0")))
        assert_amount(group["credit"], sum((expected[c][1] for c in codes), Decimal("0")))
        assert_amount(group["net"], sum((expected[c][2] for c in codes), Decimal("0")))
        assert group["count"] == sum(1 for c in got if TYPE_OF[c] == t)
        assert group["count"] >= sum(1 for c in nonzero if TYPE_OF[c] == t)


async def post(client, h, entries: list[Entry], day: str, *lines: tuple[str, str, str]) -> dict:
    """Post a journal of (code, 'dr'|'cr', amount) lines and record its entries by hand."""
    body = [dr(code, amount) if side == "dr" else cr(code, amount) for code, side, amount in lines]
    journal = await post_journal(client, h, day, body)
    for code, side, amount in lines:
        value = D(amount)
        entries.append(
            (day, code, value, Decimal("0")) if side == "dr" else (day, code, Decimal("0"), value)
        )
    return journal


async def test_trial_balance_as_of_many_dates_equals_the_hand_computed_sums(client, auth):
    h = auth()
    await create_accounts(client, h, *CHART)
    entries: list[Entry] = []

    await post(
        client, h, entries, "2025-07-10", ("1100", "dr", "500000.00"), ("3000", "cr", "500000.00")
    )
    await post(
        client, h, entries, "2025-07-10", ("1000", "dr", "25000.00"), ("1100", "cr", "25000.00")
    )
    await post(
        client,
        h,
        entries,
        "2025-08-15",
        ("1300", "dr", "120000.50"),
        ("5000", "dr", "18000.00"),
        ("2000", "cr", "138000.50"),
    )
    await post(
        client,
        h,
        entries,
        "2025-09-30",
        ("1100", "dr", "230000.00"),
        ("4000", "cr", "200000.00"),
        ("2100", "cr", "30000.00"),
    )
    salaries = await post(
        client, h, entries, "2025-10-05", ("5100", "dr", "45000.75"), ("1100", "cr", "45000.75")
    )
    await post(
        client, h, entries, "2025-10-05", ("2000", "dr", "100000.00"), ("1100", "cr", "100000.00")
    )
    # a backdated posting, entered after the October ones
    await post(client, h, entries, "2025-08-20", ("5000", "dr", "0.01"), ("1000", "cr", "0.01"))
    # next fiscal year
    await post(client, h, entries, "2026-07-15", ("1000", "dr", "999.99"), ("4000", "cr", "999.99"))

    # the October salary run was wrong: reversed in November; the swap is done by hand here
    response = await client.post(
        f"{API}/journals/{salaries['id']}/reverse",
        json={"date": "2025-11-02", "reason": "Wrong month"},
        headers=h,
    )
    assert response.status_code == 201, response.text
    entries += [("2025-11-02", "5100", Decimal("0"), D("45000.75"))]
    entries += [("2025-11-02", "1100", D("45000.75"), Decimal("0"))]

    # drafts and cancelled journals never count
    await create_journal(client, h, "2025-08-01", [dr("1000", "777.00"), cr("4000", "777.00")])
    cancelled = await create_journal(
        client, h, "2025-08-01", [dr("1000", "888.00"), cr("4000", "888.00")]
    )
    response = await client.post(
        f"{API}/journals/{cancelled['id']}/cancel", json={"reason": "duplicate"}, headers=h
    )
    assert response.status_code == 200

    dates = [
        "2024-12-31",  # long before anything
        "2025-07-09",  # the day before the first posting
        "2025-07-10",  # end of the first day
        "2025-08-19",
        "2025-08-20",
        "2025-09-29",
        "2025-10-04",
        "2025-10-05",
        "2025-10-31",
        "2025-11-01",  # salaries still in
        "2025-11-02",  # reversed
        "2026-06-30",
        "2026-07-14",
        "2026-07-15",
        "2027-01-01",
    ]
    for as_of in dates:
        report = await get_json(client, f"{API}/reports/trial-balance", h, as_of=as_of)
        check(report, entries, as_of)

    # spot checks of the hand computation itself
    on_oct_5 = expected_at(entries, "2025-10-05")
    assert on_oct_5["1100"][0] == D("500000.00") - D("25000.00") + D("230000.00") - D(
        "45000.75"
    ) - D("100000.00")
    assert on_oct_5["2000"] == (Decimal("0"), D("38000.50"), D("38000.50"))
    assert expected_at(entries, "2025-11-02")["5100"] == (Decimal("0"),) * 3

    # today (the default)
    today = datetime.now(ZoneInfo("Asia/Dhaka")).date().isoformat()
    report = await get_json(client, f"{API}/reports/trial-balance", h)
    check(report, entries, today)

    # fiscal_year alone: as of its last day, 2026-06-30
    report = await get_json(client, f"{API}/reports/trial-balance", h, fiscal_year="FY2025-2026")
    check(report, entries, "2026-06-30")
    assert report["fiscal_year"] == "FY2025-2026"
    assert expected_at(entries, "2026-06-30")["4000"][2] == D("200000.00")

    # fiscal_year with an as_of inside it
    report = await get_json(
        client, f"{API}/reports/trial-balance", h, fiscal_year="FY2025-2026", as_of="2025-08-20"
    )
    check(report, entries, "2025-08-20")


async def test_as_of_outside_the_fiscal_year_is_422(client, auth):
    h = auth()
    url = f"{API}/reports/trial-balance"
    for as_of in ("2025-06-30", "2026-07-01"):
        response = await client.get(
            url, params={"fiscal_year": "FY2025-2026", "as_of": as_of}, headers=h
        )
        assert_invalid(response, "as_of")
    assert_invalid(await client.get(url, params={"as_of": "2025-13-01"}, headers=h), "as_of")
    assert_invalid(await client.get(url, params={"fiscal_year": "2025"}, headers=h), "fiscal_year")


async def test_an_empty_ledger_is_balanced_and_lists_every_type(client, auth):
    h = auth()
    report = await get_json(client, f"{API}/reports/trial-balance", h, as_of="2025-12-31")
    assert report["entries"] == []
    assert report["as_of"] == "2025-12-31"
    assert report["fiscal_year"] == "FY2025-2026"
    assert report["totals"]["balanced"] is True
    assert_amount(report["totals"]["debit"], "0")
    assert set(report["by_type"]) == set(TYPES)
    assert all(v["count"] == 0 for v in report["by_type"].values())


async def test_a_credit_balance_on_a_debit_account_goes_to_the_credit_column(client, auth):
    h = auth()
    await create_accounts(client, h, *CHART)
    entries: list[Entry] = []
    # an overdrawn bank account: a negative ASSET balance
    await post(client, h, entries, "2025-08-01", ("5000", "dr", "300.00"), ("1100", "cr", "300.00"))
    # revenue debited beyond its credits
    await post(client, h, entries, "2025-08-02", ("4000", "dr", "50.00"), ("1000", "cr", "50.00"))
    report = await get_json(client, f"{API}/reports/trial-balance", h, as_of="2025-08-31")
    check(report, entries, "2025-08-31")
    rows = {e["code"]: e for e in report["entries"]}
    assert (rows["1100"]["debit"], rows["1100"]["credit"], rows["1100"]["net"]) == (
        "0.00",
        "300.00",
        "-300.00",
    )
    assert (rows["4000"]["debit"], rows["4000"]["credit"], rows["4000"]["net"]) == (
        "50.00",
        "0.00",
        "-50.00",
    )
