"""Who is asking, for which tenant, and how to trace it: carried into every event's metadata."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def new_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RequestContext:
    tenant_id: str
    user_id: str
    roles: frozenset[str] = frozenset()
    correlation_id: str = field(default_factory=new_id)
    client_ip: str | None = None
    user_agent: str | None = None

    def event_metadata(self, causation_id: str) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "user_id": self.user_id,
            "correlation_id": self.correlation_id,
            "causation_id": causation_id,
            "client_ip": self.client_ip,
            "user_agent": self.user_agent,
        }
