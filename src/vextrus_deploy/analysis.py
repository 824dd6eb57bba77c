"""Judge the new version by its own traffic: the 5xx ratio and P95 latency of its pods over an
analysis window, and (in a canary stage) its 5xx ratio against the stable track's.

Prometheus is polled during the window so the operator sees the numbers move; the verdict is
taken once, at the end, over the whole window. Missing data is a failure: a canary that served
nothing has proven nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from vextrus_deploy.prometheus import PrometheusClient, PrometheusError

Log = Callable[[str], None]
SERVER_ERROR = 'code=~"5.."'
# Kubelet probes are not user traffic (a draining pod answers them 503): the alerts leave them
# out too (ADR 0019).
NOT_A_PROBE = 'route!~"/health.*"'


@dataclass(frozen=True)
class Thresholds:
    # The same numbers as the alerts (deploy/monitoring): error rate > 1 %, P95 > 500 ms,
    # canary worse than 1.5x stable.
    max_error_ratio: float = 0.01
    max_p95_seconds: float = 0.5
    max_ratio_to_stable: float = 1.5
    # Absolute slack over 1.5x stable, so that a stable track at 0 errors does not fail a canary
    # for its first 5xx.
    error_floor: float = 0.002


@dataclass(frozen=True)
class Queries:
    namespace: str
    track: str
    baseline_track: str | None
    window_s: int
    extra_match: str = ""  # more label matchers, e.g. 'job="finance-service-production"'

    def _match(self, track: str, *more: str) -> str:
        parts = [f'namespace="{self.namespace}"', f'track="{track}"', *more]
        if self.extra_match:
            parts.append(self.extra_match)
        return "{" + ",".join(parts) + "}"

    def error_ratio(self, track: str) -> str:
        w = f"[{self.window_s}s]"
        errors = f"sum(rate(http_requests_total{self._match(track, NOT_A_PROBE, SERVER_ERROR)}{w}))"
        total = f"sum(rate(http_requests_total{self._match(track, NOT_A_PROBE)}{w}))"
        # The service creates a code's series on its first such answer: a track that never
        # failed has no 5xx series at all, which is a ratio of 0, not "no data". Only a track
        # without requests stays empty.
        return f"({errors} or {total} * 0) / {total}"

    def p95(self, track: str) -> str:
        return (
            "histogram_quantile(0.95, sum by (le) "
            "(rate(http_request_duration_seconds_bucket"
            f"{self._match(track, NOT_A_PROBE)}[{self.window_s}s])))"
        )


@dataclass(frozen=True)
class Sample:
    error_ratio: float | None
    p95_seconds: float | None
    baseline_error_ratio: float | None


@dataclass
class Verdict:
    sample: Sample
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def measure(client: PrometheusClient, queries: Queries) -> Sample:
    baseline = (
        client.scalar(queries.error_ratio(queries.baseline_track))
        if queries.baseline_track
        else None
    )
    return Sample(
        error_ratio=client.scalar(queries.error_ratio(queries.track)),
        p95_seconds=client.scalar(queries.p95(queries.track)),
        baseline_error_ratio=baseline,
    )


def judge(sample: Sample, thresholds: Thresholds, track: str, baseline: str | None) -> Verdict:
    verdict = Verdict(sample)
    fail = verdict.failures.append
    if sample.error_ratio is None:
        fail(f"no data: no requests from track={track} in the window")
    elif sample.error_ratio > thresholds.max_error_ratio:
        fail(f"5xx ratio {sample.error_ratio:.2%} > {thresholds.max_error_ratio:.2%}")
    if sample.p95_seconds is None:
        fail(f"no data: no latency histogram from track={track} in the window")
    elif sample.p95_seconds > thresholds.max_p95_seconds:
        fail(f"P95 {sample.p95_seconds * 1000:.0f} ms > {thresholds.max_p95_seconds * 1000:.0f} ms")
    if baseline is not None:
        if sample.baseline_error_ratio is None:
            fail(f"no data: no requests from track={baseline} to compare with")
        elif sample.error_ratio is not None:
            limit = (
                thresholds.max_ratio_to_stable * sample.baseline_error_ratio
                + thresholds.error_floor
            )
            if sample.error_ratio > limit:
                fail(
                    f"5xx ratio {sample.error_ratio:.2%} > {thresholds.max_ratio_to_stable}x "
                    f"{baseline} ({sample.baseline_error_ratio:.2%}) + {thresholds.error_floor:.2%}"
                )
    return verdict


def describe(sample: Sample) -> str:
    def pct(value: float | None) -> str:
        return "no data" if value is None else f"{value:.3%}"

    p95 = "no data" if sample.p95_seconds is None else f"{sample.p95_seconds * 1000:.0f} ms"
    text = f"5xx {pct(sample.error_ratio)}, P95 {p95}"
    if sample.baseline_error_ratio is not None:
        text += f", baseline 5xx {pct(sample.baseline_error_ratio)}"
    return text


def analyse(
    client: PrometheusClient,
    queries: Queries,
    thresholds: Thresholds,
    *,
    poll_s: float,
    log: Log,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Verdict:
    """Wait out the window (logging each poll), then judge the whole window once."""
    end = clock() + queries.window_s
    log(f"analysis: {queries.window_s} s window, polling every {poll_s:g} s")
    while (left := end - clock()) > 0:
        sleep(min(poll_s, left))
        try:
            partial = measure(client, queries)
            log(f"analysis: {max(0.0, end - clock()):.0f} s left: {describe(partial)}")
        except PrometheusError as exc:
            # A poll is only for the operator's eyes; the final query decides.
            log(f"analysis: poll failed: {exc}")
    try:
        sample = measure(client, queries)
    except PrometheusError as exc:
        verdict = Verdict(Sample(None, None, None))
        verdict.failures.append(f"Prometheus unavailable: {exc}")
        return verdict
    return judge(sample, thresholds, queries.track, queries.baseline_track)
