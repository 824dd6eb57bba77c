"""The HTTP edge: CORS, CSRF, security headers, rate limits (memory and Redis), trusted proxies,
request limits and production refusals — each tried the way an attacker or a browser would."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import jwt
import pytest
from pydantic import SecretStr

from tests.conftest import TEST_SECRET, make_settings
from tests.security.edge import BASE_URL, app_client, assert_problem
from tests.security.redis_server import redis_server
from vextrus_finance.api.app import create_app
from vextrus_finance.api.security.request_limits import json_too_deep
from vextrus_finance.bootstrap import Container
from vextrus_finance.settings import Environment

API = "/api/v1"
ACCOUNTS = f"{API}/accounts"
ALLOWED = "https://app.vextrus.com"
Auth = Callable[..., dict[str, str]]


def account(code: str) -> dict[str, str]:
    return {"code": code, "name": f"Account {code}", "type": "ASSET"}


def cors_headers(response: httpx.Response) -> set[str]:
    return {k for k in response.headers if k.lower().startswith("access-control-")}


# --- CORS ---------------------------------------------------------------------------------


async def test_cors_allows_exactly_the_listed_origins(container: Container, auth: Auth) -> None:
    async with app_client(container, cors_origin=f"{ALLOWED}, https://vextrus.com/") as client:
        preflight = await client.options(
            ACCOUNTS,
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ALLOWED
        assert preflight.headers["access-control-allow-credentials"] == "true"
        assert "POST" in preflight.headers["access-control-allow-methods"]

        listed = await client.get(ACCOUNTS, headers={**auth(), "Origin": "https://vextrus.com"})
        assert listed.status_code == 200
        assert listed.headers["access-control-allow-origin"] == "https://vextrus.com"
        assert "ratelimit-remaining" in listed.headers["access-control-expose-headers"].lower()

        for origin in ("https://evil.example", "https://app.vextrus.com.evil.example", "null"):
            refused = await client.get(ACCOUNTS, headers={**auth(), "Origin": origin})
            assert_problem(refused, 403, "origin_not_allowed")
            assert cors_headers(refused) == set()
            refused_preflight = await client.options(
                ACCOUNTS, headers={"Origin": origin, "Access-Control-Request-Method": "DELETE"}
            )
            assert_problem(refused_preflight, 403, "origin_not_allowed")
            assert cors_headers(refused_preflight) == set()
            # The refused write wrote nothing.
            write = await client.post(
                ACCOUNTS, json=account("1999"), headers={**auth(), "Origin": origin}
            )
            assert write.status_code == 403
        codes = [a["code"] for a in (await client.get(ACCOUNTS, headers=auth())).json()["items"]]
        assert "1999" not in codes

        # The service's own pages (Swagger) send their own origin on writes.
        same = await client.post(
            ACCOUNTS, json=account("1998"), headers={**auth(), "Origin": BASE_URL}
        )
        assert same.status_code == 201


async def test_development_allows_local_front_ends_only(container: Container, auth: Auth) -> None:
    async with app_client(container, environment=Environment.DEVELOPMENT) as client:
        for origin in ("http://localhost:3000", "http://localhost:4200", "http://localhost:5173"):
            ok = await client.get(ACCOUNTS, headers={**auth(), "Origin": origin})
            assert ok.headers["access-control-allow-origin"] == origin
        refused = await client.get(ACCOUNTS, headers={**auth(), "Origin": "http://localhost:8080"})
        assert refused.status_code == 403
    # Outside development nothing is allowed by default.
    async with app_client(container, environment=Environment.STAGING) as client:
        refused = await client.get(ACCOUNTS, headers={**auth(), "Origin": "http://localhost:3000"})
        assert refused.status_code == 403


def test_production_refuses_to_start_naming_what_is_missing(tmp_path: Path) -> None:
    base = {
        "environment": Environment.PRODUCTION,
        "database_url": "postgresql://finance@db.internal/finance",
    }
    cases = [
        ({"jwt_secret": SecretStr("x" * 40), "cors_origin": None}, "CORS_ORIGIN is not set"),
        ({"jwt_secret": SecretStr("short"), "cors_origin": ALLOWED}, "shorter than 32 bytes"),
        ({"jwt_secret": None, "cors_origin": ALLOWED}, "no token key"),
    ]
    for overrides, named in cases:
        settings = make_settings(**{**base, **overrides})  # type: ignore[arg-type]
        with pytest.raises(RuntimeError, match=named):
            create_app(settings=settings)
    fine = make_settings(**base, jwt_jwks_url="https://auth/jwks", cors_origin=ALLOWED)  # type: ignore[arg-type]
    assert fine.production_problems() == []
    assert not fine.show_docs


# --- CSRF ---------------------------------------------------------------------------------


async def test_cookie_authentication_needs_the_double_submit_token(
    container: Container, token: Callable[..., str], auth: Auth
) -> None:
    session = token()
    async with app_client(container, auth_cookie_name="vx_session") as client:
        read = await client.get(ACCOUNTS, headers={"Cookie": f"vx_session={session}"})
        assert read.status_code == 200
        issued = read.headers["set-cookie"]
        assert issued.startswith("vextrus_csrf=")
        assert "SameSite=Strict" in issued
        assert "Secure" in issued
        csrf = issued.split(";", 1)[0].split("=", 1)[1]

        cookie = f"vx_session={session}; vextrus_csrf={csrf}"
        missing = await client.post(ACCOUNTS, json=account("1201"), headers={"Cookie": cookie})
        assert_problem(missing, 403, "csrf_token_invalid")
        wrong = await client.post(
            ACCOUNTS, json=account("1201"), headers={"Cookie": cookie, "X-CSRF-Token": "guess"}
        )
        assert_problem(wrong, 403, "csrf_token_invalid")
        # A token in the header but none in the cookie (an attacker cannot set the cookie).
        no_cookie = await client.post(
            ACCOUNTS,
            json=account("1201"),
            headers={"Cookie": f"vx_session={session}", "X-CSRF-Token": csrf},
        )
        assert_problem(no_cookie, 403, "csrf_token_invalid")
        ok = await client.post(
            ACCOUNTS, json=account("1201"), headers={"Cookie": cookie, "X-CSRF-Token": csrf}
        )
        assert ok.status_code == 201, ok.text
        # Bearer requests are not CSRF-prone and need no token.
        bearer = await client.post(ACCOUNTS, json=account("1202"), headers=auth())
        assert bearer.status_code == 201
        codes = [a["code"] for a in (await client.get(ACCOUNTS, headers=auth())).json()["items"]]
        assert sorted(c for c in codes if c.startswith("12")) == ["1201", "1202"]


async def test_cookies_authenticate_nothing_unless_enabled(
    container: Container, token: Callable[..., str]
) -> None:
    async with app_client(container) as client:
        response = await client.get(ACCOUNTS, headers={"Cookie": f"vx_session={token()}"})
        assert_problem(response, 401, "unauthenticated")


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", None],
)
async def test_simple_non_json_writes_are_refused(
    container: Container, auth: Auth, content_type: str | None
) -> None:
    async with app_client(container) as client:
        headers = auth()
        if content_type:
            headers["Content-Type"] = content_type
        response = await client.post(
            ACCOUNTS, content=b'{"code":"1301","name":"x","type":"ASSET"}', headers=headers
        )
        assert_problem(response, 415, "unsupported_media_type")
        listed = (await client.get(ACCOUNTS, headers=auth())).json()["items"]
        assert all(a["code"] != "1301" for a in listed)


# --- headers ------------------------------------------------------------------------------


def assert_security_headers(
    response: httpx.Response, csp_start: str = "default-src 'none'"
) -> None:
    h = response.headers
    assert h["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert "camera=()" in h["permissions-policy"]
    assert h["content-security-policy"].startswith(csp_start)
    assert "unsafe-eval" not in h["content-security-policy"]


async def test_every_kind_of_response_carries_the_security_headers(
    container: Container, auth: Auth
) -> None:
    settings = container.settings.model_copy(update={"max_body_bytes": 1024})
    app = create_app(settings=settings, container=container)

    async def boom() -> None:
        raise RuntimeError("unexpected")

    app.add_api_route("/boom", boom)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            responses = {
                200: await client.get(ACCOUNTS, headers=auth()),
                201: await client.post(ACCOUNTS, json=account("1401"), headers=auth()),
                401: await client.get(ACCOUNTS),
                403: await client.get(ACCOUNTS, headers={**auth(), "Origin": "https://x.example"}),
                404: await client.get(f"{ACCOUNTS}/nope", headers=auth()),
                413: await client.post(ACCOUNTS, content=b"{" + b" " * 2000 + b"}", headers=auth()),
                422: await client.post(ACCOUNTS, json={}, headers=auth()),
                500: await client.get("/boom"),
                204: await client.get("/health/live"),
            }
            for status, response in responses.items():
                if status != 204:
                    assert response.status_code == status, (status, response.text)
                assert_security_headers(response)
                assert response.headers["cache-control"] == "no-store"
            assert "unexpected" not in responses[500].text  # no internals outside development

            docs = await client.get("/docs")
            assert docs.status_code == 200
            assert_security_headers(docs, "default-src 'none'; script-src")


async def test_production_serves_no_swagger_page_but_the_contract(container: Container) -> None:
    async with app_client(container, environment=Environment.STAGING, docs_enabled=False) as c:
        assert (await c.get("/docs")).status_code == 404
        spec = await c.get("/openapi.json")  # the REST contract is public in every environment
        assert spec.status_code == 200
        assert "/api/v1/journals" in spec.json()["paths"]


# --- rate limits --------------------------------------------------------------------------


async def test_per_user_limit_with_headers_and_retry_after(
    container: Container, auth: Auth
) -> None:
    async with app_client(container, rate_limit_per_minute=3, rate_limit_ip_per_minute=0) as c:
        for remaining in (2, 1, 0):
            ok = await c.get(ACCOUNTS, headers=auth(sub="alice"))
            assert ok.status_code == 200
            assert ok.headers["ratelimit-limit"] == "3"
            assert ok.headers["ratelimit-remaining"] == str(remaining)
            assert ok.headers["ratelimit-policy"] == "3;w=60"
        limited = await c.post(ACCOUNTS, json=account("1501"), headers=auth(sub="alice"))
        assert_problem(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["ratelimit-remaining"] == "0"
        # Other users, and the same user id in another tenant, have their own budgets.
        assert (await c.get(ACCOUNTS, headers=auth(sub="bob"))).status_code == 200
        assert (await c.get(ACCOUNTS, headers=auth(tenant="t2", sub="alice"))).status_code == 200
        # The refused write wrote nothing; health is never limited.
        listed = (await c.get(ACCOUNTS, headers=auth(sub="bob"))).json()["items"]
        assert all(a["code"] != "1501" for a in listed)
        for _ in range(5):
            assert (await c.get("/health/live", headers=auth(sub="alice"))).status_code == 200


async def test_per_ip_limit_counts_unauthenticated_requests_and_exempts_health(
    container: Container, auth: Auth
) -> None:
    async with app_client(container, rate_limit_ip_per_minute=3, client_ip="10.1.1.1") as client:
        for _ in range(3):
            assert (await client.get(ACCOUNTS)).status_code == 401
        limited = await client.get(ACCOUNTS, headers=auth())
        assert_problem(limited, 429, "rate_limited")
        assert "retry-after" in limited.headers
        for path in ("/health/live", "/health/ready", "/health"):
            assert (await client.get(path)).status_code != 429


async def test_forwarded_for_is_believed_only_from_trusted_proxies(
    container: Container, auth: Auth
) -> None:
    limits = {"rate_limit_ip_per_minute": 2, "rate_limit_per_minute": 0}
    # Through the trusted ingress (127.0.0.1 by default) each real client has its own bucket.
    async with app_client(container, **limits) as client:
        for client_ip in ("203.0.113.5", "203.0.113.6"):
            for _ in range(2):
                r = await client.get(ACCOUNTS, headers={**auth(), "X-Forwarded-For": client_ip})
                assert r.status_code == 200
        r = await client.get(ACCOUNTS, headers={**auth(), "X-Forwarded-For": "203.0.113.5"})
        assert r.status_code == 429
    # From an untrusted peer the header is ignored: rotating it buys nothing.
    async with app_client(container, client_ip="198.51.100.9", **limits) as client:
        statuses = [
            (
                await client.get(ACCOUNTS, headers={**auth(), "X-Forwarded-For": f"1.2.3.{n}"})
            ).status_code
            for n in range(3)
        ]
        assert statuses == [200, 200, 429]


async def test_redis_shares_the_limit_between_replicas(
    container: Container, auth: Auth, tmp_path: Path
) -> None:
    with redis_server(tmp_path) as url:
        shared = {"redis_url": SecretStr(url), "rate_limit_per_minute": 4}
        async with app_client(container, **shared) as one, app_client(container, **shared) as two:
            statuses = []
            for replica in (one, two, one, two, one, two):
                statuses.append((await replica.get(ACCOUNTS, headers=auth())).status_code)
            assert statuses == [200, 200, 200, 200, 429, 429]
            # A second user is counted separately in the same store.
            assert (await two.get(ACCOUNTS, headers=auth(sub="other"))).status_code == 200
    # With the store gone the service keeps serving (limits off, a warning logged).
    async with app_client(container, **shared) as three:
        assert (await three.get(ACCOUNTS, headers=auth())).status_code == 200


# --- request limits -----------------------------------------------------------------------


async def test_bodies_over_the_limit_get_413_with_or_without_a_length(
    container: Container, auth: Auth
) -> None:
    async with app_client(container, max_body_bytes=2048) as client:
        big = {"code": "1601", "name": "x" * 3000, "type": "ASSET"}
        assert_problem(
            await client.post(ACCOUNTS, json=big, headers=auth()), 413, "payload_too_large"
        )

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"code":"1602","name":"'
            for _ in range(10):
                yield b"y" * 500
            yield b'","type":"ASSET"}'

        chunked = await client.post(
            ACCOUNTS, content=chunks(), headers={**auth(), "Content-Type": "application/json"}
        )
        assert "content-length" not in chunked.request.headers
        assert_problem(chunked, 413, "payload_too_large")
        assert (
            await client.post(ACCOUNTS, json=account("1603"), headers=auth())
        ).status_code == 201
        codes = {a["code"] for a in (await client.get(ACCOUNTS, headers=auth())).json()["items"]}
        assert {"1601", "1602"}.isdisjoint(codes)


async def test_deeply_nested_json_is_refused_before_parsing(
    container: Container, auth: Auth
) -> None:
    async with app_client(container, max_json_depth=8) as client:
        deep = b'{"code":"1701","name":"n","type":"ASSET","x":' + b"[" * 50 + b"]" * 50 + b"}"
        response = await client.post(
            ACCOUNTS, content=deep, headers={**auth(), "Content-Type": "application/json"}
        )
        assert_problem(response, 400, "json_too_deep")
        # Brackets inside strings are text, not nesting.
        shallow = {"code": "1702", "name": '[[[[[[[[[[{{{{{{{{{{ \\" [[[[', "type": "ASSET"}
        assert (await client.post(ACCOUNTS, json=shallow, headers=auth())).status_code == 201


def test_json_depth_scanner() -> None:
    assert not json_too_deep(b'{"a": [1, {"b": [2]}]}', 4)
    assert json_too_deep(b'{"a": [1, {"b": [2]}]}', 3)
    assert not json_too_deep(b'["\\\\", "[[[[", "\\"[[["]', 1)
    assert json_too_deep(b'["\\\\", [[]]]', 2)


async def test_a_request_over_the_time_limit_gets_504(container: Container, auth: Auth) -> None:
    async with app_client(container, request_timeout_seconds=1e-6) as client:
        response = await client.post(ACCOUNTS, json=account("1801"), headers=auth())
        assert_problem(response, 504, "request_timeout")
    async with app_client(container) as client:
        listed = (await client.get(ACCOUNTS, headers=auth())).json()["items"]
        assert all(a["code"] != "1801" for a in listed)  # abandoned before commit: nothing


# --- secrets ------------------------------------------------------------------------------


async def test_no_token_or_secret_reaches_the_logs(
    container: Container,
    token: Callable[..., str],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    good = token()
    expired = jwt.encode(
        {"sub": "u", "tenant_id": "t1", "exp": int(time.time()) - 999}, TEST_SECRET, "HS256"
    )
    forged = jwt.encode({"sub": "u", "tenant_id": "t1", "exp": 2**31}, "x" * 40, "HS256")
    async with app_client(container, auth_cookie_name="vx_session") as client:
        for value in (good, expired, forged):
            await client.get(ACCOUNTS, headers={"Authorization": f"Bearer {value}"})
            await client.post(
                ACCOUNTS, json=account("1901"), headers={"Cookie": f"vx_session={value}"}
            )
        await client.get(f"{ACCOUNTS}?token={good}")
    out, err = capfd.readouterr()
    # httpx is the test's own client (it logs the URL it was given); everything else is ours.
    service = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in service) + out + err
    assert service  # the service did log
    for secret in (good, expired, forged, TEST_SECRET, good.split(".")[2]):
        assert secret not in logged
