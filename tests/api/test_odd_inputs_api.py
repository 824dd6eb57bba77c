"""Odd input to every route of the app answers a 4xx problem document, never a 500: NUL
characters in the path, a query parameter, a cursor or a body string; cursors that nest
deeply or carry the calendar's ends or a naive time; extreme dates and fiscal years; JSON that
nests deeply under a capitalised Content-Type; tokens whose roles or permissions are numbers.

Every route is found from the app itself, so a new route is covered without editing this."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
import jwt
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tests.api.helpers import (
    API,
    assert_invalid,
    cr,
    create_accounts,
    dr,
    journal_body,
    problem_of,
)
from tests.conftest import TEST_SECRET

NUL = "a\x00b"


def _cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


DEEP_CURSOR = base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode().rstrip("=")
CURSORS = [
    DEEP_CURSOR,
    _cursor(["0001-01-01", "0001-01-01T00:00:00+00:00", "x", 1]),
    _cursor(["0001-01-01", "0001-01-01T00:00:00+05:00", "x", 1]),
    _cursor(["9999-12-31", "9999-12-31T23:59:59-05:00", "x", 1]),
    _cursor(["2025-08-01", "2025-08-01T00:00:00", "x", 1]),  # naive
    _cursor([NUL, NUL]),
    _cursor([NUL]),
    _cursor([[1], {"a": 1}, None, True]),
    "x" * 5000,
]
# Values for every query parameter, whatever it means.
QUERY_VALUES = [NUL, "0001-01-01", "9999-12-31", "FY0000-0001", "FY9999-10000", "-1", "1e309"]
QUERY_VALUES_BY_NAME = {
    "cursor": CURSORS,
    "fiscal_year": ["FY0000-0001", "FY9998-9999", "FY0001-0002", NUL],
    "from": ["0001-01-01", "9999-12-31"],
    "to": ["0001-01-01", "9999-12-31"],
    "as_of": ["0001-01-01", "9999-12-31"],
}
PATH_VALUES = ["a%00b", "%00", "x" * 300]
BODY_DEEP = b"[" * 2000 + b"]" * 2000


def _token(**claims: Any) -> str:
    base = {"sub": "user-1", "tenant_id": "t1", "roles": ["admin"], "exp": 4102444800}
    return jwt.encode({**base, **claims}, TEST_SECRET, algorithm="HS256")


def _assert_4xx_problem(response: httpx.Response, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), what


def _query_names(dependant: Dependant) -> list[str]:
    names = [p.alias for p in dependant.query_params]
    for sub in dependant.dependencies:
        names += [n for n in _query_names(sub) if n not in names]
    return names


def _walk(routes: Any) -> list[APIRoute]:
    """The app's routes, through included routers (which carry their full prefix)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _walk(route.original_router.routes)
    return found


def _routes(app: Any) -> list[tuple[str, str, APIRoute]]:
    return [
        (method, route.path, route)
        for route in _walk(app.routes)
        for method in sorted(route.methods - {"HEAD"})
    ]


def _fill(path: str, ids: dict[str, str], odd: str | None = None) -> list[str]:
    """The path with every parameter set to a real id (where one exists) or `odd`; one URL
    per parameter when `odd` is given (the others real), so each is reached past the rest."""
    names = re.findall(r"{(\w+)(?::\w+)?}", path)

    def build(odd_name: str | None) -> str:
        url = path
        for name in names:
            value = odd if name == odd_name and odd is not None else ids.get(name, "unknown-id")
            url = re.sub(r"{" + name + r"(?::\w+)?}", value, url)
        return url

    if odd is None:
        return [build(None)]
    return [build(name) for name in names]


def _body_with(value: Any, route: APIRoute) -> dict[str, Any]:
    """A body whose every top-level field of the route's model holds `value`."""
    body_field = route.body_field
    model = getattr(body_field, "type_", None) if body_field is not None else None
    fields = getattr(model, "model_fields", {}) or {"description": None}
    return {name: value for name in fields}


