"""The rendered overlay as data: find the Deployments by their pod template's `track`, set the
images the rollout decides, and list the Secrets the pods reference (what preflight checks)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from vextrus_finance.deployment.stages import CANARY_DEPLOYMENT, CONTAINER, Stage


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


def _set_container_image(deployment: dict[str, Any], image: str) -> None:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    for container in containers:
        if container.get("name") == CONTAINER:
            container["image"] = image
            return
    name = deployment["metadata"]["name"]
    raise ManifestError(f"Deployment {name} has no container named {CONTAINER}")


def set_images(
    documents: list[dict[str, Any]], stage: Stage, new_image: str, stable_image: str | None
) -> dict[str, str]:
    """Set the new image on the stage's target (in a canary stage: the Deployment whose pods are
    track=canary) and, in a canary stage, the running stable image on the track=stable one.
    Returns {deployment name: image}."""
    chosen: dict[str, str] = {}
    for deployment in deployments(documents):
        name = deployment["metadata"]["name"]
        track = pod_track(deployment)
        if stage.is_canary and track == "canary":
            image = new_image
        elif stage.is_canary and track == "stable":
            if stable_image is None:
                raise ManifestError("no stable image: the stable Deployment is not running")
            image = stable_image
        elif not stage.is_canary and name == stage.target:
            image = new_image
        else:
            continue
        _set_container_image(deployment, image)
        chosen[name] = image
    wanted = "Deployment with track=canary" if stage.is_canary else f"Deployment {stage.target}"
    if new_image not in chosen.values():
        raise ManifestError(f"the {stage.name} overlay has no {wanted}")
    if not stage.is_canary and any(
        d["metadata"]["name"] == CANARY_DEPLOYMENT for d in deployments(documents)
    ):
        raise ManifestError(f"the {stage.name} overlay must not contain {CANARY_DEPLOYMENT}")
    for hpa in (doc for doc in documents if doc.get("kind") == "HorizontalPodAutoscaler"):
        if hpa.get("spec", {}).get("scaleTargetRef", {}).get("name") == CANARY_DEPLOYMENT:
            # An HPA on the canary skews the split and undoes a scale-to-0 rollback.
            raise ManifestError(f"HPA {hpa['metadata']['name']} targets {CANARY_DEPLOYMENT}")
    return chosen


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
