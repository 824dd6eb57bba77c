"""Report exports (ADR 0049) end to end on both databases: every CSV, XLSX and PDF carries the
figures of the same report's JSON. The XLSX is opened with openpyxl (cells must be numbers and
dates, not text), the CSV parsed, the PDF read back with Poppler's `pdftotext`. Expected
figures come from the JSON answer; the PDF's printed amounts are read back by un-grouping them
here (commas removed, Bengali digits mapped to ASCII by hand)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import re
import subprocess
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.api.helpers import (
    API,
    assert_invalid,
    cr,
    create_accounts,
    dr,
    post_journal,
    problem_of,
    services_of,
)
from tests.api.invoice_helpers import approved_invoice, line, seed_tenant
from tests.documents import render_jobs
from tests.documents.factory import require_binary

COMPANY = {"name": "Vextrus Builders Ltd.", "address": "Gulshan-1, Dhaka", "bin": "0001234560101"}
CHART = (
    ("1000", "Cash in Hand", "ASSET"),
    ("1100", "Bank - Sonali Current", "ASSET"),
    ("3000", "Share Capital", "EQUITY"),
    ("4000", "Contract Revenue", "REVENUE"),
    ("5000", "=Site Expenses", "EXPENSE"),  # text that must never become a formula
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BENGALI = "০১২৩৪৫৬৭৮৯"
TO_LATIN = str.maketrans(BENGALI, "0123456789")
PRINTED_AMOUNT = re.compile(r"-?\d[\d,]*\.\d\d")


async def _books(client: httpx.AsyncClient, h: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = await client.put(f"{API}/company-profile", json=COMPANY, headers=h)
    assert response.status_code == 200, response.text
    accounts = await create_accounts(client, h, *CHART)
    capital = [dr("1100", "1234567.89"), cr("3000", "1234567.89")]
    await post_journal(client, h, "2025-07-05", capital)
    await post_journal(client, h, "2025-08-10", [dr("1000", "50000.50"), cr("4000", "50000.50")])
    await post_journal(client, h, "2025-09-15", [dr("5000", "1200.25"), cr("1000", "1200.25")])
    await post_journal(client, h, "2025-10-01", [dr("1000", "300.00"), cr("1100", "300.00")])
    return accounts


async def _get(
    client: httpx.AsyncClient, url: str, h: dict[str, str], **params: str
) -> httpx.Response:
    response = await client.get(url, headers=h, params=params)
    assert response.status_code == 200, response.text
    return response


def _attachment(response: httpx.Response, media_type: str, suffix: str) -> None:
    assert response.headers["content-type"].split(";")[0] == media_type
    disposition = response.headers["content-disposition"]
    assert re.fullmatch(rf'attachment; filename="[A-Za-z0-9._-]+\.{suffix}"', disposition), (
        disposition
    )


def _csv_rows(response: httpx.Response) -> list[list[str]]:
    _attachment(response, "text/csv", "csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert not response.content.startswith(b"\xef\xbb\xbf")  # no byte-order mark
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _sheet(response: httpx.Response, first_label: str) -> tuple[Any, int]:
    """The worksheet and the row number of its column labels (the row starting `first_label`)."""
    _attachment(response, XLSX, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    for row in sheet.iter_rows():
        if row[0].value == first_label:
            assert all(cell.font.bold for cell in row if cell.value is not None)
            assert sheet.freeze_panes == f"A{row[0].row + 1}"
            return sheet, row[0].row
    raise AssertionError(f"no header row starting {first_label!r}")


def _header_block(sheet: Any, header_row: int) -> list[Any]:
    return [c.value for row in sheet.iter_rows(max_row=header_row - 1) for c in row]


def _number(cell: Any) -> Decimal:
    assert isinstance(cell.value, int | float), (cell.coordinate, cell.value)
    assert cell.number_format == "#,##0.00", cell.number_format
    return Decimal(str(cell.value)).quantize(Decimal("0.01"))


def _pdf_text(response: httpx.Response) -> str:
    _attachment(response, "application/pdf", "pdf")
    assert response.content.startswith(b"%PDF")
    pdftotext = require_binary("pdftotext")
    result = subprocess.run(
        [pdftotext, "-layout", "-enc", "UTF-8", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode("utf-8")


def _printed_amounts(text: str) -> list[Decimal]:
    """Every amount printed on the page, un-grouped: "12,34,567.89" → 1234567.89."""
    found = PRINTED_AMOUNT.findall(text.translate(TO_LATIN))
    return [Decimal(amount.replace(",", "")) for amount in found]


def _contains_all(printed: list[Decimal], expected: list[str]) -> None:
    left = list(printed)
    for amount in expected:
        assert Decimal(amount) in left, (amount, printed)
        left.remove(Decimal(amount))


async def test_trial_balance_in_every_format_carries_the_json_figures(client, auth):
    h = auth()
    await _books(client, h)
    url = f"{API}/reports/trial-balance"
    report = (await _get(client, url, h, as_of="2025-12-31")).json()
    entries = {entry["code"]: entry for entry in report["entries"]}
    assert set(entries) == {code for code, _, _ in CHART}

    rows = _csv_rows(await _get(client, url, h, as_of="2025-12-31", format="csv"))
    assert rows[0] == ["Code", "Account", "Type", "Debit", "Credit", "Net balance"]
    by_code = {row[0]: row for row in rows[1:] if row[0]}
    for code, entry in entries.items():
        # A name a spreadsheet would run as a formula gets a leading apostrophe.
        name = "'" + entry["name"] if entry["name"].startswith("=") else entry["name"]
        assert by_code[code][1:] == [
            name, entry["type"].title(), entry["debit"], entry["credit"], entry["net"]
        ]  # fmt: skip
    assert by_code["5000"][1] == "'=Site Expenses"
    assert rows[-1][1] == "Total"
    assert rows[-1][3:5] == [report["totals"]["debit"], report["totals"]["credit"]]

    response = await _get(client, url, h, as_of="2025-12-31", format="xlsx")
    sheet, header_row = _sheet(response, "Code")
    block = _header_block(sheet, header_row)
    assert {"Trial balance", COMPANY["name"], COMPANY["bin"]} <= set(block)
    assert date(2025, 12, 31) in {v.date() for v in block if isinstance(v, datetime)}
    assert any(isinstance(v, datetime) and v.year >= 2026 for v in block)  # generated at
    data = list(sheet.iter_rows(min_row=header_row + 1))
    for row in data[:-1]:
        entry = entries[row[0].value]
        assert row[1].value == entry["name"]  # "=Site Expenses" stays text
        assert row[1].data_type == "s"
        assert [_number(c) for c in row[3:6]] == [
            Decimal(entry[k]) for k in ("debit", "credit", "net")
        ]
    total = data[-1]
    assert total[1].value == "Total"
    assert total[1].font.bold
    assert _number(total[3]) == _number(total[4]) == Decimal(report["totals"]["debit"])

    for lang in ("en", "bn"):
        response = await _get(client, url, h, as_of="2025-12-31", format="pdf", lang=lang)
        text = _pdf_text(response)
        figures = [e[k] for e in entries.values() for k in ("debit", "credit", "net")]
        _contains_all(_printed_amounts(text), [*figures, report["totals"]["debit"]])
        assert COMPANY["bin"] in text  # a registered number keeps its ASCII digits
        if lang == "en":
            assert "Trial balance" in text
            assert "12,34,567.89" in text  # lakh grouping
            assert "31/12/2025" in text
        else:
            assert "Trial balance" not in text
            assert "১২,৩৪,৫৬৭.৮৯" in text
            assert "৩১/১২/২০২৫" in text
            latin = text.translate(str.maketrans("", "", BENGALI))
            assert not PRINTED_AMOUNT.findall(latin)  # every amount in Bengali digits
    bn_rows = _csv_rows(await _get(client, url, h, as_of="2025-12-31", format="csv", lang="bn"))
    assert bn_rows[0][3] == "ডেবিট"
    assert bn_rows[1][3] == rows[1][3]  # machine numbers whatever the language


async def test_the_ledger_export_holds_the_whole_window(client, auth):
    h = auth()
    accounts = await _books(client, h)
    url = f"{API}/accounts/{accounts['1000']['id']}/ledger"
    window = {"from": "2025-08-01", "to": "2025-12-31"}
    full = (await _get(client, url, h, **window, limit="500")).json()
    assert len(full["items"]) == 3
    # `limit` and `cursor` page the JSON only: an export holds every line of the window.
    rows = _csv_rows(await _get(client, url, h, **window, limit="1", format="csv"))
    assert rows[0] == ["Date", "Journal", "Description", "Reference", "Debit", "Credit", "Balance"]
    assert rows[1][2] == "Opening balance"
    assert rows[1][6] == full["opening_balance"]
    lines = rows[2:-1]
    assert [r[0] for r in lines] == [item["date"] for item in full["items"]]
    assert [r[1] for r in lines] == [item["journal_number"] for item in full["items"]]
    assert [r[4:7] for r in lines] == [
        [item["debit"], item["credit"], item["balance"]] for item in full["items"]
    ]
    assert rows[-1][2] == "Closing balance"
    assert rows[-1][6] == full["closing_balance"]
    assert rows[-1][4:6] == ["50300.50", "1200.25"]

    response = await _get(client, url, h, **window, limit="1", format="xlsx")
    sheet, header_row = _sheet(response, "Date")
    data = list(sheet.iter_rows(min_row=header_row + 2))[:-1]
    assert [r[0].value for r in data] == [
        datetime.fromisoformat(item["date"]) for item in full["items"]
    ]
    assert all(r[0].number_format == "yyyy-mm-dd" for r in data)
    assert [_number(r[6]) for r in data] == [Decimal(i["balance"]) for i in full["items"]]

    text = _pdf_text(await _get(client, url, h, **window, format="pdf", lang="bn"))
    _contains_all(
        _printed_amounts(text),
        [full["closing_balance"], *(item["balance"] for item in full["items"])],
    )
    assert "১০/০৮/২০২৫" in text  # the first line's date in Bengali digits


async def test_aging_exports(client, container, auth):
    await seed_tenant(container)
    h = auth()
    await approved_invoice(
        client, h, [line("2", "1500", "ZERO")], invoice_date="2025-08-10", due_date="2025-09-09",
        counterparty={"name": "Gulshan Heights Ltd."},
    )  # fmt: skip
    url = f"{API}/reports/aging"
    report = (await _get(client, url, h, as_of="2025-12-01")).json()
    buckets = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total")
    expected = [report["rows"][0]["buckets"][b] for b in buckets]
    assert expected[-1] == "3000.00"

    rows = _csv_rows(await _get(client, url, h, as_of="2025-12-01", format="csv"))
    assert rows[1] == ["Gulshan Heights Ltd.", "1", *expected]
    assert rows[2][0] == "Total"
    assert rows[2][2:] == [report["totals"][b] for b in buckets]

    response = await _get(client, url, h, as_of="2025-12-01", format="xlsx", lang="bn")
    sheet, header_row = _sheet(response, "পক্ষ")
    first = next(sheet.iter_rows(min_row=header_row + 1))
    assert first[1].value == 1
    assert [_number(c) for c in first[2:]] == [Decimal(a) for a in expected]

    text = _pdf_text(await _get(client, url, h, as_of="2025-12-01", format="pdf"))
    assert "Receivables aging" in text
    assert "Gulshan Heights Ltd." in text
    _contains_all(_printed_amounts(text), [*expected, report["ledger_balance"]])


async def test_refusals(client, auth):
    h = auth()
    accounts = await _books(client, h)
    url = f"{API}/reports/trial-balance"
    response = await client.get(url, headers=h, params={"format": "docx"})
    assert_invalid(response, "format")
    response = await client.get(url, headers=h, params={"format": "pdf", "lang": "fr"})
    assert_invalid(response, "lang")
    ledger = f"{API}/accounts/{accounts['1000']['id']}/ledger"
    assert_invalid(await client.get(ledger, headers=h, params={"format": "html"}), "format")
    # An accountant reads reports but may not export them.
    accountant = auth(roles=("accountant",))
    for target in (url, ledger, f"{API}/reports/aging"):
        assert (await client.get(target, headers=accountant)).status_code == 200
        response = await client.get(target, headers=accountant, params={"format": "csv"})
        assert "report:export" in problem_of(response, 403)["detail"]
    # An auditor may.
    auditor = auth(roles=("auditor",))
    response = await client.get(ledger, headers=auditor, params={"format": "csv"})
    assert response.status_code == 200, response.text


async def test_openapi_names_the_export_media_types(client):
    spec = (await client.get("/openapi.json")).json()
    for path in (
        f"{API}/reports/trial-balance",
        f"{API}/reports/aging",
        f"{API}/accounts/{{account_id}}/ledger",
    ):
        operation = spec["paths"][path]["get"]
        content = operation["responses"]["200"]["content"]
        assert {"application/json", "text/csv", XLSX, "application/pdf"} <= set(content), path
        params = {p["name"]: p for p in operation["parameters"]}
        assert params["format"]["schema"]["enum"] == ["json", "csv", "xlsx", "pdf"]
        assert params["lang"]["schema"]["enum"] == ["en", "bn"]
        assert {"403", "422", "429", "503"} <= set(operation["responses"])


async def test_xlsx_and_pdf_render_in_the_shared_pool_csv_does_not(client, auth):
    h = auth()
    await _books(client, h)
    url = f"{API}/reports/trial-balance"
    pool = services_of(client).render_pool
    await _get(client, url, h, format="csv")
    assert pool.renders_started == 0
    await _get(client, url, h, format="xlsx")
    assert pool.renders_started == 1
    # A tenant already using its share of the renderers is refused at once, not queued, so it
    # cannot starve the others (the pool Mushak-6.3 PDFs use).
    hog = asyncio.create_task(pool.run("t1", render_jobs.slow, 3600))
    try:
        while True:  # until the hog holds the tenant's slot (the run's timeout catches a hang)
            if pool.busy:
                break
            await asyncio.sleep(0.02)
        for output in ("xlsx", "pdf"):
            response = await client.get(url, headers=h, params={"format": output})
            assert problem_of(response, 429)["code"] == "document_render_tenant_busy"
            assert int(response.headers["Retry-After"]) >= 1
        assert (await client.get(url, headers=h, params={"format": "csv"})).status_code == 200
    finally:
        hog.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await hog
    assert pool.busy == 0
