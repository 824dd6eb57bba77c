"""PostgreSQL stopped and started again under mixed traffic costs clients nothing but latency
(ADR 0051): during the outage the service answers 503 with Retry-After (never another 5xx);
after it every read and write succeeds; every acknowledged write is there exactly once; and
the connection errors were counted.

The test restarts PostgreSQL, so it runs its own throwaway cluster (scripts/pg-cluster), never
the suite's shared one. SQLite has no server to restart: its side is the read retry's unit test
(tests/integration/test_connection_loss.py)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port, make_settings
from tests.metrics_helpers import parse, value
from tests.system.server import Server
from vextrus_finance.api.auth import mint_token

pytestmark = pytest.mark.slow

OUTAGE_S = 5.0
GRACE_S = 1.0  # after PostgreSQL is back, the first second may still see the outage
PG_CLUSTER = str(ROOT / "scripts" / "pg-cluster")


class Cluster:
    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="vf-failover-")
        self.port = free_port()
        self.env = {**os.environ, "PG_FSYNC": "off"}

    def start(self) -> str:
        return subprocess.run(
            [PG_CLUSTER, "start", self.dir, str(self.port)],
            check=True,
            capture_output=True,
            text=True,
            env=self.env,
        ).stdout.strip()

    def stop(self) -> None:
        subprocess.run([PG_CLUSTER, "stop", self.dir], check=True, env=self.env)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if shutil.which("pg_config") is None and not list(Path("/usr/lib/postgresql").glob("*/bin")):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries are missing")
        pytest.skip("PostgreSQL server binaries are missing")
    running = Cluster()
    try:
        yield running
    finally:
        subprocess.run([PG_CLUSTER, "stop", running.dir], check=False, capture_output=True)
        shutil.rmtree(running.dir, ignore_errors=True)


@dataclass
class Seen:
    """Every answer, by phase: (phase, method, status, has Retry-After)."""

    outage_from: float = float("inf")
    back_at: float = float("inf")
    answers: list[tuple[str, str, int, bool]] = field(default_factory=list)

    def note(self, method: str, response: httpx.Response) -> None:
        now = time.monotonic()
        if now < self.outage_from:
            phase = "before"
        elif now < self.back_at + GRACE_S:
            phase = "outage"
        else:
            phase = "after"
        retry_after = "retry-after" in response.headers
        self.answers.append((phase, method, response.status_code, retry_after))

    def bad(self) -> list[tuple[str, str, int, bool]]:
        """5xx that are not allowed: any after recovery, and any but 503 + Retry-After before."""
        return [
            a for a in self.answers if a[2] >= 500 and (a[0] == "after" or a[2] != 503 or not a[3])
        ]


async def test_postgresql_restart_under_traffic(cluster: Cluster, tmp_path: Path) -> None:
    url = cluster.start()
    server = Server(
        url,
        tmp_path / "server.log",
        DATABASE_POOL_SIZE="6",
        RATE_LIMIT_PER_MINUTE="0",
        RATE_LIMIT_IP_PER_MINUTE="0",
    )
    server.start()
    try:
        await _traffic_through_a_restart(server, cluster, url)
    finally:
        server.stop()


async def _traffic_through_a_restart(server: Server, cluster: Cluster, url: str) -> None:
    token = mint_token(make_settings(url), tenant_id="acme", roles=("admin",), subject="u1")
    headers = {"Authorization": f"Bearer {token}"}
    seen = Seen()
    acknowledged: dict[str, tuple[str, Decimal]] = {}  # key -> (journal id, amount)
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
        for code, kind in (("1100", "ASSET"), ("4100", "REVENUE")):
            response = await client.post(
                "/api/v1/accounts", json={"code": code, "name": f"Account {code}", "type": kind}
            )
            assert response.status_code == 201, response.text
        errors_before = value(
            parse((await client.get("/metrics")).text), "eventstore_connection_errors_total"
        )

        async def writer(w: int) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                key = f"failover-{w}-{n}-{uuid.uuid4().hex[:8]}"
                amount = Decimal(w * 1000 + n) / 100
                body = {
                    "date": "2025-10-05",
                    "description": key,
                    "post": True,
                    "lines": [
                        {"account_code": "1100", "debit": str(amount)},
                        {"account_code": "4100", "credit": str(amount)},
                    ],
                }
                # A client retries a refused write with the same key until it is answered.
                while True:
                    try:
                        response = await client.post(
                            "/api/v1/journals", json=body, headers={"Idempotency-Key": key}
                        )
                    except httpx.TransportError:
                        await asyncio.sleep(0.2)
                        continue
                    seen.note("POST", response)
                    if response.status_code == 201:
                        acknowledged[key] = (response.json()["id"], amount)
                        break
                    assert response.status_code == 503, response.text
                    await asyncio.sleep(0.2)

        async def reader(r: int) -> None:
            paths = ("/api/v1/reports/trial-balance?as_of=2025-10-31", "/api/v1/accounts")
            i = r
            while not stop.is_set():
                i += 1
                response = await client.get(paths[i % 2])
                seen.note("GET", response)
                assert response.status_code in (200, 503), response.text
                await asyncio.sleep(0.01)

        tasks = [asyncio.create_task(writer(w)) for w in range(1, 4)]
        tasks += [asyncio.create_task(reader(r)) for r in range(3)]
        await asyncio.sleep(2)
        seen.outage_from = time.monotonic()
        await asyncio.to_thread(cluster.stop)
        await asyncio.sleep(OUTAGE_S)
        await asyncio.to_thread(cluster.start)
        seen.back_at = time.monotonic()
        await asyncio.sleep(GRACE_S + 3)
        stop.set()
        await asyncio.gather(*tasks)

        summary = Counter(seen.answers)
        print(sorted(summary.items()))  # shown with -s or on failure
        assert seen.bad() == [], (seen.bad()[:20], summary)
        phases = {phase for phase, *_ in seen.answers}
        assert phases == {"before", "outage", "after"}
        after = [a for a in seen.answers if a[0] == "after"]
        assert {m for _, m, s, _ in after if s < 300} == {"GET", "POST"}, after[:20]

        # Every acknowledged write is there, exactly once.
        for key, (journal_id, amount) in acknowledged.items():
            response = await client.get(f"/api/v1/journals/{journal_id}")
            assert response.status_code == 200, response.text
            assert response.json()["description"] == key
            assert Decimal(response.json()["total_debit"]) == amount
        balance = await client.get("/api/v1/reports/trial-balance", params={"as_of": "2025-10-31"})
        assert balance.status_code == 200
        expected = sum((amount for _, amount in acknowledged.values()), Decimal(0))
        net = {e["code"]: Decimal(e["net"]) for e in balance.json()["entries"]}
        assert net == {"1100": expected, "4100": expected}

        errors_after = value(
            parse((await client.get("/metrics")).text), "eventstore_connection_errors_total"
        )
        assert errors_after > errors_before
