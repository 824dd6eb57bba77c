"""CORS: an exact allow-list. Starlette's CORSMiddleware answers allowed origins and preflights;
the guard in front of it refuses every other cross-origin request with 403 and no CORS headers,
a refusal rather than an error."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from vextrus_finance.api.problems import refuse

ALLOWED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-Tenant-ID",
    "X-Correlation-ID",
    "Idempotency-Key",
    "If-Match",
    "X-CSRF-Token",
]
EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "X-Correlation-ID",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
]
PREFLIGHT_MAX_AGE_S = 86400


def _same_origin(scope: Scope, origin: str) -> bool:
    """A browser also sends Origin on same-origin writes (the /docs page does)."""
    host = Headers(scope=scope).get("host")
    return host is not None and origin == f"{scope.get('scheme', 'http')}://{host}"


class OriginGuardMiddleware:
    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = frozenset(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            origin = Headers(scope=scope).get("origin")
            refused = origin is not None and origin not in self.allowed
            if origin is not None and refused and not _same_origin(scope, origin):
                detail = f"requests from origin {origin[:200]!r} are not allowed (CORS_ORIGIN)"
                await refuse(scope, receive, send, 403, "origin_not_allowed", detail)
                return
        await self.app(scope, receive, send)


def install_cors(app: Starlette, allowed: tuple[str, ...]) -> None:
    """Starlette's CORSMiddleware inside, the guard outside it."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(allowed),
        allow_credentials=True,
        allow_methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=PREFLIGHT_MAX_AGE_S,
    )
    app.add_middleware(OriginGuardMiddleware, allowed=allowed)
