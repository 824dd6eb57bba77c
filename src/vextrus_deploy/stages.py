"""The rollout stages and the Kubernetes names they use (deploy/k8s/README.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONTAINER = "finance-service"
STABLE_DEPLOYMENT = "finance-service-production"
CANARY_DEPLOYMENT = "finance-service-canary"
STAGING_DEPLOYMENT = "finance-service-staging"
PRODUCTION_NAMESPACE = "vextrus-production"
STAGING_NAMESPACE = "vextrus-staging"
NAMESPACES = (STAGING_NAMESPACE, PRODUCTION_NAMESPACE)
PRODUCTION_SECRETS = ("finance-db-production", "finance-secrets-production")
CRDS = ("servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com")
# What a canary rollback restores: the whole production traffic on the stable image.
FULL_REPLICAS = 10

# Annotations on the Deployment a stage is recorded on (production: finance-service-production).
ANNOTATION_STAGE = "vextrus.io/rollout-stage"
ANNOTATION_OUTCOME = "vextrus.io/rollout-outcome"
ANNOTATION_STABLE_IMAGE = "vextrus.io/stable-image"
ANNOTATION_NEW_IMAGE = "vextrus.io/rollout-image"
ANNOTATION_AT = "vextrus.io/rollout-at"


@dataclass(frozen=True)
class Stage:
    name: str
    overlay: str  # relative to the k8s root (deploy/k8s)
    namespace: str
    # The Deployment whose image the stage changes, and the one its outcome is recorded on.
    target: str
    record_on: str
    # The `track` label of the pods running the new image, and the one to compare them with.
    new_track: str
    baseline_track: str | None
    canary_replicas: int
    stable_replicas: int

    @property
    def is_canary(self) -> bool:
        return self.target == CANARY_DEPLOYMENT

    def overlay_dir(self, k8s_root: Path) -> Path:
        return k8s_root / self.overlay


def _canary(percent: int, canary: int, stable: int) -> Stage:
    return Stage(
        name=f"canary-{percent}",
        overlay=f"overlays/production/canary-{percent}",
        namespace=PRODUCTION_NAMESPACE,
        target=CANARY_DEPLOYMENT,
        record_on=STABLE_DEPLOYMENT,
        new_track="canary",
        baseline_track="stable",
        canary_replicas=canary,
        stable_replicas=stable,
    )


def _whole(name: str, overlay: str, namespace: str, deployment: str, replicas: int) -> Stage:
    """A stage that puts the new image on one Deployment's every pod: nothing to compare with."""
    return Stage(
        name=name,
        overlay=overlay,
        namespace=namespace,
        target=deployment,
        record_on=deployment,
        new_track="stable",
        baseline_track=None,
        canary_replicas=0,
        stable_replicas=replicas,
    )


STAGES: dict[str, Stage] = {
    "staging": _whole("staging", "overlays/staging", STAGING_NAMESPACE, STAGING_DEPLOYMENT, 1),
    "canary-10": _canary(10, 1, 9),
    "canary-30": _canary(30, 3, 7),
    "canary-60": _canary(60, 6, 4),
    "full": _whole(
        "full", "overlays/production/full", PRODUCTION_NAMESPACE, STABLE_DEPLOYMENT, FULL_REPLICAS
    ),
}


def get_stage(name: str) -> Stage:
    try:
        return STAGES[name]
    except KeyError:
        raise ValueError(f"unknown stage {name!r}; one of {', '.join(STAGES)}") from None
