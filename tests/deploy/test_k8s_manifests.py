"""deploy/k8s rendered for real (`kubectl kustomize`), validated against the Kubernetes schemas
(`kubernetes-validate --strict`), and checked for what the schemas cannot see: the seed's
numbers, the naming contract, selectors, probes against the app's real routes, every env var
against the Settings class. The checks themselves are shown to fail on broken manifests."""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url
from starlette.routing import Match

from tests.deploy import k8s_checks as k8s
from vextrus_finance.api.app import create_app
from vextrus_finance.cli import app as cli_app
from vextrus_finance.infrastructure.db.database import async_url
from vextrus_finance.settings import Environment, Settings

Doc = dict[str, Any]
PRODUCTION_STAGES = {  # stage: (stable replicas, canary replicas or None when absent)
    "canary-10": (9, 1),
    "canary-30": (7, 3),
    "canary-60": (4, 6),
    "full": (10, None),
}
OVERLAYS = ["staging", *(f"production/{stage}" for stage in PRODUCTION_STAGES)]
PRODUCTION = [o for o in OVERLAYS if o.startswith("production/")]
# The oldest Kubernetes these manifests support (the preStop `sleep` action is on by default
# from 1.30) and the newest the pinned kubernetes-validate knows.
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
# The seed's deployment summary (shared/seed), the numbers these manifests must make true.
SEED_HPA = {
    "replicas": (10, 25),
    "metrics": {"cpu": ("Utilization", 65), "memory": ("Utilization", 75)},
    "up": (60, "Max", {("Percent", 50, 60), ("Pods", 3, 60)}),
    "down": (300, "Max", {("Pods", 1, 120)}),
}
SEED_RESOURCES = {
    "requests": {"cpu": "600m", "memory": "1.5Gi"},
    "limits": {"cpu": "1500m", "memory": "3Gi"},
}


def environment_of(overlay: str) -> str:
    return overlay.split("/", maxsplit=1)[0]


def expected_secret_refs(env: str) -> set[tuple[str, str, str]]:
    db, app = f"finance-db-{env}", f"finance-secrets-{env}"
    return {
        ("DATABASE_HOST", db, "host"),
        ("DATABASE_USERNAME", db, "username"),
        ("DATABASE_PASSWORD", db, "password"),
        ("JWT_SECRET", app, "jwt-secret"),
        ("CORS_ORIGIN", app, "cors-origin"),
        ("REDIS_URL", app, "redis-url"),
    }


@pytest.fixture(scope="module")
def kubectl() -> str:
    found = k8s.kubectl()
    if found is None:
        reason = "kubectl is not installed (it renders the Kustomize overlays)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def rendered(kubectl: str) -> dict[str, str]:
    """Every overlay rendered once, as YAML text."""
    return {overlay: k8s.render(k8s.K8S / "overlays" / overlay, kubectl) for overlay in OVERLAYS}


@pytest.fixture(scope="module")
def manifests(rendered: dict[str, str]) -> dict[str, list[Doc]]:
    return {overlay: k8s.load(text) for overlay, text in rendered.items()}


@pytest.fixture(scope="module")
def has_get_route() -> Callable[[str], bool]:
    """Whether the real app (its factory, routers included) answers GET at a path."""
    app = create_app(Settings(database_url="sqlite:///:memory:"))

    def has(path: str) -> bool:
        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
        return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)

    return has


def deployments(docs: list[Doc]) -> dict[str, Doc]:
    """Deployments by track."""
    return {k8s.pod_labels(d)["track"]: d for d in k8s.of_kind(docs, "Deployment")}


# --- rendering and schema validation -------------------------------------------------------------


