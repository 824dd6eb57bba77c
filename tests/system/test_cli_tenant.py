"""`vextrus-finance tenant export` and `tenant import` (ADR 0050): a seeded demo tenant moved
PostgreSQL → SQLite → PostgreSQL answers every report exactly as the source does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.api.helpers import API, list_all
from tests.conftest import make_settings
from tests.system.server import cli
from vextrus_finance.api.app import create_app
from vextrus_finance.api.auth import mint_token
from vextrus_finance.bootstrap import bootstrap
from vextrus_finance.infrastructure.tenancy.books import tenant_books

TENANT = "demo"


@asynccontextmanager
async def _client(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], Any]]:
    settings = make_settings(url)
    container = bootstrap(settings)
    app = create_app(container=container)
    token = mint_token(settings, tenant_id=TENANT, roles=["admin"], subject="checker")
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as client:
                yield client, {"Authorization": f"Bearer {token}"}, container
    finally:
        await container.close()


async def _reports(url: str) -> dict[str, Any]:
    """Every report of the tenant, by request: status and body."""
    async with _client(url) as (client, headers, container):
        today = container.settings.today()
        year_ago = (today - timedelta(days=365)).isoformat()
        got: dict[str, Any] = {}

        async def get(path: str, **params: Any) -> Any:
            response = await client.get(f"{API}{path}", headers=headers, params=params or None)
            key = path + (f"?{sorted(params.items())}" if params else "")
            got[key] = (response.status_code, response.json())
            return response.json()

        accounts = await list_all(client, f"{API}/accounts", headers)
        got["accounts"] = accounts
        for account in accounts:
            await get(f"/accounts/{account['id']}")
            await get(f"/accounts/{account['id']}/ledger")
        await get("/reports/trial-balance")
        await get("/reports/trial-balance", as_of=year_ago)
        journals = await list_all(client, f"{API}/journals", headers)
        got["journals"] = journals
        for journal in journals:
            await get(f"/journals/{journal['id']}")
        invoices = await list_all(client, f"{API}/invoices", headers)
        got["invoices"] = invoices
        for invoice in invoices:
            await get(f"/invoices/{invoice['id']}")
        payments = await list_all(client, f"{API}/payments", headers)
        got["payments"] = payments
        for payment in payments:
            await get(f"/payments/{payment['id']}")
        got["counterparties"] = await list_all(client, f"{API}/counterparties", headers)
        for kind in ("SALES", "PURCHASE"):
            await get("/reports/aging", kind=kind)
        got["fiscal-periods"] = await list_all(client, f"{API}/fiscal-periods", headers)
        got["fiscal-years"] = await list_all(client, f"{API}/fiscal-years", headers)
        await get("/posting-profile")
        await get("/company-profile")
        await get("/reports/balance-sheet", as_of=today.isoformat())
        await get("/reports/profit-and-loss", **{"from": year_ago, "to": today.isoformat()})
        await get("/reports/cash-flow", **{"from": year_ago, "to": today.isoformat()})
        async with container.db.read() as conn:
            got["books and counters"] = await tenant_books(conn, TENANT)
        # The next document number: the counters came along, so it follows on, in each copy.
        response = await client.post(
            f"{API}/journals",
            headers=headers,
            json={
                "date": today.isoformat(),
                "description": "after the move",
                "lines": [
                    {"account_code": "5120", "debit": "10.00"},
                    {"account_code": "1100", "credit": "10.00"},
                ],
            },
        )
        got["next journal"] = (response.status_code, response.json().get("number"))
        return got


def _sqlite(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}"


async def test_a_demo_tenant_moves_postgres_sqlite_postgres(
    tmp_path: Path, postgres_database_factory: Callable[[], Any]
) -> None:
    source: str = await postgres_database_factory()
    middle = _sqlite(tmp_path, "middle.db")
    target: str = await postgres_database_factory()
    cli("seed", database_url=source)
    first, second = tmp_path / "demo-1.jsonl.gz", tmp_path / "demo-2.jsonl.gz"

    cli("tenant", "export", "--tenant", TENANT, "--out", str(first), database_url=source)
    done = cli("tenant", "import", str(first), database_url=middle, COLUMNS="300")
    assert "verify OK" in done.stderr, done.stderr
    cli("tenant", "export", "--tenant", TENANT, "--out", str(second), database_url=middle)
    done = cli("tenant", "import", str(second), database_url=target, COLUMNS="300")
    assert "verify OK" in done.stderr, done.stderr

    expected = await _reports(source)
    assert expected["journals"]
    assert expected["invoices"]
    assert expected["payments"]
    statuses = {
        k: v[0] for k, v in expected.items() if k.startswith("/") and k != "/company-profile"
    }
    assert set(statuses.values()) == {200}, statuses
    assert expected["next journal"][0] == 201, expected["next journal"]
    for url in (middle, target):
        found = await _reports(url)
        assert found.keys() == expected.keys()
        for key, value in expected.items():
            assert found[key] == value, (url, key)
