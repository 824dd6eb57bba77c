"""A fake finance-service /metrics for the rollout tests: the service's own series
(http_requests_total, http_request_duration_seconds) with the labels the ServiceMonitor adds
(namespace, track), whose counters grow at configured rates. Every scenario is served at once,
told apart by a `scenario` label, so one Prometheus serves every test."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUCKETS = ("0.05", "0.1", "0.25", "0.5", "0.75", "1", "2.5", "+Inf")
# Cumulative share of requests at or under each bucket.
FAST = (0.9, 0.99, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)  # P95 ~ 75 ms
SLOW = (0.0, 0.05, 0.2, 0.4, 0.7, 1.0, 1.0, 1.0)  # P95 ~ 960 ms


@dataclass(frozen=True)
class Traffic:
    rps: float
    error_ratio: float
    latency: tuple[float, ...]


HEALTHY_STABLE = Traffic(40, 0.001, FAST)
SCENARIOS: dict[str, dict[str, Traffic]] = {
    "healthy": {"stable": HEALTHY_STABLE, "canary": Traffic(10, 0.002, FAST)},
    "flawless": {"stable": HEALTHY_STABLE, "canary": Traffic(10, 0.0, FAST)},  # no 5xx series
    "errors": {"stable": HEALTHY_STABLE, "canary": Traffic(10, 0.05, FAST)},
    "slow": {"stable": HEALTHY_STABLE, "canary": Traffic(10, 0.0, SLOW)},
    "absent": {"stable": HEALTHY_STABLE},  # the canary serves nothing
}


def exposition(elapsed: float) -> str:
    lines = [
        "# TYPE http_requests_total counter",
        "# TYPE http_request_duration_seconds histogram",
    ]
    for scenario, tracks in SCENARIOS.items():
        for track, traffic in tracks.items():
            labels = (
                f'namespace="vextrus-production",track="{track}",scenario="{scenario}",'
                'method="GET",route="/api/v1/accounts"'
            )
            total = traffic.rps * elapsed
            errors = total * traffic.error_ratio
            lines.append(f'http_requests_total{{{labels},code="200"}} {total - errors}')
            if errors:  # like the service: a code's series exists only after its first request
                lines.append(f'http_requests_total{{{labels},code="500"}} {errors}')
            for le, share in zip(BUCKETS, traffic.latency, strict=True):
                lines.append(
                    f'http_request_duration_seconds_bucket{{{labels},le="{le}"}} {total * share}'
                )
            lines.append(f"http_request_duration_seconds_count{{{labels}}} {total}")
            lines.append(f"http_request_duration_seconds_sum{{{labels}}} {total * 0.1}")
            # Kubelet probes of a pod that drains answer 503 after seconds: they are not user
            # traffic, and an analysis that counted them would fail every scenario.
            probes = (
                f'namespace="vextrus-production",track="{track}",scenario="{scenario}",'
                'method="GET",route="/health/ready"'
            )
            lines.append(f'http_requests_total{{{probes},code="503"}} {2 * elapsed}')
            lines.append(
                f'http_request_duration_seconds_bucket{{{probes},le="+Inf"}} {2 * elapsed}'
            )
    return "\n".join(lines) + "\n"


class FakeExporter:
    def __init__(self) -> None:
        started = time.monotonic()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = exposition(time.monotonic() - started).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.target = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeExporter:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
