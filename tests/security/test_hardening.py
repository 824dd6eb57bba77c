"""Issue 16's security findings, each tried the way it was found: CSRF with an empty
Authorization header, rate-limit buckets shared across tenants, the development secret outside
development, oversized headers, idempotency keys shared between users."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jwt
import pytest

from tests.conftest import make_settings
from tests.security.edge import app_client, assert_problem
from vextrus_finance.api.app import create_app
from vextrus_finance.api.auth import AuthenticationError, TokenVerifier
from vextrus_finance.api.security.rate_limit import bucket_key
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.settings import DEVELOPMENT_JWT_SECRET, Environment, Settings

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
