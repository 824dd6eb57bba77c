"""The benchmark harness end to end at its smallest size: it runs, and latest.json has the
shape other tools read (issue 7). No timings are asserted: numbers on a shared machine vary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

RESULT_KEYS = {
    "scenario",
    "backend",
    "metric",
    "median",
    "min",
    "max",
    "baseline",
    "ratio_to_baseline",
    "target",
    "met",
}
METRICS = {"journals_per_s", "p95_ms", "events_per_s", "ratio", "rss_mb"}


def test_tiny_run_writes_results_of_the_agreed_shape(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--tiny",
            "--backends",
            "sqlite",
            "--scenarios",
            "post-inproc",
            "aggregate-load",
            "rebuild",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    body = json.loads((tmp_path / "latest.json").read_text())
    assert set(body) == {"machine", "versions", "results"}
    assert body["machine"]["cpu_count"] >= 1
    assert body["versions"]["sqlite"]
    scenarios = {r["scenario"] for r in body["results"]}
    assert {"post-inproc", "aggregate-load", "rebuild"} <= scenarios
    for result in body["results"]:
        assert set(result) == RESULT_KEYS
        assert result["backend"] == "sqlite"
        assert result["metric"] in METRICS
        assert result["min"] <= result["median"] <= result["max"]
        assert isinstance(result["met"], bool)
        assert (result["baseline"] is None) == (result["ratio_to_baseline"] is None)
    post = next(r for r in body["results"] if r["scenario"] == "post-inproc")
    assert post["baseline"] > 0
    assert post["ratio_to_baseline"] > 0
    assert "post-inproc" in (tmp_path / "latest.md").read_text()
