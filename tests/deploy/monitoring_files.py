"""The monitoring bundle as it is deployed: `kubectl kustomize deploy/monitoring` rendered and
split into its objects, and the PrometheusRule's groups as a plain Prometheus rules file.

Run as a module to regenerate that plain file after editing prometheusrule.yaml:
    python3 -m uv run --frozen python -m tests.deploy.monitoring_files"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.system.prometheus import require_binary

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
RULES_FILE = MONITORING / "rules" / "finance-service.rules.yml"
PROMTOOL_TESTS = MONITORING / "tests"
DASHBOARD_FILE = MONITORING / "dashboards" / "finance-service.json"
RUNBOOKS = ROOT / "docs" / "runbooks"

RULES_HEADER = (
    "# GENERATED from ../prometheusrule.yaml (its spec, unchanged): edit that file, then run\n"
    "#   python3 -m uv run --frozen python -m tests.deploy.monitoring_files\n"
    "# tests/deploy/test_monitoring.py fails while the two differ. promtool checks and\n"
    "# unit-tests this file (deploy/monitoring/tests/*.yml).\n"
)


def render(directory: Path) -> list[dict[str, Any]]:
    kubectl = require_binary("kubectl")
    out = subprocess.run(
        [kubectl, "kustomize", str(directory)], check=True, capture_output=True, text=True
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def only(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [o for o in objects if o.get("kind") == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def rule_groups(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = only(objects, "PrometheusRule")["spec"]["groups"]
    return groups


def alerts(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def recording_rules(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rule for group in groups for rule in group["rules"] if "record" in rule]


def dashboard(objects: list[dict[str, Any]]) -> dict[str, Any]:
    config_map = only(objects, "ConfigMap")
    (text,) = config_map["data"].values()
    parsed: dict[str, Any] = json.loads(text)
    return parsed


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (PromQL, descriptions) as `|` blocks, so the file reads like the
    PrometheusRule it comes from."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


# kustomize sorts keys; the plain file keeps the order people read a rule in.
_KEY_ORDER = ("name", "record", "alert", "expr", "for", "labels", "annotations", "summary")


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        rank = {key: i for i, key in enumerate(_KEY_ORDER)}
        keys = sorted(value, key=lambda k: (rank.get(k, len(rank)), k))
        return {key: _ordered(value[key]) for key in keys}
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def rules_file_text(groups: list[dict[str, Any]]) -> str:
    body = yaml.dump(
        {"groups": _ordered(groups)},
        Dumper=_BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100_000,
    )
    return RULES_HEADER + body


def main() -> None:
    RULES_FILE.write_text(rules_file_text(rule_groups(render(MONITORING))))
    print(f"wrote {RULES_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
