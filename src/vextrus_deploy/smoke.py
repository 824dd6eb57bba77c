"""The post-deployment smoke test: every check runs (none stops the others), each ends PASS or
FAIL with a detail, and the caller gets the whole report.

What it proves against a running service (docs in deploy/docker/README.md):
health endpoints; 401 without a token; 403 for a role without the permission and for another
tenant's `X-Tenant-ID`; a foreign origin's CORS preflight refused; security headers; a full
account → journal → post → trial balance round trip in the token's (smoke) tenant; the latency
of N authenticated requests.

The wrong-role check needs a second identity: `wrong_role_token`, or a `jwt_secret` to mint one
(role `user`, which lacks `journal:read`). With neither, the check is reported NOT RUN and counts
as a failure: a smoke test that did not check authorization must not look green."""

from __future__ import annotations

import secrets
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import httpx
import jwt

from vextrus_finance.api.auth import encode_hs256_token
from vextrus_finance.settings import Settings

API = "/api/v1"
PROBLEM = "application/problem+json"
FOREIGN_ORIGIN = "https://smoke-foreign-origin.invalid"
# A role the service knows whose permissions leave out journal:read (permissions.ROLE_PERMISSIONS).
WRONG_ROLE = "user"
WRONG_ROLE_PATH = f"{API}/journals"
# The service's default tenant claims (JWT_TENANT_CLAIMS), in its order of preference.
TENANT_CLAIMS = tuple(str(Settings.model_fields["jwt_tenant_claims"].default).split(","))


class Status(StrEnum):
    PASS = "PASS"  # noqa: S105 (a verdict, not a password)
    FAIL = "FAIL"
    NOT_RUN = "NOT RUN"  # counts as a failure: the check could not be made


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    detail: str
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status is Status.PASS


@dataclass(frozen=True)
class SmokeReport:
    base_url: str
    checks: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "ok": self.ok,
            "checks": [
                {"name": c.name, "status": str(c.status), "detail": c.detail, "seconds": c.seconds}
                for c in self.checks
            ],
        }


@dataclass(frozen=True)
class SmokeConfig:
    base_url: str
    token: str
    tenant: str | None = None  # default: the token's tenant claim
    wrong_role_token: str | None = None
    jwt_secret: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    foreign_origin: str = FOREIGN_ORIGIN
    latency_requests: int = 20
    latency_p95_ms: float = 500.0
    latency_path: str = f"{API}/accounts?limit=1"
    timeout_seconds: float = 10.0
    verify_tls: bool = True


class CheckFailed(Exception):
    """A check's verdict; the message is the detail shown to the operator."""


@dataclass
class _Runner:
    results: list[CheckResult] = field(default_factory=list)

    def run(self, name: str, check: Callable[[], str]) -> bool:
        started = time.perf_counter()
        try:
            detail, status = check(), Status.PASS
        except CheckFailed as failed:
            detail, status = str(failed), Status.FAIL
        except httpx.HTTPError as error:
            detail, status = f"{type(error).__name__}: {error}", Status.FAIL
        except Exception as error:  # a surprising answer (bad JSON...) is a failed check, too
            detail, status = f"unexpected {type(error).__name__}: {error}", Status.FAIL
        self.results.append(CheckResult(name, status, detail, time.perf_counter() - started))
        return status is Status.PASS

    def not_run(self, name: str, why: str) -> None:
        self.results.append(CheckResult(name, Status.NOT_RUN, why))


def _expect(condition: bool, detail: str) -> None:
    if not condition:
        raise CheckFailed(detail)


def _snippet(response: httpx.Response) -> str:
    return f"{response.status_code} {response.text[:200]!r}"


def _expect_problem(response: httpx.Response, status: int) -> str:
    _expect(response.status_code == status, f"expected {status}, got {_snippet(response)}")
    media = response.headers.get("content-type", "")
    _expect(media.startswith(PROBLEM), f"{status} but content-type {media!r}, not {PROBLEM}")
    body = response.json()
    _expect(
        isinstance(body, dict) and body.get("status") == status,
        f"problem document without status {status}: {response.text[:200]!r}",
    )
    return f"{status} {body.get('title') or ''}: {str(body.get('detail', ''))[:120]}".strip()


