"""Operability against the real `vextrus-finance serve` on PostgreSQL: a real Prometheus
scraping it, the request log and what it must never contain, OTLP tracing, readiness
following the database, and SIGTERM under load."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import ROOT, TEST_SECRET, free_port
from tests.metrics_helpers import parse, value
from tests.system.otlp import Receiver
from tests.system.prometheus import Prometheus
from tests.system.server import Server, cli
from vextrus_finance.api.auth import mint_token
from vextrus_finance.infrastructure.db.database import async_url
from vextrus_finance.settings import DEVELOPMENT_JWT_SECRET, Settings

pytestmark = pytest.mark.slow
API = "/api/v1"
JOURNAL_ROUTE = "/api/v1/journals/{journal_id}"
LISTED_SERIES = {
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_requests_in_flight",
    "eventstore_append_duration_seconds_bucket",
    "eventstore_events_appended_total",
    "eventstore_concurrency_conflicts_total",
    "eventstore_connection_errors_total",
    "eventstore_snapshots_total",
    "eventstore_snapshot_duration_seconds_bucket",
    "eventstore_snapshot_errors_total",
    "finance_journals_posted_total",
    "finance_invoices_total",
    "finance_payments_total",
    "finance_trial_balance_variance",
    "finance_build_info",
}


def token(tenant: str = "t1", sub: str = "user-1") -> str:
    """Signed as the servers' JWT_SECRET expects (not a fixture: those run once per backend)."""
    settings = Settings(jwt_secret=TEST_SECRET)
    return mint_token(settings, tenant_id=tenant, roles=("admin",), subject=sub)


def auth(tenant: str = "t1") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(tenant)}"}


@pytest.fixture
async def pg_url(postgres_database_factory: Callable[[], Any]) -> str:
    url: str = await postgres_database_factory()
    return url


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    """Servers a test starts; each is stopped at the end whatever happens."""
    started: list[Server] = []
    yield started
    for server in started:
        if server.process is not None and server.process.poll() is None:
            server.kill()


def _start(servers: list[Server], url: str, log: Path, **env: str) -> Server:
    server = Server(url, log, **env)
    servers.append(server)
    server.start()
    return server


async def _chart_and_journal(client: httpx.AsyncClient) -> str:
    for code, kind in (("1000", "ASSET"), ("4000", "REVENUE")):
        response = await client.post(
            f"{API}/accounts", json={"code": code, "name": f"Account {code}", "type": kind}
        )
        assert response.status_code == 201, response.text
    body = {
        "date": "2025-08-01",
        "description": "observed",
        "post": True,
        "lines": [
            {"account_code": "1000", "debit": "100.00"},
            {"account_code": "4000", "credit": "100.00"},
        ],
    }
    response = await client.post(f"{API}/journals", json=body)
    assert response.status_code == 201, response.text
    journal_id: str = response.json()["id"]
    return journal_id


# --- Prometheus ----------------------------------------------------------------------------


async def test_a_real_prometheus_scrapes_every_listed_series(
    pg_url: str, tmp_path: Path, servers: list[Server]
) -> None:
    server = _start(
        servers,
        pg_url,
        tmp_path / "server.log",
        DEPLOYMENT_VERSION="9.8.7",
        DEPLOYMENT_TRACK="canary",
    )
    async with httpx.AsyncClient(base_url=server.url, headers=auth(), timeout=30) as client:
        journal_id = await _chart_and_journal(client)
        for _ in range(3):
            assert (await client.get(f"{API}/journals/{journal_id}")).status_code == 200

    prometheus = Prometheus(f"127.0.0.1:{server.port}", tmp_path)
    prometheus.start()
    try:
        series = (
            f'http_requests_total{{job="finance",method="GET",route="{JOURNAL_ROUTE}",code="200"}}'
        )
        [sample] = prometheus.wait_for(series, lambda r: len(r) == 1)
        assert float(sample["value"][1]) == 3
        assert set(sample["metric"]) == {"__name__", "job", "instance", "method", "route", "code"}

        names = prometheus.wait_for(
            'group by (__name__) ({job="finance"})',
            lambda r: {s["metric"]["__name__"] for s in r} >= LISTED_SERIES,
        )
        assert not [s for s in names if "tenant" in json.dumps(s["metric"])]

        def scalar(promql: str) -> float:
            [only] = prometheus.query(promql)
            return float(only["value"][1])

        assert scalar('finance_build_info{version="9.8.7",track="canary"}') == 1
        assert scalar("finance_journals_posted_total") == 1
        assert scalar("finance_trial_balance_variance") == 0
        assert scalar('eventstore_events_appended_total{event_type="JournalPosted"}') == 1
        p95 = scalar(
            "histogram_quantile(0.95, sum by (le) "
            f'(http_request_duration_seconds_bucket{{route="{JOURNAL_ROUTE}"}}))'
        )
        assert 0 < p95 < 5  # the buckets resolve it
    finally:
        prometheus.stop()


# --- logs ------------------------------------------------------------------------------------


