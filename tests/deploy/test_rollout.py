"""The rollout, rollback and preflight commands against a fake `kubectl` (a cluster in a JSON
file; `kubectl kustomize` is the real one) and a REAL Prometheus scraping a fake exporter whose
canary is healthy, failing (5 % 5xx), slow (P95 ~ 1 s) or silent. Promotion and every automatic
rollback path run here, through deploy/scripts/* as an operator runs them."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.fake_exporter import FakeExporter
from tests.system.prometheus import Prometheus, require_binary
from vextrus_deploy.preflight import Status, image_check

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
FIXTURE_K8S = HERE / "fixtures" / "k8s"
PROD = "vextrus-production"
STABLE = f"{PROD}/finance-service-production"
CANARY = f"{PROD}/finance-service-canary"
OLD, NEW = "registry.example/vextrus/finance:1.0.0", "registry.example/vextrus/finance:1.1.0"
TOKEN = "s3cret-smoke-token"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    with FakeExporter() as exporter:
        server = Prometheus(exporter.target, tmp_path_factory.mktemp("prometheus"))
        server.start()
        try:
            # A rate needs two scrapes of every scenario before any analysis can judge it.
            server.wait_for(
                'count(rate(http_requests_total{code="200"}[5s]) > 0)',
                lambda r: bool(r) and float(r[0]["value"][1]) >= 7,
            )
            yield server
        finally:
            server.stop()


def _secret(**keys: str) -> dict[str, str]:
    return {k: base64.b64encode(v.encode()).decode() for k, v in keys.items()}


class Cluster:
    """The fake cluster's state file, the fake binaries' directory, and how to run a script."""

    def __init__(self, tmp: Path) -> None:
        self.state_file = tmp / "cluster.json"
        self.smoke_log = tmp / "smoke.jsonl"
        self.bin = tmp / "bin"
        self.bin.mkdir()
        kubectl = self.bin / "kubectl"
        kubectl.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" "{HERE / "fake_kubectl.py"}" "$@"\n'
        )
        kubectl.chmod(0o755)
        self.write(
            {
                "deployments": {
                    STABLE: {"replicas": 10, "image": OLD, "track": "stable", "history": [],
                             "annotations": {}},
                },
                "namespaces": ["vextrus-staging", PROD],
                "secrets": {
                    f"{PROD}/finance-db-production": _secret(DATABASE_URL="postgresql://db/x"),
                    f"{PROD}/finance-secrets-production": _secret(JWT_SECRET="k" * 32),
                },
                "crds": ["servicemonitors.monitoring.coreos.com",
                         "prometheusrules.monitoring.coreos.com"],
                "pods": {
                    f"{PROD}|app.kubernetes.io/component in (gateway,ingress)": ["gateway-0"],
                    "monitoring|app.kubernetes.io/name=prometheus": ["prometheus-0"],
                },
                "services": ["observability/otel-collector"],
                "hpas": {},
                "jobs": {f"{PROD}/finance-service-migrate": OLD},  # the last release's
                "job_outcome": {},
                "rollout_status": {},
                "applied": [],
                "calls": [],
            }
        )  # fmt: skip

    def read(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(self.state_file.read_text())
        return state

    def write(self, state: dict[str, Any]) -> None:
        self.state_file.write_text(json.dumps(state))

    def update(self, **changes: Any) -> None:
        state = self.read()
        state.update(changes)
        self.write(state)

    def calls(self, verb: str) -> list[list[str]]:
        return [c for c in self.read()["calls"] if c and c[0] == verb]

    def run(self, script: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            # The fake kubectl first; then this venv's `vextrus-finance`.
            "PATH": os.pathsep.join([str(self.bin), str(Path(sys.executable).parent),
                                     os.environ["PATH"]]),
            "FAKE_KUBECTL_STATE": str(self.state_file),
            "FAKE_KUBECTL_REAL": require_binary("kubectl"),
            "FAKE_SMOKE_LOG": str(self.smoke_log),
            "VEXTRUS_K8S_DIR": str(FIXTURE_K8S),
        }  # fmt: skip
        done = subprocess.run(
            [str(ROOT / "deploy" / "scripts" / script), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        print(done.stdout, done.stderr)  # shown when a test fails
        return done


@pytest.fixture
def cluster(tmp_path: Path) -> Cluster:
    return Cluster(tmp_path)


def rollout(
    cluster: Cluster,
    prometheus: Prometheus | None,
    stage: str = "canary-10",
    *,
    scenario: str = "healthy",
    smoke: str = "pass",
    window: int = 8,
    smoke_url: str | None = "http://127.0.0.1:18014",
) -> subprocess.CompletedProcess[str]:
    args = [
        stage,
        *(["--smoke-base-url", smoke_url] if smoke_url else []),
        "--image", NEW,
        "--smoke-token", TOKEN,
        "--smoke-command", f"{sys.executable} {HERE / 'fake_smoke.py'} {smoke}",
        "--analysis-window", str(window),
        "--poll-interval", "2",
        "--rollout-timeout", "30",
        "--prometheus-match", f'scenario="{scenario}"',
        "--prometheus-url", prometheus.url if prometheus else "http://127.0.0.1:9",
    ]  # fmt: skip
    return cluster.run("rollout", *args)


def promoted_canary_10(cluster: Cluster) -> None:
    """The cluster as a promoted canary-10 leaves it (what the first test checks)."""
    state = cluster.read()
    state["deployments"][STABLE].update(
        replicas=9,
        annotations={
            "vextrus.io/rollout-stage": "canary-10",
            "vextrus.io/rollout-outcome": "promoted",
            "vextrus.io/stable-image": OLD,
        },
    )
    state["deployments"][CANARY] = {"replicas": 1, "image": NEW, "track": "canary",
                                    "history": [], "annotations": {}}  # fmt: skip
    cluster.write(state)


def assert_rolled_back_to_stable(cluster: Cluster, done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 1, done.stdout
    state = cluster.read()
    canary, stable = state["deployments"][CANARY], state["deployments"][STABLE]
    assert canary["replicas"] == 0
    assert (stable["replicas"], stable["image"]) == (10, OLD)
    assert stable["annotations"]["vextrus.io/rollout-stage"] == "canary-10"
    assert stable["annotations"]["vextrus.io/rollout-outcome"] == "rolled-back"
    assert "automatic rollback" in done.stdout
    assert "rolled back" in done.stdout.splitlines()[-1]


def test_healthy_canary_is_promoted_without_any_rollback_call(
    cluster: Cluster, prometheus: Prometheus
) -> None:
    done = rollout(cluster, prometheus, scenario="healthy")

    assert done.returncode == 0, done.stdout
    state = cluster.read()
    canary, stable = state["deployments"][CANARY], state["deployments"][STABLE]
    # The overlay's placeholders were replaced: the canary runs the new image, stable the old.
    assert (canary["image"], canary["replicas"], canary["track"]) == (NEW, 1, "canary")
    assert (stable["image"], stable["replicas"]) == (OLD, 9)
    assert (canary["version"], stable["version"]) == ("1.1.0", "1.0.0")
    # The migration Job was replaced (immutable), runs the new image, and was waited for.
    assert state["jobs"] == {f"{PROD}/finance-service-migrate": NEW}
    assert ["delete", "job", "finance-service-migrate", "-n", PROD, "--ignore-not-found=true"] in (
        cluster.calls("delete")
    )
    assert cluster.calls("wait") == [
        ["wait", "--for=condition=complete", "job/finance-service-migrate", "-n", PROD,
         "--timeout=30s"]
    ]  # fmt: skip
    assert stable["annotations"]["vextrus.io/rollout-stage"] == "canary-10"
    assert stable["annotations"]["vextrus.io/rollout-outcome"] == "promoted"
    assert stable["annotations"]["vextrus.io/stable-image"] == OLD
    assert not cluster.calls("scale")
    assert not cluster.calls("set")
    assert ["rollout", "undo"] not in [c[:2] for c in cluster.calls("rollout")]
    # Both Deployments were waited for (the old script never waited for stable).
    waited = [c[2] for c in cluster.calls("rollout") if c[1] == "status"]
    assert waited == ["deployment/finance-service-canary", "deployment/finance-service-production"]
    # The smoke test got the URL and the token; the log never shows the token.
    assert json.loads(cluster.smoke_log.read_text()) == [
        "--base-url", "http://127.0.0.1:18014", "--token", TOKEN,
    ]  # fmt: skip
    assert TOKEN not in done.stdout + done.stderr
    assert "analysis: passed" in done.stdout
    assert "stage canary-10 promoted" in done.stdout


def test_canary_that_never_failed_is_promoted(cluster: Cluster, prometheus: Prometheus) -> None:
    """Like the service, the exporter has no 5xx series for a track without a 5xx answer: that
    is a ratio of 0, not missing data (and the 503s of draining pods' probes do not count)."""
    done = rollout(cluster, prometheus, scenario="flawless")

    assert done.returncode == 0, done.stdout
    assert "analysis: passed" in done.stdout
    assert not cluster.calls("scale")


def test_canary_with_five_percent_errors_is_rolled_back(
    cluster: Cluster, prometheus: Prometheus
) -> None:
    # The HPA a previous release's `full` left on production would resize the stable track.
    cluster.update(hpas={f"{STABLE}-hpa": "finance-service-production"})

    done = rollout(cluster, prometheus, scenario="errors")

    assert_rolled_back_to_stable(cluster, done)
    assert "analysis failed: 5xx ratio 5.00% > 1.00%" in done.stdout
    assert "x stable" in done.stdout  # also worse than 1.5x the stable track
    assert cluster.read()["hpas"] == {}


def test_slow_canary_is_rolled_back_on_p95(cluster: Cluster, prometheus: Prometheus) -> None:
    done = rollout(cluster, prometheus, scenario="slow")

    assert_rolled_back_to_stable(cluster, done)
    assert "analysis failed: P95 " in done.stdout
    assert "ms > 500 ms" in done.stdout
    assert "5xx ratio" not in done.stdout.split("analysis failed:")[1].splitlines()[0]


def test_canary_without_traffic_is_a_failure_not_a_pass(
    cluster: Cluster, prometheus: Prometheus
) -> None:
    done = rollout(cluster, prometheus, scenario="absent", window=4)

    assert_rolled_back_to_stable(cluster, done)
    assert "no data: no requests from track=canary" in done.stdout


def test_migration_job_that_does_not_complete_rolls_back(cluster: Cluster) -> None:
    cluster.update(job_outcome={f"{PROD}/finance-service-migrate": "timeout"})

    done = rollout(cluster, None)

    assert_rolled_back_to_stable(cluster, done)
    assert "FAILED: job/finance-service-migrate did not complete" in done.stdout
    assert not cluster.smoke_log.exists()


def test_failing_smoke_test_rolls_back_before_any_analysis(cluster: Cluster) -> None:
    done = rollout(cluster, None, smoke="fail")  # Prometheus is never asked

    assert_rolled_back_to_stable(cluster, done)
    assert "FAILED: smoke test exited 1" in done.stdout
    assert "smoke| smoke: 14 checks, 13 passed, 1 FAILED" in done.stdout
    assert "step: analysis" not in done.stdout


def test_rollout_status_timeout_rolls_back_without_smoke(cluster: Cluster) -> None:
    cluster.update(rollout_status={CANARY: "timeout"})

    done = rollout(cluster, None)

    assert_rolled_back_to_stable(cluster, done)
    assert "finance-service-canary did not become ready: error: timed out" in done.stdout
    assert not cluster.smoke_log.exists()


def test_without_a_smoke_url_the_smoke_test_goes_through_a_port_forward_to_the_canary(
    cluster: Cluster,
) -> None:
    done = rollout(cluster, None, smoke="fail", smoke_url=None)

    assert_rolled_back_to_stable(cluster, done)
    [forward] = cluster.calls("port-forward")
    assert forward[:2] == ["port-forward", "deployment/finance-service-canary"]
    assert forward[3:] == ["-n", PROD]
    local_port = forward[2].split(":")[0]
    assert forward[2] == f"{local_port}:3014"
    # The smoke test was pointed at the forwarded port, i.e. at a canary pod.
    assert json.loads(cluster.smoke_log.read_text())[:2] == [
        "--base-url", f"http://127.0.0.1:{local_port}",
    ]  # fmt: skip


def test_full_promotes_on_production_and_deletes_the_canary(
    cluster: Cluster, prometheus: Prometheus
) -> None:
    promoted_canary_10(cluster)

    done = rollout(cluster, prometheus, "full", window=4)

    assert done.returncode == 0, done.stdout
    state = cluster.read()
    assert CANARY not in state["deployments"]
    stable = state["deployments"][STABLE]
    assert (stable["image"], stable["replicas"]) == (NEW, 10)
    assert stable["annotations"]["vextrus.io/rollout-stage"] == "full"
    assert state["hpas"] == {f"{STABLE}-hpa": "finance-service-production"}
    assert "analysis of track=stable" in done.stdout


def test_failing_full_stage_is_undone_and_the_canary_scaled_down(cluster: Cluster) -> None:
    promoted_canary_10(cluster)

    done = rollout(cluster, None, "full", smoke="fail")

    assert done.returncode == 1, done.stdout
    state = cluster.read()
    assert state["deployments"][STABLE]["image"] == OLD  # `rollout undo`
    assert ["rollout", "undo", "deployment/finance-service-production", "-n", PROD] in [
        c for c in cluster.calls("rollout")
    ]
    assert state["deployments"][CANARY]["replicas"] == 0  # it ran the same failed image
    assert state["deployments"][STABLE]["annotations"]["vextrus.io/rollout-outcome"] == (
        "rolled-back"
    )


def test_manual_rollback_reads_the_stage_from_the_annotation(cluster: Cluster) -> None:
    promoted_canary_10(cluster)
    # An HPA on the canary (the old week-1 layout) would undo the scale-to-0: it must go.
    cluster.update(hpas={f"{CANARY}-hpa": "finance-service-canary"})

    done = cluster.run("rollback")

    assert done.returncode == 0, done.stdout
    assert "manual rollback of stage canary-10 (last outcome: promoted)" in done.stdout
    state = cluster.read()
    assert state["hpas"] == {}
    assert state["deployments"][CANARY]["replicas"] == 0
    assert (state["deployments"][STABLE]["replicas"], state["deployments"][STABLE]["image"]) == (
        10, OLD,
    )  # fmt: skip


def test_manual_rollback_without_a_recorded_stage_refuses(cluster: Cluster) -> None:
    done = cluster.run("rollback")

    assert done.returncode == 2
    assert "pass --stage" in done.stdout
    assert not cluster.calls("scale")


def _fake_podman(cluster: Cluster, present: str) -> None:
    podman = cluster.bin / "podman"
    podman.write_text(f'#!/bin/sh\n[ "$1 $2 $3" = "image exists {present}" ]\n')
    podman.chmod(0o755)


def _check_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "] " in line and line.split()[1][0] == "["]


