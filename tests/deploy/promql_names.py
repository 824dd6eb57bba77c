"""Which metric names a PromQL expression reads, and which the service really exports.

Alerts and dashboards of the original service watched series nothing emitted
(original-service-operations.md §4.2); these helpers let the tests hold every query to the
names in the running service's /metrics, plus an explicit list of platform series."""

from __future__ import annotations

import re
from collections.abc import Iterable

import promql_parser
from prometheus_client.parser import text_string_to_metric_families

# Series that come from the platform, not from the service: kube-state-metrics, cAdvisor
# (through the kubelet), Prometheus itself. Exact names: a misspelt kube_* name is caught too.
PLATFORM_SERIES = frozenset(
    {
        "up",  # Prometheus, per scrape target
        "ALERTS",  # Prometheus, per alert (dashboard annotation)
        "kube_pod_container_status_restarts_total",  # kube-state-metrics
        "kube_pod_container_resource_limits",  # kube-state-metrics
        "container_memory_working_set_bytes",  # cAdvisor
        "container_cpu_usage_seconds_total",  # cAdvisor
    }
)

# Grafana's interval variables stand where PromQL wants a duration; any other variable is
# only ever used inside a label matcher's string.
_GRAFANA_VARIABLE = re.compile(r"\$\{?(\w+)(?::\w+)?\}?")
_INTERVALS = {"__rate_interval", "__interval", "__range", "interval"}


def substitute_grafana_variables(expr: str) -> str:
    return _GRAFANA_VARIABLE.sub(
        lambda m: "5m" if m.group(1) in _INTERVALS else "grafana_variable", expr
    )


def metric_names(expr: str) -> set[str]:
    """Every metric name a selector in `expr` reads (promql_parser's AST, not a regex). A
    selector without a name (`{job="x"}`) is an error: it could read anything."""
    names: set[str] = set()
    unnamed: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            if node.name:
                names.add(node.name)
            else:
                unnamed.append(str(node))

    promql_parser.walk(promql_parser.parse(expr), visit)
    if unnamed:
        raise ValueError(f"selector without a metric name in {expr!r}: {unnamed}")
    return names


def exported_names(exposition: str) -> set[str]:
    """Sample names a scrape of this exposition yields, including those of families that have
    no sample yet (a labelled counter before its first increment): histograms as
    _bucket/_sum/_count, counters with _total."""
    names: set[str] = set()
    for family in text_string_to_metric_families(exposition):
        names.update(sample.name for sample in family.samples)
        if family.type == "counter":
            names.add(f"{family.name}_total")
        elif family.type == "histogram":
            names.update(f"{family.name}{suffix}" for suffix in ("_bucket", "_sum", "_count"))
        elif family.type == "summary":
            names.update({family.name, f"{family.name}_sum", f"{family.name}_count"})
        else:
            names.add(family.name)
    return names


def unknown_names(exprs: Iterable[str], known: set[str]) -> dict[str, set[str]]:
    """{expression: names it reads that are not known}, only for expressions with any."""
    unknown: dict[str, set[str]] = {}
    for expr in exprs:
        missing = metric_names(expr) - known
        if missing:
            unknown[expr] = missing
    return unknown
