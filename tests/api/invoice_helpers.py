"""Helpers for the invoice and payment API tests: a tenant with the standard chart and the
default posting profile, request builders, and ledger look-ups by account code."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import httpx

from tests.api.helpers import API, get_json, services_of
from tests.integration.helpers import run
from vextrus_finance.application.invoicing.posting_profiles import seed_posting_profile
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.seed import seed_chart
from vextrus_finance.bootstrap import Container

AR, AIT_REC, REVENUE, VAT_OUT, SD_PAY = "1200", "1310", "4100", "2200", "2210"
AP, VAT_IN, PURCHASES, AIT_PAY = "2100", "1300", "5100", "2220"
CASH, BANK, BKASH = "1100", "1120-01", "1130-01"


async def seed_tenant(container: Container, tenant: str = "t1") -> None:
    """What `vextrus-finance seed --tenant T` does: the chart and the posting profile."""

    async def decide(uow: UnitOfWork) -> int:
        opened = await seed_chart(uow)
        await seed_posting_profile(uow)
        return opened

    await run(container, tenant, decide)


def issue_on(container: Container, day: str, hour: int = 11) -> None:
    """Pin the commands' clock to `hour` on `day` in the business time zone: approval dates a
    SALES invoice on the day of issue (ADR 0035), so tests with dated invoices approve them on
    that day."""
    calendar = container.uow_factory.calendar
    at = datetime.combine(date.fromisoformat(day), time(hour), tzinfo=calendar.zone)
    container.uow_factory.calendar = replace(calendar, clock=lambda: at)


def line(
    quantity: str,
    unit_price: str,
    vat_rate: str = "STANDARD",
    *,
    description: str = "Construction work",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "description": description,
        "quantity": quantity,
        "unit_price": unit_price,
        "vat_rate": vat_rate,
        **extra,
    }


def invoice_body(
    lines: list[dict[str, Any]],
    *,
    kind: str = "SALES",
    invoice_date: str = "2025-08-10",
    due_date: str = "2025-09-09",
    counterparty: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "counterparty": counterparty or {"name": "Gulshan Heights Ltd."},
        "invoice_date": invoice_date,
        "due_date": due_date,
        "lines": lines,
        **extra,
    }


async def create_invoice(
    client: httpx.AsyncClient, h: dict[str, str], lines: list[dict[str, Any]], **kw: Any
) -> dict[str, Any]:
    response = await client.post(f"{API}/invoices", json=invoice_body(lines, **kw), headers=h)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def container_of(client: httpx.AsyncClient) -> Container:
    return services_of(client).container


async def approve(
    client: httpx.AsyncClient, h: dict[str, str], invoice_id: str, *, on_draft_date: bool = True
) -> dict[str, Any]:
    """Approve; by default on the draft's own date (the clock pinned to it), so a test's dated
    invoices keep their dates. `on_draft_date=False` approves at the clock as it stands."""
    if on_draft_date:
        draft = await get_json(client, f"{API}/invoices/{invoice_id}", h)
        issue_on(container_of(client), draft["invoice_date"])
    response = await client.post(f"{API}/invoices/{invoice_id}/approve", headers=h)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def approved_invoice(
    client: httpx.AsyncClient, h: dict[str, str], lines: list[dict[str, Any]], **kw: Any
) -> dict[str, Any]:
    invoice = await create_invoice(client, h, lines, **kw)
    return await approve(client, h, invoice["id"])


async def pay(
    client: httpx.AsyncClient,
    h: dict[str, str],
    invoice_id: str | None,
    amount: str,
    *,
    method: str = "CASH",
    complete: bool = True,
    payment_date: str = "2025-08-20",
    **extra: Any,
) -> dict[str, Any]:
    body = {"amount": amount, "method": method, "payment_date": payment_date, **extra}
    if invoice_id is not None:
        body["invoice_id"] = invoice_id
    response = await client.post(f"{API}/payments", json=body, headers=h)
    assert response.status_code == 201, response.text
    payment: dict[str, Any] = response.json()
    if complete:
        response = await client.post(
            f"{API}/payments/{payment['id']}/complete",
            json={"transaction_reference": "TXN-0001"},
            headers=h,
        )
        assert response.status_code == 200, response.text
        payment = response.json()
    return payment


async def account(client: httpx.AsyncClient, h: dict[str, str], code: str) -> dict[str, Any]:
    body: dict[str, Any] = await get_json(client, f"{API}/accounts/by-code/{code}", h)
    return body


async def balance_of(client: httpx.AsyncClient, h: dict[str, str], code: str) -> Decimal:
    return Decimal((await account(client, h, code))["balance"])


async def invoice(client: httpx.AsyncClient, h: dict[str, str], invoice_id: str) -> dict[str, Any]:
    body: dict[str, Any] = await get_json(client, f"{API}/invoices/{invoice_id}", h)
    return body


async def trial_balance(client: httpx.AsyncClient, h: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = await get_json(
        client, f"{API}/reports/trial-balance", h, as_of="2030-06-30"
    )
    return body


async def journal_lines(
    client: httpx.AsyncClient, h: dict[str, str], journal_id: str
) -> dict[str, tuple[Decimal, Decimal]]:
    """Account code → (debit, credit) of a journal; each code appears at most once."""
    journal = await get_json(client, f"{API}/journals/{journal_id}", h)
    assert journal["status"] in ("POSTED", "REVERSED"), journal
    result: dict[str, tuple[Decimal, Decimal]] = {}
    for entry in journal["lines"]:
        assert entry["account_code"] not in result
        result[entry["account_code"]] = (Decimal(entry["debit"]), Decimal(entry["credit"]))
    return result
