"""A real Prometheus (Debian's 2.x binary) in the foreground, scraping one target every
second, and queries through its HTTP API."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port


def require_binary(name: str) -> str:
    """The binary's path; without it the test fails on CI and is skipped elsewhere."""
    found = shutil.which(name) or (
        f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
    )
    if found:
        return found
    reason = f"`{name}` is not installed (apt-get install --no-install-recommends {name})"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class Prometheus:
    def __init__(self, target: str, workdir: Path) -> None:
        self.binary = require_binary("prometheus")
        self.target = target  # host:port
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        config = self.workdir / "prometheus.yml"
        config.write_text(
            "global:\n"
            "  scrape_interval: 1s\n"
            "  scrape_timeout: 1s\n"
            "scrape_configs:\n"
            "  - job_name: finance\n"
            "    metrics_path: /metrics\n"
            "    static_configs:\n"
            f"      - targets: ['{self.target}']\n"
        )
        log = (self.workdir / "prometheus.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_until(lambda: httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def query(self, promql: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=5)
        response.raise_for_status()
        body = response.json()
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def wait_for(
        self, promql: str, accept: Callable[[list[dict[str, Any]]], bool], timeout: float = 60
    ) -> list[dict[str, Any]]:
        """Poll until the query's result is accepted (the first scrape lands seconds after
        start); fail with the last result and Prometheus's log."""
        last: list[dict[str, Any]] = []

        def check() -> bool:
            nonlocal last
            last = self.query(promql)
            return accept(last)

        try:
            self.wait_until(check, timeout)
        except AssertionError:
            log = (self.workdir / "prometheus.log").read_text()[-3000:]
            raise AssertionError(f"{promql!r} never matched; last: {last}\n{log}") from None
        return last

    def wait_until(self, condition: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            assert self.process.poll() is None, "prometheus exited"
            try:
                if condition():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise AssertionError("timed out")
