"""Per-request plumbing: correlation ids in and out, authentication, tenancy, permissions,
Idempotency-Key and If-Match, as FastAPI dependencies."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import uuid
from dataclasses import replace
from typing import Annotated

import structlog
from fastapi import Depends, Header, Request
from starlette.types import Receive, Scope, Send

from vextrus_finance.api.auth import AuthenticationError, Principal
from vextrus_finance.api.commands import Write
from vextrus_finance.api.middleware import HttpMiddleware, adding_headers
from vextrus_finance.api.permissions import ROUTE_PERMISSIONS, granted
from vextrus_finance.api.problems import Forbidden
from vextrus_finance.api.security.rate_limit import RateLimited, bucket_key, record
from vextrus_finance.api.services import services
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.runner import Idempotency
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.errors import InvalidInput

CORRELATION_HEADER = "x-correlation-id"
_CORRELATION_RE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")
_ETAG_RE = re.compile(r'(?:W/)?"?(\d{1,9})"?')
# What the two regexes accept, as the OpenAPI document declares it (If-Match is stripped first).
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
IF_MATCH_PATTERN = r'^ *(W/)?"?[0-9]{1,9}"? *$'


class CorrelationIdMiddleware(HttpMiddleware):
    """Accept a sane X-Correlation-ID or make one; expose it to handlers and echo it back."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == CORRELATION_HEADER.encode()),
            "",
        )
        correlation_id = given if _CORRELATION_RE.fullmatch(given) else str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        echo = [(CORRELATION_HEADER.encode(), correlation_id.encode())]
        send_with_id = adding_headers(send, lambda _: echo)

        # Every log line written while serving this request carries the id.
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            await self.app(scope, receive, send_with_id)


async def get_container(request: Request) -> Container:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop to another thread
    # and back on every request for one attribute read.
    return services(request).container


ContainerDep = Annotated[Container, Depends(get_container)]


async def authenticate(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    app_services = services(request)
    verifier = app_services.verifier
    token = None
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
    else:
        # Cookie authentication, when enabled; the CSRF middleware has already demanded the
        # double-submit token for writes that arrive this way.
        cookie_name = app_services.auth_cookie_name
        token = request.cookies.get(cookie_name) if cookie_name else None
    if not token:
        raise AuthenticationError("send Authorization: Bearer <token>")
    token = token.strip()
    if verifier.may_fetch_keys:
        # A JWKS refresh is a blocking HTTP fetch: keep it off the event loop, unless the
        # token was verified lately.
        cached = verifier.cached(token)
        return cached if cached is not None else await asyncio.to_thread(verifier.verify, token)
    return verifier.verify(token)


PrincipalDep = Annotated[Principal, Depends(authenticate)]


async def authorize(
    request: Request,
    principal: PrincipalDep,
    x_tenant_id: Annotated[str | None, Header()] = None,
) -> RequestContext:
    """Tenant only from the token; the route's permission from the one table; then the
    per-user rate limit (after authentication, so a forged token cannot spend a user's)."""
    if x_tenant_id is not None and x_tenant_id != principal.tenant_id:
        raise Forbidden("X-Tenant-ID differs from the tenant in the token")
    app_services = services(request)
    decision = await app_services.rate_limiter.hit(
        bucket_key("user", principal.tenant_id, principal.subject),
        app_services.user_rate_limit,
    )
    if decision is not None:
        record(request.scope, decision)
        if not decision.allowed:
            raise RateLimited(decision, "user")
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    needed = ROUTE_PERMISSIONS.get((request.method, str(template)))
    if needed is None:
        raise Forbidden("no permission is configured for this route")
    permissions = granted(principal.roles, principal.permissions)
    if needed not in permissions:
        raise Forbidden(f"this needs the {needed} permission")
    request.state.permissions = permissions
    ctx = RequestContext(
        tenant_id=principal.tenant_id,
        user_id=principal.subject,
        roles=principal.roles,
        correlation_id=request.state.correlation_id,
        client_ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
    request.state.context = ctx  # the request log names the tenant and user
    return ctx


async def current_context(request: Request) -> RequestContext:
    """The context `authorize` made for this request: every resource router runs `authorize`
    as a router dependency, before the route's own parameters. A second Depends(authorize)
    would make FastAPI parse authorize's headers again before serving it from its cache
    (ADR 0030). Fails closed when a route was mounted without `authorize`."""
    ctx = getattr(request.state, "context", None)
    if not isinstance(ctx, RequestContext):
        raise RuntimeError(f"{request.url.path} is served without the authorize dependency")
    return ctx


ContextDep = Annotated[RequestContext, Depends(current_context)]


def require_also(request: Request, permission: str) -> None:
    """A second permission that depends on the body (posting while creating)."""
    if permission not in request.state.permissions:
        raise Forbidden(f"this needs the {permission} permission")


async def idempotency(
    request: Request,
    idempotency_key: Annotated[
        str | None, Header(json_schema_extra={"pattern": IDEMPOTENCY_KEY_PATTERN})
    ] = None,
) -> Idempotency | None:
    if idempotency_key is None:
        return None
    if not _KEY_RE.fullmatch(idempotency_key):
        raise InvalidInput("must be 1–255 printable ASCII characters", field="Idempotency-Key")
    raw = await request.body()
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    digest = hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + canonical
    ).hexdigest()
    return Idempotency(idempotency_key, digest)


IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]


async def if_match(
    if_match: Annotated[str | None, Header(json_schema_extra={"pattern": IF_MATCH_PATTERN})] = None,
) -> int | None:
    if if_match is None:
        return None
    match = _ETAG_RE.fullmatch(if_match.strip())
    if not match:
        raise InvalidInput('must be a version such as "3"', field="If-Match")
    return int(match.group(1))


IfMatchDep = Annotated[int | None, Depends(if_match)]


# FastAPI reads the headers in the order the dependencies name them: Idempotency-Key, then
# If-Match, as the routes did when they listed them one by one.
async def _write(ctx: ContextDep, container: ContainerDep, idem: IdempotencyDep) -> Write:
    return Write(container, ctx, idem)


WriteDep = Annotated[Write, Depends(_write)]


async def _versioned_write(write: WriteDep, expected: IfMatchDep) -> Write:
    return replace(write, expected=expected)


async def _revision(ctx: ContextDep, container: ContainerDep, expected: IfMatchDep) -> Write:
    return Write(container, ctx, expected=expected)


# A write that may carry If-Match; a PATCH takes If-Match but no Idempotency-Key.
VersionedWriteDep = Annotated[Write, Depends(_versioned_write)]
RevisionDep = Annotated[Write, Depends(_revision)]
