"""Authentication, tenancy and RBAC: 401/403 problems, deny by default, tenant isolation."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from fastapi import Depends

from tests.api.helpers import (
    API,
    cr,
    create_account,
    create_accounts,
    create_journal,
    dr,
    get_json,
    journal_body,
    list_all,
    post_journal,
    problem_of,
)
from tests.conftest import TEST_SECRET
from vextrus_finance.api.app import create_app
from vextrus_finance.api.auth import mint_token
from vextrus_finance.api.context import ContextDep, authorize
from vextrus_finance.api.permissions import ROLE_PERMISSIONS, ROUTE_PERMISSIONS
from vextrus_finance.settings import Settings

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
PLACEHOLDER = re.compile(r"\{[^}]+\}")


def api_operations(app: Any) -> set[tuple[str, str]]:
    """(METHOD, path template) of every operation under /api/v1, from the OpenAPI document
    (the routers are nested, so app.routes does not list them flat)."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(API + "/") or path == API
        for method in operations
        if method in HTTP_METHODS
    }


def concrete(path: str) -> str:
    return PLACEHOLDER.sub("00000000-0000-0000-0000-000000000000", path)


def assert_401(response) -> None:
    body = problem_of(response, 401)
    assert response.headers["www-authenticate"].lower().startswith("bearer")
    assert body["code"] == "unauthenticated"


async def test_missing_token_is_401_with_a_problem_and_www_authenticate(client):
    for method, url in [
        ("GET", f"{API}/accounts"),
        ("POST", f"{API}/accounts"),
        ("GET", f"{API}/journals"),
        ("GET", f"{API}/reports/trial-balance"),
        ("GET", f"{API}/fiscal-periods"),
    ]:
        assert_401(await client.request(method, url))
    assert_401(await client.get(f"{API}/accounts", headers={"Authorization": ""}))
    assert_401(await client.get(f"{API}/accounts", headers={"Authorization": "Bearer "}))


async def test_garbage_expired_and_forged_tokens_are_401(client, token, auth):
    good = token()
    now = int(time.time())
    claims = {
        "sub": "user-1",
        "tenant_id": "t1",
        "roles": ["admin"],
        "iat": now,
        "exp": now + 600,
    }
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode())
    unsigned = f"{header.decode().rstrip('=')}.{payload.decode().rstrip('=')}."
    bad_tokens = [
        "garbage",
        "abc.def.ghi",
        good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),  # tampered signature
        token(ttl_seconds=-100),  # expired beyond the leeway
        jwt.encode(claims, "not-the-secret-" + "x" * 32, algorithm="HS256"),  # wrong key
        jwt.encode({**claims, "roles": ["admin"]}, TEST_SECRET + "x", algorithm="HS256"),
        unsigned,  # alg: none
        jwt.encode({k: v for k, v in claims.items() if k != "exp"}, TEST_SECRET, "HS256"),
        jwt.encode({k: v for k, v in claims.items() if k != "tenant_id"}, TEST_SECRET, "HS256"),
    ]
    for bad in bad_tokens:
        assert_401(await client.get(f"{API}/accounts", headers={"Authorization": f"Bearer {bad}"}))
    assert_401(await client.get(f"{API}/accounts", headers={"Authorization": f"Basic {good}"}))
    assert_401(await client.get(f"{API}/accounts", headers={"Authorization": good}))

    # the same claims signed with the right secret work; so do the Vextrus tenant claims
    ok = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    response = await client.get(f"{API}/accounts", headers={"Authorization": f"Bearer {ok}"})
    assert response.status_code == 200, response.text
    for claim in ("tenantId", "organizationId"):
        other = {k: v for k, v in claims.items() if k != "tenant_id"} | {claim: "t1"}
        signed = jwt.encode(other, TEST_SECRET, algorithm="HS256")
        response = await client.get(
            f"{API}/accounts", headers={"Authorization": f"Bearer {signed}"}
        )
        assert response.status_code == 200, (claim, response.text)
    # nothing was written by any refused request
    assert await list_all(client, f"{API}/accounts", auth()) == []