def test_preflight_with_everything_present_is_ready(cluster: Cluster) -> None:
    _fake_podman(cluster, NEW)

    done = cluster.run("preflight", "--stage", "canary-10", "--image", NEW)

    assert done.returncode == 0, done.stdout
    checks = _check_lines(done.stdout)
    names = " | ".join(checks)
    for expected in [
        "cluster reachable",
        "namespace vextrus-staging",
        "namespace vextrus-production",
        "overlay overlays/production/canary-10 renders",
        "secret vextrus-production/finance-db-production: exists; keys: DATABASE_URL",
        "secret vextrus-production/finance-secrets-production: exists; keys: JWT_SECRET",
        "CRD servicemonitors.monitoring.coreos.com",
        "CRD prometheusrules.monitoring.coreos.com",
        "gateway pods in vextrus-production: 1 pod(s)",
        "Prometheus pods in monitoring: 1 pod(s)",
        "service observability/otel-collector (optional): exists",
        "deployment finance-service-production",
        f"image {NEW}: present in local podman storage",
    ]:
        assert expected in names
    assert all("[       PASS]" in line for line in checks), checks
    assert "VERDICT: READY (13 checks, 0 failed, 0 not checked)" in done.stdout


def test_preflight_with_a_missing_secret_reports_every_check_then_fails(cluster: Cluster) -> None:
    state = cluster.read()
    del state["secrets"][f"{PROD}/finance-secrets-production"]
    state["secrets"][f"{PROD}/finance-db-production"] = _secret(OTHER="x")
    state["crds"] = state["crds"][:1]
    state["pods"] = {}  # no gateway, no Prometheus
    state["services"] = []  # no collector: reported, but optional
    cluster.write(state)
    _fake_podman(cluster, "someone/else:1")

    done = cluster.run("preflight", "--stage", "canary-10", "--image", NEW)

    assert done.returncode == 1
    checks = _check_lines(done.stdout)
    assert len(checks) == 13  # nothing stopped at the first failure
    failed = [line.split("] ", 1)[1] for line in checks if "[       FAIL]" in line]
    assert failed[:6] == [
        "secret vextrus-production/finance-db-production: keys missing or empty: DATABASE_URL",
        "secret vextrus-production/finance-secrets-production: missing",
        "CRD prometheusrules.monitoring.coreos.com: missing",
        "gateway pods in vextrus-production: none: the NetworkPolicy admits traffic only from them",
        "Prometheus pods in monitoring: none: the rollout's analysis has nothing to query",
        "service observability/otel-collector (optional): missing: no traces",
    ]
    # (plus "nor the registry" where skopeo is installed and reaches none)
    assert failed[6].startswith(f"image {NEW}: not in local podman storage")
    assert "VERDICT: NOT READY (13 checks, 6 failed, 0 not checked)" in done.stdout
    verdict = done.stdout.split("VERDICT")[1]
    assert "otel-collector" not in verdict  # optional: listed, not a reason for NOT READY


def test_image_check_says_not_checked_without_podman_or_skopeo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither tool can be found

    status, detail = image_check(NEW)

    assert status is Status.NOT_CHECKED
    assert detail == "neither skopeo nor podman is installed: pullability unknown"
