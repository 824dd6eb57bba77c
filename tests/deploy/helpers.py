"""Shared by the deploy tests: minting tokens, running `vextrus-finance smoke` as an operator
(or the rollout script) does, and reading its JSON report."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from tests.system.server import BIN

SMOKE_TENANT = "smoke"
CHECK_NAMES = (
    "health /health/live",
    "health /health/ready",
    "health /health",
    "auth: no token → 401",
    "auth: wrong role → 403",
    "auth: wrong tenant → 403",
    "cors: foreign origin refused",
    "security headers",
    "roundtrip.accounts",
    "roundtrip.journal",
    "roundtrip.post",
    "roundtrip.trial_balance",
    "latency",
)


def admin_token(secret: str, tenant: str = SMOKE_TENANT, role: str = "admin") -> str:
    now = int(time.time())
    claims = {"sub": f"smoke-{role}", "tenant_id": tenant, "roles": [role], "iat": now}
    return jwt.encode({**claims, "nbf": now, "exp": now + 600}, secret, algorithm="HS256")


@dataclass
class SmokeRun:
    returncode: int
    output: str
    report: dict[str, Any]

    def status(self) -> dict[str, str]:
        return {c["name"]: c["status"] for c in self.report["checks"]}

    def failed(self) -> set[str]:
        return {name for name, status in self.status().items() if status != "PASS"}


def run_smoke_cli(base_url: str, token: str, tmp_path: Path, *args: str) -> SmokeRun:
    report = tmp_path / f"smoke-{time.monotonic_ns()}.json"
    done = subprocess.run(
        [
            str(BIN / "vextrus-finance"),
            "smoke",
            "--base-url",
            base_url,
            "--token",
            token,
            "--json-report",
            str(report),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert report.exists(), output
    return SmokeRun(done.returncode, output, json.loads(report.read_text()))