async def test_x_tenant_id_must_match_the_token(client, auth):
    h = auth(tenant="t1")
    response = await client.post(
        f"{API}/accounts",
        json={"code": "1000", "name": "Cash", "type": "ASSET"},
        headers={**h, "X-Tenant-ID": "t2"},
    )
    problem_of(response, 403)
    problem_of(await client.get(f"{API}/accounts", headers={**h, "X-Tenant-ID": "t2"}), 403)
    assert await list_all(client, f"{API}/accounts", h) == []
    assert await list_all(client, f"{API}/accounts", auth(tenant="t2")) == []

    response = await client.post(
        f"{API}/accounts",
        json={"code": "1000", "name": "Cash", "type": "ASSET"},
        headers={**h, "X-Tenant-ID": "t1"},
    )
    assert response.status_code == 201, response.text
    listed = await get_json(client, f"{API}/accounts", {**h, "X-Tenant-ID": "t1"})
    assert [a["code"] for a in listed["items"]] == ["1000"]


async def test_role_user_cannot_create_or_read_accounts(client, auth):
    user = auth(roles=("user",))
    response = await client.post(
        f"{API}/accounts", json={"code": "1000", "name": "Cash", "type": "ASSET"}, headers=user
    )
    body = problem_of(response, 403)
    assert body["code"] == "forbidden"
    problem_of(await client.get(f"{API}/journals", headers=user), 403)
    # what the role does hold works
    response = await client.get(f"{API}/reports/trial-balance", headers=user)
    assert response.status_code == 200, response.text
    assert await list_all(client, f"{API}/accounts", auth()) == []
    # a token without roles gets nothing
    nobody = auth(roles=())
    problem_of(await client.get(f"{API}/accounts", headers=nobody), 403)
    problem_of(await client.get(f"{API}/reports/trial-balance", headers=nobody), 403)


async def test_auditor_reads_journals_but_cannot_write(client, auth):
    admin = auth()
    a = await create_accounts(
        client, admin, ("1000", "Cash in Hand", "ASSET"), ("4000", "Revenue", "REVENUE")
    )
    lines = [dr(a["1000"], "10.00"), cr(a["4000"], "10.00")]
    draft = await create_journal(client, admin, "2025-08-01", lines)
    posted = await post_journal(client, admin, "2025-08-02", lines)

    auditor = auth(roles=("auditor",), sub="auditor-1")
    assert len(await list_all(client, f"{API}/journals", auditor)) == 2
    assert (await get_json(client, f"{API}/journals/{draft['id']}", auditor))["id"] == draft["id"]
    assert len(await list_all(client, f"{API}/accounts", auditor)) == 2
    await get_json(client, f"{API}/accounts/{a['1000']['id']}/ledger", auditor)
    await get_json(client, f"{API}/reports/trial-balance", auditor)
    await get_json(client, f"{API}/fiscal-periods", auditor)

    refused = [
        ("POST", f"{API}/journals", journal_body("2025-08-03", lines)),
        ("POST", f"{API}/journals", journal_body("2025-08-03", lines, post=True)),
        ("POST", f"{API}/journals/batch", {"journals": [journal_body("2025-08-03", lines)]}),
        ("POST", f"{API}/journals/{draft['id']}/post", None),
        ("PATCH", f"{API}/journals/{draft['id']}", {"description": "Edited"}),
        ("POST", f"{API}/journals/{draft['id']}/cancel", {"reason": "no reason"}),
        ("POST", f"{API}/journals/{posted['id']}/reverse", {"date": "2025-08-03"}),
        ("POST", f"{API}/accounts", {"code": "1100", "name": "Bank", "type": "ASSET"}),
        ("PATCH", f"{API}/accounts/{a['1000']['id']}", {"name": "Renamed"}),
        (
            "POST",
            f"{API}/accounts/{a['1000']['id']}/deactivate",
            {"reason": "auditors cannot do this"},
        ),
    ]
    for method, url, body in refused:
        response = await client.request(method, url, json=body, headers=auditor)
        problem_of(response, 403)
    journals = {j["id"]: j["status"] for j in await list_all(client, f"{API}/journals", admin)}
    assert journals == {draft["id"]: "DRAFT", posted["id"]: "POSTED"}
    assert (await get_json(client, f"{API}/accounts/{a['1000']['id']}", admin))[
        "balance"
    ] == "10.00"