def test_the_overlays_are_the_contract_ones() -> None:
    overlays = k8s.K8S / "overlays"
    assert sorted(p.name for p in overlays.iterdir() if p.is_dir()) == ["production", "staging"]
    stages = sorted(p.name for p in (overlays / "production").iterdir() if p.is_dir())
    assert stages == sorted(PRODUCTION_STAGES)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_the_expected_objects(
    overlay: str, manifests: dict[str, list[Doc]]
) -> None:
    docs = manifests[overlay]
    env = environment_of(overlay)
    names = {(d["kind"], d["metadata"]["name"]) for d in docs if d["kind"] != "ConfigMap"}
    expected = {
        ("ServiceAccount", "finance-service"),
        ("Service", f"finance-service-{env}"),
        ("Deployment", f"finance-service-{env}"),
        ("PodDisruptionBudget", f"finance-service-{env}-pdb"),
        ("Job", "finance-service-migrate"),
        ("NetworkPolicy", "finance-service"),
    }
    stage = overlay.rsplit("/", 1)[-1]
    if stage == "full":
        expected.add(("HorizontalPodAutoscaler", "finance-service-production-hpa"))
    elif stage in PRODUCTION_STAGES:
        expected.add(("Deployment", "finance-service-canary"))
    assert names == expected
    assert len(k8s.of_kind(docs, "ConfigMap")) == 1
    assert {d["metadata"]["namespace"] for d in docs} == {f"vextrus-{env}"}
    assert all(d["metadata"]["labels"]["environment"] == env for d in docs)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubernetes_validate_strict_accepts_every_overlay(
    overlay: str, version: str, rendered: dict[str, str], tmp_path: Path
) -> None:
    manifest = tmp_path / "rendered.yaml"
    manifest.write_text(rendered[overlay])
    done = validate_strict(manifest, version)
    assert done.returncode == 0, done.stdout + done.stderr
    # It really looked at every object (it skips kinds it has no schema for).
    assert done.stdout.count("passed for resource") == len(k8s.load(rendered[overlay]))


def validate_strict(manifest: Path, version: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "-k", version, str(manifest)],
        capture_output=True,
        text=True,
        check=False,
    )


# --- the project's own checks on every overlay ---------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_project_checks_pass(
    overlay: str,
    rendered: dict[str, str],
    manifests: dict[str, list[Doc]],
    has_get_route: Callable[[str], bool],
) -> None:
    docs = manifests[overlay]
    problems = (
        k8s.selector_problems(docs)
        + k8s.service_problems(docs)
        + k8s.hpa_problems(docs)
        + k8s.probe_problems(docs, has_get_route)
        + k8s.env_problems(docs)
        + k8s.security_problems(docs)
        + k8s.placeholder_problems(rendered[overlay], docs)
    )
    assert problems == []


@pytest.mark.parametrize("stage", PRODUCTION_STAGES)
def test_production_stage_replicas_are_the_canary_split(
    stage: str, manifests: dict[str, list[Doc]]
) -> None:
    docs = manifests[f"production/{stage}"]
    tracks = deployments(docs)
    stable, canary = PRODUCTION_STAGES[stage]
    assert tracks["stable"]["metadata"]["name"] == "finance-service-production"
    assert tracks["stable"]["spec"]["replicas"] == stable
    if canary is None:
        assert set(tracks) == {"stable"}
    else:
        assert tracks["canary"]["metadata"]["name"] == "finance-service-canary"
        assert tracks["canary"]["spec"]["replicas"] == canary
        assert stable + canary == 10
        # The split is the replica ratio: no HPA may resize one track.
        assert k8s.of_kind(docs, "HorizontalPodAutoscaler") == []


def test_moving_between_canary_stages_only_rescales(manifests: dict[str, list[Doc]]) -> None:
    """canary-10 -> 30 -> 60 changes replica counts only: each track's pod template (and so its
    ReplicaSet) stays the same, so no stable pod restarts while the split moves."""
    templates = {
        track: {
            json.dumps(deployments(manifests[f"production/{stage}"])[track]["spec"]["template"])
            for stage in ("canary-10", "canary-30", "canary-60")
        }
        for track in ("stable", "canary")
    }
    assert {track: len(found) for track, found in templates.items()} == {"stable": 1, "canary": 1}


def test_full_stage_autoscales_as_the_seed_says(manifests: dict[str, list[Doc]]) -> None:
    docs = manifests["production/full"]
    hpa = k8s.named(docs, "HorizontalPodAutoscaler", "finance-service-production-hpa")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "finance-service-production"
    assert k8s.hpa_behaviour(hpa) == SEED_HPA
    assert deployments(docs)["stable"]["spec"]["replicas"] == SEED_HPA["replicas"][0]


