"""Liveness and readiness. Liveness checks nothing outside the process; readiness checks the
database answers and its schema is at the migrations' head."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure import migrations

router = APIRouter(tags=["operations"])
CHECK_TIMEOUT_S = 2.0


async def _database(container: Container) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S), container.db.read_engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
            revision = await migrations.current_revision(conn)
    except Exception as exc:
        return {"status": "down", "error": type(exc).__name__, "latency_ms": _ms(started)}
    head = migrations.head_revision()
    status = "up" if revision == head else "down"
    result: dict[str, Any] = {"status": status, "latency_ms": _ms(started)}
    if revision != head:
        result["error"] = f"schema at {revision}, code expects {head}"
    return result


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


@router.get("/health/live", include_in_schema=True)
async def live() -> dict[str, str]:
    return {"status": "ok"}


async def _report(request: Request, *, up: str, down: str) -> JSONResponse:
    database = await _database(request.app.state.container)
    ok = database["status"] == "up"
    body = {"status": up if ok else down, "checks": {"database": database}}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/health/ready")
async def ready(request: Request) -> JSONResponse:
    return await _report(request, up="ready", down="not_ready")


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    return await _report(request, up="ok", down="error")
