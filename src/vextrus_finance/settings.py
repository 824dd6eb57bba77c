"""Every setting of the service, read once from the environment (pydantic-settings)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from vextrus_finance import __version__
from vextrus_finance.domain.calendar import BusinessCalendar

# Shared by `serve` and `token` when JWT_SECRET is unset in development, so a developer can
# mint a token without configuring anything. Production refuses to start with it.
DEVELOPMENT_JWT_SECRET = "vextrus-finance-development-secret-never-use-in-production"  # noqa: S105
DEFAULT_SQLITE_URL = "sqlite:///./data/vextrus-finance.db"
# The front-end dev servers (React/Next, Angular, Vite) a developer runs against the service.
DEVELOPMENT_CORS_ORIGINS = (
    "http://localhost:3000",
    "http://localhost:4200",
    "http://localhost:5173",
)
MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Environment = Environment.DEVELOPMENT
    host: str = "0.0.0.0"  # noqa: S104 - a container listens on all interfaces
    port: int = Field(default=3014, ge=1, le=65535)
    log_level: str = "INFO"
    # "Today" for reports is the business day in Bangladesh, not the server's UTC date.
    business_timezone: str = "Asia/Dhaka"

    database_url: str = DEFAULT_SQLITE_URL
    database_pool_size: int = Field(default=20, ge=1)
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    # Safe with many replicas: on PostgreSQL migrations run under an advisory lock.
    migrate_on_start: bool = True

    # --- security ---
    # Token keys: an HS256 secret, and/or an RS256/ES256 public key as PEM text or a JWKS URL.
    # Each key is only ever used with its own algorithm family (no HS/RS confusion).
    jwt_secret: SecretStr | None = None
    jwt_public_key: SecretStr | None = None
    jwt_jwks_url: str | None = None
    jwt_jwks_cache_seconds: int = Field(default=300, ge=1)
    # A token with an unknown `kid` refreshes the JWKS at most this often (no fetch storm).
    jwt_jwks_min_refresh_seconds: float = Field(default=30.0, ge=0)
    jwt_leeway_seconds: int = Field(default=30, ge=0)
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_tenant_claims: str = "tenant_id,tenantId,organizationId"
    jwt_roles_claim: str = "roles"
    jwt_permissions_claim: str = "permissions"
    # Comma-separated exact origins; empty in development means the local front-end ports.
    cors_origin: str | None = None
    # Cookie authentication is off unless named; when on, writes need the double-submit token.
    auth_cookie_name: str | None = None
    csrf_cookie_name: str = "vextrus_csrf"
    csrf_header_name: str = "X-CSRF-Token"
    rate_limit_per_minute: int = Field(default=600, ge=0)  # 0 turns the limit off
    rate_limit_ip_per_minute: int = Field(default=1200, ge=0)
    redis_url: SecretStr | None = None
    # Proxies whose X-Forwarded-For is believed (comma list of IPs/CIDRs, or "*").
    forwarded_allow_ips: str = "127.0.0.1"
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_json_depth: int = Field(default=32, ge=2)
    # Request line plus headers; more gets 431 from the server before the app (a JWT and the
    # usual headers take 2–4 KB).
    max_header_bytes: int = Field(default=64 * 1024, ge=8 * 1024)
    request_timeout_seconds: float = Field(default=30.0, gt=0)
    docs_enabled: bool | None = None  # default: on except in production

    snapshot_frequency: int = Field(default=50, ge=1)
    snapshot_retention_count: int = Field(default=3, ge=1)
    eventstore_read_batch_size: int = Field(default=500, ge=1)
    eventstore_max_retry_attempts: int = Field(default=5, ge=1)
    eventstore_retry_delay_ms: int = Field(default=20, ge=0)
    idempotency_ttl_hours: int = Field(default=24, ge=24)
    # --- posting window ---
    # Postings and documents must be dated from the start of the fiscal year holding this day
    # (the first year the books are kept here) to the end of the fiscal year this many years
    # after the current one.
    posting_window_first_day: date = date(2000, 7, 1)
    posting_window_years_ahead: int = Field(default=1, ge=0, le=10)

    # --- operability ---
    # Unset: JSON everywhere except ENVIRONMENT=development, which gets coloured console lines.
    log_format: Literal["json", "console"] | None = None
    # Labels of finance_build_info; the deployment sets them per image and rollout track.
    deployment_version: str = __version__
    deployment_track: str = "stable"
    # Tracing is installed only when this is set (OTLP/HTTP base URL, e.g. http://collector:4318).
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "vextrus-finance"
    # Readiness answers within this even when the database hangs.
    health_check_timeout_seconds: float = Field(default=2.0, gt=0)
    # After SIGTERM: readiness is 503 while requests are still served for the drain, so the
    # load balancer stops sending before the listener closes; then in-flight requests finish.
    # Grace is the whole budget from SIGTERM to exit: the pod's 60 s minus the preStop hook.
    shutdown_drain_seconds: float = Field(default=10.0, ge=0)
    shutdown_grace_seconds: float = Field(default=50.0, gt=0)

    # --- document rendering ---
    # Mushak-6.3 PDFs render in worker processes that can be killed: at most this many at
    # once, this many for one tenant, each stopped at the time limit (shorter than the
    # request's, so the renderer answers rather than the request timeout).
    document_render_workers: int = Field(default=2, ge=1)
    document_render_per_tenant: int = Field(default=1, ge=1)
    document_render_timeout_seconds: float = Field(default=25.0, gt=0)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @model_validator(mode="after")
    def _drain_fits_in_grace(self) -> Settings:
        if self.shutdown_drain_seconds >= self.shutdown_grace_seconds:
            raise ValueError("SHUTDOWN_DRAIN_SECONDS must be shorter than SHUTDOWN_GRACE_SECONDS")
        return self

    @model_validator(mode="after")
    def _render_fits_in_request(self) -> Settings:
        if self.document_render_timeout_seconds >= self.request_timeout_seconds:
            raise ValueError(
                "DOCUMENT_RENDER_TIMEOUT_SECONDS must be shorter than REQUEST_TIMEOUT_SECONDS"
            )
        return self

    def __repr_args__(self) -> Any:
        # repr()/str() of the settings must never show the database password.
        for name, value in super().__repr_args__():
            if name == "database_url" and isinstance(value, str):
                yield name, _redact_url(value)
            else:
                yield name, value

    @property
    def resolved_log_format(self) -> str:
        if self.log_format is not None:
            return self.log_format
        return "console" if self.environment is Environment.DEVELOPMENT else "json"

    @property
    def calendar(self) -> BusinessCalendar:
        """The business calendar of BUSINESS_TIMEZONE on the system clock."""
        return BusinessCalendar.named(self.business_timezone)

    def today(self) -> date:
        return self.calendar.today()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def has_asymmetric_key(self) -> bool:
        return self.jwt_public_key is not None or self.jwt_jwks_url is not None

    @property
    def uses_development_secret(self) -> bool:
        """Only in development: elsewhere no key means no HS256 token is accepted at all."""
        return (
            self.environment is Environment.DEVELOPMENT
            and self.jwt_secret is None
            and not self.has_asymmetric_key
        )

    @property
    def cors_origins(self) -> tuple[str, ...]:
        given = tuple(o.rstrip("/") for o in self._list(self.cors_origin or ""))
        if given or self.environment is not Environment.DEVELOPMENT:
            return given
        return DEVELOPMENT_CORS_ORIGINS

    @property
    def show_docs(self) -> bool:
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.environment is not Environment.PRODUCTION

    @staticmethod
    def _list(value: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in value.split(",") if v.strip())

    @property
    def tenant_claims(self) -> tuple[str, ...]:
        return self._list(self.jwt_tenant_claims)

    def production_problems(self) -> list[str]:
        """What is missing for a start; empty means it may start. The token key is checked in
        every environment but development (the development secret is published in the source,
        so a staging or test service accepting it would take anyone's tokens); the rest only in
        production."""
        if self.environment is Environment.DEVELOPMENT:
            return []
        problems = []
        if self.jwt_secret is None and not self.has_asymmetric_key:
            problems.append(
                "no token key: set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL "
                "(the development secret is refused outside ENVIRONMENT=development)"
            )
        elif self.jwt_secret is not None:
            secret = self.jwt_secret.get_secret_value()
            if secret == DEVELOPMENT_JWT_SECRET:
                problems.append("JWT_SECRET is the development secret")
            elif (
                len(secret.encode()) < MIN_SECRET_BYTES
                and self.environment is Environment.PRODUCTION
            ):
                problems.append(f"JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes")
        if self.environment is not Environment.PRODUCTION:
            return problems
        if not self.cors_origins:
            problems.append("CORS_ORIGIN is not set (comma-separated exact origins)")
        if self.is_sqlite:
            problems.append("DATABASE_URL points at SQLite; production runs on PostgreSQL")
        return problems

    def jwt_key(self) -> str | None:
        """The HS256 secret, if HS256 tokens are accepted at all."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        return DEVELOPMENT_JWT_SECRET if self.uses_development_secret else None


def _redact_url(url: str) -> str:
    # Imported here: the database module imports this one.
    from vextrus_finance.infrastructure.db.database import redacted

    try:
        return redacted(url)
    except Exception:  # an unparsable URL is shown as nothing rather than leaked
        return "<unparsable DATABASE_URL>"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
