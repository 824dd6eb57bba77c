"""Exports of the three financial statements (ADR 0047, ADR 0049) on both databases: each CSV
parsed, each XLSX opened with openpyxl, each PDF read back with `pdftotext` in English and
Bengali; every figure must be the JSON answer's. The books are test_statements_api's (every
cash-flow class, a prior year never closed), the expected rows are built here from the JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.api.helpers import API, problem_of
from tests.api.test_report_exports_api import (
    BENGALI,
    COMPANY,
    PRINTED_AMOUNT,
    _contains_all,
    _csv_rows,
    _get,
    _number,
    _pdf_text,
    _printed_amounts,
    _sheet,
)
from tests.api.test_statements_api import _books

HEADINGS = {"REVENUE": "Revenue", "EXPENSE": "Expenses", "ASSET": "Assets",
            "LIABILITY": "Liabilities", "EQUITY": "Equity"}  # fmt: skip
PRIOR_YEARS = "Retained earnings — prior years not closed"
PRIOR_YEARS_BN = "সংরক্ষিত আয় — সমাপনী হয়নি এমন পূর্ববর্তী বছর"
PL = f"{API}/reports/profit-and-loss"
BS = f"{API}/reports/balance-sheet"
CF = f"{API}/reports/cash-flow"
YEAR_TO_SEPTEMBER = {"from": "2025-07-01", "to": "2025-09-30"}


async def _setup(client: httpx.AsyncClient, h: dict[str, str]) -> None:
    response = await client.put(f"{API}/company-profile", json=COMPANY, headers=h)
    assert response.status_code == 200, response.text
    await _books(client, h)


def _figures(body: dict[str, Any], key: str, compare: bool) -> list[str]:
    return [body[key], body[f"compare_{key}"]] if compare else [body[key]]


def _section_rows(doc: dict[str, Any], compare: bool) -> list[list[str]]:
    """The CSV rows the statement's sections must print as (English)."""
    blank = ["", ""] if compare else [""]
    rows = []
    for section in doc["sections"]:
        kind = section["type"]
        rows.append(["", HEADINGS[kind], *blank])
        for line in section["accounts"]:
            name = line["name"] if line["account_id"] else PRIOR_YEARS
            rows.append([line["code"] or "", name, *_figures(line, "amount", compare)])
        total = f"Total {HEADINGS[kind].lower()}"
        rows.append(["", total, *_figures(section, "total", compare)])
    return rows


def _sheet_rows(response: httpx.Response) -> list[list[Any]]:
    """The XLSX's table below its column labels: text as text, amounts as Decimals."""
    sheet, header_row = _sheet(response, "Code")
    rows = []
    for row in sheet.iter_rows(min_row=header_row + 1):
        rows.append([_number(c) if c.column > 2 and c.value is not None else c.value
                     for c in row])  # fmt: skip
    return rows


def _as_sheet(rows: list[list[str]]) -> list[list[Any]]:
    """Expected CSV rows as the XLSX holds them: empty cells None, amounts Decimals."""
    return [[(Decimal(v) if i > 1 else v) if v else None for i, v in enumerate(row)]
            for row in rows]  # fmt: skip


def _amounts(rows: list[list[str]]) -> list[str]:
    return [value for row in rows for value in row[2:] if value]


def _check_pdf(text: str, lang: str, expected: list[str], title_en: str) -> None:
    """pdftotext splits Bengali conjuncts, so a Bengali page is checked by its digits and by
    the English title's absence."""
    _contains_all(_printed_amounts(text), expected)
    assert COMPANY["bin"] in text
    if lang == "en":
        assert title_en in text
    else:
        assert title_en not in text
        latin = text.translate(str.maketrans("", "", BENGALI))
        assert not PRINTED_AMOUNT.findall(latin)  # every amount in Bengali digits


async def test_profit_and_loss_exports_carry_the_json_figures(client, auth):
    h = auth()
    await _setup(client, h)
    params = {**YEAR_TO_SEPTEMBER, "compare": "previous_period"}
    doc = (await _get(client, PL, h, **params)).json()
    expected = [
        *_section_rows(doc, True),
        ["", "Net profit", doc["net_profit"], doc["compare_net_profit"]],
    ]
    assert expected[-1][2:] == ["19999.25", "20000.00"]  # the JSON is the hand-checked one

    rows = _csv_rows(await _get(client, PL, h, **params, format="csv"))
    assert rows[0] == ["Code", "Account", "Amount", "Comparison"]
    assert rows[1:] == expected

    response = await _get(client, PL, h, **params, format="xlsx")
    assert _sheet_rows(response) == _as_sheet(expected)

    for lang in ("en", "bn"):
        text = _pdf_text(await _get(client, PL, h, **params, format="pdf", lang=lang))
        _check_pdf(text, lang, _amounts(expected), "Profit and loss")

    # Without compare: no Comparison column.
    plain = (await _get(client, PL, h, **YEAR_TO_SEPTEMBER)).json()
    rows = _csv_rows(await _get(client, PL, h, **YEAR_TO_SEPTEMBER, format="csv", lang="bn"))
    assert rows[0] == ["কোড", "হিসাবের নাম", "পরিমাণ"]
    assert rows[1] == ["", "আয়", ""]
    assert rows[-1] == ["", "নিট মুনাফা", plain["net_profit"]]
    assert [r[0] for r in rows[1:]] == [r[0] for r in _section_rows(plain, False)] + [""]


