"""JWT verification done locally (no network call per request) and development tokens.

Keys: an HS256 secret (JWT_SECRET), and/or an RS256/ES256 public key given as PEM
(JWT_PUBLIC_KEY) or published as a JWKS (JWT_JWKS_URL). The token header's `alg` picks the
key family, and each key is only ever used with the algorithms of its own type, so a token
signed with HS256 using the public key as the secret (algorithm confusion) or `alg: none`
never verifies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt.types import Options

from vextrus_finance.application.context import is_tenant_id
from vextrus_finance.settings import Settings

SUBJECT_MAX = 255  # stored as the author of what the request writes
HMAC_ALGORITHMS = ("HS256",)
ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")
JWKS_TIMEOUT_S = 5
# Tokens verified lately, by their exact text: a client sends the same token with every
# request until it expires, and decoding and checking it (base64 checks in Python, JSON, the
# signature) is a noticeable share of a small request (ADR 0030). An entry serves until the
# token expires, as jwt.decode would judge it, and for at most VERIFIED_TTL_S: a key withdrawn
# from the JWKS or a changed secret stops its tokens within that long. Only successes are kept.
VERIFIED_CACHE_SIZE = 4096
VERIFIED_TTL_S = 60.0


class AuthenticationError(Exception):
    """The request carries no usable credentials (HTTP 401)."""


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant_id: str
    roles: frozenset[str]
    permissions: frozenset[str]


def _names(value: Any, claim: str) -> frozenset[str]:
    """Roles and permissions arrive as strings or as objects with a `name`, alone or in a list.
    Anything else (a number, a boolean) makes the token unusable: 401, naming the claim."""
    if value is None:
        return frozenset()
    if isinstance(value, str | dict):
        value = [value]
    if not isinstance(value, list):
        raise AuthenticationError(f"the token's {claim} claim must be a string or a list")
    items: Iterable[Any] = value
    names: set[str] = set()
    for item in items:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.add(item["name"])
    return frozenset(n.strip().lower() for n in names if n.strip())


def _pem_key(pem: str) -> tuple[Any, str]:
    """The public key and the one algorithm its type allows."""
    try:
        key = load_pem_public_key(pem.strip().encode())
    except ValueError as exc:
        raise ValueError(f"JWT_PUBLIC_KEY is not a PEM public key: {exc}") from None
    if isinstance(key, rsa.RSAPublicKey):
        return key, "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key, "ES256"
    raise ValueError("JWT_PUBLIC_KEY must be an RSA or P-256 EC public key")


class _Jwks:
    """A cached JWKS (PyJWKClient): an unknown `kid` refetches the set, but no more often than
    the cooldown, so tokens with made-up kids cannot turn the service into a fetch storm."""

    def __init__(self, url: str, cache_seconds: int, min_refresh_s: float) -> None:
        self._client = jwt.PyJWKClient(
            url, lifespan=cache_seconds, timeout=JWKS_TIMEOUT_S, cooldown_duration=min_refresh_s
        )

    def key_for(self, kid: str | None) -> jwt.PyJWK:
        try:
            if kid is not None:
                return self._client.get_signing_key(kid)
            keys = self._client.get_signing_keys()
        except jwt.PyJWKClientError as exc:
            raise AuthenticationError(f"no signing key for this token: {exc}") from None
        if len(keys) != 1:
            raise AuthenticationError("the token names no key id (kid) and the JWKS has several")
        return keys[0]


class _Verified:
    """Principals of tokens verified lately, each with the wall-clock time it stops serving;
    oldest first out. Locked: with a JWKS, `verify` runs in worker threads."""

    def __init__(self, size: int, clock: Callable[[], float]) -> None:
        self._size = size
        self._clock = clock
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return None
            if self._clock() < entry[1]:
                return entry[0]
            del self._entries[token]
            return None

    def put(self, token: str, principal: Principal, until: float) -> None:
        with self._lock:
            self._entries.pop(token, None)
            self._entries[token] = (principal, until)
            while len(self._entries) > self._size:
                del self._entries[next(iter(self._entries))]

    def __len__(self) -> int:
        return len(self._entries)


class TokenVerifier:
    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.verified = _Verified(VERIFIED_CACHE_SIZE, clock)
        self._secret = settings.jwt_key()
        self._pem: tuple[Any, str] | None = None
        if settings.jwt_public_key is not None:
            self._pem = _pem_key(settings.jwt_public_key.get_secret_value())
        self._jwks = (
            _Jwks(
                settings.jwt_jwks_url,
                settings.jwt_jwks_cache_seconds,
                settings.jwt_jwks_min_refresh_seconds,
            )
            if settings.jwt_jwks_url
            else None
        )
        self._leeway = settings.jwt_leeway_seconds
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._tenant_claims = settings.tenant_claims
        self._roles_claim = settings.jwt_roles_claim
        self._permissions_claim = settings.jwt_permissions_claim

    @property
    def may_fetch_keys(self) -> bool:
        """Whether verifying can block on a network fetch (a JWKS refresh)."""
        return self._jwks is not None

    def _key(self, token: str) -> tuple[Any, list[str]]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise AuthenticationError(f"the token is not valid: {exc}") from None
        alg = header.get("alg")
        if alg in HMAC_ALGORITHMS and self._secret is not None:
            return self._secret, [alg]
        if alg in ASYMMETRIC_ALGORITHMS:
            if self._pem is not None and (self._jwks is None or "kid" not in header):
                key, allowed = self._pem
                if alg == allowed:
                    return key, [allowed]
            if self._jwks is not None:
                jwk = self._jwks.key_for(header.get("kid"))
                if jwk.algorithm_name == alg:  # the key's own type decides, not the token
                    return jwk.key, [str(alg)]
        raise AuthenticationError(f"tokens signed with alg {alg!r} are not accepted")

    def cached(self, token: str) -> Principal | None:
        """The principal of `token` if it was verified lately and has not expired since."""
        return self.verified.get(token)

    def verify(self, token: str) -> Principal:
        principal = self.verified.get(token)
        if principal is not None:
            return principal
        verified_at = self._clock()
        key, algorithms = self._key(token)
        options: Options = {
            "require": ["exp", "sub"],
            "verify_aud": self._audience is not None,
        }
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                options=options,
                leeway=self._leeway,
                issuer=self._issuer,
                audience=self._audience,
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthenticationError("the token is not valid yet (nbf/iat)") from None
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"the token is not valid: {exc}") from None
        principal = self._principal(claims)
        # jwt.decode refuses a token once `int(exp) <= now - leeway` ("exp" is required and
        # was checked to be an integer): the cached entry stops serving at that same moment.
        expires = int(claims["exp"]) + self._leeway
        self.verified.put(token, principal, min(expires, verified_at + VERIFIED_TTL_S))
        return principal

    def _principal(self, claims: dict[str, Any]) -> Principal:
        tenant = next((claims[c] for c in self._tenant_claims if claims.get(c)), None)
        if not isinstance(tenant, str | int) or isinstance(tenant, bool):
            raise AuthenticationError(
                f"the token names no tenant ({' / '.join(self._tenant_claims)})"
            )
        if not is_tenant_id(str(tenant)):
            raise AuthenticationError("the token's tenant id is not 1–64 letters, digits or ._:-")
        if not 1 <= len(str(claims["sub"])) <= SUBJECT_MAX:
            raise AuthenticationError(f"the token's sub must be 1–{SUBJECT_MAX} characters")
        if "\x00" in str(claims["sub"]):
            # Stored as the author of what the request writes: PostgreSQL text cannot hold it.
            raise AuthenticationError("the token's sub must not contain the NUL character")
        roles = _names(claims.get(self._roles_claim), self._roles_claim) | _names(
            claims.get("role"), "role"
        )
        permissions = _names(claims.get(self._permissions_claim), self._permissions_claim)
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
    """An HS256 token for development and tests (asymmetric keys are the identity provider's)."""
    secret = settings.jwt_key()
    if secret is None:
        raise ValueError("minting needs JWT_SECRET: this service only holds public keys")
    return encode_hs256_token(
        secret,
        tenant_id=tenant_id,
        roles=roles,
        subject=subject,
        ttl_seconds=ttl_seconds,
        permissions=permissions,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )


def encode_hs256_token(
    secret: str,
    *,
    tenant_id: str,
    roles: Iterable[str],
    subject: str,
    ttl_seconds: int,
    permissions: Iterable[str] = (),
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """The claims this service reads, signed with a shared secret (also used by the smoke test,
    which holds the secret but no Settings)."""
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
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")