async def test_odd_input_to_every_route_is_a_4xx_problem(client, auth, container):
    h = auth()
    accounts = await create_accounts(
        client, h, ("1000", "Cash", "ASSET"), ("3000", "Cap", "EQUITY")
    )
    draft = await client.post(
        f"{API}/journals",
        json=journal_body(
            "2025-08-01", [dr(accounts["1000"], "1.00"), cr(accounts["3000"], "1.00")]
        ),
        headers=h,
    )
    assert draft.status_code == 201, draft.text
    ids = {
        "account_id": accounts["1000"]["id"],
        "journal_id": draft.json()["id"],
        "code": "1000",
        "account_code": "1000",
        "number": draft.json()["number"],
        "period_code": "FY2025-2026-P02",
        "code_or_id": "1000",
    }
    app = client._transport.app  # type: ignore[attr-defined]
    routes = _routes(app)
    assert len(routes) > 20
    bad_claims = [
        _token(roles=7),
        _token(roles=True),
        _token(permissions=3.5),
        _token(permissions=False),
        _token(role=1),
    ]
    for method, path, route in routes:
        real = _fill(path, ids)[0]
        for value in PATH_VALUES:
            for url in _fill(path, ids, value):
                response = await client.request(method, url, headers=h, json={})
                _assert_4xx_problem(response, f"{method} {url}")
        query_names = _query_names(route.dependant)
        for name in query_names:
            for value in QUERY_VALUES_BY_NAME.get(name, QUERY_VALUES):
                response = await client.request(
                    method, real, params={name: value}, headers=h, json={}
                )
                _assert_4xx_problem(response, f"{method} {real}?{name}={value[:40]!r}")
        for token in bad_claims:
            response = await client.request(
                method, real, headers={"Authorization": f"Bearer {token}"}, json={}
            )
            _assert_4xx_problem(response, f"{method} {real} with a bad claim")
        if method not in ("POST", "PUT", "PATCH"):
            continue
        for body in (
            json.dumps(_body_with(NUL, route)).encode(),
            json.dumps(_body_with({"x": NUL}, route)).encode(),
            json.dumps(_body_with([NUL], route)).encode(),
            json.dumps({NUL: 1}).encode(),
        ):
            response = await client.request(
                method, real, content=body, headers={**h, "Content-Type": "application/json"}
            )
            _assert_4xx_problem(response, f"{method} {real} body {body[:80]!r}")
        for content_type in ("application/JSON", "Application/Json; charset=UTF-8"):
            response = await client.request(
                method,
                real,
                content=BODY_DEEP,
                headers={**h, "Content-Type": content_type, "Idempotency-Key": "deep-1"},
            )
            _assert_4xx_problem(response, f"{method} {real} deep JSON as {content_type}")


async def test_each_reported_input_gets_its_own_answer(client, auth):
    h = auth()
    accounts = await create_accounts(
        client, h, ("1000", "Cash", "ASSET"), ("3000", "Cap", "EQUITY")
    )
    cash = accounts["1000"]["id"]
    ledger = f"{API}/accounts/{cash}/ledger"

    whole = await client.get(ledger, params={"from": "0001-01-01"}, headers=h)
    assert whole.status_code == 200, whole.text
    assert whole.json()["opening_balance"] == "0.00"
    year_one = _cursor(["0001-01-01", "0001-01-01T00:00:00+00:00", "x", 1])
    assert (await client.get(ledger, params={"cursor": year_one}, headers=h)).status_code == 200
    for cursor in (DEEP_CURSOR, _cursor(["2025-08-01", "2025-08-01T00:00:00", "x", 1])):
        refused = await client.get(ledger, params={"cursor": cursor}, headers=h)
        assert_invalid(refused, "cursor")

    periods = await client.get(
        f"{API}/fiscal-periods", params={"fiscal_year": "FY0000-0001"}, headers=h
    )
    assert_invalid(periods, "fiscal_year")
    assert_invalid(await client.get(f"{API}/accounts", params={"cursor": NUL}, headers=h), "cursor")
    assert_invalid(await client.get(f"{API}/accounts/a%00b", headers=h), "path")
    body = {"code": "1100", "name": NUL, "type": "ASSET"}
    assert_invalid(await client.post(f"{API}/accounts", json=body, headers=h), "name")

    deep = await client.post(
        f"{API}/journals",
        content=BODY_DEEP,
        headers={**h, "Content-Type": "application/JSON", "Idempotency-Key": "deep-1"},
    )
    assert problem_of(deep, 400)["code"] == "json_too_deep"

    for claims in ({"roles": 7}, {"roles": True}, {"permissions": 1}):
        response = await client.get(
            f"{API}/accounts", headers={"Authorization": f"Bearer {_token(**claims)}"}
        )
        assert problem_of(response, 401)["code"] == "unauthenticated"
