"""Wiring metrics, request logs and tracing into the app: one call from the app factory.

`install_observability` adds the request middleware and `/metrics`, installs tracing when it
is configured, and wraps the app's lifespan so the database engines are traced once they exist
and spans are flushed at shutdown."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vextrus_finance.api.middleware import HttpMiddleware
from vextrus_finance.api.services import AppServices, services
from vextrus_finance.infrastructure.ledger.variance import trial_balance_variance
from vextrus_finance.observability import metrics, tracing
from vextrus_finance.observability.drain import Drain
from vextrus_finance.settings import Settings

METRICS_PATH = "/metrics"
VARIANCE_TIMEOUT_S = 1.0
# Anything else a client sends as a method would be a new label value.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_QUIET_PREFIXES = ("/health", METRICS_PATH)  # probes and scrapes: logged at debug only

access_log = structlog.stdlib.get_logger("vextrus_finance.access")
log = structlog.stdlib.get_logger("vextrus_finance.observability")


def route_label(scope: Scope) -> str:
    """The matched route's template (`/api/v1/journals/{journal_id}`), never the raw path:
    ids in labels would make a series per journal."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else metrics.UNMATCHED_ROUTE


class RequestObservabilityMiddleware(HttpMiddleware):
    """Counts, times and logs every HTTP request (except scrapes of /metrics itself)."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        super().__init__(app)
        self.drain = drain

    def passes(self, scope: Scope) -> bool:
        return bool(scope["path"] == METRICS_PATH)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500  # if the app raises before answering, the client gets a 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if self.drain.active:
                    # Keep-alive clients reconnect, reaching pods that are not shutting down
                    # instead of a connection that is about to close under them.
                    message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        metrics.http_in_flight.inc()
        try:
            await self.app(scope, receive, send_and_record)
        finally:
            metrics.http_in_flight.dec()
            elapsed = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            route = route_label(scope)
            metrics.http_requests.labels(method, route, str(status)).inc()
            metrics.http_duration.labels(method, route).observe(elapsed)
            _log_request(scope, method, route, status, elapsed)


def _log_request(scope: Scope, method: str, route: str, status: int, elapsed: float) -> None:
    state = scope.get("state", {})
    ctx = state.get("context")
    quiet = status < 400 and scope["path"].startswith(_QUIET_PREFIXES)
    (access_log.debug if quiet else access_log.info)(
        "request",
        method=method,
        route=route,
        path=scope["path"],
        status=status,
        duration_ms=round(elapsed * 1000, 2),
        correlation_id=state.get("correlation_id"),
        tenant=getattr(ctx, "tenant_id", None),
        user=getattr(ctx, "user_id", None),
    )


async def _refresh_variance(app_services: AppServices) -> None:
    """Computed at scrape time from the accounts read model. If the database does not answer
    in time (or the app has not started) the last value stays: a scrape must not hang, and an
    outage must not look like an imbalance."""
    try:
        db = app_services.container.db
        async with asyncio.timeout(VARIANCE_TIMEOUT_S), db.read() as conn:
            metrics.trial_balance_variance.set(await trial_balance_variance(conn))
    except Exception as exc:
        log.debug("trial balance variance not refreshed", error=type(exc).__name__)


async def metrics_endpoint(request: Request) -> Response:
    await _refresh_variance(services(request))
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


def install_observability(app: FastAPI, settings: Settings, drain: Drain) -> None:
    metrics.set_build_info(settings.deployment_version, settings.deployment_track)
    app.add_middleware(RequestObservabilityMiddleware, drain=drain)
    # Unauthenticated like the probes: it holds no tenant data, only counts.
    app.add_api_route(METRICS_PATH, metrics_endpoint, methods=["GET"], include_in_schema=False)
    provider = tracing.install(app, settings)
    if provider is None:
        return
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            db = services(app).container.db
            tracing.instrument_engines(provider, [db.write_engine, db.read_engine])
            try:
                yield state
            finally:
                await tracing.flush(provider)

    app.router.lifespan_context = lifespan
