"""Issue 16 against the real `vextrus-finance serve`: one tenant's parallel 200-line PDFs do not
starve another tenant, and SIGTERM during renders ends the process, workers and all, within
the grace period."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.system.server import Server, cli
from vextrus_finance.api.auth import mint_token
from vextrus_finance.settings import Settings

pytestmark = pytest.mark.slow
API = "/api/v1"
PARALLEL = 6
DESCRIPTION = ("Portland cement bag delivered to site " * 14)[:480]
COMPANY = {"name": "Vextrus Builders Ltd.", "address": "Gulshan-1, Dhaka", "bin": "0001234560101"}


def _headers(tenant: str, role: str) -> dict[str, str]:
    settings = Settings(jwt_secret=TEST_SECRET)
    token = mint_token(settings, tenant_id=tenant, roles=(role,), subject=f"{role}-{tenant}")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def pg_url(postgres_database_factory: Callable[[], Any]) -> str:
    url: str = await postgres_database_factory()
    return url


@pytest.fixture
def server(pg_url: str, tmp_path: Path) -> Iterator[Server]:
    server = Server(
        pg_url,
        tmp_path / "server.log",
        SHUTDOWN_DRAIN_SECONDS="0.5",
        SHUTDOWN_GRACE_SECONDS="10",
        DOCUMENT_RENDER_WORKERS="2",
        DOCUMENT_RENDER_PER_TENANT="1",
    )
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()


async def _issued_invoice(c: httpx.AsyncClient, lines: int) -> str:
    response = await c.put(f"{API}/company-profile", json=COMPANY)
    assert response.status_code == 200, response.text
    body = {
        "kind": "SALES",
        "counterparty": {"name": "Gulshan Heights Ltd.", "bin": "0098765430101"},
        "invoice_date": "2025-08-10",
        "due_date": "2025-09-09",
        "lines": [
            {
                "description": f"{n} {DESCRIPTION}",
                "quantity": "3",
                "unit_price": "1000",
                "vat_rate": "STANDARD",
            }
            for n in range(lines)
        ],
    }
    response = await c.post(f"{API}/invoices", json=body)
    assert response.status_code == 201, response.text
    invoice_id: str = response.json()["id"]
    response = await c.post(f"{API}/invoices/{invoice_id}/approve")
    assert response.status_code == 200, response.text
    return invoice_id


def _render_workers(pid: int) -> list[int]:
    """The server's spawned worker processes (not multiprocessing's resource tracker)."""
    pgrep = ["pgrep", "-P", str(pid)]
    result = subprocess.run(pgrep, check=False, capture_output=True, text=True)
    workers = []
    for child in result.stdout.split():
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"spawn_main" in cmdline:
            workers.append(int(child))
    return workers


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_parallel_large_pdfs_do_not_starve_another_tenant_and_sigterm_ends_them(
    server: Server, pg_url: str
) -> None:
    for tenant in ("t1", "t2"):
        cli("seed", "--tenant", tenant, database_url=pg_url)
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as setup:
        setup.headers.update(_headers("t1", "admin"))
        large = await _issued_invoice(setup, 200)
        setup.headers.update(_headers("t2", "admin"))
        small = await _issued_invoice(setup, 1)

    pdf = {"format": "pdf"}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
        hog = _headers("t1", "user")
        burst = [
            asyncio.create_task(
                c.get(f"{API}/invoices/{large}/mushak-6.3", params=pdf, headers=hog)
            )
            for _ in range(PARALLEL)
        ]
        await asyncio.sleep(1)  # the burst has arrived: one renders, the rest are refused
        other = await c.get(
            f"{API}/invoices/{small}/mushak-6.3", params=pdf, headers=_headers("t2", "user")
        )
        assert other.status_code == 200, other.text
        assert other.content.startswith(b"%PDF")
        answers = await asyncio.gather(*burst)
        statuses = sorted(r.status_code for r in answers)
        assert statuses.count(429) >= PARALLEL - 1, statuses
        assert all(r.headers.get("Retry-After") for r in answers if r.status_code == 429)
        assert set(statuses) <= {200, 429, 503}, statuses

        # SIGTERM while a render of a new language (not stored yet) is in progress.
        rendering = asyncio.create_task(
            c.get(
                f"{API}/invoices/{large}/mushak-6.3",
                params={"format": "pdf", "lang": "bn"},
                headers=hog,
            )
        )
        await asyncio.sleep(1)
        assert server.process is not None
        workers = _render_workers(server.process.pid)
        assert workers, "the render workers run as child processes"
        server.process.send_signal(signal.SIGTERM)
        sigterm_at = time.monotonic()
        exit_code = await asyncio.to_thread(server.process.wait, 30)
        exited_after = time.monotonic() - sigterm_at
        await asyncio.gather(rendering, return_exceptions=True)
    assert exit_code == 0
    assert exited_after < 10, exited_after  # within SHUTDOWN_GRACE_SECONDS
    assert not [pid for pid in workers if _exists(pid)]
