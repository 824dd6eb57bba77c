"""The security edge: CORS, CSRF, rate limits and request limits, installed in one place.
Security headers, proxy headers and correlation ids wrap these (see api/app.py)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from vextrus_finance.api.problems import problem
from vextrus_finance.api.security.cors import install_cors
from vextrus_finance.api.security.csrf import CsrfMiddleware
from vextrus_finance.api.security.rate_limit import (
    IpRateLimitMiddleware,
    RateLimited,
    RateLimiter,
    rate_limit_headers,
)
from vextrus_finance.api.security.request_limits import RequestLimitsMiddleware
from vextrus_finance.settings import Settings


def install(app: FastAPI, settings: Settings, limiter: RateLimiter) -> None:
    """Middleware is listed innermost first (Starlette wraps each new one around the last).
    `limiter` is the app's one limiter: `authorize` counts the per-user limit in it too."""
    app.add_middleware(
        CsrfMiddleware,
        auth_cookie=settings.auth_cookie_name,
        csrf_cookie=settings.csrf_cookie_name,
        csrf_header=settings.csrf_header_name,
    )
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        timeout_s=settings.request_timeout_seconds,
    )
    app.add_middleware(
        IpRateLimitMiddleware, limiter=limiter, per_minute=settings.rate_limit_ip_per_minute
    )
    install_cors(app, settings.cors_origins)

    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        return problem(
            request, 429, "rate_limited", str(exc), headers=rate_limit_headers(exc.decision)
        )
