"""`vextrus-finance deploy preflight|rollout|rollback` (deploy/scripts/* exec these)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from vextrus_deploy.analysis import Thresholds
from vextrus_deploy.kubectl import Kubectl
from vextrus_deploy.preflight import Status, run_preflight
from vextrus_deploy.rollback import run_manual_rollback
from vextrus_deploy.rollout import RolloutOptions, run_rollout
from vextrus_deploy.smoke_runner import DEFAULT_COMMAND, SmokeConfig
from vextrus_deploy.stages import STAGES, get_stage

deploy_app = typer.Typer(
    add_completion=False,  # a subcommand: completion is installed for `vextrus-finance`
    no_args_is_help=True,
    help="Phased rollout: preflight, one stage at a time, rollback (docs/deployment.md).",
)

STAGE_NAMES = ", ".join(STAGES)
K8sDir = Annotated[
    Path,
    typer.Option(
        "--k8s-dir", envvar="VEXTRUS_K8S_DIR", help="The Kustomize root (base + overlays)."
    ),
]
KubectlBinary = Annotated[str, typer.Option("--kubectl", envvar="KUBECTL", help="kubectl binary.")]
Context = Annotated[str | None, typer.Option("--context", help="kubectl context.")]
Timeout = Annotated[
    int, typer.Option("--rollout-timeout", help="Seconds to wait for `kubectl rollout status`.")
]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def log(line: str) -> None:
    typer.echo(f"{datetime.now(UTC):%H:%M:%S} {line}")


def _stage(name: str) -> None:
    try:
        get_stage(name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@deploy_app.command()
def preflight(
    stage: Annotated[str, typer.Option("--stage", help=f"One of {STAGE_NAMES}.")] = "canary-10",
    image: Annotated[str | None, typer.Option("--image", help="The image to deploy.")] = None,
    k8s_dir: K8sDir = Path("deploy/k8s"),
    kubectl: KubectlBinary = "kubectl",
    context: Context = None,
) -> None:
    """Check the cluster, namespaces, secrets (and their keys), CRDs, the overlay and the image;
    report every check, then a verdict. Exit 1 when any required check failed."""
    _stage(stage)
    report = run_preflight(Kubectl(kubectl, context, log), get_stage(stage), k8s_dir, image, log)
    unchecked = [c for c in report.checks if c.status is Status.NOT_CHECKED]
    summary = (
        f"{len(report.checks)} checks, {len(report.failed)} failed, {len(unchecked)} not checked"
    )
    if report.passed:
        log(f"VERDICT: READY ({summary})")
        return
    log(f"VERDICT: NOT READY ({summary}): " + "; ".join(c.name for c in report.failed))
    raise typer.Exit(1)


@deploy_app.command()
def rollout(
    stage: Annotated[str, typer.Argument(help=f"One of {STAGE_NAMES}.")],
    image: Annotated[str, typer.Option("--image", help="The new image (registry/name:tag).")],
    smoke_token: Annotated[
        str, typer.Option("--smoke-token", envvar="VEXTRUS_SMOKE_TOKEN", help="Smoke test token.")
    ],
    smoke_base_url: Annotated[
        str | None,
        typer.Option(
            "--smoke-base-url",
            envvar="VEXTRUS_SMOKE_BASE_URL",
            help="Where the smoke test reaches the new pods. Default: a kubectl port-forward "
            "to the Deployment running the new image.",
        ),
    ] = None,
    smoke_command: Annotated[
        str, typer.Option("--smoke-command", help="The smoke command (gets --base-url, --token).")
    ] = DEFAULT_COMMAND,
    smoke_timeout: Annotated[float, typer.Option("--smoke-timeout")] = 300,
    prometheus_url: Annotated[
        str | None, typer.Option("--prometheus-url", envvar="VEXTRUS_PROMETHEUS_URL")
    ] = None,
    prometheus_match: Annotated[
        str,
        typer.Option(
            "--prometheus-match", help='More matchers, e.g. job="finance-service-production".'
        ),
    ] = "",
    analysis_window: Annotated[
        int, typer.Option("--analysis-window", help="Seconds of traffic the verdict covers.")
    ] = 600,
    poll_interval: Annotated[float, typer.Option("--poll-interval")] = 30,
    max_error_ratio: Annotated[float, typer.Option("--max-error-ratio")] = 0.01,
    max_p95_ms: Annotated[float, typer.Option("--max-p95-ms")] = 500,
    max_ratio_to_stable: Annotated[float, typer.Option("--max-ratio-to-stable")] = 1.5,
    error_floor: Annotated[float, typer.Option("--error-floor")] = 0.002,
    stable_image: Annotated[
        str | None, typer.Option("--stable-image", help="Default: what production runs now.")
    ] = None,
    rollout_timeout: Timeout = 600,
    k8s_dir: K8sDir = Path("deploy/k8s"),
    kubectl: KubectlBinary = "kubectl",
    context: Context = None,
) -> None:
    """Deploy one stage; on any failure roll back automatically and exit non-zero
    (1 rolled back, 2 the rollback itself failed)."""
    _stage(stage)
    chosen = get_stage(stage)
    if prometheus_url is None and chosen.name != "staging":
        raise typer.BadParameter("--prometheus-url is required for production stages")
    options = RolloutOptions(
        stage=chosen,
        image=image,
        k8s_root=k8s_dir,
        smoke=SmokeConfig(smoke_base_url or "", smoke_token, smoke_command, smoke_timeout),
        prometheus_url=prometheus_url,
        analysis_window_s=analysis_window,
        poll_s=poll_interval,
        thresholds=Thresholds(
            max_error_ratio=max_error_ratio,
            max_p95_seconds=max_p95_ms / 1000,
            max_ratio_to_stable=max_ratio_to_stable,
            error_floor=error_floor,
        ),
        rollout_timeout_s=rollout_timeout,
        stable_image=stable_image,
        prometheus_match=prometheus_match,
    )
    code = run_rollout(Kubectl(kubectl, context, log), options, log)
    if code:
        raise typer.Exit(code)


@deploy_app.command()
def rollback(
    stage: Annotated[
        str | None, typer.Option("--stage", help="Default: the stage recorded on the Deployment.")
    ] = None,
    stable_image: Annotated[str | None, typer.Option("--stable-image")] = None,
    rollout_timeout: Timeout = 600,
    kubectl: KubectlBinary = "kubectl",
    context: Context = None,
) -> None:
    """Roll back the current stage by hand, exactly as the automatic rollback does."""
    if stage is not None:
        _stage(stage)
    code = run_manual_rollback(
        Kubectl(kubectl, context, log), stage, stable_image, rollout_timeout, log, now=_now
    )
    if code:
        raise typer.Exit(code)
