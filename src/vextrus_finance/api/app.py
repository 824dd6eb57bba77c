"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from vextrus_finance import __version__
from vextrus_finance.api import problems
from vextrus_finance.api.context import CorrelationIdMiddleware, authorize
from vextrus_finance.api.observability import install_observability
from vextrus_finance.api.openapi_errors import document_errors
from vextrus_finance.api.query_params import reject_unknown_query_params
from vextrus_finance.api.routes import (
    accounts,
    aging,
    counterparties,
    fiscal_years,
    health,
    invoices,
    journals,
    mushak,
    payments,
    periods,
    profiles,
    reports,
    statements,
)
from vextrus_finance.api.security import edge as security_edge
from vextrus_finance.api.security.headers import SecurityHeadersMiddleware
from vextrus_finance.api.services import AppServices, attach, services
from vextrus_finance.bootstrap import Container
from vextrus_finance.settings import Environment, Settings, get_settings

log = logging.getLogger("vextrus_finance")


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """The app for `settings`, on `container` when one is given (the caller then owns and closes
    it); otherwise the lifespan bootstraps a container of its own and closes it at shutdown."""
    settings = settings or (container.settings if container else get_settings())
    refused = settings.production_problems()
    if refused:
        raise RuntimeError(f"refusing to start in {settings.environment}: " + "; ".join(refused))
    app_services = AppServices.create(settings, container)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.uses_development_secret:
            log.warning(
                "JWT_SECRET is not set: using the DEVELOPMENT secret. Anyone can mint tokens. "
                "Never run like this outside a developer machine."
            )
        async with services(app).running(settings):
            yield

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
    attach(app, app_services)
    problems.install(app, show_internal_errors=settings.environment is Environment.DEVELOPMENT)
    # Innermost first: CSRF, request limits, IP rate limit, CORS (the security edge); then
    # metrics, request logs and tracing, so the edge's refusals are counted and logged; then
    # correlation ids, so every refusal and log line carries one; then the headers on every
    # response; outermost, the client address as seen through trusted proxies.
    security_edge.install(app, settings, app_services.rate_limiter)
    install_observability(app, settings, app_services.drain)
    app.add_middleware(CorrelationIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)

    # Each resource router carries the full /api/v1 prefix itself, so a route's own path is
    # the template the permission table is keyed by; `authorize` runs for every one of them.
    # After `authorize`, every route refuses query parameters it does not declare.
    checked = [Depends(authorize), Depends(reject_unknown_query_params)]
    for module in (accounts, journals, periods, reports, statements):
        app.include_router(module.router, dependencies=checked)
    for module in (invoices, payments, profiles, aging, mushak):
        app.include_router(module.router, dependencies=checked)
    app.include_router(counterparties.router, dependencies=checked)
    app.include_router(fiscal_years.router, dependencies=checked)
    app.include_router(health.router, dependencies=[Depends(reject_unknown_query_params)])
    _document_errors_in_openapi(app)
    return app


def _document_errors_in_openapi(app: FastAPI) -> None:
    """/openapi.json with every status, header and problem document the routes can answer,
    derived from the routes once (api/openapi_errors.py, ADR 0052)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(app, generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
