"""Undo a stage. Every step is attempted even when an earlier one fails (a rollback that stops
half-way leaves the cluster in neither state), and every failure is reported.

- Canary stages: scale finance-service-canary to 0 first (the failing version leaves the Service
  at once), delete any HPA that targets it (an HPA would scale it back up), then put
  finance-service-production back on the stable image at 10 replicas and wait for it.
- full: `kubectl rollout undo` of finance-service-production (back to the previous pod template)
  and wait; the canary Deployment, if still there, runs the same failed image: scale it to 0.
- staging: `kubectl rollout undo` of finance-service-staging and wait."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from vextrus_deploy.kubectl import (
    Kubectl,
    KubectlError,
    annotations_of,
    container_image,
)
from vextrus_deploy.stages import (
    ANNOTATION_AT,
    ANNOTATION_OUTCOME,
    ANNOTATION_STABLE_IMAGE,
    ANNOTATION_STAGE,
    CANARY_DEPLOYMENT,
    CONTAINER,
    FULL_REPLICAS,
    PRODUCTION_NAMESPACE,
    STABLE_DEPLOYMENT,
    Stage,
    get_stage,
)

Log = Callable[[str], None]


@dataclass
class RollbackResult:
    errors: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return not self.errors


def _step(result: RollbackResult, log: Log, what: str, action: Callable[[], object]) -> None:
    log(f"rollback: {what}")
    try:
        action()
    except KubectlError as exc:
        log(f"rollback: FAILED to {what}: {exc}")
        result.errors.append(f"{what}: {exc}")


def _delete_canary_hpas(kubectl: Kubectl, namespace: str, log: Log) -> None:
    for name in kubectl.hpas_targeting([CANARY_DEPLOYMENT], namespace):
        log(f"rollback: HPA {name} targets the canary and would scale it back up: deleting")
        kubectl.delete_hpa(name, namespace)


def _canary_replicas(kubectl: Kubectl, namespace: str, result: RollbackResult) -> int | None:
    """The canary's replica count; None when it is absent or unreadable (the latter an error)."""
    try:
        found = kubectl.deployment(CANARY_DEPLOYMENT, namespace)
    except KubectlError as exc:
        result.errors.append(f"could not read {CANARY_DEPLOYMENT}: {exc}")
        return None
    return None if found is None else int(found.get("spec", {}).get("replicas", 0))


def roll_back(
    kubectl: Kubectl, stage: Stage, stable_image: str | None, timeout_s: int, log: Log
) -> RollbackResult:
    result = RollbackResult()
    ns = stage.namespace
    log(f"rollback: stage {stage.name} in {ns}")
    if stage.is_canary:
        _step(
            result,
            log,
            f"scale {CANARY_DEPLOYMENT} to 0",
            lambda: kubectl.scale(CANARY_DEPLOYMENT, ns, 0),
        )
        _step(
            result,
            log,
            "remove HPAs targeting the canary",
            lambda: _delete_canary_hpas(kubectl, ns, log),
        )
        if stable_image:
            _step(
                result,
                log,
                f"set {STABLE_DEPLOYMENT} image to {stable_image}",
                lambda: kubectl.set_image(STABLE_DEPLOYMENT, ns, CONTAINER, stable_image),
            )
        else:
            result.errors.append("stable image unknown: finance-service-production image unchanged")
            log(
                "rollback: FAILED: stable image unknown; finance-service-production image unchanged"
            )
        _step(
            result,
            log,
            f"scale {STABLE_DEPLOYMENT} to {FULL_REPLICAS}",
            lambda: kubectl.scale(STABLE_DEPLOYMENT, ns, FULL_REPLICAS),
        )
        _step(
            result,
            log,
            f"wait for {STABLE_DEPLOYMENT}",
            lambda: kubectl.rollout_status(STABLE_DEPLOYMENT, ns, timeout_s),
        )
        replicas = _canary_replicas(kubectl, ns, result)
        if replicas:
            result.errors.append(f"{CANARY_DEPLOYMENT} is back at {replicas} replicas")
        log(f"rollback: {CANARY_DEPLOYMENT} replicas now {replicas}")
    else:
        _step(
            result,
            log,
            f"undo the rollout of {stage.target}",
            lambda: kubectl.rollout_undo(stage.target, ns),
        )
        _step(
            result,
            log,
            f"wait for {stage.target}",
            lambda: kubectl.rollout_status(stage.target, ns, timeout_s),
        )
        if stage.target == STABLE_DEPLOYMENT and _canary_replicas(kubectl, ns, result):
            _step(
                result,
                log,
                f"scale {CANARY_DEPLOYMENT} (the same failed image) to 0",
                lambda: kubectl.scale(CANARY_DEPLOYMENT, ns, 0),
            )
    log("rollback: done" if result.succeeded else f"rollback: {len(result.errors)} step(s) failed")
    return result


def run_manual_rollback(
    kubectl: Kubectl,
    stage_name: str | None,
    stable_image: str | None,
    timeout_s: int,
    log: Log,
    *,
    now: Callable[[], str],
) -> int:
    """`vextrus-finance deploy rollback`: the stage (and the stable image) come from the
    annotations the last rollout left on finance-service-production, unless given."""
    production = None
    try:
        production = kubectl.deployment(STABLE_DEPLOYMENT, PRODUCTION_NAMESPACE)
    except KubectlError as exc:
        log(f"cannot read {STABLE_DEPLOYMENT}: {exc}")
        if stage_name is None:
            return 2
    notes = annotations_of(production) if production else {}
    name = stage_name or notes.get(ANNOTATION_STAGE)
    if name is None:
        log(f"no {ANNOTATION_STAGE} annotation on {STABLE_DEPLOYMENT}: pass --stage")
        return 2
    stage = get_stage(name)
    log(f"manual rollback of stage {stage.name} (last outcome: {notes.get(ANNOTATION_OUTCOME)})")
    if stage.is_canary and stable_image is None:
        # The rollout recorded the image production ran before the canary; in a canary stage
        # finance-service-production still runs it.
        stable_image = notes.get(ANNOTATION_STABLE_IMAGE) or (
            container_image(production, CONTAINER) if production else None
        )
    result = roll_back(kubectl, stage, stable_image, timeout_s, log)
    try:
        kubectl.annotate(
            stage.record_on,
            stage.namespace,
            {ANNOTATION_STAGE: stage.name, ANNOTATION_OUTCOME: "rolled-back", ANNOTATION_AT: now()},
        )
    except KubectlError as exc:
        log(f"could not record the rollback on {stage.record_on}: {exc}")
    if not result.succeeded:
        log("ROLLBACK INCOMPLETE: " + "; ".join(result.errors))
        return 2
    return 0
