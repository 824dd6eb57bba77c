"""Issue 16's security findings, each tried the way it was found: CSRF with an empty
Authorization header, rate-limit buckets shared across tenants, the development secret outside
development, oversized headers, idempotency keys shared between users."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
import uvicorn

from tests.conftest import free_port, make_settings
from tests.security.edge import app_client, assert_problem
from vextrus_finance.api.app import create_app
from vextrus_finance.api.auth import AuthenticationError, TokenVerifier
from vextrus_finance.api.security.header_limit import bounded_head_protocol
from vextrus_finance.api.security.rate_limit import bucket_key
from vextrus_finance.bootstrap import Container
from vextrus_finance.observability.server import server_config
from vextrus_finance.settings import DEVELOPMENT_JWT_SECRET, Environment, Settings

API = "/api/v1"
ACCOUNTS = f"{API}/accounts"
Auth = Callable[..., dict[str, str]]


def account(code: str) -> dict[str, str]:
    return {"code": code, "name": f"Account {code}", "type": "ASSET"}


# --- CSRF: an empty Authorization header is no header -----------------------------------


async def test_an_empty_authorization_header_does_not_skip_the_csrf_check(
    container: Container, token: Callable[..., str]
) -> None:
    session = token()
    async with app_client(container, auth_cookie_name="vx_session") as client:
        forged = await client.post(
            ACCOUNTS,
            json=account("1301"),
            headers={"Cookie": f"vx_session={session}", "Authorization": ""},
        )
        assert_problem(forged, 403, "csrf_token_invalid")
        # Blank but not empty (a real server strips it to empty): a malformed header, refused.
        blank = await client.post(
            ACCOUNTS,
            json=account("1301"),
            headers={"Cookie": f"vx_session={session}", "Authorization": " "},
        )
        assert_problem(blank, 401, "unauthenticated")
        listed = (await client.get(ACCOUNTS, headers={"Cookie": f"vx_session={session}"})).json()
        assert all(a["code"] != "1301" for a in listed["items"])


# --- rate-limit buckets ------------------------------------------------------------------


def test_bucket_keys_cannot_collide_across_tenants() -> None:
    assert bucket_key("user", "acme", "corp:alice") != bucket_key("user", "acme:corp", "alice")
    assert bucket_key("user", "a%3Ab", "c") != bucket_key("user", "a:b", "c")
    assert bucket_key("ip", "2001:db8::1") == "ip:2001%3Adb8%3A%3A1"


async def test_users_of_look_alike_tenants_do_not_share_a_bucket(
    container: Container, auth: Auth
) -> None:
    async with app_client(container, rate_limit_per_minute=2, rate_limit_ip_per_minute=0) as c:
        for _ in range(2):
            ok = await c.get(ACCOUNTS, headers=auth(tenant="acme", sub="corp:alice"))
            assert ok.status_code == 200
        limited = await c.get(ACCOUNTS, headers=auth(tenant="acme", sub="corp:alice"))
        assert_problem(limited, 429, "rate_limited")
        other = await c.get(ACCOUNTS, headers=auth(tenant="acme:corp", sub="alice"))
        assert other.status_code == 200, other.text
        assert other.headers["ratelimit-remaining"] == "1"


# --- the development secret belongs to development only ----------------------------------


@pytest.mark.parametrize("environment", [Environment.STAGING, Environment.TEST])
def test_only_development_may_use_the_development_secret(
    tmp_path: Path, environment: Environment
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    unset = make_settings(url, environment=environment, jwt_secret=None)
    assert not unset.uses_development_secret
    assert unset.jwt_key() is None
    with pytest.raises(RuntimeError, match="no token key"):
        create_app(unset)
    given = make_settings(url, environment=environment, jwt_secret=DEVELOPMENT_JWT_SECRET)
    with pytest.raises(RuntimeError, match="development secret"):
        create_app(given)
    # Even were it started, a token signed with the published secret is no credential.
    claims = {"sub": "u", "tenant_id": "t1", "roles": ["admin"], "exp": 4102444800}
    forged = jwt.encode(claims, DEVELOPMENT_JWT_SECRET, algorithm="HS256")
    rsa_only = make_settings(
        url, environment=environment, jwt_secret=None, jwt_jwks_url="https://idp.test/jwks"
    )
    with pytest.raises(AuthenticationError):
        TokenVerifier(rsa_only).verify(forged)


def test_development_still_starts_on_the_development_secret(tmp_path: Path) -> None:
    settings = Settings(
        environment=Environment.DEVELOPMENT, database_url=f"sqlite:///{tmp_path / 'x.db'}"
    )
    assert settings.uses_development_secret
    assert settings.jwt_key() == DEVELOPMENT_JWT_SECRET
    assert settings.production_problems() == []
    create_app(settings)


# --- request heads are bounded at the server ---------------------------------------------


async def _raw_exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        # The server closes with the rest of an oversized head unread, which resets the
        # connection: keep what arrived before the reset.
        received = b""
        with contextlib.suppress(ConnectionError):
            while chunk := await asyncio.wait_for(reader.read(65536), timeout=30):
                received += chunk
        return received
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_an_oversized_request_head_gets_431_before_the_app(
    container: Container, token: Callable[..., str]
) -> None:
    app = create_app(container=container)
    port = free_port()
    config = uvicorn.Config(
        **server_config(app, host="127.0.0.1", port=port, http=bounded_head_protocol(16 * 1024)),
        log_config=None,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn.Server offers only this flag
            await asyncio.sleep(0.01)
        huge = b"Bearer " + b"A" * (4 * 1024 * 1024)
        answer = await _raw_exchange(
            port,
            b"GET /api/v1/accounts HTTP/1.1\r\nHost: t\r\nAuthorization: " + huge + b"\r\n\r\n",
        )
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 431 "), head
        assert b"content-type: application/problem+json" in head
        assert json.loads(body)["code"] == "request_header_fields_too_large"
        # An ordinary request, and a body far larger than the head limit, still pass.
        ok = await _raw_exchange(
            port,
            b"GET /api/v1/accounts HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            b"Authorization: Bearer " + token().encode() + b"\r\n\r\n",
        )
        assert ok.startswith(b"HTTP/1.1 200 "), ok[:200]
        body_bytes = json.dumps({**account("1401"), "name": "x" * 200}).encode()
        padded = body_bytes[:-1] + b"," + b" " * (100 * 1024) + b'"parent_id": null}'
        created = await _raw_exchange(
            port,
            b"POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: " + str(len(padded)).encode() + b"\r\n"
            b"Authorization: Bearer " + token().encode() + b"\r\n\r\n" + padded,
        )
        assert created.startswith(b"HTTP/1.1 201 "), created[:200]
    finally:
        server.should_exit = True
        await task
