"""Every setting of the service, read once from the environment (pydantic-settings)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
