"""One measured number per (scenario, backend, metric), summarised over runs, and the files
`latest.json` (a fixed shape: other tools read it) and `latest.md`."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Metric = Literal["journals_per_s", "p95_ms", "events_per_s", "ratio", "rss_mb"]


@dataclass
class Result:
    scenario: str
    backend: str
    metric: Metric
    runs: list[float]
    target: str
    # True when higher is better (throughput) — decides how `met` reads `target_value`.
    target_value: float | None = None
    higher_is_better: bool = True
    baseline_runs: list[float] = field(default_factory=list)
    # What the baseline is, for the Markdown table (e.g. "raw SQL, one txn per journal").
    baseline_label: str = ""
    # Met by ratio to the baseline (≥ target_value) instead of by the value itself.
    target_is_ratio: bool = False
    notes: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def baseline(self) -> float | None:
        return statistics.median(self.baseline_runs) if self.baseline_runs else None

    @property
    def ratio_to_baseline(self) -> float | None:
        base = self.baseline
        return self.median / base if base else None

    @property
    def report_only(self) -> bool:
        """A number reported with no target to reach."""
        return self.target_value is None

    @property
    def met(self) -> bool:
        # A report-only row has met its target by being reported; `false` there read as a
        # failure to anyone counting the misses in latest.json.
        if self.report_only:
            return True
        value = self.ratio_to_baseline if self.target_is_ratio else self.median
        if value is None:
            return False
        return value >= self.target_value if self.higher_is_better else value < self.target_value

    def as_json(self) -> dict[str, Any]:
        ratio = self.ratio_to_baseline
        return {
            "scenario": self.scenario,
            "backend": self.backend,
            "metric": self.metric,
            "median": round(self.median, 3),
            "min": round(min(self.runs), 3),
            "max": round(max(self.runs), 3),
            "baseline": None if self.baseline is None else round(self.baseline, 3),
            "ratio_to_baseline": None if ratio is None else round(ratio, 4),
            "target": self.target,
            "met": self.met,
        }


def write(
    out_dir: Path,
    *,
    machine: dict[str, Any],
    versions: dict[str, Any],
    results: list[Result],
    command: str,
    notes: list[str],
) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    body = {
        "machine": machine,
        "versions": versions,
        "results": [r.as_json() for r in results],
    }
    json_path = out_dir / "latest.json"
    json_path.write_text(json.dumps(body, indent=2) + "\n")
    md_path = out_dir / "latest.md"
    md_path.write_text(markdown(body, results, command, notes))
    return json_path, md_path


def _met(result: Result) -> str:
    if result.report_only:
        return "– (reported)"
    return "yes" if result.met else "**no**"


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def markdown(body: dict[str, Any], results: list[Result], command: str, notes: list[str]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{command}`",
        "",
        "| scenario | backend | metric | median | min–max | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        j = r.as_json()
        base = _num(j["baseline"]) + (f" ({r.baseline_label})" if r.baseline_label else "")
        lines.append(
            f"| {r.scenario} | {r.backend} | {r.metric} | {_num(j['median'])} | "
            f"{_num(j['min'])}–{_num(j['max'])} | {base} | {_num(j['ratio_to_baseline'])} | "
            f"{r.target} | {_met(r)} |"
        )
    detail = [r for r in results if r.notes]
    if detail:
        lines += ["", "## Details", ""]
        lines += [f"- {r.scenario} / {r.backend} / {r.metric}: {r.notes}" for r in detail]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    lines += ["", "## Machine", "", "```json", json.dumps(body["machine"], indent=2), "```"]
    lines += ["", "## Versions", "", "```json", json.dumps(body["versions"], indent=2), "```", ""]
    return "\n".join(lines)
