"""Helpers shared by the API tests: small request builders, and assertions on problem
documents and lists.

Expectations in the tests are computed by hand from what the tests send (Decimal arithmetic),
never taken from the service's own answers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import httpx
from starlette.applications import Starlette

from vextrus_finance.api.services import AppServices, services

API = "/api/v1"
PROBLEM = "application/problem+json"
NUMBER_RE = re.compile(r"(?P<prefix>[A-Z]{2})-(?P<year>\d{4})-(?P<month>\d{2})-(?P<seq>\d{6})")
AMOUNT_RE = re.compile(r"-?\d+\.\d{2}")


def services_of(client: httpx.AsyncClient) -> AppServices:
    """The services of the app `client` talks to over ASGI."""
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    app = transport.app
    assert isinstance(app, Starlette)
    return services(app)


def D(value: str | int) -> Decimal:
    return Decimal(str(value))


def money(value: Decimal | str | int) -> str:
    """The wire form of an amount, computed in the test: two places, no exponent."""
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):f}"


# --- requests --------------------------------------------------------------------------


async def create_account(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    code: str,
    name: str,
    type: str,
    **extra: Any,
) -> dict[str, Any]:
    body = {"code": code, "name": name, "type": type, **extra}
    response = await client.post(f"{API}/accounts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def create_accounts(
    client: httpx.AsyncClient, headers: dict[str, str], *specs: tuple[str, str, str]
) -> dict[str, dict[str, Any]]:
    """(code, name, type) each; answers the created accounts by code."""
    return {code: await create_account(client, headers, code, name, t) for code, name, t in specs}


def dr(account: dict[str, Any] | str, amount: str, **extra: Any) -> dict[str, Any]:
    """A debit line on an account (dict from the API: by id; str: by code)."""
    return {**_ref(account), "debit": amount, **extra}


def cr(account: dict[str, Any] | str, amount: str, **extra: Any) -> dict[str, Any]:
    return {**_ref(account), "credit": amount, **extra}


def _ref(account: dict[str, Any] | str) -> dict[str, str]:
    if isinstance(account, str):
        return {"account_code": account}
    return {"account_id": account["id"]}


def journal_body(
    date: str,
    lines: list[dict[str, Any]],
    *,
    post: bool = False,
    description: str = "Test journal",
    **extra: Any,
) -> dict[str, Any]:
    return {"date": date, "description": description, "lines": lines, "post": post, **extra}


async def create_journal(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    date: str,
    lines: list[dict[str, Any]],
    *,
    post: bool = False,
    description: str = "Test journal",
    **extra: Any,
) -> dict[str, Any]:
    body = journal_body(date, lines, post=post, description=description, **extra)
    response = await client.post(f"{API}/journals", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def post_journal(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    date: str,
    lines: list[dict[str, Any]],
    *,
    description: str = "Test journal",
    **extra: Any,
) -> dict[str, Any]:
    """Create and post in one request."""
    return await create_journal(
        client, headers, date, lines, post=True, description=description, **extra
    )


async def get_json(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any
) -> Any:
    response = await client.get(url, headers=headers, params=params or None)
    assert response.status_code == 200, response.text
    return response.json()


async def balance(client: httpx.AsyncClient, headers: dict[str, str], account_id: str) -> Decimal:
    body = await get_json(client, f"{API}/accounts/{account_id}", headers)
    return Decimal(body["balance"])


async def balances(
    client: httpx.AsyncClient, headers: dict[str, str], accounts: Iterable[dict[str, Any]]
) -> dict[str, Decimal]:
    return {a["code"]: await balance(client, headers, a["id"]) for a in accounts}


async def all_pages(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any
) -> list[list[dict[str, Any]]]:
    """Follow next_cursor to the end; answers the pages (guarded against endless loops)."""
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    for _ in range(100):
        query = dict(params)
        if cursor is not None:
            query["cursor"] = cursor
        body = await get_json(client, url, headers, **query)
        assert set(body) >= {"items", "next_cursor"}
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the cursor never ended")


async def list_all(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    return [item for page in await all_pages(client, url, headers, **params) for item in page]


# --- assertions ------------------------------------------------------------------------


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem document with `status`; answer its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body.get("type"), str)
    assert body["type"]
    assert isinstance(body.get("title"), str)
    assert body["title"]
    assert isinstance(body.get("code"), str)
    assert body["code"]
    assert isinstance(body.get("detail"), str)
    assert "Traceback" not in response.text
    return body


def fields_of(body: dict[str, Any]) -> list[str]:
    return [issue["field"] for issue in body.get("errors", [])]


def names(field: str, given: str, *, exact: bool = True) -> bool:
    """`given` is `field`, or (not exact) a field inside it: `lines[1]` ⊇ `lines[1].debit`."""
    if given == field:
        return True
    return not exact and (given.startswith(field + ".") or given.startswith(field + "["))


def assert_invalid(
    response: httpx.Response,
    field: str,
    *,
    code: str | None = None,
    status: int = 422,
    exact: bool = True,
) -> dict[str, Any]:
    """A problem document with `status` whose errors name `field` (or, not exact, a field
    inside it)."""
    body = problem_of(response, status)
    assert any(names(field, given, exact=exact) for given in fields_of(body)), (field, body)
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_amount(value: Any, expected: Decimal | str) -> None:
    """Amounts travel as strings with exactly two decimals."""
    assert isinstance(value, str), value
    assert AMOUNT_RE.fullmatch(value), value
    assert Decimal(value) == Decimal(str(expected)), (value, expected)


def ids(items: Iterable[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


async def close_periods(client: Any, h: dict[str, str], year: str, months: range) -> None:
    for n in months:
        url = f"{API}/fiscal-periods/{year}-P{n:02d}/close"
        response = await client.post(url, json={"reason": "Month-end close"}, headers=h)
        assert response.status_code == 200, response.text


async def close_fiscal_year(
    client: Any, h: dict[str, str], year: str = "FY2025-2026", **body: Any
) -> Any:
    url = f"{API}/fiscal-years/{year}/close"
    return await client.post(url, json={"reason": "Year-end close", **body}, headers=h)


async def reopen_fiscal_year(client: Any, h: dict[str, str], year: str = "FY2025-2026") -> Any:
    url = f"{API}/fiscal-years/{year}/reopen"
    return await client.post(url, json={"reason": "Audit adjustment"}, headers=h)
