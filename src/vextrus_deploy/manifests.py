"""The rendered overlay as data: find the Deployments by their pod template's `track`, set the
images the rollout decides, and list the Secrets the pods reference (what preflight checks)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from vextrus_deploy.stages import CANARY_DEPLOYMENT, CONTAINER, Stage


class ManifestError(ValueError):
    pass


def load(rendered: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(rendered) if isinstance(doc, dict)]


def dump(documents: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(documents, sort_keys=False)


def deployments(documents: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (doc for doc in documents if doc.get("kind") == "Deployment")


def pod_track(deployment: dict[str, Any]) -> str | None:
    labels = deployment.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})
    track = labels.get("track")
    return str(track) if track is not None else None


# The overlays' placeholder images (deploy/k8s/README.md): every pod template carries one.
STABLE_PLACEHOLDER = "vextrus/finance:stable"
CANARY_PLACEHOLDER = "vextrus/finance:canary"
_LABEL_BAD = re.compile(r"[^A-Za-z0-9_.-]")


def version_label(image: str) -> str:
    """The image's tag as a label value (<= 63 characters of [A-Za-z0-9_.-], alphanumeric at
    both ends); a digest gives `sha256-<first 12 hex>`."""
    if "@" in image:
        algorithm, _, digest = image.rsplit("@", 1)[1].partition(":")
        value = f"{algorithm}-{digest[:12]}"
    else:
        last = image.rsplit("/", 1)[-1]
        value = last.rsplit(":", 1)[1] if ":" in last else "latest"
    return _LABEL_BAD.sub("-", value)[:63].strip("-_.") or "unknown"


def pod_templates(documents: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for doc in documents:
        spec = doc.get("spec", {})
        template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get(
            "template"
        )
        if template and doc.get("kind") in ("Deployment", "Job", "CronJob", "StatefulSet"):
            yield template


def set_images(
    documents: list[dict[str, Any]], stage: Stage, new_image: str, stable_image: str | None
) -> dict[str, str]:
    """Replace the placeholder images in every pod template (Deployments and the migration Job):
    `vextrus/finance:canary` -> the new image; `vextrus/finance:stable` -> the running stable
    image in a canary stage, the new image at staging and full. Each template's `version` label
    becomes its image's tag. Returns {object name: image} for the log.

    Refuses an overlay without the stage's target Deployment on the new image, a staging/full
    overlay that contains the canary, and any HPA on the canary."""
    by_placeholder = {
        CANARY_PLACEHOLDER: new_image,
        STABLE_PLACEHOLDER: stable_image if stage.is_canary else new_image,
    }
    chosen: dict[str, str] = {}
    for doc in documents:
        templates = list(pod_templates([doc]))
        for template in templates:
            for container in template.get("spec", {}).get("containers", []):
                placeholder = container.get("image")
                if placeholder not in by_placeholder:
                    continue
                image = by_placeholder[placeholder]
                if image is None:
                    raise ManifestError("no stable image: the stable Deployment is not running")
                container["image"] = image
                if container.get("name") == CONTAINER:
                    labels = template.setdefault("metadata", {}).setdefault("labels", {})
                    labels["version"] = version_label(image)
                    chosen[f"{doc['kind']}/{doc['metadata']['name']}"] = image
    target = next(
        (
            d
            for d in deployments(documents)
            if (
                pod_track(d) == "canary"
                if stage.is_canary
                else d["metadata"]["name"] == stage.target
            )
        ),
        None,
    )
    wanted = "Deployment with track=canary" if stage.is_canary else f"Deployment {stage.target}"
    if target is None or chosen.get(f"Deployment/{target['metadata']['name']}") != new_image:
        raise ManifestError(f"the {stage.name} overlay has no {wanted} (with a placeholder image)")
    if not stage.is_canary and any(
        d["metadata"]["name"] == CANARY_DEPLOYMENT for d in deployments(documents)
    ):
        raise ManifestError(f"the {stage.name} overlay must not contain {CANARY_DEPLOYMENT}")
    for hpa in (doc for doc in documents if doc.get("kind") == "HorizontalPodAutoscaler"):
        if hpa.get("spec", {}).get("scaleTargetRef", {}).get("name") == CANARY_DEPLOYMENT:
            # An HPA on the canary skews the split and undoes a scale-to-0 rollback.
            raise ManifestError(f"HPA {hpa['metadata']['name']} targets {CANARY_DEPLOYMENT}")
    return chosen


def jobs(documents: list[dict[str, Any]]) -> list[str]:
    """Names of the Jobs (the migration): immutable, so deleted before apply, then waited for."""
    return [doc["metadata"]["name"] for doc in documents if doc.get("kind") == "Job"]


@dataclass(frozen=True)
class SecretReference:
    name: str
    key: str | None  # None: the whole Secret (envFrom / volume)


def secret_references(documents: list[dict[str, Any]]) -> list[SecretReference]:
    """Every Secret (and key) the rendered pods read: env valueFrom, envFrom and volumes."""
    found: set[SecretReference] = set()
    for doc in documents:
        spec = doc.get("spec", {})
        pod = spec.get("template", {}).get("spec") or spec.get("jobTemplate", {}).get(
            "spec", {}
        ).get("template", {}).get("spec")
        if not pod:
            continue
        for container in [*pod.get("containers", []), *pod.get("initContainers", [])]:
            for env in container.get("env", []) or []:
                ref = (env.get("valueFrom") or {}).get("secretKeyRef")
                if ref and not ref.get("optional"):
                    found.add(SecretReference(ref["name"], ref.get("key")))
            for source in container.get("envFrom", []) or []:
                ref = source.get("secretRef")
                if ref and not ref.get("optional"):
                    found.add(SecretReference(ref["name"], None))
        for volume in pod.get("volumes", []) or []:
            secret = volume.get("secret")
            if secret and not secret.get("optional"):
                found.add(SecretReference(secret["secretName"], None))
    return sorted(found, key=lambda ref: (ref.name, ref.key or ""))
