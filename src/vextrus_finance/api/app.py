"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import Depends, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from vextrus_finance import __version__
from vextrus_finance.api import problems
from vextrus_finance.api.auth import TokenVerifier
from vextrus_finance.api.context import CorrelationIdMiddleware, authorize
from vextrus_finance.api.observability import install_observability
from vextrus_finance.api.query_params import reject_unknown_query_params
from vextrus_finance.api.routes import (
    accounts,
    aging,
    counterparties,
    health,
    invoices,
    journals,
    mushak,
    payments,
    periods,
    profiles,
    reports,
)
from vextrus_finance.api.security import edge as security_edge
from vextrus_finance.api.security.headers import SecurityHeadersMiddleware
from vextrus_finance.application.context import utc_now
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.infrastructure.db.database import redacted
from vextrus_finance.infrastructure.db.idempotency import purge_expired
from vextrus_finance.settings import Environment, Settings, get_settings

log = logging.getLogger("vextrus_finance")


PURGE_INTERVAL_S = 3600


async def _purge_idempotency_keys(container: Container) -> None:
    """Idempotency keys are kept for IDEMPOTENCY_TTL_HOURS, then removed hourly."""
    ttl = timedelta(hours=container.settings.idempotency_ttl_hours)
    while True:
        try:
            async with container.db.write() as conn:
                removed = await purge_expired(conn, older_than=utc_now() - ttl)
            if removed:
                log.info("purged %d expired idempotency keys", removed)
        except Exception:
            log.warning("purging idempotency keys failed; will retry", exc_info=True)
        await asyncio.sleep(PURGE_INTERVAL_S)


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    settings = settings or (container.settings if container else get_settings())
    refused = settings.production_problems()
    if refused:
        raise RuntimeError(f"refusing to start in {settings.environment}: " + "; ".join(refused))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        app.state.container = container or bootstrap(settings)
        if settings.uses_development_secret:
            log.warning(
                "JWT_SECRET is not set: using the DEVELOPMENT secret. Anyone can mint tokens. "
                "Never run like this outside a developer machine."
            )
        if settings.migrate_on_start:
            await app.state.container.migrate()
        log.info("serving %s", redacted(settings.database_url))
        purger = asyncio.create_task(_purge_idempotency_keys(app.state.container))
        if owned:
            # A served process starts its render workers (and their fonts) before it takes
            # traffic, so starting them neither delays a first PDF nor competes with the first
            # requests for the CPU; `close` below kills them, so SIGTERM never waits for one.
            pool = app.state.container.render_pool()
            pool.prestart()
            await pool.warm()
        try:
            yield
        finally:
            purger.cancel()
            if owned:
                await app.state.container.close()

    docs = settings.show_docs
    app = FastAPI(
        title="Vextrus Finance",
        version=__version__,
        description="Event-sourced ledger for Bangladeshi construction and real-estate firms.",
        lifespan=lifespan,
        # /openapi.json is part of the contract (api.md, no auth) in every environment; only
        # the Swagger page, which needs a looser CSP, is off in production.
        docs_url="/docs" if docs else None,
        redoc_url=None,
    )
    app.state.verifier = TokenVerifier(settings)
    app.state.auth_cookie_name = settings.auth_cookie_name
    if container is not None:
        app.state.container = container
    problems.install(app, show_internal_errors=settings.environment is Environment.DEVELOPMENT)
    # Innermost first: CSRF, request limits, IP rate limit, CORS (the security edge); then
    # metrics, request logs and tracing, so the edge's refusals are counted and logged; then
    # correlation ids, so every refusal and log line carries one; then the headers on every
    # response; outermost, the client address as seen through trusted proxies.
    security_edge.install(app, settings)
    install_observability(app, settings)
    app.add_middleware(CorrelationIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)

    # Each resource router carries the full /api/v1 prefix itself, so a route's own path is
    # the template the permission table is keyed by; `authorize` runs for every one of them.
    # After `authorize`, every route refuses query parameters it does not declare.
    checked = [Depends(authorize), Depends(reject_unknown_query_params)]
    for module in (accounts, journals, periods, reports):
        app.include_router(module.router, dependencies=checked)
    for module in (invoices, payments, profiles, aging, mushak):
        app.include_router(module.router, dependencies=checked)
    app.include_router(counterparties.router, dependencies=checked)
    app.include_router(health.router, dependencies=[Depends(reject_unknown_query_params)])
    return app
