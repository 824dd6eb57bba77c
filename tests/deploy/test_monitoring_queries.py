"""Every series an alert, a recording rule or a dashboard panel reads is one the running
service exports (read from its real /metrics) or an allow-listed platform series; and the
dashboard is the plain JSON Grafana's sidecar loads, with the units its queries produce."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import make_settings
from tests.deploy.monitoring_files import (
    DASHBOARD_FILE,
    MONITORING,
    alerts,
    dashboard,
    only,
    recording_rules,
    render,
    rule_groups,
)
from tests.deploy.promql_names import (
    PLATFORM_SERIES,
    exported_names,
    metric_names,
    substitute_grafana_variables,
    unknown_names,
)
from vextrus_finance.api.app import create_app
from vextrus_finance.bootstrap import bootstrap


@pytest.fixture(scope="module")
async def exported(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[set[str]]:
    """Names in /metrics of the real app (its lifespan run, on a migrated SQLite database)
    after one request, as a canary pod would be configured."""
    path = tmp_path_factory.mktemp("metrics") / "finance.db"
    shutil.copyfile(sqlite_template, path)
    settings = make_settings(
        f"sqlite:///{path}", deployment_track="canary", deployment_version="9.9.9"
    )
    container = bootstrap(settings)
    app = create_app(container=container)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://pod") as client:
                assert (await client.get("/health/live")).status_code == 200
                response = await client.get("/metrics")
                assert response.status_code == 200
                assert 'finance_build_info{track="canary",version="9.9.9"} 1.0' in response.text
                yield exported_names(response.text)
    finally:
        await container.close()


@pytest.fixture(scope="module")
def bundle() -> list[dict[str, Any]]:
    return render(MONITORING)


def _rule_exprs(bundle: list[dict[str, Any]]) -> tuple[list[str], set[str]]:
    groups = rule_groups(bundle)
    records = recording_rules(groups)
    exprs = [rule["expr"] for rule in [*records, *alerts(groups)]]
    return exprs, {rule["record"] for rule in records}


def _panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    panels = []
    for panel in board["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))  # collapsed rows hold their panels
    return panels


def _dashboard_exprs(board: dict[str, Any]) -> list[str]:
    exprs = [t["expr"] for p in _panels(board) for t in p.get("targets", [])]
    exprs += [a["expr"] for a in board["annotations"]["list"] if "expr" in a]
    for variable in board["templating"]["list"]:
        query = variable.get("query")
        if isinstance(query, dict) and query["query"].startswith("label_values("):
            # label_values(<selector>, label): the selector is PromQL.
            exprs.append(query["query"].removeprefix("label_values(").rsplit(",", 1)[0])
    return [substitute_grafana_variables(e) for e in exprs]


# --- what the service exports -----------------------------------------------------------------


def test_the_contract_series_are_exported(exported: set[str]) -> None:
    """deploy-contract.md's list, read from the running service: the source the checks below
    compare against is the real exposition, not a copy of this list."""
    for name in (
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "http_requests_in_flight",
        "eventstore_append_duration_seconds_bucket",
        "eventstore_events_appended_total",
        "eventstore_concurrency_conflicts_total",
        "eventstore_connection_errors_total",
        "eventstore_snapshots_total",
        "eventstore_snapshot_duration_seconds_bucket",
        "eventstore_snapshot_errors_total",
        "finance_journals_posted_total",
        "finance_invoices_total",
        "finance_payments_total",
        "finance_trial_balance_variance",
        "finance_build_info",
    ):
        assert name in exported, name


def test_every_rule_reads_only_exported_platform_or_recorded_series(
    exported: set[str], bundle: list[dict[str, Any]]
) -> None:
    exprs, recorded = _rule_exprs(bundle)
    assert not unknown_names(exprs, exported | PLATFORM_SERIES | recorded)
    # A recorded name must not shadow a real one.
    assert not recorded & (exported | PLATFORM_SERIES)


def test_every_dashboard_query_reads_only_exported_or_platform_series(
    exported: set[str], bundle: list[dict[str, Any]]
) -> None:
    exprs = _dashboard_exprs(dashboard(bundle))
    assert len(exprs) >= 30
    assert not unknown_names(exprs, exported | PLATFORM_SERIES)


def test_the_platform_allow_list_is_only_used_where_needed(
    exported: set[str], bundle: list[dict[str, Any]]
) -> None:
    """Every allow-listed name is used somewhere and none of them is a service series."""
    exprs, _ = _rule_exprs(bundle)
    used = set().union(*(metric_names(e) for e in [*exprs, *_dashboard_exprs(dashboard(bundle))]))
    assert used >= PLATFORM_SERIES
    assert not PLATFORM_SERIES & exported


@pytest.mark.parametrize(
    "expr",
    [
        # Names of the seed's alerts and dashboards that nothing emitted.
        'sum(rate(finance_payments_successful_total{job="finance-service-production"}[5m]))',
        "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_ms_bucket[5m])))",
        "max(finance_active_users) > 0",
        # A platform-looking name that is not on the allow-list.
        'kube_pod_container_status_restarts{namespace="vextrus-production"} > 0',
        'sum by (track) (rate(http_requests_total{track=~"$track"}[$__rate_interval]))'
        " / sum(rate(made_up_total[$__rate_interval]))",
    ],
)
def test_a_made_up_name_is_caught(expr: str, exported: set[str]) -> None:
    unknown = unknown_names([substitute_grafana_variables(expr)], exported | PLATFORM_SERIES)
    assert len(unknown) == 1
    (missing,) = unknown.values()
    assert missing
    assert not missing & exported


def test_a_selector_without_a_name_is_refused() -> None:
    with pytest.raises(ValueError, match="without a metric name"):
        metric_names('sum(rate({job="finance-service-production"}[5m]))')


def test_names_are_read_from_the_syntax_tree() -> None:
    expr = (
        'sum by (le) (rate(a_bucket{route!~"/b_total.*"}[5m])) / on (x) group_left () c '
        'or absent(d == 1) and label_replace(e, "f", "$1", "g", "(.*)")'
    )
    assert metric_names(expr) == {"a_bucket", "c", "d", "e"}


# --- the dashboard --------------------------------------------------------------------------


def test_the_dashboard_configmap_is_what_the_grafana_sidecar_loads(
    bundle: list[dict[str, Any]],
) -> None:
    config_map = only(bundle, "ConfigMap")
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config_map["metadata"]["namespace"] == "vextrus-production"
    # A fixed name: a hashed one would leave the previous dashboard (same uid) behind.
    assert config_map["metadata"]["name"] == "finance-service-dashboard"
    (key,) = config_map["data"]
    assert key.endswith(".json")
    assert config_map["data"][key] == DASHBOARD_FILE.read_text()


def test_the_dashboard_is_plain_json_in_dhaka_time(bundle: list[dict[str, Any]]) -> None:
    board = dashboard(bundle)
    # The seed's dashboards were wrapped for the HTTP API ({"dashboard": {...}}), which the
    # sidecar does not load.
    assert "dashboard" not in board
    assert board["panels"]
    assert board["uid"]
    assert board["title"]
    assert board["timezone"] == "Asia/Dhaka"
    ids = [p["id"] for p in _panels(board)]
    assert len(ids) == len(set(ids))


REQUIRED_PANELS = {
    "Request rate by track": "http_requests_total",
    "5xx ratio by track": "http_requests_total",
    "Latency P50 / P95 / P99 by track": "http_request_duration_seconds_bucket",
    "Responses by status code": "http_requests_total",
    "Requests in flight": "http_requests_in_flight",
    "Append latency P50 / P95 / P99": "eventstore_append_duration_seconds_bucket",
    "Concurrency conflicts": "eventstore_concurrency_conflicts_total",
    "Connection errors by pod": "eventstore_connection_errors_total",
    "Snapshots written / failed": "eventstore_snapshot_errors_total",
    "Snapshot write time P95": "eventstore_snapshot_duration_seconds_bucket",
    "Journals posted": "finance_journals_posted_total",
    "Invoices by state": "finance_invoices_total",
    "Payments by state": "finance_payments_total",
    "Trial-balance variance": "finance_trial_balance_variance",
    "Build info by version and track": "finance_build_info",
    "CPU per pod (cores)": "container_cpu_usage_seconds_total",
    "Memory working set per pod": "container_memory_working_set_bytes",
    "Container restarts (15 min)": "kube_pod_container_status_restarts_total",
}


def test_the_required_panels_exist_and_read_their_series(bundle: list[dict[str, Any]]) -> None:
    panels = {p["title"]: p for p in _panels(dashboard(bundle)) if p["type"] != "row"}
    for title, series in REQUIRED_PANELS.items():
        assert title in panels, title
        exprs = [substitute_grafana_variables(t["expr"]) for t in panels[title]["targets"]]
        assert any(series in metric_names(e) for e in exprs), title


def _unit_for(expr: str) -> str | None:
    """The unit a query's result has, where its shape says so."""
    names = metric_names(expr)
    if "histogram_quantile" in expr and any(n.endswith("_seconds_bucket") for n in names):
        return "s"  # the histograms are in seconds; the seed's "ms" thresholds were not
    if expr.count("http_requests_total") >= 2 and 'code=~"5.."' in expr:
        return "percentunit"  # a ratio 0..1
    if names == {"container_memory_working_set_bytes", "kube_pod_container_resource_limits"}:
        return "percentunit" if " / " in expr else "bytes"
    if names == {"container_memory_working_set_bytes"}:
        return "bytes"
    if names == {"kube_pod_container_resource_limits"}:
        return "bytes" if 'resource="memory"' in expr else None  # cpu: cores
    return None


def test_units_match_what_the_queries_return(bundle: list[dict[str, Any]]) -> None:
    checked = 0
    for panel in _panels(dashboard(bundle)):
        if panel["type"] == "row":
            continue
        unit = panel["fieldConfig"]["defaults"]["unit"]
        for target in panel["targets"]:
            expected = _unit_for(substitute_grafana_variables(target["expr"]))
            if expected is not None:
                checked += 1
                assert unit == expected, (panel["title"], target["expr"], unit)
    assert checked >= 12


def test_service_queries_are_scoped_to_the_production_job(bundle: list[dict[str, Any]]) -> None:
    """Scoped like the alerts: job and namespace for service series, namespace and container
    for the platform ones (the seed's pod panel queried namespace "finance")."""
    for expr in _dashboard_exprs(dashboard(bundle)):
        names = metric_names(expr)
        if names & {"ALERTS"}:
            continue
        if names - PLATFORM_SERIES or "up" in names:
            assert 'job="finance-service-production"' in expr, expr
        else:
            assert 'container="finance-service"' in expr, expr
        assert 'namespace="vextrus-production"' in expr, expr
