"""deploy/monitoring as it is applied: the kustomize render, the CRD shapes kubernetes-validate
skips, the alert rules run through the real promtool (check + unit tests), and proof that those
unit tests bite: an alert made silent or made to fire always fails them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.monitoring_files import (
    MONITORING,
    PROMTOOL_TESTS,
    ROOT,
    RULES_FILE,
    RUNBOOKS,
    alerts,
    only,
    recording_rules,
    render,
    rule_groups,
    rules_file_text,
)
from tests.system.prometheus import require_binary

NAMESPACE = "vextrus-production"
JOB = "finance-service-production"
# Named by issue 6 and the seed's alert list; more may exist.
REQUIRED_ALERTS = {
    "FinanceHighErrorRate",
    "FinanceHighLatencyP95",
    "FinanceCanaryErrorRateAboveStable",
    "FinanceSnapshotFailures",
    "FinanceSnapshotSlow",
    "FinancePodCrashLooping",
    "FinanceMemoryNearLimit",
    "FinanceEventStoreConnectionErrors",
    "FinanceHighRequestVolume",
    "FinanceLedgerImbalance",
    "FinanceTargetDown",
}
SEVERITIES = {"critical", "warning", "info"}
# The contract's Service labels (deploy-contract.md): app + environment, both tracks.
SERVICE_LABELS = {"app": "finance-service", "environment": "production"}


@pytest.fixture(scope="module")
def bundle() -> list[dict[str, Any]]:
    return render(MONITORING)


@pytest.fixture(scope="module")
def groups(bundle: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return rule_groups(bundle)


def promtool(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_binary("promtool"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def promtool_tests() -> list[Path]:
    files = sorted(PROMTOOL_TESTS.glob("*.yml"))
    assert files, f"no promtool tests in {PROMTOOL_TESTS}"
    return files


# --- the render ------------------------------------------------------------------------------


def test_the_bundle_renders_into_production_only(bundle: list[dict[str, Any]]) -> None:
    kinds = sorted(o["kind"] for o in bundle)
    assert kinds == ["ConfigMap", "PrometheusRule", "ServiceMonitor"]
    assert {o["metadata"]["namespace"] for o in bundle} == {NAMESPACE}


def test_service_monitor_scrapes_the_production_service_every_15s(
    bundle: list[dict[str, Any]],
) -> None:
    monitor = only(bundle, "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["name"] == JOB  # the contract's name
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    spec = monitor["spec"]
    assert spec["selector"] == {"matchLabels": SERVICE_LABELS}
    assert spec["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    (endpoint,) = spec["endpoints"]  # one endpoint: each pod scraped once
    assert endpoint["port"] == "http"
    assert endpoint["path"] == "/metrics"
    assert endpoint["interval"] == "15s"
    assert _seconds(endpoint["scrapeTimeout"]) < _seconds(endpoint["interval"])
    assert {"track", "version"} <= set(spec["podTargetLabels"])
    # No jobLabel: the job label stays the Service name, which every alert filters on.
    assert "jobLabel" not in spec


def test_prometheus_rule_is_selected_like_the_service_monitor(
    bundle: list[dict[str, Any]],
) -> None:
    rule = only(bundle, "PrometheusRule")
    monitor = only(bundle, "ServiceMonitor")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    # The seed's rules carried `prometheus: kube-prometheus`, which the operator's selector
    # (release: prometheus) never picked up.
    assert rule["metadata"]["labels"]["release"] == "prometheus"
    assert rule["metadata"]["labels"]["release"] == monitor["metadata"]["labels"]["release"]
    assert "prometheus" not in rule["metadata"]["labels"]


def _production_services() -> dict[str, list[dict[str, Any]]]:
    """Services rendered by each production overlay of deploy/k8s (helper B's)."""
    overlays = ROOT / "deploy" / "k8s" / "overlays" / "production"
    if not overlays.is_dir():
        pytest.skip("deploy/k8s/overlays/production is not in this tree (merged from issue 6 B)")
    found = {
        overlay.name: [obj for obj in render(overlay) if obj["kind"] == "Service"]
        for overlay in sorted(overlays.iterdir())
        if (overlay / "kustomization.yaml").exists()
    }
    assert found, "no production overlay"
    return found


def matching_services(
    services: list[dict[str, Any]], monitor: dict[str, Any]
) -> list[dict[str, Any]]:
    """The Services the ServiceMonitor selects (matchLabels within its namespaces)."""
    spec = monitor["spec"]
    selector = spec["selector"]["matchLabels"]
    namespaces = spec["namespaceSelector"]["matchNames"]
    return [
        service
        for service in services
        if service["metadata"].get("namespace") in namespaces
        and all(service["metadata"].get("labels", {}).get(k) == v for k, v in selector.items())
    ]


def test_a_second_production_service_would_be_caught(bundle: list[dict[str, Any]]) -> None:
    """The seed's week 4 added a second Service with the same labels: every pod scraped twice."""
    monitor = only(bundle, "ServiceMonitor")

    def service(name: str, namespace: str, **labels: str) -> dict[str, Any]:
        return {"metadata": {"name": name, "namespace": namespace, "labels": labels}}

    production = service(JOB, NAMESPACE, **SERVICE_LABELS)
    week4 = service("finance-service-week4", NAMESPACE, **SERVICE_LABELS)
    staging = service("finance-service-staging", "vextrus-staging", **SERVICE_LABELS)
    other = service("finance-worker", NAMESPACE, app="finance-worker", environment="production")
    assert matching_services([production, staging, other], monitor) == [production]
    assert len(matching_services([production, week4, staging], monitor)) == 2


def test_exactly_one_service_per_production_overlay_matches_and_it_names_port_http(
    bundle: list[dict[str, Any]],
) -> None:
    monitor = only(bundle, "ServiceMonitor")
    for overlay, services in _production_services().items():
        matching = matching_services(services, monitor)
        assert len(matching) == 1, f"{overlay}: {len(matching)} Services match the monitor"
        (service,) = matching
        assert service["metadata"]["name"] == JOB  # the job label the alerts filter on
        # The monitor's `port: http` names a port of the Service, not of the container.
        assert "http" in {port.get("name") for port in service["spec"]["ports"]}, overlay
        assert "track" not in service["spec"]["selector"], overlay  # both tracks behind it


def _seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)([smh])", duration)
    assert match, duration
    return int(match[1]) * {"s": 1, "m": 60, "h": 3600}[match[2]]