@pytest.mark.parametrize("overlay", PRODUCTION)
def test_disruption_budget_keeps_seven_of_both_tracks(
    overlay: str, manifests: dict[str, list[Doc]]
) -> None:
    docs = manifests[overlay]
    pdb = k8s.named(docs, "PodDisruptionBudget", "finance-service-production-pdb")
    assert pdb["spec"]["minAvailable"] == 7
    for d in k8s.of_kind(docs, "Deployment"):
        assert k8s.selects(pdb["spec"]["selector"], k8s.pod_labels(d))
    total = sum(d["spec"]["replicas"] for d in k8s.of_kind(docs, "Deployment"))
    assert total == 10


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_shaped_as_the_seed_says(overlay: str, manifests: dict[str, list[Doc]]) -> None:
    docs = manifests[overlay]
    for d in k8s.of_kind(docs, "Deployment"):
        spec = d["spec"]
        assert spec["strategy"] == {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 0},
        }
        pod = k8s.pod_spec(d)
        assert pod["terminationGracePeriodSeconds"] == 60
        (container,) = k8s.containers(d)
        assert container["name"] == "finance-service"
        assert container["resources"] == SEED_RESOURCES
        assert container["lifecycle"]["preStop"]["sleep"]["seconds"] > 0
        (anti,) = pod["affinity"]["podAntiAffinity"][
            "preferredDuringSchedulingIgnoredDuringExecution"
        ]
        assert anti["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
        assert k8s.selects(anti["podAffinityTerm"]["labelSelector"], k8s.pod_labels(d))
        (spread,) = pod["topologySpreadConstraints"]
        assert spread["topologyKey"] == "topology.kubernetes.io/zone"
        assert spread["whenUnsatisfiable"] == "ScheduleAnyway"
        assert k8s.selects(spread["labelSelector"], k8s.pod_labels(d))
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        startup = container["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] == 300  # 5 minutes
    account = k8s.named(docs, "ServiceAccount", "finance-service")
    assert account["automountServiceAccountToken"] is False
    assert all(
        k8s.pod_spec(w)["serviceAccountName"] == "finance-service" for w in k8s.workloads(docs)
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_has_no_session_affinity(overlay: str, manifests: dict[str, list[Doc]]) -> None:
    """ClientIP affinity would turn the replica-ratio split into a per-source-IP one (ADR 0018)."""
    docs = manifests[overlay]
    (service,) = k8s.of_kind(docs, "Service")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["sessionAffinity"] == "None"
    assert set(service["spec"]["selector"]) == {"app", "environment"}
    # What the ServiceMonitor (deploy/monitoring) selects and scrapes: these labels, port `http`.
    env = environment_of(overlay)
    assert service["metadata"]["labels"] == {"app": "finance-service", "environment": env}
    assert [p["name"] for p in service["spec"]["ports"]] == ["http"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_the_seeds(overlay: str, manifests: dict[str, list[Doc]]) -> None:
    env = environment_of(overlay)
    docs = manifests[overlay]
    assert k8s.secret_refs(docs) == expected_secret_refs(env)
    job = k8s.named(docs, "Job", "finance-service-migrate")
    assert {ref[1] for ref in k8s.secret_refs([job])} == {f"finance-db-{env}"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_settings_accept_every_pods_environment(
    overlay: str, manifests: dict[str, list[Doc]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment each container gets, expanded as the kubelet does, read by the real
    Settings class: it validates, and production would start with it."""
    docs = manifests[overlay]
    env_name = environment_of(overlay)
    for workload in k8s.workloads(docs):
        (container,) = k8s.containers(workload)
        env = k8s.resolve_env(docs, workload, container)
        for name in k8s.SETTINGS_VARS:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = Settings()
        assert settings.environment is Environment(env_name)
        assert settings.migrate_on_start is False
        url = make_url(settings.database_url)
        assert async_url(settings.database_url).drivername == "postgresql+asyncpg"
        assert url.host == k8s.secret_value(f"finance-db-{env_name}", "host")
        assert url.username == k8s.secret_value(f"finance-db-{env_name}", "username")
        assert url.password == k8s.secret_value(f"finance-db-{env_name}", "password")
        assert (url.port, url.database) == (5432, "vextrus_finance")
        assert url.query["sslmode"] == ("require" if env_name == "production" else "prefer")
        if workload["kind"] != "Deployment":
            continue
        # `serve` refuses production without these; `migrate` (the Job) needs none of them.
        assert settings.production_problems() == []
        labels = k8s.pod_labels(workload)
        assert settings.deployment_track == labels["track"]
        assert settings.deployment_version == labels["version"]
        assert settings.port == container["ports"][0]["containerPort"] == 3014
        assert settings.jwt_secret is not None
        assert settings.redis_url is not None
        # drain < grace, and preStop + grace within the pod's termination grace period.
        pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        grace_period = k8s.pod_spec(workload)["terminationGracePeriodSeconds"]
        assert settings.shutdown_drain_seconds < settings.shutdown_grace_seconds
        assert pre_stop + settings.shutdown_grace_seconds < grace_period
        # Readiness answers (503) before the kubelet gives up on it.
        readiness = container["readinessProbe"]
        assert settings.health_check_timeout_seconds < readiness["timeoutSeconds"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migration_job_runs_the_new_versions_migrate(
    overlay: str, manifests: dict[str, list[Doc]]
) -> None:
    docs = manifests[overlay]
    job = k8s.named(docs, "Job", "finance-service-migrate")
    (container,) = k8s.containers(job)
    assert container["command"] == ["vextrus-finance", "migrate"]
    assert "migrate" in {c.name or c.callback.__name__ for c in cli_app.registered_commands}
    assert k8s.pod_spec(job)["restartPolicy"] == "Never"
    # The schema of the version being rolled out: the canary's in canary stages.
    stage = overlay.rsplit("/", maxsplit=1)[-1]
    new_version = "canary" if stage.startswith("canary-") else "stable"
    assert container["image"] == f"vextrus/finance:{new_version}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policy_admits_gateway_and_prometheus_only(
    overlay: str, manifests: dict[str, list[Doc]]
) -> None:
    docs = manifests[overlay]
    (policy,) = k8s.of_kind(docs, "NetworkPolicy")
    spec = policy["spec"]
    assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
    for workload in k8s.workloads(docs):
        assert k8s.selects(spec["podSelector"], k8s.pod_labels(workload))
    (ingress,) = spec["ingress"]
    assert ingress["ports"] == [{"protocol": "TCP", "port": 3014}]
    gateway, prometheus = ingress["from"]
    assert set(gateway) == {"podSelector"}  # this namespace only
    assert k8s.selects(gateway["podSelector"], {"app.kubernetes.io/component": "gateway"})
    assert not k8s.selects(gateway["podSelector"], {"app": "anything-else"})
    assert k8s.selects(
        prometheus["namespaceSelector"], {"kubernetes.io/metadata.name": "monitoring"}
    )
    assert k8s.selects(prometheus["podSelector"], {"app.kubernetes.io/name": "prometheus"})
    egress = {(p["protocol"], p["port"]) for rule in spec["egress"] for p in rule["ports"]}
    assert egress == {
        ("UDP", 53),
        ("TCP", 53),
        ("TCP", 5432),
        ("TCP", 6379),
        ("TCP", 4317),
        ("TCP", 4318),
    }


# --- the checks can fail -------------------------------------------------------------------------


@pytest.fixture
def canary_10(manifests: dict[str, list[Doc]]) -> list[Doc]:
    return copy.deepcopy(manifests["production/canary-10"])


@pytest.fixture
def full(manifests: dict[str, list[Doc]]) -> list[Doc]:
    return copy.deepcopy(manifests["production/full"])


def test_hpa_check_catches_the_seeds_type_pod_which_the_schema_allows(
    full: list[Doc], tmp_path: Path
) -> None:
    (hpa,) = k8s.of_kind(full, "HorizontalPodAutoscaler")
    hpa["spec"]["behavior"]["scaleUp"]["policies"][1]["type"] = "Pod"
    hpa["spec"]["behavior"]["scaleDown"]["selectPolicy"] = "Maximum"
    problems = k8s.hpa_problems(full)
    assert any("policy type 'Pod'" in p for p in problems)
    assert any("selectPolicy 'Maximum'" in p for p in problems)
    # Why the project checks this itself: the JSON schema has no enum for it.
    manifest = tmp_path / "hpa.yaml"
    manifest.write_text(yaml.safe_dump(hpa))
    assert validate_strict(manifest, KUBERNETES_VERSIONS[0]).returncode == 0
    hpa["spec"]["scaleTargetRef"]["name"] = "finance-service-staging"
    assert any("scaleTargetRef" in p for p in k8s.hpa_problems(full))


def test_selector_check_catches_overlapping_tracks(canary_10: list[Doc]) -> None:
    tracks = deployments(canary_10)
    canary = tracks["canary"]
    # The seed's mistake: canary Deployments that share a selector with another Deployment.
    del canary["spec"]["selector"]["matchLabels"]["track"]
    problems = k8s.selector_problems(canary_10)
    assert any("has no `track`" in p for p in problems)
    assert any("overlapping selectors" in p for p in problems)
    canary["spec"]["selector"]["matchLabels"]["track"] = "stable"
    canary["spec"]["template"]["metadata"]["labels"]["track"] = "stable"
    assert any("overlapping selectors" in p for p in k8s.selector_problems(canary_10))
    canary["spec"]["selector"]["matchLabels"]["track"] = "canary"
    assert any("does not match its pod labels" in p for p in k8s.selector_problems(canary_10))


def test_service_check_catches_a_track_left_out(canary_10: list[Doc]) -> None:
    (service,) = k8s.of_kind(canary_10, "Service")
    service["spec"]["selector"]["track"] = "stable"
    problems = k8s.service_problems(canary_10)
    assert problems == [
        "Service finance-service-production does not select Deployment finance-service-canary"
    ]
    del service["spec"]["selector"]["track"]
    job = k8s.named(canary_10, "Job", "finance-service-migrate")
    job["spec"]["template"]["metadata"]["labels"]["app"] = "finance-service"
    assert any("selects the pods of Job" in p for p in k8s.service_problems(canary_10))


def test_probe_check_catches_routes_that_do_not_exist(
    canary_10: list[Doc], has_get_route: Callable[[str], bool]
) -> None:
    container = k8s.containers(deployments(canary_10)["canary"])[0]
    container["livenessProbe"]["httpGet"]["path"] = "/healthz"
    container["readinessProbe"]["httpGet"]["port"] = 8080
    problems = k8s.probe_problems(canary_10, has_get_route)
    assert len(problems) == 2
    assert any("livenessProbe path /healthz is no route" in p for p in problems)
    assert any("readinessProbe port 8080 is not named" in p for p in problems)


def test_env_check_catches_unknown_unused_and_unresolved_variables(canary_10: list[Doc]) -> None:
    container = k8s.containers(deployments(canary_10)["stable"])[0]
    env = container["env"]
    env.append({"name": "NODE_OPTIONS", "value": "--max-old-space-size=2048"})
    problems = k8s.env_problems(canary_10)
    assert len(problems) == 1
    assert "NODE_OPTIONS is not a Settings field" in problems[0]
    # DATABASE_URL before the variables it references: Kubernetes leaves $(VAR) unexpanded.
    env.pop()
    url = next(e for e in env if e["name"] == "DATABASE_URL")
    env.remove(url)
    env.insert(0, url)
    problems = k8s.env_problems(canary_10)
    assert any("DATABASE_URL has an unresolved reference" in p for p in problems)
    url["value"] = "postgresql://localhost/finance"
    env.remove(url)
    env.append(url)
    assert any("helper DATABASE_PASSWORD is never used" in p for p in k8s.env_problems(canary_10))


def test_security_check_catches_a_writable_root(canary_10: list[Doc]) -> None:
    stable = deployments(canary_10)["stable"]
    container = k8s.containers(stable)[0]
    container["securityContext"]["readOnlyRootFilesystem"] = False
    container["securityContext"]["capabilities"] = {"add": ["NET_ADMIN"]}
    k8s.pod_spec(stable)["automountServiceAccountToken"] = True
    problems = k8s.security_problems(canary_10)
    assert problems == [
        "Deployment finance-service-production: the service-account token is mounted",
        "Deployment finance-service-production: finance-service root filesystem is writable",
        "Deployment finance-service-production: finance-service keeps capabilities",
    ]


def test_placeholder_check_catches_leftovers(
    canary_10: list[Doc], rendered: dict[str, str]
) -> None:
    container = k8s.containers(deployments(canary_10)["canary"])[0]
    container["image"] = "vextrus/finance:latest"
    deployments(canary_10)["stable"]["spec"]["template"]["metadata"]["labels"]["version"] = "v2"
    text = rendered["production/canary-10"] + "\n# image: CHANGEME\n"
    problems = k8s.placeholder_problems(text, canary_10)
    assert problems == [
        "leftover placeholder 'CHANGEME'",
        "finance-service-canary: image vextrus/finance:latest is no placeholder",
        "finance-service-production: label version=v2 but image tag stable",
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_forwarded_for_is_trusted_from_the_ingress_range_only(
    overlay: str, manifests: dict[str, list[Doc]]
) -> None:
    """Every private address trusted would let any pod in the cluster pick its client IP for
    the per-IP rate limit: each environment names its ingress controller's range instead."""
    docs = manifests[overlay]
    for workload in k8s.workloads(docs):
        (container,) = k8s.containers(workload)
        value = k8s.resolve_env(docs, workload, container).get("FORWARDED_ALLOW_IPS", "127.0.0.1")
        assert "*" not in value
        networks = [ipaddress.ip_network(part.strip()) for part in value.split(",")]
        assert networks
        assert all(n.prefixlen >= 20 for n in networks), value
