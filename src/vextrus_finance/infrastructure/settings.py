"""Every setting of the service, read once from the environment (pydantic-settings)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from vextrus_finance import __version__

# Shared by `serve` and `token` when JWT_SECRET is unset in development, so a developer can
# mint a token without configuring anything. Production refuses to start with it.
DEVELOPMENT_JWT_SECRET = "vextrus-finance-development-secret-never-use-in-production"  # noqa: S105
DEFAULT_SQLITE_URL = "sqlite:///./data/vextrus-finance.db"


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

    jwt_secret: SecretStr | None = None
    jwt_leeway_seconds: int = Field(default=30, ge=0)
    jwt_issuer: str | None = None
    jwt_audience: str | None = None

    snapshot_frequency: int = Field(default=50, ge=1)
    snapshot_retention_count: int = Field(default=3, ge=1)
    eventstore_read_batch_size: int = Field(default=500, ge=1)
    eventstore_max_retry_attempts: int = Field(default=5, ge=1)
    eventstore_retry_delay_ms: int = Field(default=20, ge=0)
    idempotency_ttl_hours: int = Field(default=24, ge=24)

    # --- operability (issue 5) ---
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

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.business_timezone)).date()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_development_secret(self) -> bool:
        return self.jwt_secret is None

    def production_problems(self) -> list[str]:
        """What is missing for a production start; empty means it may start."""
        if self.environment is not Environment.PRODUCTION:
            return []
        problems = []
        if self.jwt_secret is None:
            problems.append("JWT_SECRET is not set (the development secret is refused)")
        elif self.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET:
            problems.append("JWT_SECRET is the development secret")
        if self.is_sqlite:
            problems.append("DATABASE_URL points at SQLite; production runs on PostgreSQL")
        return problems

    def jwt_key(self) -> str:
        if self.jwt_secret is None:
            return DEVELOPMENT_JWT_SECRET
        return self.jwt_secret.get_secret_value()


def _redact_url(url: str) -> str:
    # Imported here: the database module imports this one.
    from vextrus_finance.infrastructure.database import redacted

    try:
        return redacted(url)
    except Exception:  # an unparsable URL is shown as nothing rather than leaked
        return "<unparsable DATABASE_URL>"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
