"""The deployed rules and the dashboard's queries in a real Prometheus (Debian's 2.x) scraping the
real `vextrus-finance serve`, with the target labels the ServiceMonitor gives in production
(job = the Service name, namespace, pod, and track/version from podTargetLabels).

promtool proves the alerts' logic on made-up series; this proves the same rules and queries
meet the service's real label names and values (route templates such as /health/live, code as
a string), evaluate without error, and raise nothing on a healthy pod."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.deploy.monitoring_files import (
    DASHBOARD_FILE,
    MONITORING,
    RULES_FILE,
    alerts,
    recording_rules,
    render,
    rule_groups,
)
from tests.system.prometheus import Prometheus
from tests.system.server import Server

pytestmark = pytest.mark.slow

TARGET_LABELS = {
    "namespace": "vextrus-production",
    "pod": "finance-service-canary-5d8f7-abcde",
    "track": "canary",
    "version": "9.9.9",
}


class ProductionLikePrometheus(Prometheus):
    """Scrapes as job finance-service-production with the production target labels, and
    evaluates the deployed rules file every second."""

    def start(self) -> None:
        config = self.workdir / "prometheus.yml"
        labels = "".join(f"          {k}: '{v}'\n" for k, v in TARGET_LABELS.items())
        config.write_text(
            "global:\n"
            "  scrape_interval: 1s\n"
            "  scrape_timeout: 1s\n"
            "  evaluation_interval: 1s\n"
            f"rule_files: ['{RULES_FILE}']\n"
            "scrape_configs:\n"
            "  - job_name: finance-service-production\n"
            "    metrics_path: /metrics\n"
            "    static_configs:\n"
            f"      - targets: ['{self.target}']\n"
            "        labels:\n" + labels
        )
        log = (self.workdir / "prometheus.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_until(lambda: httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionLikePrometheus]:
    workdir = tmp_path_factory.mktemp("live-monitoring")
    server = Server(
        f"sqlite:///{workdir / 'finance.db'}",
        workdir / "server.log",
        DEPLOYMENT_TRACK=TARGET_LABELS["track"],
        DEPLOYMENT_VERSION=TARGET_LABELS["version"],
    )
    prometheus = ProductionLikePrometheus(f"127.0.0.1:{server.port}", workdir)
    stop = threading.Event()
    answers: list[int] = []

    def traffic() -> None:
        """Probes, and API calls without a token (401, not 5xx), between every two scrapes:
        a rate needs the counters to move while Prometheus watches."""
        with httpx.Client(base_url=server.url, timeout=10) as client:
            while not stop.is_set():
                answers.append(client.get("/health/live").status_code)
                answers.append(client.get("/api/v1/accounts").status_code)
                stop.wait(0.05)

    thread = threading.Thread(target=traffic, daemon=True)
    try:
        # Prometheus first: its start-up overlaps the service's (the port is already chosen).
        prometheus.start()
        server.start()
        thread.start()
        prometheus.wait_for(
            'namespace_track:finance_http_requests:rate5m{track="canary"} > 0',
            lambda r: len(r) == 1,
        )
        yield prometheus
    finally:
        stop.set()
        thread.join(timeout=15)
        prometheus.stop()
        if server.process is not None:
            server.stop()
    assert set(answers) == {200, 401}


def _value(result: list[dict[str, Any]]) -> float:
    (sample,) = result
    return float(sample["value"][1])


def test_the_recorded_series_carry_namespace_and_track_from_the_target(
    live: ProductionLikePrometheus,
) -> None:
    (sample,) = live.query("namespace_track:finance_http_requests:rate5m")
    assert sample["metric"] == {
        "__name__": "namespace_track:finance_http_requests:rate5m",
        "namespace": "vextrus-production",
        "track": "canary",
    }


def test_probes_are_excluded_by_the_real_route_label(live: ProductionLikePrometheus) -> None:
    """The recording rule's own expression against a manual split, at one instant."""
    (record,) = [
        r
        for r in recording_rules(rule_groups(render(MONITORING)))
        if r["record"] == "namespace_track:finance_http_requests:rate5m"
    ]
    # An instant whose scrapes have all landed (1 s interval), after the fixture saw the rate
    # move: all three queries read the same samples.
    time.sleep(2)
    at = time.time() - 1.5
    job = 'job="finance-service-production"'

    def value_at(promql: str) -> float:
        response = httpx.get(
            f"{live.url}/api/v1/query", params={"query": promql, "time": at}, timeout=5
        )
        return _value(response.json()["data"]["result"])

    probes = value_at(f'sum(rate(http_requests_total{{{job}, route=~"/health.*"}}[5m]))')
    everything = value_at(f"sum(rate(http_requests_total{{{job}}}[5m]))")
    api = value_at(record["expr"])
    assert probes > 0
    assert api > 0
    assert api == pytest.approx(everything - probes)


def test_a_pod_without_5xx_has_error_ratio_zero_not_no_data(
    live: ProductionLikePrometheus,
) -> None:
    assert live.query("namespace_track:finance_http_requests_5xx:rate5m") == []
    assert _value(live.query("namespace_track:finance_http_error_ratio:rate5m")) == 0


def test_every_alert_evaluates_and_none_is_pending_on_a_healthy_pod(
    live: ProductionLikePrometheus,
) -> None:
    groups = rule_groups(render(MONITORING))
    for rule in alerts(groups):
        live.query(rule["expr"])  # raises unless Prometheus accepts and evaluates it
    rules = httpx.get(f"{live.url}/api/v1/rules", timeout=5).json()["data"]["groups"]
    assert {g["name"] for g in rules} == {g["name"] for g in groups}
    unhealthy = [r for g in rules for r in g["rules"] if r["health"] != "ok"]
    assert not unhealthy, unhealthy
    assert live.query('ALERTS{alertname=~"Finance.*"}') == []


def _grafana_to_promql(expr: str) -> str:
    expr = re.sub(r"\$__\w+", "1m", expr)
    return expr.replace("$track", ".+")


# Panels whose service series exist on any pod that has answered a request.
MUST_HAVE_DATA = {
    "Targets up",
    "5xx ratio (API, all selected tracks)",
    "P95 latency (API, all selected tracks)",
    "Trial-balance variance",
    "Build info by version and track",
    "Request rate by track",
    "5xx ratio by track",
    "Latency P50 / P95 / P99 by track",
    "Responses by status code",
    "Requests in flight",
    "Error responses by route",
    "Concurrency conflicts",
    "Connection errors by pod",
    "Snapshots written / failed",
    "Journals posted",
    "Invoices by state",
    "Payments by state",
}


def test_every_dashboard_query_runs_and_service_panels_show_data(
    live: ProductionLikePrometheus,
) -> None:
    import json

    board = json.loads(DASHBOARD_FILE.read_text())
    with_data = set()
    for panel in board["panels"]:
        for target in panel.get("targets", []):
            expr = _grafana_to_promql(target["expr"])
            result = live.query(expr)
            if result:  # platform series (cAdvisor, kube-state-metrics) do not exist here
                with_data.add(panel["title"])
    assert with_data >= MUST_HAVE_DATA, MUST_HAVE_DATA - with_data
    (row,) = live.query(
        _grafana_to_promql(
            'count by (version, track) (finance_build_info{job="finance-service-production", '
            'namespace="vextrus-production"})'
        )
    )
    assert row["metric"] == {"version": "9.9.9", "track": "canary"}
