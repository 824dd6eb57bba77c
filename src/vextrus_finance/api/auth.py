"""JWT verification done locally (no network call per request) and development tokens."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.types import Options

from vextrus_finance.application.context import is_tenant_id
from vextrus_finance.infrastructure.settings import Settings

TENANT_CLAIMS = ("tenant_id", "tenantId", "organizationId")
SUBJECT_MAX = 255  # stored as the author of what the request writes
ALGORITHMS = ["HS256"]


class AuthenticationError(Exception):
    """The request carries no usable credentials (HTTP 401)."""


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant_id: str
    roles: frozenset[str]
    permissions: frozenset[str]


def _names(value: Any) -> frozenset[str]:
    """Roles and permissions arrive as strings or as objects with a `name`."""
    if value is None:
        return frozenset()
    items: Iterable[Any] = [value] if isinstance(value, str | dict) else value
    names: set[str] = set()
    for item in items:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.add(item["name"])
    return frozenset(n.strip().lower() for n in names if n.strip())


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._key = settings.jwt_key()
        self._leeway = settings.jwt_leeway_seconds
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience

    def verify(self, token: str) -> Principal:
        options: Options = {
            "require": ["exp", "sub"],
            "verify_aud": self._audience is not None,
        }
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=ALGORITHMS,
                options=options,
                leeway=self._leeway,
                issuer=self._issuer,
                audience=self._audience,
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the token has expired") from None
        except jwt.InvalidTokenError as exc:
            raise AuthenticationError(f"the token is not valid: {exc}") from None
        tenant = next((claims[c] for c in TENANT_CLAIMS if claims.get(c)), None)
        if not isinstance(tenant, str | int):
            raise AuthenticationError("the token names no tenant (tenant_id)")
        if not is_tenant_id(str(tenant)):
            raise AuthenticationError("the token's tenant id is not 1–64 letters, digits or ._:-")
        if not 1 <= len(str(claims["sub"])) <= SUBJECT_MAX:
            raise AuthenticationError(f"the token's sub must be 1–{SUBJECT_MAX} characters")
        roles = _names(claims.get("roles")) | _names(claims.get("role"))
        permissions = _names(claims.get("permissions"))
        return Principal(str(claims["sub"]), str(tenant), roles, permissions)


def mint_token(
    settings: Settings,
    *,
    tenant_id: str,
    roles: Iterable[str],
    subject: str = "dev-user",
    ttl_seconds: int = 3600,
    permissions: Iterable[str] = (),
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "tenant_id": tenant_id,
        "roles": sorted(set(roles)),
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
    }
    if permissions:
        claims["permissions"] = sorted(set(permissions))
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, settings.jwt_key(), algorithm="HS256")
