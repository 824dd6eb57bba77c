"""Tenant isolation, attacked: tenant A makes one of everything; tenant B, an admin of its own
tenant, then tries every route of the service with A's ids. Every route naming an A object
answers 404 (never 403, which would confirm it exists, and never A's data); B's lists hold
nothing of A's; and afterwards everything A can see is exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.api.invoice_helpers import seed_tenant
from tests.security.world import API, DAY, ROUTE_REQUESTS, Call, World
from vextrus_finance.bootstrap import Container

# Period codes are calendar names, not ids: B closing its own FY2000-2001-P01 is B's business.
# That it leaves A's periods alone is checked with the rest of A's state.
NOT_AN_ID = {
    "/api/v1/fiscal-periods/{code}/close",
    "/api/v1/fiscal-periods/{code}/reopen",
    "/api/v1/fiscal-years/{code}/close",
    "/api/v1/fiscal-years/{code}/reopen",
}

A_VIEWS = [
    f"{API}/accounts?limit=500",
    f"{API}/journals?limit=500",
    f"{API}/invoices?limit=500",
    f"{API}/payments?limit=500",
    f"{API}/fiscal-periods?fiscal_year=FY2000-2001",
    f"{API}/fiscal-years",
    f"{API}/reports/trial-balance?as_of={DAY}",
    f"{API}/reports/profit-and-loss?from=2000-01-01&to={DAY}",
    f"{API}/reports/balance-sheet?as_of={DAY}",
    f"{API}/reports/cash-flow?from=2000-01-01&to={DAY}",
    f"{API}/reports/aging?kind=SALES&as_of={DAY}",
    f"{API}/posting-profile",
    f"{API}/company-profile",
]


async def views(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    result = {}
    for url in A_VIEWS:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text)
        result[url] = response.json()
    return result


def ids_in(value: Any) -> set[str]:
    """Every string under an `id`-like key, anywhere in a JSON document."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if (key == "id" or key.endswith("_id")) and isinstance(item, str):
                found.add(item)
            found |= ids_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= ids_in(item)
    return found


async def test_tenant_b_cannot_touch_tenant_a(
    container: Container, client: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    await seed_tenant(container, "t1")
    await seed_tenant(container, "t2")
    a = auth(tenant="t1", roles=("admin",), sub="alice")
    b = auth(tenant="t2", roles=("admin",), sub="mallory")
    world_a = await World(client, a).setup()
    await World(client, b, tag="7").setup()  # B is a real tenant with data of its own

    # One request per route, built against A's objects, before A's state is recorded.
    attacks: dict[tuple[str, str], Call] = {}
    for (method, template), build in sorted(ROUTE_REQUESTS.items()):
        attacks[(method, template)] = await build(world_a)
    before = await views(client, a)
    a_ids = ids_in(before) - ids_in(await views(client, b))
    assert len(a_ids) > 20  # A really has data to steal

    leaks = []
    for (method, template), call in attacks.items():
        response = await client.request(method, call.url, json=call.json, headers=b)
        names_an_id = "{" in template and template not in NOT_AN_ID
        if names_an_id and response.status_code != 404:
            leaks.append(f"{method} {template}: {response.status_code} {response.text[:200]}")
        if response.headers.get("content-type", "").startswith("application/json"):
            # Ids B sent itself (a customer id in a new invoice) are not A's data.
            stolen = (ids_in(response.json()) & a_ids) - ids_in(call.json)
            if stolen:
                leaks.append(f"{method} {template}: shows A's ids {sorted(stolen)[:3]}")
        if response.headers.get("content-type", "").startswith(("text/html", "application/pdf")):
            leaks.append(f"{method} {template}: served a document to another tenant")
    assert not leaks, "\n".join(leaks)

    # The same, with B claiming A's tenant in the header: refused outright.
    for (method, template), call in attacks.items():
        response = await client.request(
            method, call.url, json=call.json, headers={**b, "X-Tenant-ID": "t1"}
        )
        assert response.status_code == 403, (method, template, response.status_code)

    assert await views(client, a) == before