# --- the rules as written ------------------------------------------------------------------


def test_the_plain_rules_file_is_exactly_the_deployed_spec(groups: list[dict[str, Any]]) -> None:
    committed = yaml.safe_load(RULES_FILE.read_text())
    assert committed == {"groups": groups}, (
        "rules/finance-service.rules.yml differs from prometheusrule.yaml: run "
        "`python3 -m uv run --frozen python -m tests.deploy.monitoring_files`"
    )
    assert RULES_FILE.read_text() == rules_file_text(groups)


def test_at_least_ten_alerts_and_the_required_ones(groups: list[dict[str, Any]]) -> None:
    names = [rule["alert"] for rule in alerts(groups)]
    assert len(names) == len(set(names)), "duplicate alert names"
    assert len(names) >= 10
    assert set(names) >= REQUIRED_ALERTS, REQUIRED_ALERTS - set(names)


@pytest.mark.parametrize("field", ["severity", "for", "summary", "description", "runbook"])
def test_every_alert_has(field: str, groups: list[dict[str, Any]]) -> None:
    for rule in alerts(groups):
        name = rule["alert"]
        annotations = rule.get("annotations", {})
        if field == "severity":
            assert rule["labels"]["severity"] in SEVERITIES, name
        elif field == "for":
            assert _seconds(rule["for"]) > 0, name
        elif field in ("summary", "description"):
            assert annotations.get(field, "").strip(), f"{name} has no {field}"
        else:
            assert annotations["runbook_url"] == f"docs/runbooks/{name}.md", name
            runbook = RUNBOOKS / f"{name}.md"
            assert runbook.is_file(), f"{runbook} is missing"
            text = runbook.read_text()
            for section in ("## What it means", "## Check", "## Mitigate", "## Roll back"):
                assert section in text, f"{runbook.name} has no '{section}'"
            assert "deploy/scripts/rollback" in text, runbook.name


def test_ratios_are_printed_as_percentages_not_humanize_plus_a_percent_sign(
    groups: list[dict[str, Any]],
) -> None:
    """The seed printed 0.02 as "0.02%" (humanize then "%")."""
    for rule in alerts(groups):
        for text in rule["annotations"].values():
            assert not re.search(r"\$value\s*(\|\s*humanize\s*)?}}\s*%", text), (
                rule["alert"],
                text,
            )


def test_every_service_selector_names_the_production_job(groups: list[dict[str, Any]]) -> None:
    """The seed's rules filtered on job="finance-service", a job that never existed in W4."""
    for rule in [*alerts(groups), *recording_rules(groups)]:
        for selector in re.findall(r"\b(?:http|eventstore|finance)_\w+\{([^}]*)\}", rule["expr"]):
            if "job=" in selector:
                assert f'job="{JOB}"' in selector, rule["expr"]


