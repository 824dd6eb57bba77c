"""Preflight: every check runs and is reported, even after one failed, so the operator sees
everything to fix at once; then one verdict. A check that cannot be done here says "not
checked" rather than passing."""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from vextrus_deploy import manifests
from vextrus_deploy.kubectl import Kubectl, KubectlError, container_image
from vextrus_deploy.stages import (
    CONTAINER,
    CRDS,
    NAMESPACES,
    PRODUCTION_NAMESPACE,
    PRODUCTION_SECRETS,
    STABLE_DEPLOYMENT,
    Stage,
)

Log = Callable[[str], None]


class Status(StrEnum):
    PASS = "PASS"  # noqa: S105 (a check status, not a password)
    FAIL = "FAIL"
    NOT_CHECKED = "NOT CHECKED"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    required: bool = True


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str, *, required: bool = True) -> None:
        self.checks.append(Check(name, Status.PASS if ok else Status.FAIL, detail, required))

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status is Status.FAIL and c.required]

    @property
    def passed(self) -> bool:
        return not self.failed


def _cluster(kubectl: Kubectl, report: Report) -> bool:
    try:
        kubectl.run(["get", "--raw", "/readyz"], timeout=30)
    except KubectlError as exc:
        report.add("cluster reachable", False, exc.stderr or str(exc))
        return False
    report.add("cluster reachable", True, "API server /readyz ok")
    return True


def _exists(
    kubectl: Kubectl,
    report: Report,
    check: str,
    resource: list[str],
    *,
    present: str = "exists",
    missing: str = "missing",
    required: bool = True,
) -> None:
    """Report whether `kubectl get <resource>` finds the object; an error fails the check."""
    try:
        found = kubectl.exists(resource)
    except KubectlError as exc:
        report.add(check, False, str(exc), required=required)
        return
    report.add(check, found, present if found else missing, required=required)


def _namespaces(kubectl: Kubectl, report: Report) -> None:
    for namespace in NAMESPACES:
        _exists(kubectl, report, f"namespace {namespace}", ["namespace", namespace])


def _secrets(kubectl: Kubectl, report: Report, namespace: str, wanted: dict[str, set[str]]) -> None:
    for name, keys in sorted(wanted.items()):
        check = f"secret {namespace}/{name}"
        try:
            secret = kubectl.get_json(["secret", name, "-n", namespace])
        except KubectlError as exc:
            missing = "NotFound" in exc.stderr or "not found" in exc.stderr
            report.add(check, False, "missing" if missing else str(exc))
            continue
        present = {
            key
            for key, value in (secret.get("data") or {}).items()
            if value and base64.b64decode(value)
        } | {key for key, value in (secret.get("stringData") or {}).items() if value}
        absent = sorted(keys - present)
        if absent:
            report.add(check, False, f"keys missing or empty: {', '.join(absent)}")
        else:
            shown = ", ".join(sorted(keys)) if keys else "no keys referenced"
            report.add(check, True, f"exists; keys: {shown}")


# What the pods' NetworkPolicy and the rollout's analysis depend on (deploy/k8s/README.md).
GATEWAY_SELECTOR = "app.kubernetes.io/component in (gateway,ingress)"
PROMETHEUS_NAMESPACE, PROMETHEUS_SELECTOR = "monitoring", "app.kubernetes.io/name=prometheus"
OTEL_NAMESPACE, OTEL_SERVICE = "observability", "otel-collector"


def _pods(
    kubectl: Kubectl, report: Report, name: str, namespace: str, selector: str, why: str
) -> None:
    try:
        found = kubectl.run(["get", "pods", "-n", namespace, "-l", selector, "-o", "name"])
    except KubectlError as exc:
        report.add(name, False, str(exc))
        return
    pods = found.split()
    report.add(name, bool(pods), f"{len(pods)} pod(s)" if pods else f"none: {why}")


def _dependencies(kubectl: Kubectl, report: Report, stage: Stage) -> None:
    _pods(kubectl, report, f"gateway pods in {stage.namespace}", stage.namespace,
          GATEWAY_SELECTOR, "the NetworkPolicy admits traffic only from them")  # fmt: skip
    if stage.namespace == PRODUCTION_NAMESPACE:
        _pods(kubectl, report, f"Prometheus pods in {PROMETHEUS_NAMESPACE}", PROMETHEUS_NAMESPACE,
              PROMETHEUS_SELECTOR, "the rollout's analysis has nothing to query")  # fmt: skip
    # Optional: without a collector only the traces are lost, the service runs.
    _exists(
        kubectl,
        report,
        f"service {OTEL_NAMESPACE}/{OTEL_SERVICE}",
        ["service", OTEL_SERVICE, "-n", OTEL_NAMESPACE],
        missing="missing: no traces",
        required=False,
    )