def token_tenant(token: str) -> str | None:
    """The tenant claim, read without verifying (the server verifies; we only need the name)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    for name in TENANT_CLAIMS:
        if isinstance(claims.get(name), str):
            return str(claims[name])
    return None


def mint_wrong_role_token(config: SmokeConfig, tenant: str) -> str:
    """A short-lived HS256 token for `tenant` with only the `user` role."""
    assert config.jwt_secret is not None
    return encode_hs256_token(
        config.jwt_secret,
        tenant_id=tenant,
        roles=[WRONG_ROLE],
        subject="smoke-wrong-role",
        ttl_seconds=300,
        issuer=config.jwt_issuer,
        audience=config.jwt_audience,
    )


SECURITY_HEADERS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("strict-transport-security", lambda v: "max-age=" in v and "max-age=0" not in v, "max-age>0"),
    ("x-content-type-options", lambda v: v.lower() == "nosniff", "nosniff"),
    ("x-frame-options", lambda v: v.upper() == "DENY", "DENY"),
    ("content-security-policy", lambda v: "default-src" in v, "a default-src"),
    ("referrer-policy", bool, "present"),
)


def _missing_security_headers(response: httpx.Response) -> list[str]:
    missing = []
    for name, good, wanted in SECURITY_HEADERS:
        value = response.headers.get(name)
        if value is None or not good(value):
            missing.append(f"{name} (want {wanted}, got {value!r})")
    return missing


class _Smoke:
    def __init__(self, config: SmokeConfig, client: httpx.Client) -> None:
        self.config = config
        self.client = client
        self.runner = _Runner()
        self.tenant = config.tenant or token_tenant(config.token)
        self.auth = {"Authorization": f"Bearer {config.token}"}

    # --- health -------------------------------------------------------------------------

    def health(self, path: str) -> Callable[[], str]:
        def check() -> str:
            response = self.client.get(path)
            _expect(response.status_code == 200, f"expected 200, got {_snippet(response)}")
            return f"200 in {response.elapsed.total_seconds() * 1000:.0f} ms"

        return check

    # --- authentication and authorization -------------------------------------------------

    def no_token(self) -> str:
        return _expect_problem(self.client.get(f"{API}/accounts"), 401)

    def wrong_role(self, token: str) -> str:
        response = self.client.get(WRONG_ROLE_PATH, headers={"Authorization": f"Bearer {token}"})
        return _expect_problem(response, 403)

    def wrong_tenant(self) -> str:
        _expect(self.tenant is not None, "no tenant: give --tenant (the token has no tenant claim)")
        other = f"{self.tenant}-smoke-other"[:64]
        response = self.client.get(f"{API}/accounts", headers={**self.auth, "X-Tenant-ID": other})
        return _expect_problem(response, 403)

    # --- browser-facing edge ----------------------------------------------------------------

    def cors_refused(self) -> str:
        origin = self.config.foreign_origin
        response = self.client.options(
            f"{API}/accounts",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        allowed = response.headers.get("access-control-allow-origin")
        _expect(allowed is None, f"preflight from {origin} answered Allow-Origin {allowed!r}")
        credentials = response.headers.get("access-control-allow-credentials")
        _expect(credentials is None, f"preflight answered Allow-Credentials {credentials!r}")
        _expect(
            response.status_code >= 400,
            f"preflight from a foreign origin answered {response.status_code}, not a refusal",
        )
        return f"{response.status_code}, no Access-Control-Allow-Origin for {origin}"

    def security_headers(self) -> str:
        problems = []
        for label, response in (
            ("/health/live", self.client.get("/health/live")),
            (f"{API}/accounts (401)", self.client.get(f"{API}/accounts")),
        ):
            missing = _missing_security_headers(response)
            if missing:
                problems.append(f"{label}: " + "; ".join(missing))
        _expect(not problems, " | ".join(problems))
        return "HSTS, nosniff, frame DENY, CSP, Referrer-Policy on API and health answers"

    # --- the round trip -----------------------------------------------------------------------

    def _post(self, path: str, body: dict[str, Any] | None, key: str) -> httpx.Response:
        return self.client.post(
            path, json=body, headers={**self.auth, "Idempotency-Key": key, **self._tenant()}
        )

    def _tenant(self) -> dict[str, str]:
        return {"X-Tenant-ID": self.tenant} if self.tenant else {}

    def round_trip(self) -> None:
        """Accounts → draft journal (replayed with its Idempotency-Key) → post → trial balance.
        Unique codes and keys per run, so reruns against the same tenant work."""
        run = uuid.uuid4().hex[:8]
        # 9xxx codes lie outside the standard chart; random groups make them unique per run.
        groups = "-".join(f"{secrets.randbelow(100):02d}" for _ in range(3))
        prefix = f"9{secrets.randbelow(1000):03d}-{groups}"
        codes = {"debit": f"{prefix}-00", "credit": f"{prefix}-01"}
        amount = Decimal(secrets.randbelow(99_999_00) + 100) / 100
        on = (datetime.now(UTC) - timedelta(days=1)).date()
        state: dict[str, Any] = {}

        def accounts() -> str:
            for side, kind in (("debit", "ASSET"), ("credit", "EQUITY")):
                body = {"code": codes[side], "name": f"Smoke {side} {run}", "type": kind}
                response = self._post(f"{API}/accounts", body, f"smoke-{run}-account-{side}")
                _expect(response.status_code == 201, f"{side} account: {_snippet(response)}")
                state[side] = response.json()
            return f"created {codes['debit']} (ASSET) and {codes['credit']} (EQUITY)"

        def journal() -> str:
            body = {
                "date": on.isoformat(),
                "description": f"Smoke test {run}",
                "reference": f"SMOKE-{run}",
                "lines": [
                    {"account_id": state["debit"]["id"], "debit": f"{amount:.2f}"},
                    {"account_id": state["credit"]["id"], "credit": f"{amount:.2f}"},
                ],
                "post": False,
            }
            key = f"smoke-{run}-journal"
            first = self._post(f"{API}/journals", body, key)
            _expect(first.status_code == 201, f"create: {_snippet(first)}")
            state["journal"] = first.json()
            replay = self._post(f"{API}/journals", body, key)
            _expect(
                replay.status_code == 201 and replay.json().get("id") == state["journal"]["id"],
                f"replay with the same Idempotency-Key gave {_snippet(replay)}, "
                f"not journal {state['journal']['id']}",
            )
            return f"draft {state['journal'].get('number')} of {amount:.2f}; replay answered it"

        def post() -> str:
            journal_id = state["journal"]["id"]
            response = self._post(f"{API}/journals/{journal_id}/post", None, f"smoke-{run}-post")
            _expect(response.status_code == 200, f"post: {_snippet(response)}")
            status = response.json().get("status")
            _expect(status == "POSTED", f"journal status after post is {status!r}")
            return f"{response.json().get('number')} POSTED"

        def trial_balance() -> str:
            response = self.client.get(
                f"{API}/reports/trial-balance",
                params={"as_of": on.isoformat()},
                headers={**self.auth, **self._tenant()},
            )
            _expect(response.status_code == 200, f"trial balance: {_snippet(response)}")
            report = response.json()
            rows = {e["code"]: e for e in report.get("entries", [])}
            wrong = []
            for side, code in codes.items():
                row = rows.get(code)
                if row is None:
                    wrong.append(f"{code} missing")
                elif Decimal(row[side]) != amount:
                    wrong.append(f"{code} {side} {row[side]} != {amount:.2f}")
            totals = report.get("totals", {})
            if totals.get("balanced") is not True or Decimal(totals.get("variance", "1")) != 0:
                wrong.append(f"not balanced: totals {totals}")
            _expect(not wrong, "; ".join(wrong))
            return (
                f"both accounts show {amount:.2f}; totals {totals['debit']} = {totals['credit']}, "
                "balanced"
            )

        steps = (
            ("roundtrip.accounts", accounts),
            ("roundtrip.journal", journal),
            ("roundtrip.post", post),
            ("roundtrip.trial_balance", trial_balance),
        )
        failed: str | None = None
        for name, step in steps:
            if failed is not None:
                self.runner.not_run(name, f"not run: {failed} failed")
            elif not self.runner.run(name, step):
                failed = name

    # --- latency --------------------------------------------------------------------------

    def latency(self) -> str:
        n = self.config.latency_requests
        _expect(n >= 1, "latency needs at least one request")
        timings, bad = [], []
        headers = {**self.auth, **self._tenant()}
        for _ in range(n):
            started = time.perf_counter()
            response = self.client.get(self.config.latency_path, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                bad.append(response.status_code)
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[18] if n > 1 else timings[0]
        summary = f"{n} × GET {self.config.latency_path}: p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        _expect(not bad, f"{summary}; {len(bad)} not 200 (e.g. {bad[0]})" if bad else "")
        limit = self.config.latency_p95_ms
        _expect(p95 <= limit, f"{summary} > threshold {limit:.0f} ms")
        return f"{summary} (threshold {limit:.0f} ms)"

    # --- all of it --------------------------------------------------------------------------

    def run(self) -> SmokeReport:
        r = self.runner
        for path in ("/health/live", "/health/ready", "/health"):
            r.run(f"health {path}", self.health(path))
        r.run("auth: no token → 401", self.no_token)
        wrong_role_token = self.config.wrong_role_token
        if wrong_role_token is None and self.config.jwt_secret and self.tenant:
            wrong_role_token = mint_wrong_role_token(self.config, self.tenant)
        if wrong_role_token is None:
            r.not_run(
                "auth: wrong role → 403",
                "NOT RUN: give --wrong-role-token (a token lacking journal:read) "
                "or --jwt-secret to mint one",
            )
        else:
            r.run("auth: wrong role → 403", lambda: self.wrong_role(wrong_role_token))
        r.run("auth: wrong tenant → 403", self.wrong_tenant)
        r.run("cors: foreign origin refused", self.cors_refused)
        r.run("security headers", self.security_headers)
        self.round_trip()
        r.run("latency", self.latency)
        return SmokeReport(self.config.base_url, tuple(r.results))


def run_smoke(config: SmokeConfig, client: httpx.Client | None = None) -> SmokeReport:
    """Run every check against `config.base_url` and answer the report (never raises on a
    failed check)."""
    if client is not None:
        return _Smoke(config, client).run()
    with httpx.Client(
        base_url=config.base_url.rstrip("/"),
        timeout=config.timeout_seconds,
        verify=config.verify_tls,
        follow_redirects=False,
    ) as own:
        return _Smoke(config, own).run()