# --- promtool --------------------------------------------------------------------------------


def test_promtool_check_rules_accepts_the_deployed_rules(groups: list[dict[str, Any]]) -> None:
    result = promtool("check", "rules", str(RULES_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(alerts(groups)) + len(recording_rules(groups))
    assert f"SUCCESS: {count} rules found" in result.stdout


def test_promtool_unit_tests_pass() -> None:
    result = promtool("test", "rules", *map(str, promtool_tests()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(promtool_tests())


def test_promtool_check_rules_fails_on_a_broken_rule(tmp_path: Path) -> None:
    """The wrapper can fail: a syntax error in one expression makes promtool exit non-zero."""
    broken = RULES_FILE.read_text().replace("> 0.01", "> > 0.01", 1)
    assert broken != RULES_FILE.read_text()
    (tmp_path / "broken.rules.yml").write_text(broken)
    result = promtool("check", "rules", str(tmp_path / "broken.rules.yml"))
    assert result.returncode != 0
    assert "FinanceHighErrorRate" in result.stdout + result.stderr


def test_promtool_test_rules_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    """The wrapper can fail: a unit test that expects the healthy case to page fails."""
    copy = _layout(tmp_path, RULES_FILE.read_text())
    healthy = copy / "healthy.yml"
    text = healthy.read_text()
    wrong = text.replace(
        "alertname: FinanceLedgerImbalance\n        exp_alerts: []",
        "alertname: FinanceLedgerImbalance\n        exp_alerts:\n"
        "          - exp_labels: {severity: critical}",
    )
    assert wrong != text
    healthy.write_text(wrong)
    result = promtool("test", "rules", str(healthy))
    assert result.returncode != 0
    assert "FinanceLedgerImbalance" in result.stdout + result.stderr


def _layout(tmp_path: Path, rules_text: str) -> Path:
    """deploy/monitoring's rules/ and tests/ copied under tmp_path with the given rules, so the
    tests' `rule_files: [../rules/…]` read them. Returns the tests directory."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / RULES_FILE.name).write_text(rules_text)
    shutil.copytree(PROMTOOL_TESTS, tmp_path / "tests")
    return tmp_path / "tests"


def _mutated(groups: list[dict[str, Any]], change: str) -> str:
    """The rules with every alert's expression replaced: `silent` never fires, `always`
    additionally fires one alert with no labels at all."""
    mutated = yaml.safe_load(yaml.safe_dump(groups))
    for rule in alerts(mutated):
        if change == "silent":
            rule["expr"] = "vector(1) > 2"
        else:
            rule["expr"] = f"({rule['expr']}) or on () vector(1)"
    return rules_file_text(mutated)


def _failed_alerts(output: str) -> set[str]:
    return set(re.findall(r"alertname: (\w+), time:", output))


def test_every_alert_has_a_unit_test_that_sees_it_fire(
    tmp_path: Path, groups: list[dict[str, Any]]
) -> None:
    """Silence every alert: each must make some unit test fail (it has a firing case)."""
    tests = _layout(tmp_path, _mutated(groups, "silent"))
    result = promtool("test", "rules", *map(str, sorted(tests.glob("*.yml"))))
    assert result.returncode != 0
    names = {rule["alert"] for rule in alerts(groups)}
    assert _failed_alerts(result.stdout + result.stderr) == names


def test_every_alert_is_checked_quiet_in_the_healthy_case(
    tmp_path: Path, groups: list[dict[str, Any]]
) -> None:
    """Make every alert fire on anything: the healthy production test must catch each one."""
    tests = _layout(tmp_path, _mutated(groups, "always"))
    result = promtool("test", "rules", str(tests / "healthy.yml"))
    assert result.returncode != 0
    names = {rule["alert"] for rule in alerts(groups)}
    assert _failed_alerts(result.stdout + result.stderr) == names


def test_every_alert_has_a_firing_and_a_quiet_unit_test(groups: list[dict[str, Any]]) -> None:
    """Beyond the healthy case: each alert also has a named quiet case (borderline or healthy)
    besides the one where it fires."""
    fires: set[str] = set()
    quiet: dict[str, int] = {}
    for path in promtool_tests():
        for test in yaml.safe_load(path.read_text())["tests"]:
            for check in test.get("alert_rule_test", []):
                if check["exp_alerts"]:
                    fires.add(check["alertname"])
                else:
                    quiet[check["alertname"]] = quiet.get(check["alertname"], 0) + 1
    for name in (rule["alert"] for rule in alerts(groups)):
        assert name in fires, f"{name} is never seen firing"
        assert quiet.get(name, 0) >= 2, f"{name} has no quiet case besides the healthy one"
