"""The analysis verdict and the image/secret handling of rendered manifests, without a cluster."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.system.prometheus import require_binary
from vextrus_deploy import manifests
from vextrus_deploy.analysis import Queries, Sample, Thresholds, judge
from vextrus_deploy.stages import get_stage

T = Thresholds()


def verdict(error: float | None, p95: float | None, stable: float | None) -> list[str]:
    return judge(Sample(error, p95, stable), T, "canary", "stable").failures


def test_within_every_threshold_passes() -> None:
    assert verdict(0.004, 0.3, 0.003) == []


@pytest.mark.parametrize(
    ("error", "p95", "stable", "expected"),
    [
        (0.011, 0.3, 0.010, "5xx ratio 1.10% > 1.00%"),
        (0.01, 0.51, 0.01, "P95 510 ms > 500 ms"),
        # Under 1 % absolute but far worse than stable: 0.8 % > 1.5 x 0.1 % + 0.2 %.
        (0.008, 0.1, 0.001, "5xx ratio 0.80% > 1.5x stable (0.10%) + 0.20%"),
        (None, 0.1, 0.001, "no data: no requests from track=canary in the window"),
        (0.0, None, 0.001, "no data: no latency histogram from track=canary in the window"),
        (0.0, 0.1, None, "no data: no requests from track=stable to compare with"),
    ],
)
def test_each_failure_is_named(
    error: float | None, p95: float | None, stable: float | None, expected: str
) -> None:
    assert expected in verdict(error, p95, stable)


def test_the_floor_lets_a_canary_have_errors_when_stable_has_none() -> None:
    assert verdict(0.0015, 0.1, 0.0) == []
    assert verdict(0.0025, 0.1, 0.0) != []


def test_full_stage_has_no_baseline_comparison() -> None:
    assert judge(Sample(0.005, 0.2, None), T, "stable", None).failures == []


def test_queries_select_the_track_namespace_and_window_and_leave_probes_out() -> None:
    q = Queries("vextrus-production", "canary", "stable", 600, 'job="finance-service-production"')
    for query in (q.error_ratio("canary"), q.p95("canary")):
        selectors = [part.split("}")[0] for part in query.split("{")[1:]]
        assert selectors, query
        for selector in selectors:
            for matcher in ('namespace="vextrus-production"', 'track="canary"',
                            'job="finance-service-production"', 'route!~"/health.*"'):  # fmt: skip
                assert matcher in selector, (matcher, query)
        assert "[600s]" in query
    # A track that never failed has no 5xx series: its ratio is 0, not "no data".
    assert " or " in q.error_ratio("canary")
    assert q.p95("canary").startswith("histogram_quantile(0.95, sum by (le) (rate(")


def _deployment(name: str, track: str, image: str) -> dict[str, object]:
    return {
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "template": {
                "metadata": {"labels": {"track": track}},
                "spec": {"containers": [{"name": "finance-service", "image": image}]},
            }
        },
    }


def test_canary_stage_without_a_canary_deployment_is_refused() -> None:
    docs = [_deployment("finance-service-production", "stable", "vextrus/finance:stable")]
    with pytest.raises(manifests.ManifestError, match="has no Deployment with track=canary"):
        manifests.set_images(docs, get_stage("canary-30"), "new:1", "old:1")


def test_an_hpa_on_the_canary_is_refused() -> None:
    docs = [
        _deployment("finance-service-canary", "canary", "vextrus/finance:canary"),
        {
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "canary-hpa"},
            "spec": {"scaleTargetRef": {"name": "finance-service-canary"}},
        },
    ]
    with pytest.raises(manifests.ManifestError, match="HPA canary-hpa targets"):
        manifests.set_images(docs, get_stage("canary-10"), "new:1", "old:1")


def test_full_stage_sets_the_new_image_on_production_only() -> None:
    docs = [_deployment("finance-service-production", "stable", "vextrus/finance:stable")]
    chosen = manifests.set_images(docs, get_stage("full"), "new:1", "old:1")
    assert chosen == {"Deployment/finance-service-production": "new:1"}
    docs = [
        _deployment("finance-service-production", "stable", "vextrus/finance:stable"),
        _deployment("finance-service-canary", "canary", "vextrus/finance:canary"),
    ]
    with pytest.raises(manifests.ManifestError, match="must not contain finance-service-canary"):
        manifests.set_images(docs, get_stage("full"), "new:1", "old:1")


@pytest.mark.parametrize(
    ("image", "label"),
    [
        ("registry.example:5000/vextrus/finance:1.4.0", "1.4.0"),
        ("vextrus/finance", "latest"),
        ("vextrus/finance@sha256:0123456789abcdef0123", "sha256-0123456789ab"),
        ("vextrus/finance:" + "x" * 80 + "+build", "x" * 63),
    ],
)
def test_version_label_is_a_valid_label_value(image: str, label: str) -> None:
    assert manifests.version_label(image) == label


REAL_K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"


@pytest.mark.parametrize("stage_name", ["staging", "canary-10", "canary-30", "canary-60", "full"])
def test_the_image_rules_fit_the_real_overlays(stage_name: str) -> None:
    """Once deploy/k8s is in the tree (another branch of issue 6 writes it), the rollout must find
    its Deployments, placeholders and Secrets; the other tests use a fixture overlay."""
    stage = get_stage(stage_name)
    overlay = stage.overlay_dir(REAL_K8S)
    if not overlay.is_dir():
        pytest.skip(f"{overlay} is not in this tree yet")
    rendered = subprocess.run(
        [require_binary("kubectl"), "kustomize", str(overlay)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    docs = manifests.load(rendered)

    chosen = manifests.set_images(docs, stage, "registry.example/finance:2.0.0", "old/finance:1.9")

    assert f"Deployment/{stage.target}" in chosen
    leftover = [c["image"] for t in manifests.pod_templates(docs) for c in t["spec"]["containers"]]
    assert not [i for i in leftover if i.startswith("vextrus/finance:")], leftover
    secrets = {ref.name for ref in manifests.secret_references(docs)}
    if stage.namespace == "vextrus-production":
        assert {"finance-db-production", "finance-secrets-production"} <= secrets
