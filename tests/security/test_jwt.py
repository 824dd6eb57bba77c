"""Token verification: every way a token can be wrong is refused with 401 and a problem
document, and the three key sources (HS256 secret, PEM public key, JWKS) each work."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import SecretStr

from tests.conftest import TEST_SECRET
from tests.security.edge import app_client, assert_problem
from vextrus_finance.api import auth
from vextrus_finance.api.auth import AuthenticationError, TokenVerifier
from vextrus_finance.bootstrap import Container
from vextrus_finance.settings import Environment, Settings

ACCOUNTS = "/api/v1/accounts"


def claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "u1", "tenant_id": "t1", "roles": ["admin"], "iat": now, "exp": now + 600}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"environment": Environment.TEST, "jwt_secret": TEST_SECRET}
    values.update(overrides)
    return Settings(**values)


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    head = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(payload).encode())
    return f"{head}.{body}.{b64url(signature)}"


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


# --- HS256 -------------------------------------------------------------------------------


def test_hs256_token_with_all_claim_shapes_is_accepted() -> None:
    verifier = TokenVerifier(settings())
    token = jwt.encode(
        claims(tenant_id=None, organizationId="org-7", roles=[{"name": "Auditor"}, "user"]),
        TEST_SECRET,
        algorithm="HS256",
    )
    principal = verifier.verify(token)
    assert principal.tenant_id == "org-7"
    assert principal.roles == {"auditor", "user"}


@pytest.mark.parametrize(
    ("bad_claims", "message"),
    [
        (lambda now: claims(exp=now - 120), "expired"),
        (lambda now: claims(exp=None), "exp"),
        (lambda now: claims(sub=None), "sub"),
        (lambda now: claims(nbf=now + 600), "not valid yet"),
        (lambda now: claims(tenant_id=None), "no tenant"),
        (lambda now: claims(tenant_id="a b"), "tenant id"),
    ],
)
def test_bad_claims_are_refused(bad_claims: Callable[[int], dict[str, Any]], message: str) -> None:
    # Built when the test runs, not at collection: a suite longer than a token's life must
    # not turn "not valid yet" into "expired".
    token = jwt.encode(bad_claims(int(time.time())), TEST_SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationError, match=message):
        TokenVerifier(settings()).verify(token)


def test_leeway_admits_a_token_just_expired_and_not_one_long_expired() -> None:
    verifier = TokenVerifier(settings(jwt_leeway_seconds=30))
    just = jwt.encode(claims(exp=int(time.time()) - 10), TEST_SECRET, algorithm="HS256")
    assert verifier.verify(just).subject == "u1"
    strict = TokenVerifier(settings(jwt_leeway_seconds=0))
    with pytest.raises(AuthenticationError, match="expired"):
        strict.verify(just)


def test_issuer_and_audience_are_checked_when_configured() -> None:
    verifier = TokenVerifier(settings(jwt_issuer="https://auth.vextrus", jwt_audience="finance"))
    good = claims(iss="https://auth.vextrus", aud="finance")
    assert verifier.verify(jwt.encode(good, TEST_SECRET, algorithm="HS256")).tenant_id == "t1"
    for bad in (claims(iss="https://evil", aud="finance"), claims(iss="https://auth.vextrus")):
        with pytest.raises(AuthenticationError):
            verifier.verify(jwt.encode(bad, TEST_SECRET, algorithm="HS256"))


def test_claim_names_are_configurable() -> None:
    verifier = TokenVerifier(
        settings(jwt_tenant_claims="org", jwt_roles_claim="groups", jwt_permissions_claim="scp")
    )
    token = jwt.encode(
        claims(tenant_id=None, roles=None, org="acme", groups=["auditor"], scp=["report:export"]),
        TEST_SECRET,
        algorithm="HS256",
    )
    principal = verifier.verify(token)
    assert (principal.tenant_id, principal.roles, principal.permissions) == (
        "acme",
        {"auditor"},
        {"report:export"},
    )
    # The default names mean nothing once others are configured.
    with pytest.raises(AuthenticationError, match="no tenant"):
        verifier.verify(jwt.encode(claims(), TEST_SECRET, algorithm="HS256"))


def test_alg_none_is_refused() -> None:
    token = unsigned({"alg": "none", "typ": "JWT"}, claims())
    with pytest.raises(AuthenticationError, match="'none'"):
        TokenVerifier(settings()).verify(token)


def test_wrong_secret_is_refused() -> None:
    token = jwt.encode(claims(), "another-secret-of-at-least-32-bytes!!", algorithm="HS256")
    with pytest.raises(AuthenticationError, match="Signature verification failed"):
        TokenVerifier(settings()).verify(token)


def test_hs384_is_not_accepted() -> None:
    token = jwt.encode(claims(), TEST_SECRET * 2, algorithm="HS384")
    with pytest.raises(AuthenticationError, match="HS384"):
        TokenVerifier(settings()).verify(token)


# --- RS256 / ES256 from PEM ----------------------------------------------------------------


def test_rs256_and_es256_with_a_pem_key() -> None:
    rs = TokenVerifier(settings(jwt_secret=None, jwt_public_key=SecretStr(pem(RSA_KEY))))
    assert rs.verify(jwt.encode(claims(), RSA_KEY, algorithm="RS256")).subject == "u1"
    es = TokenVerifier(settings(jwt_secret=None, jwt_public_key=SecretStr(pem(EC_KEY))))
    assert es.verify(jwt.encode(claims(), EC_KEY, algorithm="ES256")).subject == "u1"
    # Each key only with its own algorithm.
    with pytest.raises(AuthenticationError):
        rs.verify(jwt.encode(claims(), EC_KEY, algorithm="ES256"))
    with pytest.raises(AuthenticationError, match="Signature verification failed"):
        rs.verify(jwt.encode(claims(), OTHER_RSA_KEY, algorithm="RS256"))


def test_hs_rs_confusion_is_refused() -> None:
    """The classic attack: sign HS256 with the server's *public* key as the HMAC secret."""
    public_pem = pem(RSA_KEY)
    verifier = TokenVerifier(settings(jwt_secret=None, jwt_public_key=SecretStr(public_pem)))
    header = {"alg": "HS256", "typ": "JWT"}
    payload = claims()
    signing_input = (
        f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}".encode()
    )
    signature = hmac.new(public_pem.encode(), signing_input, hashlib.sha256).digest()
    forged = f"{signing_input.decode()}.{b64url(signature)}"
    with pytest.raises(AuthenticationError, match="HS256"):
        verifier.verify(forged)


