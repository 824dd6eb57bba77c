"""Security headers on every response, the Content-Security-Policy chosen by what is served."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from vextrus_finance.api.middleware import HttpMiddleware, RawHeaders, adding_headers

COMMON_HEADERS: tuple[tuple[str, str], ...] = (
    ("strict-transport-security", "max-age=31536000; includeSubDomains; preload"),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    (
        "permissions-policy",
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
)
# JSON answers load nothing: the strictest policy there is.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Printable documents (Mushak 6.3) carry their own inline styles and embedded fonts, no script.
DOCUMENT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# Swagger UI (never on in production by default) needs its CDN bundle and an inline bootstrap
# script; it still gets no 'unsafe-eval'.
DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


def csp_for(path: str, content_type: str) -> str:
    if path in DOCS_PATHS:
        return DOCS_CSP
    if content_type.startswith("text/html"):
        return DOCUMENT_CSP
    return API_CSP


def security_headers(path: str, content_type: str) -> dict[str, str]:
    """The headers as a dict, for responses made outside the middleware (unhandled errors)."""
    headers = dict(COMMON_HEADERS)
    headers["content-security-policy"] = csp_for(path, content_type)
    headers["cache-control"] = "no-store"  # ledgers and tokens must not sit in shared caches
    return headers


class SecurityHeadersMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]

        def missing(headers: RawHeaders) -> list[tuple[bytes, bytes]]:
            present = {k.lower() for k, _ in headers}
            content_type = next(
                (v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), ""
            )
            return [
                (name.encode(), value.encode())
                for name, value in security_headers(path, content_type).items()
                if name.encode() not in present
            ]

        await self.app(scope, receive, adding_headers(send, missing))
