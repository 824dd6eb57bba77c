"""The error side of the OpenAPI contract (ADR 0052): every status an operation can answer, each
with the one problem+json component, and the headers the routes and the edge set.

The statuses are derived from what a route is made of, not listed by hand per route:

- every route: 422 (an unknown query parameter, a NUL character) and 504 (the request timeout
  of api/security/request_limits.py);
- behind `authorize` (every /api/v1 route): 401 with WWW-Authenticate, 403 (the permission of
  ROUTE_PERMISSIONS, X-Tenant-ID, CORS, CSRF), 429 with Retry-After and RateLimit-*, 503 (the
  database unavailable after the retries) with Retry-After where known;
- a path parameter: 404; a write (POST/PUT/PATCH): 400 (`json_too_deep`), 409 (a conflict the
  retries could not settle, a state the record is not in), 413 and 415 (request limits, CSRF);
- If-Match (VersionedWriteDep, RevisionDep): 412;
- a record with an integer `version`: the ETag header of api/commands.py `respond`; a 201 with
  an `id`: its Location.

What a route declares itself (its descriptions, the export and Mushak media types) is kept;
every problem response gets the shared `Problem` schema."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from vextrus_finance.api.context import authorize, if_match
from vextrus_finance.api.problems import MEDIA_TYPE
from vextrus_finance.api.schemas.problems import Problem

PROBLEM_REF = "#/components/schemas/Problem"
BEARER = "bearerAuth"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

DESCRIPTIONS: dict[int, str] = {
    400: "The JSON body nests too deep (`json_too_deep`)",
    401: "No or an invalid bearer token (`unauthenticated`)",
    403: "The token lacks the route's permission, X-Tenant-ID differs from the token's tenant, "
    "or a browser origin or CSRF token is refused",
    404: "No such record",
    409: "The record is not in a state that allows this, or a conflict the retries could not "
    "settle; nothing was applied",
    412: "If-Match names a version that is no longer current (`precondition_failed`)",
    413: "The body is larger than MAX_BODY_BYTES (`payload_too_large`)",
    415: "A body that is not JSON (`unsupported_media_type`)",
    422: "Invalid input: each field's issue in `errors` (`validation_failed`, `invalid_input`, "
    "`unknown_query_parameter`, …)",
    429: "Too many requests for this client or user (`rate_limited`); see Retry-After",
    503: "The database is unavailable and nothing was applied (`service_unavailable`); retry",
    504: "The request ran past REQUEST_TIMEOUT_SECONDS and was abandoned (`request_timeout`)",
}


def _declared(description: str, kind: str = "integer", **schema: Any) -> dict[str, Any]:
    """One response header's declaration: its meaning and the type of its value."""
    return {"description": description, "schema": {"type": kind, **schema}}


RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "RateLimit-Limit": _declared(
        "Requests allowed per window (the tightest of the IP and user limits)"
    ),
    "RateLimit-Remaining": _declared("Requests left in the window"),
    "RateLimit-Reset": _declared("Seconds until the window frees a request"),
    "RateLimit-Policy": _declared("The limit and its window, e.g. `120;w=60`", "string"),
}
HEADERS: dict[str, dict[str, Any]] = {
    **RATE_LIMIT_HEADERS,
    "Retry-After": _declared("Seconds to wait before retrying", minimum=0),
    "ETag": _declared(
        'The record\'s version, e.g. `"3"`: send it as If-Match to change it', "string"
    ),
    "Location": _declared("The new record's URL", "string"),
    "WWW-Authenticate": _declared("`Bearer`", "string"),
}


