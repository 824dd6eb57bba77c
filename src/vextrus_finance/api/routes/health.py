"""Liveness, readiness and the detailed health report.

Liveness checks nothing outside the process: a database outage must not make Kubernetes
restart healthy pods. Readiness checks what a request needs — the database answering within
HEALTH_CHECK_TIMEOUT_SECONDS, its schema at the migrations' head or ahead of it — and that the
process is not draining for shutdown. Both are read on every probe, so they recover by themselves
when the database returns. The checks themselves are in `api/probes.py`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from vextrus_finance.api.openapi_errors import problem_responses
from vextrus_finance.api.probes import Check
from vextrus_finance.api.problems import MEDIA_TYPE, PROBLEM_TYPE
from vextrus_finance.api.services import services

router = APIRouter(tags=["operations"])


async def _checks(request: Request) -> dict[str, Check]:
    return await services(request).probes.checks()


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


# 503: the problem document adds `failed` (the names) and `checks` (each one's status).
NOT_READY = problem_responses(503)


@router.get("/health/ready", responses=NOT_READY)
async def ready(request: Request) -> JSONResponse:
    return _answer(request, await _checks(request), up="ready")


@router.get("/health", responses=NOT_READY)
async def health(request: Request) -> JSONResponse:
    return _answer(request, await _checks(request), up="ok")
