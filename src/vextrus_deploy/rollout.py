"""One stage of the phased rollout: render, set images, apply, wait, smoke, analyse; on any
failure after something was applied, roll back automatically and exit non-zero."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from vextrus_deploy import manifests
from vextrus_deploy.analysis import Queries, Thresholds, analyse, describe
from vextrus_deploy.kubectl import Kubectl, KubectlError, container_image
from vextrus_deploy.port_forward import port_forward
from vextrus_deploy.prometheus import PrometheusClient
from vextrus_deploy.rollback import roll_back
from vextrus_deploy.smoke_runner import SmokeConfig, run_smoke
from vextrus_deploy.stages import (
    ANNOTATION_AT,
    ANNOTATION_NEW_IMAGE,
    ANNOTATION_OUTCOME,
    ANNOTATION_STABLE_IMAGE,
    ANNOTATION_STAGE,
    CANARY_DEPLOYMENT,
    CONTAINER,
    STABLE_DEPLOYMENT,
    Stage,
)

Log = Callable[[str], None]

# Exit codes: 0 promoted; 1 the stage failed and was rolled back (or nothing was applied);
# 2 the stage failed AND the rollback failed: a person must act now.
EXIT_PROMOTED = 0
EXIT_ROLLED_BACK = 1
EXIT_ROLLBACK_FAILED = 2


@dataclass(frozen=True)
class RolloutOptions:
    stage: Stage
    image: str
    k8s_root: Path
    smoke: SmokeConfig
    prometheus_url: str | None
    analysis_window_s: int
    poll_s: float
    thresholds: Thresholds
    rollout_timeout_s: int
    stable_image: str | None = None
    prometheus_match: str = ""


class StageFailed(Exception):
    pass


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stable_image(kubectl: Kubectl, options: RolloutOptions, log: Log) -> str | None:
    if options.stable_image:
        return options.stable_image
    if options.stage.record_on != STABLE_DEPLOYMENT and not options.stage.is_canary:
        return None
    running = kubectl.deployment(STABLE_DEPLOYMENT, options.stage.namespace)
    image = None if running is None else container_image(running, CONTAINER)
    log(f"stable image (running in {STABLE_DEPLOYMENT}): {image or 'none'}")
    return image


@dataclass(frozen=True)
class Rendered:
    manifest: str
    jobs: list[str]


def _render(
    kubectl: Kubectl, options: RolloutOptions, stable_image: str | None, log: Log
) -> Rendered:
    stage = options.stage
    overlay = stage.overlay_dir(options.k8s_root)
    documents = manifests.load(kubectl.kustomize(str(overlay)))
    chosen = manifests.set_images(documents, stage, options.image, stable_image)
    for name, image in chosen.items():
        log(f"image: {name} -> {image}")
    for deployment in manifests.deployments(documents):
        if deployment["metadata"]["name"] == stage.record_on:
            notes = deployment["metadata"].setdefault("annotations", {})
            notes.update(_annotations(stage, options.image, stable_image, "in-progress"))
    return Rendered(manifests.dump(documents), manifests.jobs(documents))


def _prepare(kubectl: Kubectl, stage: Stage, rendered: Rendered, log: Log) -> None:
    """What `kubectl apply` cannot do: replace the (immutable) migration Job, and in a canary
    stage remove an HPA a previous `full` left on production (apply does not prune it, and it
    would resize the stable track: the replica ratio IS the split)."""
    for job in rendered.jobs:
        log(f"step: delete job/{job} (a Job's pod template is immutable)")
        kubectl.delete("job", job, stage.namespace)
    if stage.is_canary:
        tracks = [STABLE_DEPLOYMENT, CANARY_DEPLOYMENT]
        for name, target in kubectl.hpas_targeting(tracks, stage.namespace).items():
            log(f"step: delete hpa/{name} (targets {target}; it would skew the split)")
            kubectl.delete_hpa(name, stage.namespace)


def _annotations(stage: Stage, image: str, stable: str | None, outcome: str) -> dict[str, str]:
    notes = {
        ANNOTATION_STAGE: stage.name,
        ANNOTATION_OUTCOME: outcome,
        ANNOTATION_NEW_IMAGE: image,
        ANNOTATION_AT: _now(),
    }
    if stable:
        notes[ANNOTATION_STABLE_IMAGE] = stable
    return notes


def _wait(log: Log, what: str, failure: str, timeout: int, wait: Callable[[], object]) -> None:
    """Run one of kubectl's blocking waits as a step; its failure fails the stage."""
    log(f"step: wait for {what} (timeout {timeout} s)")
    try:
        wait()
    except KubectlError as exc:
        raise StageFailed(f"{failure}: {exc.stderr}") from exc