def _header(name: str, *, required: bool = False) -> dict[str, Any]:
    ref: dict[str, Any] = {"$ref": f"#/components/headers/{name}"}
    return {**HEADERS[name], "required": True} if required else ref


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for a route's own error statuses, each the shared Problem."""
    return {
        status: {
            "description": DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
            "content": {MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
        }
        for status in statuses
    }


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _has_path_params(dependant: Dependant) -> bool:
    return bool(dependant.path_params) or any(_has_path_params(d) for d in dependant.dependencies)


def _model_fields(route: APIRoute) -> dict[str, Any]:
    """The response model's fields and their types (none for a file or a plain dict)."""
    model = route.response_model
    if isinstance(model, type) and issubclass(model, BaseModel):
        return {name: field.annotation for name, field in model.model_fields.items()}
    return {}


def error_statuses(route: APIRoute, method: str) -> set[int]:
    """Every error status `method` on `route` can answer (see the module docstring)."""
    calls = _calls(route.dependant)
    statuses = {422, 504}
    if authorize in calls:
        statuses |= {401, 403, 429, 503}
    if _has_path_params(route.dependant):
        statuses.add(404)
    if method in WRITE_METHODS:
        statuses |= {400, 409, 413, 415}
    if if_match in calls:
        statuses.add(412)
    return statuses


def _problem_response(existing: dict[str, Any] | None, status: int) -> dict[str, Any]:
    response = dict(existing or {})
    response.setdefault("description", DESCRIPTIONS.get(status, HTTPStatus(status).phrase))
    if response["description"] in ("Validation Error", "Additional Response"):
        response["description"] = DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
    # Only the problem document: FastAPI's HTTPValidationError (application/json) is not
    # what the handlers of api/problems.py answer.
    response["content"] = {MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}
    headers = dict(response.get("headers", {}))
    if status == 401:
        headers["WWW-Authenticate"] = _header("WWW-Authenticate", required=True)
    if status == 429:
        headers["Retry-After"] = _header("Retry-After", required=True)
        headers |= {name: _header(name) for name in RATE_LIMIT_HEADERS}
    if status == 503:
        headers["Retry-After"] = _header("Retry-After")
    if headers:
        response["headers"] = headers
    return response


def _document_operation(route: APIRoute, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    statuses = error_statuses(route, method)
    for status in statuses | {int(s) for s in responses if s.isdigit() and int(s) >= 400}:
        responses[str(status)] = _problem_response(responses.get(str(status)), status)
    fields = _model_fields(route)
    behind_auth = 401 in statuses
    for code, response in responses.items():
        if not (code.isdigit() and 200 <= int(code) < 300):
            continue
        headers = dict(response.get("headers", {}))
        if behind_auth:
            headers |= {name: _header(name) for name in RATE_LIMIT_HEADERS}
        if fields.get("version") is int:
            headers["ETag"] = _header("ETag", required=True)
        if code == "201" and "id" in fields:
            headers["Location"] = _header("Location", required=True)
        if headers:
            response["headers"] = headers
    if behind_auth:
        # The token is the security scheme, not a header parameter to fill in.
        operation["parameters"] = [
            p
            for p in operation.get("parameters", [])
            if not (p.get("in") == "header" and p.get("name", "").lower() == "authorization")
        ]
        if not operation["parameters"]:
            del operation["parameters"]
        operation["security"] = [{BEARER: []}]
    operation["responses"] = dict(sorted(responses.items()))


def document_errors(app: FastAPI, spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` (FastAPI's document of `app`) with every operation's statuses and headers."""
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas |= problem.pop("$defs", {})
    schemas["Problem"] = problem
    components["headers"] = {name: dict(value) for name, value in HEADERS.items()}
    components["securitySchemes"] = {
        BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    # The routers are included nested: each route's context is the route with its router's
    # prefix and dependencies (`authorize`), as FastAPI's own document generator reads it.
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        route = cast(APIRoute, context)
        if not route.include_in_schema:
            continue
        operations = spec["paths"].get(route.path_format, {})
        for method in route.methods or ():
            operation = operations.get(method.lower())
            if operation is not None:
                _document_operation(route, method, operation)
    # Nothing answers FastAPI's own validation shape any more.
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return spec
