"""The RBAC matrix, generated: every route of the service × every role, each request one that
would succeed, expected 2xx exactly when the role map grants the route's permission, else 403.
And the map itself: every route's permission is grantable, auditors change nothing, period
close/reopen is for finance managers and admins only."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from tests.api.invoice_helpers import seed_tenant
from tests.security.edge import assert_problem
from tests.security.world import ROUTE_REQUESTS, World
from vextrus_finance.api.app import create_app
from vextrus_finance.api.permissions import ALL_PERMISSIONS, ROLE_PERMISSIONS, ROUTE_PERMISSIONS
from vextrus_finance.bootstrap import Container
from vextrus_finance.settings import Settings

ROLES = sorted(ROLE_PERMISSIONS)
READ_ACTIONS = {"read", "export"}


def _walk(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """The app's routes, through included routers (our routers carry their full prefix)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes)


def api_routes(settings: Settings) -> set[tuple[str, str]]:
    app = create_app(settings=settings)
    return {
        (method, route.path)
        for route in _walk(app.routes)
        if route.path.startswith("/api/")
        for method in route.methods
    }


def test_every_route_has_a_permission_and_a_matrix_request(settings: Settings) -> None:
    routes = api_routes(settings)
    assert routes == set(ROUTE_PERMISSIONS), "permission table and routes differ"
    assert routes == set(ROUTE_REQUESTS), "the matrix must know how to call every route"


def test_the_role_map_has_no_gaps() -> None:
    needed = set(ROUTE_PERMISSIONS.values())
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert needed <= granted, f"no role grants {needed - granted}"
    assert needed <= ALL_PERMISSIONS
    assert ROLE_PERMISSIONS["admin"] >= needed
    auditor_writes = {p for p in ROLE_PERMISSIONS["auditor"] if p.split(":")[1] not in READ_ACTIONS}
    assert auditor_writes == set()
    reads = {p for p in needed if p.split(":")[1] == "read"}
    assert reads <= ROLE_PERMISSIONS["auditor"], "auditors read everything"
    for permission in ("period:close", "period:reopen"):
        holders = {r for r, ps in ROLE_PERMISSIONS.items() if permission in ps}
        assert holders == {"admin", "finance_manager"}


async def test_the_matrix(
    container: Container, client: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    await seed_tenant(container, "t1")
    world = await World(client, auth(roles=("admin",), sub="matrix-admin")).setup()
    failures = []
    for (method, template), build in sorted(ROUTE_REQUESTS.items()):
        permission = ROUTE_PERMISSIONS[(method, template)]
        for role in ROLES:
            call = await build(world)
            response = await client.request(
                method, call.url, json=call.json, headers=auth(roles=(role,), sub=f"as-{role}")
            )
            allowed = permission in ROLE_PERMISSIONS[role]
            if allowed and not response.is_success:
                failures.append(
                    f"{role} {method} {template}: {response.status_code} {response.text}"
                )
            if not allowed:
                if response.status_code != 403:
                    failures.append(f"{role} {method} {template}: {response.status_code}, not 403")
                else:
                    body = assert_problem(response, 403, "forbidden")
                    assert permission in body["detail"]
    assert not failures, "\n".join(failures)


async def test_permissions_in_the_token_grant_exactly_themselves(
    container: Container,
    client: httpx.AsyncClient,
    token: Callable[..., str],
    auth: Callable[..., dict[str, str]],
) -> None:
    await seed_tenant(container, "t1")
    world = await World(client, auth()).setup()
    only_close = {"Authorization": f"Bearer {token(roles=(), permissions=['period:close'])}"}
    call = await ROUTE_REQUESTS[("POST", "/api/v1/fiscal-periods/{code}/close")](world)
    assert (await client.post(call.url, json=call.json, headers=only_close)).status_code == 200
    denied = await client.get("/api/v1/accounts", headers=only_close)
    assert_problem(denied, 403, "forbidden")
    unknown_role = {"Authorization": f"Bearer {token(roles=('superuser',))}"}
    assert_problem(await client.get("/api/v1/accounts", headers=unknown_role), 403, "forbidden")


@pytest.mark.parametrize("role", ["Finance_Manager", "AUDITOR"])
async def test_role_names_match_case_insensitively(
    client: httpx.AsyncClient, auth: Callable[..., dict[str, str]], role: str
) -> None:
    response = await client.get("/api/v1/fiscal-periods", headers=auth(roles=(role,)))
    assert response.status_code == 200
