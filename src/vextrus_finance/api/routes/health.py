"""Liveness, readiness and the detailed health report.

Liveness checks nothing outside the process: a database outage must not make Kubernetes
restart healthy pods. Readiness checks what a request needs — the database answering within
HEALTH_CHECK_TIMEOUT_SECONDS, its schema at the migrations' head or ahead of it — and that the
process is not draining for shutdown. Both are read on every probe, so they recover by themselves
when the database returns. Probes use connections of their own, not the request pool: a pool
saturated by load does not make a pod unready."""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from vextrus_finance.api.problems import MEDIA_TYPE, PROBLEM_TYPE
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure import migrations
from vextrus_finance.infrastructure.db.errors import is_connection_failure
from vextrus_finance.infrastructure.db.probes import probe_engine, schema_revision
from vextrus_finance.observability import metrics
from vextrus_finance.observability.drain import Drain

router = APIRouter(tags=["operations"])
Check = dict[str, Any]


@functools.cache
def _head() -> str:
    return migrations.head_revision()  # reads the migration scripts: once per process


@functools.cache
def _known() -> frozenset[str]:
    return migrations.known_revisions()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _engine(request: Request) -> AsyncEngine:
    """The probes' own engine (see `infrastructure/probes.py`), made on first use."""
    engine: AsyncEngine | None = getattr(request.app.state, "probe_engine", None)
    if engine is None:
        container: Container = request.app.state.container
        timeout = container.settings.health_check_timeout_seconds
        engine = request.app.state.probe_engine = probe_engine(container.db, timeout)
    return engine


async def _database_checks(request: Request) -> tuple[Check, Check]:
    """(database, migrations) from one connection: reachable in time, schema at head."""
    started = time.perf_counter()
    timeout = request.app.state.container.settings.health_check_timeout_seconds
    database: Check | None = None
    try:
        async with asyncio.timeout(timeout), _engine(request).connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
            database = {"status": "up", "latency_ms": _ms(started)}
            started = time.perf_counter()
            revision = await schema_revision(conn)
    except Exception as exc:
        if is_connection_failure(exc):
            metrics.connection_errors.inc()
        error = f"no answer within {timeout:g} s" if isinstance(exc, TimeoutError) else None
        down = {"status": "down", "error": error or type(exc).__name__, "latency_ms": _ms(started)}
        if database is not None:  # connected, but reading the schema version failed
            return database, down
        return down, {"status": "unknown", "error": "database unreachable"}
    head = _head()
    schema: Check = {"status": "up", "latency_ms": _ms(started), "revision": revision}
    if revision is not None and revision != head and revision not in _known():
        # A newer release migrated first (the rollout's migration Job runs before its canary).
        # Migrations are expand-only (ADR 0015), so this version still works on that schema and
        # stays ready: the stable track keeps serving while the canary is judged.
        schema.update(ahead_of=head)
    elif revision != head:
        schema.update(status="down", error=f"schema at {revision}, code expects {head}")
    return database, schema


def _shutdown_check(drain: Drain | None) -> Check:
    if drain is not None and drain.active:
        return {"status": "down", "error": "draining for shutdown", "latency_ms": 0.0}
    return {"status": "up", "latency_ms": 0.0}


async def _checks(request: Request) -> dict[str, Check]:
    database, schema = await _database_checks(request)
    shutdown = _shutdown_check(getattr(request.app.state, "drain", None))
    return {"database": database, "migrations": schema, "shutdown": shutdown}


def _answer(request: Request, checks: dict[str, Check], *, up: str) -> JSONResponse:
    failed = [name for name, check in checks.items() if check["status"] != "up"]
    if not failed:
        return JSONResponse({"status": up, "checks": checks})
    # A problem document naming what failed, so a human reading a probe log knows why.
    body = {
        "type": PROBLEM_TYPE + "not_ready",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "failing checks: " + ", ".join(failed),
        "code": "not_ready",
        "instance": request.url.path,
        "failed": failed,
        "checks": checks,
    }
    return JSONResponse(body, status_code=503, media_type=MEDIA_TYPE)


@router.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready")
async def ready(request: Request) -> JSONResponse:
    return _answer(request, await _checks(request), up="ready")


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    return _answer(request, await _checks(request), up="ok")