async def test_accountant_drafts_but_does_not_post(client, auth):
    admin = auth()
    a = await create_accounts(
        client, admin, ("1000", "Cash in Hand", "ASSET"), ("4000", "Revenue", "REVENUE")
    )
    lines = [dr(a["1000"], "10.00"), cr(a["4000"], "10.00")]
    accountant = auth(roles=("accountant",), sub="acc-1")

    draft = await create_journal(client, accountant, "2025-08-01", lines)
    assert draft["status"] == "DRAFT"
    assert draft["created_by"] == "acc-1"
    edited = await client.patch(
        f"{API}/journals/{draft['id']}", json={"description": "Edited"}, headers=accountant
    )
    assert edited.status_code == 200, edited.text

    problem_of(
        await client.post(
            f"{API}/journals", json=journal_body("2025-08-01", lines, post=True), headers=accountant
        ),
        403,
    )
    problem_of(
        await client.post(
            f"{API}/journals/batch",
            json={"journals": [journal_body("2025-08-01", lines, post=True)]},
            headers=accountant,
        ),
        403,
    )
    problem_of(await client.post(f"{API}/journals/{draft['id']}/post", headers=accountant), 403)
    problem_of(
        await client.post(
            f"{API}/accounts",
            json={"code": "1100", "name": "Bank", "type": "ASSET"},
            headers=accountant,
        ),
        403,
    )
    assert [j["id"] for j in await list_all(client, f"{API}/journals", admin)] == [draft["id"]]
    assert (await get_json(client, f"{API}/accounts/{a['1000']['id']}", admin))["balance"] == "0.00"

    # a finance manager posts it; the accountant may not reverse it, but may cancel drafts
    manager = auth(roles=("finance_manager",), sub="fm-1")
    posted = await client.post(f"{API}/journals/{draft['id']}/post", headers=manager)
    assert posted.status_code == 200, posted.text
    assert posted.json()["posted_by"] == "fm-1"
    problem_of(
        await client.post(
            f"{API}/journals/{draft['id']}/reverse", json={"date": "2025-08-02"}, headers=accountant
        ),
        403,
    )
    other = await create_journal(client, accountant, "2025-08-01", lines)
    cancelled = await client.post(
        f"{API}/journals/{other['id']}/cancel", json={"reason": "duplicate"}, headers=accountant
    )
    assert cancelled.status_code == 200, cancelled.text


async def test_every_api_route_has_a_permission_and_every_permission_a_route(client, container):
    app = create_app(container=container)
    operations = api_operations(app)
    assert operations, "the OpenAPI document lists no /api/v1 operations"
    table = set(ROUTE_PERMISSIONS)
    assert operations - table == set(), "routes without a permission (would be refused)"
    assert table - operations == set(), "permission entries for routes that do not exist"
    # every permission a route needs is granted to some role
    grantable = set().union(*ROLE_PERMISSIONS.values())
    assert set(ROUTE_PERMISSIONS.values()) <= grantable
    # and admin holds every one of them
    assert set(ROUTE_PERMISSIONS.values()) <= ROLE_PERMISSIONS["admin"]

    # every one of them refuses an anonymous caller
    for method, path in sorted(operations):
        response = await client.request(method, concrete(path), json={})
        assert response.status_code == 401, (method, path, response.status_code)


async def test_a_route_missing_from_the_table_is_refused(container, auth):
    app = create_app(container=container)

    async def secret() -> dict[str, str]:
        return {"secret": "leaked"}

    app.add_api_route(f"{API}/not-in-the-table", secret, dependencies=[Depends(authorize)])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            response = await c.get(f"{API}/not-in-the-table", headers=auth(roles=("admin",)))
    problem_of(response, 403)
    assert "leaked" not in response.text


async def test_a_route_using_the_context_without_authorize_fails_closed(container, auth):
    """ContextDep reads what `authorize` (a router dependency) made; a route mounted without
    it answers 500 and runs nothing, instead of running without a checked caller."""
    app = create_app(container=container)
    ran = []

    async def unguarded(ctx: ContextDep) -> dict[str, str]:
        ran.append(ctx)
        return {"tenant": ctx.tenant_id}

    app.add_api_route(f"{API}/unguarded", unguarded)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            response = await c.get(f"{API}/unguarded", headers=auth(roles=("admin",)))
    assert response.status_code == 500
    assert ran == []