def _crds(kubectl: Kubectl, report: Report) -> None:
    for crd in CRDS:
        _exists(kubectl, report, f"CRD {crd}", ["crd", crd], present="installed")


def _render(
    kubectl: Kubectl, report: Report, stage: Stage, k8s_root: Path
) -> dict[str, set[str]] | None:
    """Render the overlay; return the Secrets (and keys) its pods read."""
    overlay = stage.overlay_dir(k8s_root)
    try:
        documents = manifests.load(kubectl.kustomize(str(overlay)))
    except (KubectlError, ValueError) as exc:
        report.add(f"overlay {stage.overlay} renders", False, str(exc))
        return None
    kinds = sorted({f"{d.get('kind')}" for d in documents})
    report.add(
        f"overlay {stage.overlay} renders", True, f"{len(documents)} objects ({', '.join(kinds)})"
    )
    wanted: dict[str, set[str]] = {}
    for ref in manifests.secret_references(documents):
        keys = wanted.setdefault(ref.name, set())
        if ref.key:
            keys.add(ref.key)
    return wanted


def _tool(argv: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a local tool for its exit code; its failure is a finding, not an error."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603


def image_check(image: str) -> tuple[Status, str]:
    """What can really be checked here: podman's local storage, or the registry via skopeo.
    Neither proves that the cluster's nodes can pull it: the detail says which was done."""
    podman, skopeo = shutil.which("podman"), shutil.which("skopeo")
    if skopeo:
        done = _tool([skopeo, "inspect", "--raw", f"docker://{image}"], timeout=120)
        if done.returncode == 0:
            return Status.PASS, "in the registry (skopeo inspect)"
        if not podman:
            return Status.FAIL, f"skopeo inspect failed: {done.stderr.strip()[:200]}"
    if podman:
        done = _tool([podman, "image", "exists", image], timeout=60)
        if done.returncode == 0:
            return Status.PASS, "present in local podman storage (push it to the registry)"
        return Status.FAIL, "not in local podman storage" + (" nor the registry" if skopeo else "")
    return Status.NOT_CHECKED, "neither skopeo nor podman is installed: pullability unknown"


def run_preflight(
    kubectl: Kubectl, stage: Stage, k8s_root: Path, image: str | None, log: Log
) -> Report:
    report = Report()
    reachable = _cluster(kubectl, report)
    if reachable:
        _namespaces(kubectl, report)
    secrets = dict(_render(kubectl, report, stage, k8s_root) or {})
    if stage.namespace == PRODUCTION_NAMESPACE:
        # The contract's Secrets are required even if this overlay's pods read no key of them.
        for name in PRODUCTION_SECRETS:
            secrets.setdefault(name, set())
    if reachable:
        _secrets(kubectl, report, stage.namespace, secrets)
        _crds(kubectl, report)
        _dependencies(kubectl, report, stage)
        if stage.is_canary:
            _stable_running(kubectl, report, stage)
    else:
        for name in ["namespaces", "secrets", "CRDs", "gateway and Prometheus pods"]:
            report.checks.append(Check(name, Status.NOT_CHECKED, "cluster unreachable"))
    if image:
        status, detail = image_check(image)
        report.checks.append(Check(f"image {image}", status, detail))
    else:
        report.checks.append(Check("image", Status.NOT_CHECKED, "no --image given"))
    for check in report.checks:
        flag = "" if check.required else " (optional)"
        log(f"[{check.status.value:>11}] {check.name}{flag}: {check.detail}")
    return report


def _stable_running(kubectl: Kubectl, report: Report, stage: Stage) -> None:
    # A canary stage keeps the stable version at its image: it must be running to read it.
    try:
        found = kubectl.deployment(STABLE_DEPLOYMENT, stage.namespace)
    except KubectlError as exc:
        report.add(f"deployment {STABLE_DEPLOYMENT}", False, str(exc))
        return
    if found is None:
        report.add(f"deployment {STABLE_DEPLOYMENT}", False, "missing: nothing to canary against")
        return
    image = container_image(found, CONTAINER)
    report.add(f"deployment {STABLE_DEPLOYMENT}", image is not None, f"stable image {image}")