def test_a_configured_public_key_turns_the_development_secret_off() -> None:
    only_rsa = settings(jwt_secret=None, jwt_public_key=SecretStr(pem(RSA_KEY)))
    assert only_rsa.jwt_key() is None
    from vextrus_finance.settings import DEVELOPMENT_JWT_SECRET

    dev = jwt.encode(claims(), DEVELOPMENT_JWT_SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationError, match="HS256"):
        TokenVerifier(only_rsa).verify(dev)


def test_a_malformed_public_key_stops_the_start() -> None:
    with pytest.raises(ValueError, match="PEM"):
        TokenVerifier(settings(jwt_public_key=SecretStr("-----BEGIN PUBLIC KEY-----\nxx")))


# --- JWKS ---------------------------------------------------------------------------------


class JwksServer:
    """A real HTTP server publishing a JWKS, counting fetches, whose keys a test can rotate."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                body = json.dumps({"keys": server.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def publish(self, key: Any, kid: str, alg: str) -> None:
        algorithm = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(key.public_key()))
        self.keys.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()


def test_jwks_keys_verify_and_rotation_is_picked_up_once(jwks: JwksServer) -> None:
    jwks.publish(RSA_KEY, "k1", "RS256")
    verifier = TokenVerifier(
        settings(jwt_secret=None, jwt_jwks_url=jwks.url, jwt_jwks_min_refresh_seconds=0)
    )

    def sign(key: Any, kid: str, alg: str = "RS256") -> str:
        return jwt.encode(claims(), key, algorithm=alg, headers={"kid": kid})

    for _ in range(3):
        assert verifier.verify(sign(RSA_KEY, "k1")).subject == "u1"
    assert jwks.fetches == 1  # cached

    jwks.publish(EC_KEY, "k2", "ES256")  # the identity provider rotates in a new key
    assert verifier.verify(sign(EC_KEY, "k2", "ES256")).subject == "u1"
    assert jwks.fetches == 2  # an unknown kid refreshed the set once

    # A key published for ES256 is never used for RS256, whatever the token claims.
    with pytest.raises(AuthenticationError):
        verifier.verify(sign(RSA_KEY, "k2"))
    with pytest.raises(AuthenticationError, match="Signature"):
        verifier.verify(sign(OTHER_RSA_KEY, "k1"))


def test_unknown_kids_cannot_cause_a_fetch_storm(jwks: JwksServer) -> None:
    jwks.publish(RSA_KEY, "k1", "RS256")
    verifier = TokenVerifier(
        settings(jwt_secret=None, jwt_jwks_url=jwks.url, jwt_jwks_min_refresh_seconds=60)
    )
    assert verifier.verify(jwt.encode(claims(), RSA_KEY, "RS256", headers={"kid": "k1"}))
    for n in range(20):
        forged = jwt.encode(claims(), OTHER_RSA_KEY, "RS256", headers={"kid": f"made-up-{n}"})
        with pytest.raises(AuthenticationError):
            verifier.verify(forged)
    assert jwks.fetches == 1


def test_unreachable_jwks_is_a_401_not_a_crash() -> None:
    verifier = TokenVerifier(settings(jwt_secret=None, jwt_jwks_url="http://127.0.0.1:9/jwks.json"))
    token = jwt.encode(claims(), RSA_KEY, "RS256", headers={"kid": "k1"})
    with pytest.raises(AuthenticationError, match="signing key"):
        verifier.verify(token)


# --- over HTTP ----------------------------------------------------------------------------


async def test_refused_tokens_get_401_problem_documents_over_http(
    container: Container, auth: Callable[..., dict[str, str]], jwks: JwksServer
) -> None:
    jwks.publish(RSA_KEY, "k1", "RS256")
    async with app_client(container, jwt_jwks_url=jwks.url) as client:
        ok = jwt.encode(claims(), RSA_KEY, "RS256", headers={"kid": "k1"})
        response = await client.get(ACCOUNTS, headers={"Authorization": f"Bearer {ok}"})
        assert response.status_code == 200
        assert (await client.get(ACCOUNTS, headers=auth())).status_code == 200  # HS256 too

        for bad in (
            unsigned({"alg": "none"}, claims()),
            jwt.encode(claims(exp=int(time.time()) - 600), RSA_KEY, "RS256", headers={"kid": "k1"}),
            jwt.encode(claims(), OTHER_RSA_KEY, "RS256", headers={"kid": "k1"}),
            "not-a-jwt",
        ):
            response = await client.get(ACCOUNTS, headers={"Authorization": f"Bearer {bad}"})
            body = assert_problem(response, 401, "unauthenticated")
            assert response.headers["www-authenticate"] == "Bearer"
            assert bad not in body["detail"]
        assert_problem(await client.get(ACCOUNTS), 401, "unauthenticated")


# --- the cache of tokens verified lately ---------------------------------------------------

OTHER_SECRET = "a-rotated-secret-of-at-least-32-bytes!!"


def test_a_verified_token_is_served_from_the_cache_for_at_most_the_ttl() -> None:
    now = [time.time()]
    verifier = TokenVerifier(settings(), clock=lambda: now[0])
    token = jwt.encode(claims(), TEST_SECRET, algorithm="HS256")
    assert verifier.verify(token).subject == "u1"
    verifier._secret = OTHER_SECRET.encode()  # the secret rotates
    # Within the TTL the token is not decoded again: still accepted…
    now[0] += auth.VERIFIED_TTL_S - 1
    assert verifier.verify(token).subject == "u1"
    assert verifier.cached(token) is not None
    # …and after it, verified afresh against the new secret.
    now[0] += 2
    assert verifier.cached(token) is None
    with pytest.raises(AuthenticationError, match="Signature verification failed"):
        verifier.verify(token)


def test_a_cached_token_stops_serving_when_it_expires() -> None:
    verifier = TokenVerifier(settings(jwt_leeway_seconds=0))
    exp = int(time.time()) + 1
    token = jwt.encode(claims(exp=exp), TEST_SECRET, algorithm="HS256")
    assert verifier.verify(token).subject == "u1"
    time.sleep(max(0.0, exp - time.time()) + 0.05)
    assert verifier.cached(token) is None
    with pytest.raises(AuthenticationError, match="expired"):
        verifier.verify(token)


def test_only_the_exact_token_hits_and_refusals_are_not_kept() -> None:
    verifier = TokenVerifier(settings())
    token = jwt.encode(claims(), TEST_SECRET, algorithm="HS256")
    verifier.verify(token)
    head, _payload, signature = token.split(".")
    forged = jwt.encode(claims(roles=["admin", "auditor"]), OTHER_SECRET, algorithm="HS256")
    for bad in (f"{head}.{forged.split('.')[1]}.{signature}", forged):
        for _ in range(2):
            with pytest.raises(AuthenticationError):
                verifier.verify(bad)
    assert len(verifier.verified) == 1


def test_the_cache_keeps_only_the_newest_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "VERIFIED_CACHE_SIZE", 3)
    verifier = TokenVerifier(settings())
    tokens = [jwt.encode(claims(sub=f"u{i}"), TEST_SECRET, algorithm="HS256") for i in range(5)]
    for token in tokens:
        verifier.verify(token)
    assert len(verifier.verified) == 3
    assert [verifier.cached(t) is not None for t in tokens] == [False, False, True, True, True]