async def test_one_json_line_per_request_and_no_secret_in_the_log(
    pg_url: str, tmp_path: Path, servers: list[Server]
) -> None:
    password = "Pw-never-logged-7f3a9c"
    with_password = make_url(pg_url).set(password=password).render_as_string(hide_password=False)
    log = tmp_path / "server.log"
    server = _start(servers, with_password, log, LOG_LEVEL="DEBUG")
    good = token("acme", "user-42")
    forged = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        created = await client.post(
            f"{API}/accounts",
            json={"code": "1000", "name": "Cash", "type": "ASSET"},
            headers={"Authorization": f"Bearer {good}", "X-Correlation-ID": "corr-log-1"},
        )
        assert created.status_code == 201
        assert created.headers["x-correlation-id"] == "corr-log-1"
        rejected = await client.get(
            f"{API}/accounts", headers={"Authorization": f"Bearer {forged}"}
        )
        assert rejected.status_code == 401
        # A secret in the query string must not reach the log either.
        await client.get(f"/nowhere?password={password}&token={good}")
    assert server.stop() == 0

    text = log.read_text()
    for secret in (password, good, forged, good.split(".")[2]):
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # all JSON
    [request] = [
        line
        for line in lines
        if line.get("correlation_id") == "corr-log-1" and line.get("event") == "request"
    ]
    assert request["route"] == "/api/v1/accounts"
    assert request["method"] == "POST"
    assert request["status"] == 201
    assert request["tenant"] == "acme"
    assert request["user"] == "user-42"
    assert request["duration_ms"] > 0
    assert request["level"] == "info"
    assert any(line.get("status") == 401 and line.get("tenant") is None for line in lines)
    assert any(line.get("path") == "/nowhere" for line in lines)  # logged, without its query
    assert any(
        "***" in str(line.get("event")) and "serving" in str(line.get("event")) for line in lines
    )
    assert any(line.get("logger", "").startswith("uvicorn") for line in lines)  # same format

    # The correlation id is carried into the event's metadata.
    engine = create_async_engine(async_url(pg_url))
    try:
        async with engine.connect() as conn:
            metadata = (await conn.execute(sa.text("SELECT metadata FROM events"))).scalar_one()
    finally:
        await engine.dispose()
    assert metadata["correlation_id"] == "corr-log-1"
    assert metadata["user_id"] == "user-42"


# --- tracing ---------------------------------------------------------------------------------


async def test_requests_and_sql_are_traced_over_otlp_with_trace_ids_in_the_log(
    pg_url: str, tmp_path: Path, servers: list[Server]
) -> None:
    log = tmp_path / "server.log"
    with Receiver() as receiver:
        server = _start(
            servers,
            pg_url,
            log,
            LOG_LEVEL="INFO",
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url,
            OTEL_BSP_SCHEDULE_DELAY="100",
        )
        async with httpx.AsyncClient(base_url=server.url, headers=auth(), timeout=30) as c:
            created = await c.post(
                f"{API}/accounts", json={"code": "1000", "name": "Cash", "type": "ASSET"}
            )
            assert created.status_code == 201
        assert server.stop() == 0  # shutdown flushes what the batch processor still holds
    assert set(receiver.paths) == {"/v1/traces"}
    http = [s for s in receiver.spans if s["name"] == "POST /api/v1/accounts"]
    assert http, [s["name"] for s in receiver.spans]
    trace_id = http[0]["trace_id"]
    sql = [
        s
        for s in receiver.spans
        if s["trace_id"] == trace_id and ({"db.statement", "db.query.text"} & s["attributes"])
    ]
    assert sql, "no database span in the request's trace"
    assert http[0]["resource"]["service.name"] == "vextrus-finance"
    assert not [s for s in receiver.spans if "/health" in s["name"]]  # probes are not traced
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    [request] = [line for line in lines if line.get("route") == "/api/v1/accounts"]
    assert request["trace_id"] == trace_id


# --- readiness follows the database ----------------------------------------------------------


