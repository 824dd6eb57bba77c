"""Who is asking, for which tenant, and how to trace it: carried into every event's metadata."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# A tenant id leads every key of every table, so it must fit them: 1–64 safe characters.
_TENANT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def is_tenant_id(value: str) -> bool:
    return _TENANT_RE.fullmatch(value) is not None


def new_id() -> str:
    """A random (version 4) UUID in its canonical text form: the same as `str(uuid.uuid4())`,
    formatted from the random bytes directly — `uuid.UUID` validates its arguments and
    builds an object first, and a posting makes eight ids (ADR 0028)."""
    h = os.urandom(16).hex()
    # Version nibble 4; variant bits 10xx (RFC 4122): the top two bits of byte 8 set to 10.
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


_VARIANT = "89ab"


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