def _check(kubectl: Kubectl, options: RolloutOptions, jobs: list[str], log: Log) -> None:
    """Wait for the migration and the pods, smoke-test them, then judge their traffic; raise
    StageFailed."""
    stage, timeout = options.stage, options.rollout_timeout_s
    for job in jobs:
        # Until the schema is at the new code's head the new pods stay unready.
        wait = partial(kubectl.wait_job_complete, job, stage.namespace, timeout)
        _wait(log, f"job/{job} to complete", f"job/{job} did not complete", timeout, wait)
    waits = [stage.target] + ([STABLE_DEPLOYMENT] if stage.is_canary else [])
    for deployment in waits:
        wait = partial(kubectl.rollout_status, deployment, stage.namespace, timeout)
        _wait(log, deployment, f"{deployment} did not become ready", timeout, wait)
    log("step: smoke test")
    if options.smoke.base_url:
        smoke = run_smoke(options.smoke, log)
    else:
        # No URL given: reach the new pods themselves, not the Service (which mixes tracks).
        try:
            with port_forward(kubectl, stage.target, stage.namespace) as url:
                smoke = run_smoke(replace(options.smoke, base_url=url), log)
        except KubectlError as exc:
            raise StageFailed(f"port-forward to {stage.target} failed: {exc.stderr}") from exc
    if not smoke.passed:
        raise StageFailed(smoke.reason)
    if options.prometheus_url is None:
        # Only staging may go without (checked by the CLI): it has no production traffic.
        log("step: analysis skipped: no --prometheus-url (staging is judged by the smoke test)")
        return
    log(f"step: analysis of track={stage.new_track} in {stage.namespace}")
    queries = Queries(
        namespace=stage.namespace,
        track=stage.new_track,
        baseline_track=stage.baseline_track,
        window_s=options.analysis_window_s,
        extra_match=options.prometheus_match,
    )
    verdict = analyse(
        PrometheusClient(options.prometheus_url),
        queries,
        options.thresholds,
        poll_s=options.poll_s,
        log=log,
    )
    log(f"analysis result: {describe(verdict.sample)}")
    if not verdict.passed:
        raise StageFailed("analysis failed: " + "; ".join(verdict.failures))
    log("analysis: passed")


def run_rollout(kubectl: Kubectl, options: RolloutOptions, log: Log) -> int:
    stage = options.stage
    log(f"rollout: stage {stage.name}, image {options.image}, namespace {stage.namespace}")
    # Before anything is applied, a failure changes nothing in the cluster: no rollback.
    try:
        stable_image = _stable_image(kubectl, options, log)
        log(f"step: render {stage.overlay_dir(options.k8s_root)}")
        rendered = _render(kubectl, options, stable_image, log)
    except (KubectlError, manifests.ManifestError) as exc:
        log(f"FAILED before apply, nothing changed: {exc}")
        return EXIT_ROLLED_BACK
    try:
        try:
            _prepare(kubectl, stage, rendered, log)
            log("step: apply")
            kubectl.apply(rendered.manifest, stage.namespace)
        except KubectlError as exc:
            raise StageFailed(f"apply failed: {exc.stderr}") from exc
        _check(kubectl, options, rendered.jobs, log)
    except Exception as failure:  # whatever broke after apply, the new version must go
        reason = failure if isinstance(failure, StageFailed) else repr(failure)
        log(f"FAILED: {reason}")
        log("automatic rollback")
        result = roll_back(kubectl, stage, stable_image, options.rollout_timeout_s, log)
        _record(kubectl, stage, options.image, stable_image, "rolled-back", log)
        if not result.succeeded:
            log("ROLLBACK INCOMPLETE: " + "; ".join(result.errors))
            return EXIT_ROLLBACK_FAILED
        log(f"stage {stage.name} rolled back")
        return EXIT_ROLLED_BACK
    _record(kubectl, stage, options.image, stable_image, "promoted", log)
    if stage.name == "full":
        log(f"step: delete {CANARY_DEPLOYMENT} (the new image now runs in {STABLE_DEPLOYMENT})")
        try:
            kubectl.delete_deployment(CANARY_DEPLOYMENT, stage.namespace)
        except KubectlError as exc:
            log(f"FAILED to delete {CANARY_DEPLOYMENT}: {exc}")
            return EXIT_ROLLBACK_FAILED
    log(f"stage {stage.name} promoted")
    return EXIT_PROMOTED


def _record(
    kubectl: Kubectl, stage: Stage, image: str, stable: str | None, outcome: str, log: Log
) -> None:
    try:
        kubectl.annotate(
            stage.record_on, stage.namespace, _annotations(stage, image, stable, outcome)
        )
    except KubectlError as exc:
        log(f"could not record the outcome on {stage.record_on}: {exc}")
