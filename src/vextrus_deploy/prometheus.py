"""Instant queries against Prometheus's HTTP API (/api/v1/query)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import httpx


class PrometheusError(RuntimeError):
    pass


@dataclass
class PrometheusClient:
    base_url: str
    timeout: float = 10.0

    def scalar(self, promql: str) -> float | None:
        """The query's single value; None when it has no data (an empty vector, or NaN from
        a 0/0 ratio): the caller must treat that as "unknown", never as zero."""
        try:
            response = httpx.get(
                f"{self.base_url.rstrip('/')}/api/v1/query",
                params={"query": promql},
                timeout=self.timeout,
            )
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise PrometheusError(f"query {promql!r} failed: {exc}") from exc
        if body.get("status") != "success":
            raise PrometheusError(f"query {promql!r}: {body.get('error', body)}")
        data = body["data"]
        if data["resultType"] == "scalar":
            raw = data["result"][1]
        else:
            result = data["result"]
            if not result:
                return None
            if len(result) > 1:
                raise PrometheusError(f"query {promql!r} returned {len(result)} series, not one")
            raw = result[0]["value"][1]
        value = float(raw)
        return None if math.isnan(value) or math.isinf(value) else value
