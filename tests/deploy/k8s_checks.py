"""The project's own checks of rendered Kubernetes manifests: what `kubernetes-validate
--strict` cannot see (enum values such as an HPA policy `type: Pod`, selectors that overlap
between Deployments, env vars the service does not read, probes at routes that do not exist).

Every check takes the rendered documents (dicts) and returns a list of problems, empty when
all is well, so a test can feed it a broken manifest and see it complain."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from vextrus_finance.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
Doc = dict[str, Any]

# Environment variables a container may carry although Settings has no field for them: they
# exist only to build DATABASE_URL by Kubernetes' $(VAR) expansion (pydantic-settings ignores
# them, extra="ignore"). Each must be used in a $(VAR) reference (checked).
HELPER_VARS = frozenset(
    {
        "DATABASE_HOST",
        "DATABASE_USERNAME",
        "DATABASE_PASSWORD",
        "DATABASE_PORT",
        "DATABASE_NAME",
        "DATABASE_SSLMODE",
    }
)
SETTINGS_VARS = frozenset(name.upper() for name in Settings.model_fields)
HPA_POLICY_TYPES = frozenset({"Pods", "Percent"})
HPA_SELECT_POLICIES = frozenset({"Max", "Min", "Disabled"})
REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


# --- rendering -----------------------------------------------------------------------------------


def kubectl() -> str | None:
    return shutil.which("kubectl")


def render(overlay: Path, binary: str) -> str:
    """`kubectl kustomize OVERLAY`: the YAML the rollout applies."""
    done = subprocess.run(
        [binary, "kustomize", str(overlay)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"kubectl kustomize {overlay} failed:\n{done.stderr}")
    return done.stdout


def load(text: str) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def of_kind(docs: Iterable[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: Iterable[Doc], kind: str, name: str) -> Doc:
    found = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_spec(workload: Doc) -> Doc:
    spec: Doc = workload["spec"]["template"]["spec"]
    return spec


def pod_labels(workload: Doc) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"].get("labels", {})
    return labels


def containers(workload: Doc) -> list[Doc]:
    found: list[Doc] = pod_spec(workload)["containers"]
    return found


def workloads(docs: Iterable[Doc]) -> list[Doc]:
    return [d for d in docs if d["kind"] in ("Deployment", "Job")]


# --- selectors -----------------------------------------------------------------------------------


def selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a label selector (matchLabels and matchExpressions) selects these labels."""
    if not selector:
        return False  # an empty Deployment/PDB selector is rejected or selects nothing useful
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        present = key in labels
        if operator == "In" and (not present or labels[key] not in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _overlap(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    """Two matchLabels selectors can select one pod unless some key has different values."""
    return all(a[key] == b[key] for key in a.keys() & b.keys())


def selector_problems(docs: list[Doc]) -> list[str]:
    """Each Deployment selects its own pod template (by matchLabels, with `track`), and no two
    Deployments could ever select the same pod."""
    problems = []
    deployments = of_kind(docs, "Deployment")
    for d in deployments:
        name = d["metadata"]["name"]
        selector = d["spec"].get("selector", {})
        if selector.get("matchExpressions"):
            problems.append(f"Deployment {name}: use matchLabels only (overlap is then decidable)")
        match = selector.get("matchLabels", {})
        if not selects(selector, pod_labels(d)):
            problems.append(f"Deployment {name}: selector {match} does not match its pod labels")
        if "track" not in match:
            problems.append(f"Deployment {name}: selector {match} has no `track`")
    for i, a in enumerate(deployments):
        for b in deployments[i + 1 :]:
            sa_, sb = (x["spec"]["selector"].get("matchLabels", {}) for x in (a, b))
            if _overlap(sa_, sb):
                problems.append(
                    f"Deployments {a['metadata']['name']} and {b['metadata']['name']} have "
                    f"overlapping selectors {sa_} / {sb}"
                )
    return problems


def service_problems(docs: list[Doc]) -> list[str]:
    """Every Service selects the pods of every Deployment (both tracks) and no Job's pods, and
    sends port 80 to the containers' named port `http` = 3014."""
    problems = []
    for service in of_kind(docs, "Service"):
        name = service["metadata"]["name"]
        selector = {"matchLabels": service["spec"].get("selector", {})}
        for d in of_kind(docs, "Deployment"):
            if not selects(selector, pod_labels(d)):
                problems.append(
                    f"Service {name} does not select Deployment {d['metadata']['name']}"
                )
        for job in of_kind(docs, "Job"):
            if selects(selector, pod_labels(job)):
                problems.append(f"Service {name} selects the pods of Job {job['metadata']['name']}")
        ports = service["spec"].get("ports", [])
        if [(p.get("port"), p.get("targetPort")) for p in ports] != [(80, "http")]:
            problems.append(f"Service {name}: ports {ports}, expected 80 -> http")
    for d in of_kind(docs, "Deployment"):
        for c in containers(d):
            ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
            if ports.get("http") != 3014:
                problems.append(f"Deployment {d['metadata']['name']}: no port http=3014 ({ports})")
    return problems


# --- autoscaling ---------------------------------------------------------------------------------


def hpa_problems(docs: list[Doc]) -> list[str]:
    """What the API server rejects but the JSON schema allows (`type: Pod`, a bad selectPolicy),
    and a target that is not in the rendering."""
    problems = []
    deployments = {d["metadata"]["name"] for d in of_kind(docs, "Deployment")}
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        name = hpa["metadata"]["name"]
        if hpa["apiVersion"] != "autoscaling/v2":
            problems.append(f"HPA {name}: apiVersion {hpa['apiVersion']}, expected autoscaling/v2")
        target = hpa["spec"]["scaleTargetRef"]
        if target.get("kind") != "Deployment" or target.get("name") not in deployments:
            problems.append(f"HPA {name}: scaleTargetRef {target} is not a rendered Deployment")
        for direction in ("scaleUp", "scaleDown"):
            rules = hpa["spec"].get("behavior", {}).get(direction)
            if rules is None:
                problems.append(f"HPA {name}: no behavior.{direction}")
                continue
            if rules.get("selectPolicy", "Max") not in HPA_SELECT_POLICIES:
                problems.append(f"HPA {name}: {direction} selectPolicy {rules['selectPolicy']!r}")
            for policy in rules.get("policies", []):
                if policy.get("type") not in HPA_POLICY_TYPES:
                    problems.append(
                        f"HPA {name}: {direction} policy type {policy.get('type')!r} "
                        f"(allowed: {sorted(HPA_POLICY_TYPES)})"
                    )
                if int(policy.get("value", 0)) <= 0 or int(policy.get("periodSeconds", 0)) <= 0:
                    problems.append(f"HPA {name}: {direction} policy {policy} is not positive")
    return problems


def hpa_behaviour(hpa: Doc) -> dict[str, Any]:
    """The scaling numbers as a comparable summary."""
    behavior = hpa["spec"]["behavior"]

    def policies(direction: str) -> set[tuple[str, int, int]]:
        return {
            (p["type"], p["value"], p["periodSeconds"]) for p in behavior[direction]["policies"]
        }

    metrics = {
        m["resource"]["name"]: (
            m["resource"]["target"]["type"],
            m["resource"]["target"].get("averageUtilization"),
        )
        for m in hpa["spec"]["metrics"]
        if m["type"] == "Resource"
    }
    return {
        "replicas": (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]),
        "metrics": metrics,
        "up": (
            behavior["scaleUp"]["stabilizationWindowSeconds"],
            behavior["scaleUp"].get("selectPolicy", "Max"),
            policies("scaleUp"),
        ),
        "down": (
            behavior["scaleDown"]["stabilizationWindowSeconds"],
            behavior["scaleDown"].get("selectPolicy", "Max"),
            policies("scaleDown"),
        ),
    }


# --- probes --------------------------------------------------------------------------------------


def probe_problems(docs: list[Doc], has_get_route: Callable[[str], bool]) -> list[str]:
    """Every HTTP probe asks a GET route the app really has, on a port the container names."""
    problems = []
    for d in of_kind(docs, "Deployment"):
        for c in containers(d):
            where = f"Deployment {d['metadata']['name']} container {c['name']}"
            port_names = {p.get("name") for p in c.get("ports", [])}
            for probe_name in ("startupProbe", "readinessProbe", "livenessProbe"):
                probe = c.get(probe_name)
                if probe is None:
                    problems.append(f"{where}: no {probe_name}")
                    continue
                http = probe.get("httpGet")
                if http is None:
                    problems.append(f"{where}: {probe_name} is not an HTTP probe")
                    continue
                if not has_get_route(str(http.get("path"))):
                    problems.append(f"{where}: {probe_name} path {http.get('path')} is no route")
                if http.get("port") not in port_names:
                    problems.append(f"{where}: {probe_name} port {http.get('port')} is not named")
    return problems


# --- environment ---------------------------------------------------------------------------------


def secret_value(name: str, key: str) -> str:
    """A stand-in for a secret value: URL-safe and long enough for JWT_SECRET's 32 bytes."""
    return f"secret-{name}-{key}-value"


def resolve_env(docs: list[Doc], workload: Doc, container: Doc) -> dict[str, str]:
    """The environment the kubelet gives the container: envFrom first, then `env` in order,
    each value's $(VAR) expanded from what is defined before it (an unknown reference stays
    as written, as Kubernetes leaves it). Secrets become `secret_value` stand-ins."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref is None:
            raise AssertionError(f"envFrom {source}: only ConfigMaps are expected")
        config = named(docs, "ConfigMap", ref["name"])
        env.update({k: str(v) for k, v in config.get("data", {}).items()})
    labels = pod_labels(workload)
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = REFERENCE.sub(
                lambda m: env.get(m.group(1), m.group(0)), entry["value"]
            )
            continue
        source = entry.get("valueFrom", {})
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            env[entry["name"]] = secret_value(ref["name"], ref["key"])
        elif "fieldRef" in source:
            path = source["fieldRef"]["fieldPath"]
            label = re.fullmatch(r"metadata\.labels\['([^']+)'\]", path)
            if label is None:
                raise AssertionError(f"fieldRef {path}: only pod labels are expected")
            env[entry["name"]] = labels.get(label.group(1), "")
        else:
            raise AssertionError(f"env {entry['name']}: unexpected source {source}")
    return env


def env_problems(docs: list[Doc]) -> list[str]:
    """Every variable a container gets is a Settings field or a helper used in a $(VAR)
    reference, and every $(VAR) reference resolves."""
    problems = []
    for w in workloads(docs):
        for c in containers(w):
            where = f"{w['kind']} {w['metadata']['name']} container {c['name']}"
            env = resolve_env(docs, w, c)
            raw_values = [e.get("value", "") for e in c.get("env", [])]
            referenced = {m for value in raw_values for m in REFERENCE.findall(value)}
            for name in sorted(env):
                if name in SETTINGS_VARS:
                    continue
                if name not in HELPER_VARS:
                    problems.append(f"{where}: {name} is not a Settings field nor a helper")
                elif name not in referenced:
                    problems.append(f"{where}: helper {name} is never used in a $(VAR)")
            for name, value in env.items():
                if REFERENCE.search(value):
                    problems.append(f"{where}: {name} has an unresolved reference: {value}")
    return problems


def secret_refs(docs: list[Doc]) -> set[tuple[str, str, str]]:
    """(env var, secret, key) of every secret reference in the rendering."""
    found = set()
    for w in workloads(docs):
        for c in containers(w):
            for entry in c.get("env", []):
                ref = entry.get("valueFrom", {}).get("secretKeyRef")
                if ref is not None:
                    found.add((entry["name"], ref["name"], ref["key"]))
    return found


# --- pod hardening -------------------------------------------------------------------------------


def security_problems(docs: list[Doc]) -> list[str]:
    """Non-root, read-only root filesystem, no privilege escalation, no capabilities,
    RuntimeDefault seccomp, no service-account token, a writable /tmp."""
    problems = []
    for w in workloads(docs):
        spec = pod_spec(w)
        name = f"{w['kind']} {w['metadata']['name']}"
        pod = spec.get("securityContext", {})
        if pod.get("runAsNonRoot") is not True:
            problems.append(f"{name}: pod runAsNonRoot is not true")
        if pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{name}: pod seccompProfile is not RuntimeDefault")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: the service-account token is mounted")
        tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for c in containers(w):
            sc = c.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{name}: {c['name']} root filesystem is writable")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{name}: {c['name']} may escalate privileges")
            if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc["capabilities"].get("add"):
                problems.append(f"{name}: {c['name']} keeps capabilities")
            if sc.get("privileged"):
                problems.append(f"{name}: {c['name']} is privileged")
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            if mounts.get("/tmp") not in tmp_volumes:
                problems.append(f"{name}: {c['name']} has no emptyDir at /tmp")
    return problems


# --- leftovers -----------------------------------------------------------------------------------

PLACEHOLDER_IMAGES = frozenset({"vextrus/finance:stable", "vextrus/finance:canary"})
LEFTOVER = re.compile(
    r"CHANGE[_-]?ME|TODO|FIXME|REPLACE|example\.(com|org)|\$\{|<[a-z_-]+>", re.IGNORECASE
)


def placeholder_problems(text: str, docs: list[Doc]) -> list[str]:
    """Nothing is left for the rollout to fill in except the two documented placeholder
    images (and the `version` label that goes with each, which must equal the image's tag)."""
    problems = [f"leftover placeholder {m.group(0)!r}" for m in LEFTOVER.finditer(text)]
    for w in workloads(docs):
        for c in containers(w):
            if c["image"] not in PLACEHOLDER_IMAGES:
                problems.append(f"{w['metadata']['name']}: image {c['image']} is no placeholder")
            elif w["kind"] == "Deployment":
                tag = c["image"].rsplit(":", 1)[1]
                version = pod_labels(w).get("version")
                if version != tag:
                    problems.append(
                        f"{w['metadata']['name']}: label version={version} but image tag {tag}"
                    )
    return problems
