"""A crash of the server process loses no acknowledged write (both databases)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.system.server import Server


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(database_url, tmp_path / "server.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


async def test_acknowledged_writes_survive_a_crash(server: Server, auth: object) -> None:
    headers = auth("acme", ("admin",))  # type: ignore[operator]
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
        ids = {}
        for code, kind in (("1100", "ASSET"), ("4100", "REVENUE")):
            response = await client.post(
                "/api/v1/accounts", json={"code": code, "name": f"Account {code}", "type": kind}
            )
            assert response.status_code == 201, response.text
            ids[code] = response.json()["id"]

        async def post(n: int) -> tuple[str, Decimal]:
            amount = Decimal(n) + Decimal("0.25")
            body = {
                "date": "2025-10-05",
                "description": f"crash test {n}",
                "post": True,
                "lines": [
                    {"account_id": ids["1100"], "debit": str(amount)},
                    {"account_code": "4100", "credit": str(amount)},
                ],
            }
            response = await client.post("/api/v1/journals", json=body)
            assert response.status_code == 201, response.text
            return response.json()["id"], amount

        acknowledged = await asyncio.gather(*(post(n) for n in range(1, 41)))
    server.kill()
    server.start()
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
        for journal_id, amount in acknowledged:
            response = await client.get(f"/api/v1/journals/{journal_id}")
            assert response.status_code == 200
            assert response.json()["status"] == "POSTED"
            assert Decimal(response.json()["total_debit"]) == amount
        balance = await client.get("/api/v1/reports/trial-balance", params={"as_of": "2025-10-31"})
    expected = sum(amount for _, amount in acknowledged)
    totals = balance.json()["totals"]
    assert balance.json()["totals"]["balanced"] is True
    assert Decimal(totals["debit"]) == Decimal(totals["credit"]) == expected
    net = {e["code"]: Decimal(e["net"]) for e in balance.json()["entries"]}
    assert net == {"1100": expected, "4100": expected}
