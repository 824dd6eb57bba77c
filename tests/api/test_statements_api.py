"""Profit and loss, balance sheet and cash flow over a small set of journals whose figures are
computed by hand below (ADR 0047); a CLOSING journal and its reversal change none of a year's
statements; 422s name the field; the routes are in the OpenAPI."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import (
    API,
    assert_invalid,
    close_fiscal_year,
    close_periods,
    cr,
    create_account,
    dr,
    get_json,
    post_journal,
    reopen_fiscal_year,
)

CHART = (
    ("1100", "Cash at Bank", "ASSET", "CASH"),
    ("1200", "Accounts Receivable", "ASSET", None),  # default: OPERATING
    ("1500", "Equipment", "ASSET", "INVESTING"),
    ("2100", "Accounts Payable", "LIABILITY", None),  # default: OPERATING
    ("2500", "Long-Term Loan", "LIABILITY", "FINANCING"),
    ("3100", "Share Capital", "EQUITY", None),  # default: FINANCING
    ("3200", "Retained Earnings", "EQUITY", None),
    ("4100", "Contract Revenue", "REVENUE", None),
    ("5100", "Materials", "EXPENSE", None),
    ("6100", "Salaries", "EXPENSE", None),
)

# (date, debit code, credit code, amount)
JOURNALS = (
    ("2025-06-20", "1100", "3100", "100000.00"),  # FY2024-2025, never closed
    ("2025-06-25", "1200", "4100", "20000.00"),  # FY2024-2025 revenue, never closed
    ("2025-07-05", "1500", "1100", "30000.00"),
    ("2025-07-10", "1100", "2500", "50000.00"),
    ("2025-08-01", "1200", "4100", "40000.00"),
    ("2025-08-15", "1100", "1200", "25000.00"),
    ("2025-08-20", "5100", "2100", "12000.50"),
    ("2025-09-10", "6100", "1100", "8000.25"),
    ("2025-09-12", "2100", "1100", "5000.00"),
    ("2025-10-01", "1100", "4100", "1000.00"),  # after the range
)


async def _books(client: Any, h: dict[str, str]) -> dict[str, dict[str, Any]]:
    accounts = {}
    for code, name, kind, flow in CHART:
        extra = {"cash_flow_class": flow} if flow else {}
        accounts[code] = await create_account(client, h, code, name, kind, **extra)
    for day, debit, credit, amount in JOURNALS:
        await post_journal(client, h, day, [dr(debit, amount), cr(credit, amount)])
    return accounts


def _lines(section: dict[str, Any]) -> dict[str | None, str]:
    return {line["code"]: line["amount"] for line in section["accounts"]}


def _sections(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["type"]: s for s in report["sections"]}


async def test_the_three_statements_equal_the_hand_computed_figures(client, auth):
    h = auth()
    accounts = await _books(client, h)
    assert accounts["1100"]["cash_flow_class"] == "CASH"
    assert accounts["1200"]["cash_flow_class"] == "OPERATING"
    assert accounts["3100"]["cash_flow_class"] == "FINANCING"

    pl = await get_json(
        client,
        f"{API}/reports/profit-and-loss",
        h,
        **{"from": "2025-07-01", "to": "2025-09-30", "compare": "previous_period"},
    )
    assert (pl["from"], pl["to"], pl["currency"]) == ("2025-07-01", "2025-09-30", "BDT")
    revenue, expense = _sections(pl)["REVENUE"], _sections(pl)["EXPENSE"]
    assert _lines(revenue) == {"4100": "40000.00"}
    assert revenue["total"] == "40000.00"
    assert _lines(expense) == {"5100": "12000.50", "6100": "8000.25"}
    assert expense["total"] == "20000.75"
    assert pl["net_profit"] == "19999.25"
    # The previous 92 days: 2025-03-31 … 2025-06-30, with June's 20,000 of revenue.
    assert (pl["compare_from"], pl["compare_to"]) == ("2025-03-31", "2025-06-30")
    assert revenue["accounts"][0]["compare_amount"] == "20000.00"
    assert revenue["compare_total"] == "20000.00"
    assert expense["compare_total"] == "0.00"
    assert pl["compare_net_profit"] == "20000.00"
    line = revenue["accounts"][0]
    assert (line["account_id"], line["name"]) == (accounts["4100"]["id"], "Contract Revenue")

    plain = await get_json(
        client, f"{API}/reports/profit-and-loss", h, **{"from": "2025-07-01", "to": "2025-09-30"}
    )
    assert "compare_net_profit" not in plain
    assert "compare_amount" not in _sections(plain)["REVENUE"]["accounts"][0]

    bs = await get_json(
        client, f"{API}/reports/balance-sheet", h, as_of="2025-09-30", compare="previous_year"
    )
    sections = _sections(bs)
    assert _lines(sections["ASSET"]) == {
        "1100": "131999.75",
        "1200": "35000.00",
        "1500": "30000.00",
    }
    assert sections["ASSET"]["total"] == "196999.75"
    assert _lines(sections["LIABILITY"]) == {"2100": "7000.50", "2500": "50000.00"}
    assert sections["LIABILITY"]["total"] == "57000.50"
    # FY2024-2025's revenue was never closed: a computed line inside equity.
    assert _lines(sections["EQUITY"]) == {"3100": "100000.00", None: "20000.00"}
    prior = sections["EQUITY"]["accounts"][-1]
    assert prior["account_id"] is None
    assert prior["name"] == "Retained earnings — prior years not closed"
    assert sections["EQUITY"]["total"] == "120000.00"
    assert bs["current_year_earnings"] == "19999.25"
    assert bs["totals"] == {
        "assets": "196999.75",
        "liabilities_and_equity": "196999.75",
        "balanced": True,
    }
    assert bs["compare_as_of"] == "2024-09-30"
    assert bs["compare_totals"]["assets"] == "0.00"
    assert sections["ASSET"]["compare_total"] == "0.00"

    cf = await get_json(
        client, f"{API}/reports/cash-flow", h, **{"from": "2025-07-01", "to": "2025-09-30"}
    )
    assert cf["net_profit"] == "19999.25"
    assert cf["adjustments"] == [
        {"code": "1200", "name": "Accounts Receivable", "amount": "-15000.00"},
        {"code": "2100", "name": "Accounts Payable", "amount": "7000.50"},
    ]
    assert (cf["operating"], cf["investing"], cf["financing"]) == (
        "11999.75",
        "-30000.00",
        "50000.00",
    )
    assert cf["net_change"] == "31999.75"
    assert (cf["opening_cash"], cf["closing_cash"]) == ("100000.00", "131999.75")


async def test_a_closing_journal_and_its_reversal_leave_the_statements_as_they_were(client, auth):
    h = auth()
    await _books(client, h)
    queries = (
        ("profit-and-loss", {"from": "2025-04-01", "to": "2025-06-30"}),
        ("profit-and-loss", {"from": "2025-07-01", "to": "2025-09-30"}),
        ("balance-sheet", {"as_of": "2025-06-30"}),
        ("cash-flow", {"from": "2025-06-01", "to": "2025-06-30"}),
    )

    async def read() -> list[Any]:
        return [await get_json(client, f"{API}/reports/{p}", h, **q) for p, q in queries]

    before = await read()
    later = await get_json(client, f"{API}/reports/balance-sheet", h, as_of="2025-09-30")
    await close_periods(client, h, "FY2024-2025", range(1, 13))
    closed = await close_fiscal_year(client, h, "FY2024-2025")
    assert closed.status_code == 200, closed.text
    assert closed.json()["closing_journal_id"]
    assert await read() == before
    after_close = await get_json(client, f"{API}/reports/balance-sheet", h, as_of="2025-09-30")
    equity = _sections(after_close)["EQUITY"]
    # The next year's balance sheet shows the closed year's profit inside retained earnings.
    assert _lines(equity) == {"3100": "100000.00", "3200": "20000.00"}
    assert equity["total"] == "120000.00"
    assert after_close["totals"] == later["totals"]
    assert after_close["current_year_earnings"] == later["current_year_earnings"]

    reopened = await reopen_fiscal_year(client, h, "FY2024-2025")
    assert reopened.status_code == 200, reopened.text
    assert await read() == before
    assert await get_json(client, f"{API}/reports/balance-sheet", h, as_of="2025-09-30") == later


async def test_cash_flow_class_is_validated_and_changed_by_patch(client, auth):
    h = auth()
    response = await client.post(
        f"{API}/accounts",
        json={"code": "1100", "name": "Cash", "type": "ASSET", "cash_flow_class": "CASHY"},
        headers=h,
    )
    assert_invalid(response, "cash_flow_class")
    account = await create_account(client, h, "1100", "Cash", "ASSET")
    assert account["cash_flow_class"] == "OPERATING"
    url = f"{API}/accounts/{account['id']}"
    response = await client.patch(url, json={"cash_flow_class": "BANK"}, headers=h)
    assert_invalid(response, "cash_flow_class")
    response = await client.patch(url, json={"cash_flow_class": None}, headers=h)
    assert_invalid(response, "cash_flow_class")
    response = await client.patch(url, json={"cash_flow_class": "CASH"}, headers=h)
    assert response.status_code == 200, response.text
    assert response.json()["cash_flow_class"] == "CASH"
    assert response.json()["version"] == account["version"] + 1
    fetched = await get_json(client, url, h)
    assert fetched["cash_flow_class"] == "CASH"


async def test_seed_assigns_the_standard_classes(client, auth, container):
    from tests.integration.helpers import run
    from vextrus_finance.application.seed import seed_chart

    await run(container, "t1", seed_chart)
    h = auth()
    classes = {}
    for code in ("1100", "1120-01", "1130-02", "1200", "1530", "1590", "2100", "2400", "2510"):
        account = await get_json(client, f"{API}/accounts/by-code/{code}", h)
        classes[code] = account["cash_flow_class"]
    for code in ("3100", "3200", "4100", "6130"):
        account = await get_json(client, f"{API}/accounts/by-code/{code}", h)
        classes[code] = account["cash_flow_class"]
    assert classes == {
        "1100": "CASH",
        "1120-01": "CASH",
        "1130-02": "CASH",
        "1200": "OPERATING",
        "1530": "INVESTING",
        "1590": "INVESTING",
        "2100": "OPERATING",
        "2400": "FINANCING",
        "2510": "FINANCING",
        "3100": "FINANCING",
        "3200": "FINANCING",
        "4100": "OPERATING",
        "6130": "OPERATING",
    }


async def test_statement_parameters_are_checked_naming_the_field(client, auth):
    h = auth()
    pl, bs, cf = (f"{API}/reports/{p}" for p in ("profit-and-loss", "balance-sheet", "cash-flow"))
    cases = (
        (pl, {"from": "2025-09-30", "to": "2025-07-01"}, "from"),
        (cf, {"from": "2025-09-30", "to": "2025-07-01"}, "from"),
        (pl, {"from": "2025-13-01", "to": "2025-09-30"}, "from"),
        (pl, {"from": "2025-07-01", "to": "yesterday"}, "to"),
        (pl, {"from": "2025-07-01"}, "to"),
        (pl, {"from": "2025-07-01", "to": "2025-09-30", "compare": "last_week"}, "compare"),
        (pl, {"from": "2025-07-01", "to": "2025-09-30", "project_id": "p1"}, "project_id"),
        (pl, {"from": "2025-07-01", "to": "2025-09-30", "format": "docx"}, "format"),
        (bs, {"as_of": "2025-02-30"}, "as_of"),
        (bs, {}, "as_of"),
        (bs, {"as_of": "2025-09-30", "compare": "previous_period"}, "compare"),
        (bs, {"as_of": "2025-09-30", "currency": "taka"}, "currency"),
        (cf, {"from": "2025-07-01", "to": "2025-09-30", "compare": "previous_year"}, "compare"),
    )
    for url, params, field in cases:
        response = await client.get(url, params=params, headers=h)
        assert_invalid(response, field)


async def test_statements_need_report_read_and_are_in_the_openapi(client, auth):
    params = {"from": "2025-07-01", "to": "2025-09-30"}
    response = await client.get(
        f"{API}/reports/cash-flow", params=params, headers=auth(roles=("nobody",))
    )
    assert response.status_code == 403
    response = await client.get(
        f"{API}/reports/cash-flow", params=params, headers=auth(roles=("user",))
    )
    assert response.status_code == 200, response.text
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in ("profit-and-loss", "balance-sheet", "cash-flow"):
        operation = paths[f"{API}/reports/{path}"]["get"]
        assert "422" in operation["responses"]
        assert operation["description"]
    names = {p["name"] for p in paths[f"{API}/reports/profit-and-loss"]["get"]["parameters"]}
    assert {"from", "to", "compare", "project_id", "format"} <= names
    account = (await client.get("/openapi.json")).json()["components"]["schemas"]["AccountOut"]
    assert "cash_flow_class" in account["properties"]
