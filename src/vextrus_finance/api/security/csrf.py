"""CSRF. Bearer tokens are not sent by browsers on their own, so only cookie authentication
(AUTH_COOKIE_NAME) is CSRF-prone: such writes need the double-submit token, the value of the
CSRF cookie echoed in the X-CSRF-Token header, which another site can neither read nor set.
Independently of cookies, a write whose body is not JSON (what an HTML form or a simple
cross-site request can send) is refused with 415."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from vextrus_finance.api.middleware import HttpMiddleware, adding_headers
from vextrus_finance.api.problems import refuse

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    structured = media.startswith("application/") and media.endswith("+json")
    return media == "application/json" or structured


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in headers


class CsrfMiddleware(HttpMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        auth_cookie: str | None,
        csrf_cookie: str,
        csrf_header: str,
    ) -> None:
        super().__init__(app)
        self.auth_cookie = auth_cookie
        self.csrf_cookie = csrf_cookie
        self.csrf_header = csrf_header

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        method = scope["method"]
        refusal = None
        if (
            method in UNSAFE_METHODS
            and _has_body(headers)
            and not _is_json(headers.get("content-type", ""))
        ):
            refusal = (415, "unsupported_media_type", "send the body as application/json")
        cookies = cookie_parser(headers.get("cookie", "")) if self.auth_cookie else {}
        # An empty Authorization header is no credential: authentication falls back to the
        # cookie for it (api/context.py), so the CSRF check must too.
        by_cookie = bool(self.auth_cookie and self.auth_cookie in cookies) and not headers.get(
            "authorization"
        )
        if refusal is None and by_cookie and method in UNSAFE_METHODS:
            expected = cookies.get(self.csrf_cookie, "")
            given = headers.get(self.csrf_header, "")
            if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
                refusal = (
                    403,
                    "csrf_token_invalid",
                    f"cookie-authenticated writes need the {self.csrf_header} header "
                    f"equal to the {self.csrf_cookie} cookie",
                )
        if refusal is not None:
            status, code, detail = refusal
            await refuse(scope, receive, send, status, code, detail)
            return
        if not by_cookie or self.csrf_cookie in cookies:
            await self.app(scope, receive, send)
            return

        # A cookie session without a CSRF cookie gets one (readable by the page's own script,
        # which is the point of double submit; SameSite=Strict keeps other sites from sending it).
        token = secrets.token_urlsafe(32)
        cookie = f"{self.csrf_cookie}={token}; Path=/; Secure; SameSite=Strict"

        set_cookie = [(b"set-cookie", cookie.encode())]
        await self.app(scope, receive, adding_headers(send, lambda _: set_cookie))
