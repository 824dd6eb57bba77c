"""Rate limits per client IP (middleware, before any work) and per user+tenant (after the token
is verified), with the `limits` library: moving windows (exact: at most N in any 60 s, no burst
at a window boundary), in Redis when REDIS_URL is set so every replica shares them, and in
process memory otherwise."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from urllib.parse import quote

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from vextrus_finance.api.middleware import HttpMiddleware, RawHeaders, adding_headers
from vextrus_finance.api.problems import refuse
from vextrus_finance.settings import Settings

log = logging.getLogger(__name__)
WINDOW_S = 60
EXEMPT_PREFIXES = ("/health", "/metrics")
STATE_KEY = "rate_limits"


def bucket_key(kind: str, *parts: str) -> str:
    """The storage key of one bucket. Each part is percent-encoded (`:` and `%` included), so
    no tenant id or subject can end where another begins: `acme` + `corp:alice` and
    `acme:corp` + `alice` are two buckets."""
    return ":".join((kind, *(quote(part, safe="") for part in parts)))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_after_s: int


class RateLimited(Exception):
    """Too many requests (HTTP 429)."""

    def __init__(self, decision: Decision, scope: str) -> None:
        super().__init__(f"too many requests for this {scope}: {decision.limit} per minute")
        self.decision = decision


class RateLimiter:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._strategy = MovingWindowRateLimiter(storage)
        self._last_warning = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        if settings.redis_url is None:
            return cls(MemoryStorage())
        url = settings.redis_url.get_secret_value()
        # limits names its async Redis backends by scheme; redis-py is the client we ship.
        uri = "async+" + url if not url.startswith("async+") else url
        return cls(RedisStorage(uri, implementation="redispy", wrap_exceptions=True))

    async def hit(self, key: str, per_minute: int) -> Decision | None:
        """Count one request against `key`; None when limiting is off or its store is down.
        A store outage lets requests through (and says so in the log): the limiter protects
        the service, it must not be the reason the service is down."""
        if per_minute <= 0:
            return None
        item = RateLimitItemPerMinute(per_minute)
        try:
            allowed = await self._strategy.hit(item, key)
            stats = await self._strategy.get_window_stats(item, key)
        except Exception as exc:
            now = time.monotonic()
            if now - self._last_warning > WINDOW_S:
                self._last_warning = now
                log.warning("rate-limit store unavailable, not limiting: %s", type(exc).__name__)
            return None
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(allowed, per_minute, max(0, stats.remaining), min(reset, WINDOW_S))


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    headers = {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_after_s),
        "RateLimit-Policy": f"{decision.limit};w={WINDOW_S}",
    }
    if not decision.allowed:
        headers["Retry-After"] = str(decision.reset_after_s)
    return headers


def record(scope: Scope, decision: Decision | None) -> None:
    """Remember a decision so the response can carry the tightest one's headers."""
    if decision is not None:
        scope.setdefault("state", {}).setdefault(STATE_KEY, []).append(decision)


class IpRateLimitMiddleware(HttpMiddleware):
    """Per client IP. The IP is the socket peer unless a trusted proxy (FORWARDED_ALLOW_IPS)
    forwarded the request, which the proxy-headers middleware in front has already resolved."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, per_minute: int) -> None:
        super().__init__(app)
        self.limiter = limiter
        self.per_minute = per_minute

    def passes(self, scope: Scope) -> bool:
        return bool(scope["path"].startswith(EXEMPT_PREFIXES))

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        decision = await self.limiter.hit(bucket_key("ip", ip), self.per_minute)
        if decision is not None and not decision.allowed:
            await refuse(
                scope,
                receive,
                send,
                429,
                "rate_limited",
                f"too many requests from this address: {decision.limit} per minute",
                headers=rate_limit_headers(decision),
            )
            return
        record(scope, decision)

        def tightest_limit(headers: RawHeaders) -> list[tuple[bytes, bytes]]:
            # Read as the response starts: the per-user limit is decided after this point.
            decisions: list[Decision] = scope.get("state", {}).get(STATE_KEY, [])
            if not decisions:
                return []
            tightest = min(decisions, key=lambda d: (d.allowed, d.remaining))
            present = {k.lower() for k, _ in headers}
            return [
                (k.lower().encode(), v.encode())
                for k, v in rate_limit_headers(tightest).items()
                if k.lower().encode() not in present
            ]

        await self.app(scope, receive, adding_headers(send, tightest_limit))
