"""RFC 9457 problem documents: every error leaves the service in this one shape."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from vextrus_finance.api.auth import AuthenticationError
from vextrus_finance.api.security.headers import security_headers
from vextrus_finance.domain.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    DomainError,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidState,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
)
from vextrus_finance.infrastructure.db.errors import is_disconnect
from vextrus_finance.observability import metrics

log = logging.getLogger(__name__)
PROBLEM_TYPE = "https://vextrus.dev/problems/"
MEDIA_TYPE = "application/problem+json"

STATUS_OF: dict[type[DomainError], int] = {
    InvalidInput: 422,
    IdempotencyKeyReused: 422,
    NotFound: 404,
    InvalidState: 409,
    AlreadyExists: 409,
    ConcurrencyConflict: 409,
    PreconditionFailed: 412,
    ServiceUnavailable: 503,
}


class Forbidden(Exception):
    """The caller is known but may not do this (HTTP 403)."""


def status_of(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 422


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str,
    correlation_id: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The one shape of every error, also for middleware that answers before routing."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
    }
    if correlation_id:
        body["correlation_id"] = correlation_id
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer with a problem from ASGI middleware, where there is no Request yet: the instance
    is the path (unless given) and the correlation id the one the scope's state carries."""
    response = problem_response(
        status,
        code,
        detail,
        instance=scope["path"] if instance is None else instance,
        correlation_id=scope.get("state", {}).get("correlation_id"),
        errors=errors,
        headers=headers,
    )
    await response(scope, receive, send)


def problem(
    request: Request,
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return problem_response(
        status,
        code,
        detail,
        instance=request.url.path,
        correlation_id=getattr(request.state, "correlation_id", None),
        errors=errors,
        headers=headers,
    )


def issues_json(error: DomainError) -> list[dict[str, str]]:
    """A domain error's field issues as the `errors` member of a problem document."""
    return [{"field": i.field, "message": i.message, "code": i.code} for i in error.issues]


def _field(loc: tuple[Any, ...]) -> str:
    """('body', 'lines', 0, 'debit') → 'lines[0].debit'."""
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or str(loc[0] if loc else "body")


def install(app: FastAPI, *, show_internal_errors: bool) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        errors = issues_json(exc)
        headers = None
        if isinstance(exc, ServiceUnavailable):
            headers = {"Retry-After": str(exc.retry_after_s)}
        return problem(
            request, status_of(exc), exc.code, exc.message, errors or None, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for error in exc.errors():
            message = str(error.get("msg", "invalid"))
            message = message.removeprefix("Value error, ")
            errors.append(
                {
                    "field": _field(tuple(error.get("loc", ()))),
                    "message": message,
                    "code": str(error.get("type", "invalid")),
                }
            )
        detail = f"{errors[0]['field']}: {errors[0]['message']}" if errors else "invalid request"
        return problem(request, 422, "validation_failed", detail, errors)

    @app.exception_handler(AuthenticationError)
    async def _unauthenticated(request: Request, exc: AuthenticationError) -> JSONResponse:
        return problem(
            request, 401, "unauthenticated", str(exc), headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return problem(request, 403, "forbidden", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
        headers = dict(exc.headers) if exc.headers else None
        return problem(request, exc.status_code, code, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_disconnect(exc):
            # A database failure no retry covered (ADR 0051): the client may send it again.
            log.warning("database unreachable on %s %s: %r", request.method, request.url.path, exc)
            metrics.connection_errors.inc()
            unavailable = ServiceUnavailable("the database is unavailable; retry the request")
            return problem(
                request,
                503,
                unavailable.code,
                unavailable.message,
                headers={
                    "Retry-After": str(unavailable.retry_after_s),
                    **security_headers(request.url.path, MEDIA_TYPE),
                },
            )
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        detail = f"{type(exc).__name__}: {exc}" if show_internal_errors else "internal error"
        # Unhandled errors are answered outside the middleware stack, so the security
        # headers are added here.
        headers = security_headers(request.url.path, MEDIA_TYPE)
        return problem(request, 500, "internal_error", detail, headers=headers)