def _pg_cluster(*args: str) -> str:
    return subprocess.run(
        [str(ROOT / "scripts" / "pg-cluster"), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PG_FSYNC": "off"},
        timeout=120,
    ).stdout.strip()


@pytest.fixture
def own_cluster() -> Iterator[tuple[str, Path, int]]:
    """A PostgreSQL cluster this test alone may stop and start. Not under pytest's tmp_path:
    the postgres user must be able to reach the directory."""
    workdir = Path(tempfile.mkdtemp(prefix="vf-own-pg-"))
    port = free_port()
    url = _pg_cluster("start", str(workdir), str(port))
    try:
        yield url, workdir, port
    finally:
        subprocess.run(
            [str(ROOT / "scripts" / "pg-cluster"), "stop", str(workdir)],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def _poll(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until the condition held; fails after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


def test_readiness_follows_the_database_without_a_restart(
    own_cluster: tuple[str, Path, int], tmp_path: Path, servers: list[Server]
) -> None:
    url, workdir, port = own_cluster
    server = _start(servers, url, tmp_path / "server.log")
    get = lambda path: httpx.get(server.url + path, timeout=10)  # noqa: E731
    assert get("/health/ready").status_code == 200

    _pg_cluster("stop", str(workdir))
    took = _poll(lambda: get("/health/ready").status_code == 503, timeout=10)
    assert took < 5
    ready = get("/health/ready").json()
    assert ready["failed"][0] == "database"
    assert ready["checks"]["database"]["status"] == "down"
    assert get("/health/live").status_code == 200  # the process is fine: no restart
    detail = get("/health")
    assert detail.status_code == 503
    assert detail.json()["checks"]["database"]["latency_ms"] >= 0
    errors = value(parse(get("/metrics").text), "eventstore_connection_errors_total")
    assert errors >= 1

    _pg_cluster("start", str(workdir), str(port))
    _poll(lambda: get("/health/ready").status_code == 200, timeout=20)
    assert get("/health").status_code == 200
    assert get("/health/live").status_code == 200
    assert server.process is not None
    assert server.process.poll() is None
    # And it serves again: the pool replaced its dead connections.
    created = httpx.post(
        f"{server.url}{API}/accounts",
        json={"code": "1000", "name": "Cash", "type": "ASSET"},
        headers=auth(),
        timeout=30,
    )
    assert created.status_code == 201, created.text


# --- graceful shutdown -----------------------------------------------------------------------

LOAD = 12  # concurrent slow requests in flight at SIGTERM
BATCH = 150  # journals per request: real work, a second or more each on this machine


def _batch(n: int) -> dict[str, Any]:
    journal = {
        "date": "2025-08-01",
        "post": True,
        "lines": [
            {"account_code": "1000", "debit": "10.00"},
            {"account_code": "4000", "credit": "10.00"},
        ],
    }
    return {
        # Non-atomic: journal by journal, each in its own savepoint — the slow path, so the
        # requests are still in flight past the drain. An atomic batch is set-based (ADR 0022)
        # and 12 of them can finish inside the 3-second drain.
        "atomic": False,
        "journals": [{**journal, "description": f"load {n}.{i}"} for i in range(BATCH)],
    }


async def test_sigterm_under_load_finishes_every_request_and_exits_0(
    pg_url: str, tmp_path: Path, servers: list[Server]
) -> None:
    drain, grace = 3.0, 40.0
    server = _start(
        servers,
        pg_url,
        tmp_path / "server.log",
        SHUTDOWN_DRAIN_SECONDS=str(drain),
        SHUTDOWN_GRACE_SECONDS=str(grace),
    )
    headers = auth()
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60) as setup:
        for code, kind in (("1000", "ASSET"), ("4000", "REVENUE")):
            response = await setup.post(
                f"{API}/accounts", json={"code": code, "name": code, "type": kind}
            )
            assert response.status_code == 201

    sigterm_at: float | None = None
    finished: list[tuple[int, float]] = []

    async def slow(n: int) -> None:
        # One connection per request, as separate clients would.
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=120) as c:
            response = await c.post(f"{API}/journals/batch", json=_batch(n))
        finished.append((response.status_code, time.monotonic()))

    load = [asyncio.create_task(slow(n)) for n in range(LOAD)]
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as probe:
        # SIGTERM once the server itself counts the whole load in flight.
        while True:
            text = (await probe.get("/metrics")).text
            if value(parse(text), "http_requests_in_flight") >= LOAD:
                break
            assert not all(t.done() for t in load), "the load finished before SIGTERM"
            await asyncio.sleep(0.05)
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        sigterm_at = time.monotonic()

        # Readiness turns 503 at once; other requests are still served during the drain.
        ready = await probe.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["failed"] == ["shutdown"]
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as late:
            during = await late.get(f"{API}/accounts")
        assert during.status_code == 200
        assert during.headers["connection"] == "close"  # keep-alive clients move elsewhere
        assert time.monotonic() - sigterm_at < drain

    await asyncio.gather(*load)
    exit_code = await asyncio.to_thread(server.process.wait, grace + 10)
    exited_after = time.monotonic() - sigterm_at
    assert [status for status, _ in finished] == [201] * LOAD
    # They really were in flight: some even outlived the drain and were waited for.
    assert any(at > sigterm_at + drain for _, at in finished)
    assert exit_code == 0
    assert exited_after < grace

    # Every acknowledged batch is in the database.
    engine = create_async_engine(async_url(pg_url))
    try:
        async with engine.connect() as conn:
            count = (await conn.execute(sa.text("SELECT count(*) FROM journals"))).scalar_one()
    finally:
        await engine.dispose()
    assert count == LOAD * BATCH


def test_production_refuses_to_start_naming_what_is_missing_without_printing_credentials() -> None:
    password = "Pw-never-printed-42"
    result = cli(
        "serve",
        database_url=f"postgresql://finance:{password}@127.0.0.1:1/ledger",
        check=False,
        ENVIRONMENT="production",
        JWT_SECRET=DEVELOPMENT_JWT_SECRET,
    )
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "JWT_SECRET is the development secret" in output
    assert password not in output