async def test_balance_sheet_exports_carry_the_json_figures(client, auth):
    h = auth()
    await _setup(client, h)
    params = {"as_of": "2025-09-30", "compare": "previous_year"}
    doc = (await _get(client, BS, h, **params)).json()
    totals, compared = doc["totals"], doc["compare_totals"]
    assert totals["balanced"]
    assert compared["balanced"]
    expected = [
        *_section_rows(doc, True),
        ["", "Current-year earnings", *_figures(doc, "current_year_earnings", True)],
        ["", "Total assets", totals["assets"], compared["assets"]],
        ["", "Total liabilities and equity", totals["liabilities_and_equity"],
         compared["liabilities_and_equity"]],
    ]  # fmt: skip
    # The prior year's profit, never closed, is its own EQUITY line.
    assert ["", PRIOR_YEARS, "20000.00", "0.00"] in expected

    rows = _csv_rows(await _get(client, BS, h, **params, format="csv"))
    assert rows[0] == ["Code", "Account", "Amount", "Comparison"]
    assert rows[1:] == expected

    response = await _get(client, BS, h, **params, format="xlsx")
    assert _sheet_rows(response) == _as_sheet(expected)
    sheet, header_row = _sheet(response, "Code")
    block = [c.value for row in sheet.iter_rows(max_row=header_row - 1) for c in row]
    assert {"Balance sheet", COMPANY["name"], "Balanced", "Yes"} <= set(block)

    bn = _csv_rows(await _get(client, BS, h, **params, format="csv", lang="bn"))
    assert ["", PRIOR_YEARS_BN, "20000.00", "0.00"] in bn
    assert bn[-1][1] == "মোট দায় ও মালিকানা স্বত্ব"

    for lang in ("en", "bn"):
        text = _pdf_text(await _get(client, BS, h, **params, format="pdf", lang=lang))
        _check_pdf(text, lang, _amounts(expected), "Balance sheet")
        if lang == "bn":
            assert "৩০/০৯/২০২৫" in text


async def test_cash_flow_exports_carry_the_json_figures(client, auth):
    h = auth()
    await _setup(client, h)
    doc = (await _get(client, CF, h, **YEAR_TO_SEPTEMBER)).json()
    assert doc["adjustments"]
    expected = [
        ["", "Operating activities", ""],
        ["", "Net profit", doc["net_profit"]],
        ["", "Adjustments for operating items", ""],
        *([a["code"], a["name"], a["amount"]] for a in doc["adjustments"]),
        ["", "Net cash from operating activities", doc["operating"]],
        ["", "Net cash from investing activities", doc["investing"]],
        ["", "Net cash from financing activities", doc["financing"]],
        ["", "Net change in cash", doc["net_change"]],
        ["", "Opening cash", doc["opening_cash"]],
        ["", "Closing cash", doc["closing_cash"]],
    ]
    rows = _csv_rows(await _get(client, CF, h, **YEAR_TO_SEPTEMBER, format="csv"))
    assert rows[0] == ["Code", "Item", "Amount"]
    assert rows[1:] == expected

    response = await _get(client, CF, h, **YEAR_TO_SEPTEMBER, format="xlsx", lang="bn")
    sheet, header_row = _sheet(response, "কোড")
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=header_row + 1)]
    assert data[-1][1] == "সমাপনী নগদ"
    assert [_number(row[2]) for row in sheet.iter_rows(min_row=header_row + 1) if row[2].value
            is not None] == [Decimal(a) for a in _amounts(expected)]  # fmt: skip

    for lang in ("en", "bn"):
        text = _pdf_text(await _get(client, CF, h, **YEAR_TO_SEPTEMBER, format="pdf", lang=lang))
        _check_pdf(text, lang, _amounts(expected), "Cash flow")


async def test_statement_exports_need_report_export_and_valid_options(client, auth):
    h = auth()
    await _setup(client, h)
    accountant = auth(roles=("accountant",))
    for url, params in ((PL, YEAR_TO_SEPTEMBER), (BS, {"as_of": "2025-09-30"}),
                        (CF, YEAR_TO_SEPTEMBER)):  # fmt: skip
        assert (await client.get(url, headers=accountant, params=params)).status_code == 200
        response = await client.get(url, headers=accountant, params={**params, "format": "pdf"})
        assert "report:export" in problem_of(response, 403)["detail"]
        response = await client.get(url, headers=h, params={**params, "format": "docx"})
        assert problem_of(response, 422)["errors"][0]["field"] == "format"
        response = await client.get(
            url, headers=h, params={**params, "format": "csv", "lang": "fr"}
        )
        assert problem_of(response, 422)["errors"][0]["field"] == "lang"
    # The statement's own errors still come first, whatever the format.
    response = await client.get(
        PL, headers=h, params={"from": "2025-10-01", "to": "2025-09-30", "format": "xlsx"}
    )
    assert problem_of(response, 422)["errors"][0]["field"] == "from"


async def test_openapi_lists_the_statement_export_formats(client):
    spec = (await client.get("/openapi.json")).json()
    for path in (PL, BS, CF):
        operation = spec["paths"][path]["get"]
        content = operation["responses"]["200"]["content"]
        assert {"application/json", "text/csv", "application/pdf"} <= set(content), path
        params = {p["name"]: p for p in operation["parameters"]}
        assert params["format"]["schema"]["enum"] == ["json", "csv", "xlsx", "pdf"]
        assert params["lang"]["schema"]["enum"] == ["en", "bn"]