async def test_tenant_isolation_on_every_route_by_id(client, auth):
    h1, h2 = auth(tenant="t1"), auth(tenant="t2")
    a = await create_accounts(
        client,
        h1,
        ("1000", "Cash in Hand", "ASSET"),
        ("4000", "Revenue", "REVENUE"),
        ("5900", "Unused", "EXPENSE"),
    )
    lines = [dr(a["1000"], "10.00"), cr(a["4000"], "10.00")]
    draft = await create_journal(client, h1, "2025-08-01", lines)
    posted = await post_journal(client, h1, "2025-08-02", lines)
    account_id, unused_id = a["1000"]["id"], a["5900"]["id"]

    # t2 has an account with the same code, so by-code must find t2's own, never t1's
    own = await create_account(client, h2, "4000", "t2 revenue", "REVENUE")
    found = await get_json(client, f"{API}/accounts/by-code/4000", h2)
    assert found["id"] == own["id"]
    problem_of(await client.get(f"{API}/accounts/by-code/1000", headers=h2), 404)

    attempts = [
        ("GET", f"{API}/accounts/{account_id}", None),
        ("GET", f"{API}/accounts/{account_id}/ledger", None),
        ("PATCH", f"{API}/accounts/{account_id}", {"name": "Hijacked"}),
        ("POST", f"{API}/accounts/{unused_id}/deactivate", {"reason": "hijacked by t2"}),
        ("GET", f"{API}/journals/{draft['id']}", None),
        ("GET", f"{API}/journals/{posted['id']}", None),
        ("PATCH", f"{API}/journals/{draft['id']}", {"description": "Hijacked"}),
        ("POST", f"{API}/journals/{draft['id']}/post", None),
        ("POST", f"{API}/journals/{draft['id']}/cancel", {"reason": "hijacked"}),
        ("POST", f"{API}/journals/{posted['id']}/reverse", {"date": "2025-08-03"}),
    ]
    for method, url, body in attempts:
        response = await client.request(method, url, json=body, headers=h2)
        problem_of(response, 404)
        assert "Hijacked" not in response.text
        assert "Cash in Hand" not in response.text

    # nothing of t1 shows in t2's lists, and t1's data is untouched
    assert [x["id"] for x in await list_all(client, f"{API}/accounts", h2)] == [own["id"]]
    assert await list_all(client, f"{API}/journals", h2) == []
    report = await get_json(client, f"{API}/reports/trial-balance", h2, as_of="2025-12-31")
    assert {e["code"] for e in report["entries"]} <= {"4000"}
    assert report["totals"]["debit"] == "0.00"

    after = {j["id"]: j for j in await list_all(client, f"{API}/journals", h1)}
    assert after[draft["id"]]["status"] == "DRAFT"
    assert after[draft["id"]]["version"] == draft["version"]
    assert after[posted["id"]]["status"] == "POSTED"
    assert len(after) == 2
    for acc in a.values():
        now = await get_json(client, f"{API}/accounts/{acc['id']}", h1)
        assert now["is_active"] is True
        assert now["name"] == acc["name"]


@pytest.mark.parametrize(
    ("tenant", "sub"),
    [("x" * 65, "user-1"), ("bad tenant", "user-1"), ("-leading", "user-1"), ("t1", "u" * 256)],
)
async def test_claims_the_tables_cannot_hold_are_refused_with_401(
    client: httpx.AsyncClient, settings: Settings, tenant: str, sub: str
) -> None:
    token = mint_token(settings, tenant_id=tenant, roles=["admin"], subject=sub)
    response = await client.get(f"{API}/accounts", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_an_overlong_account_code_is_a_422_not_a_database_error(
    client: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    code = "1000" + "-01" * 21  # 67 characters, well-formed otherwise
    response = await client.post(
        f"{API}/accounts", json={"code": code, "name": "Too long", "type": "ASSET"}, headers=auth()
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "code"
