"""The service in its own process, configured as in production, and its peak memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.databases import BENCH_SECRET, free_port, settings_for
from vextrus_finance.api.auth import mint_token

BIN = Path(sys.executable).parent


class Server:
    def __init__(self, database_url: str, backend: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log
        self._database_url = database_url
        # Production settings throughout; production refuses SQLite, so that runs as staging
        # (the only difference is that start-up check).
        self._environment = "production" if backend == "postgres" else "staging"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "SNAPSHOT_", "EVENTSTORE_", "LOG_"))
        }
        env.update(
            DATABASE_URL=self._database_url,
            JWT_SECRET=BENCH_SECRET,
            ENVIRONMENT=self._environment,
            MIGRATE_ON_START="true",
            # Production refuses to start without its CORS allow-list; the benchmark's client
            # sends no Origin, so any exact origin will do.
            CORS_ORIGIN="https://finance.example.test",
            # The edge's rate limits (600 per user, 1,200 per IP per minute by default) would
            # answer most of one client's 10,000 POSTs with 429 in microseconds: the scenarios
            # measure the service's work, so the limiter is off (0) as for a trusted client.
            RATE_LIMIT_PER_MINUTE="0",
            RATE_LIMIT_IP_PER_MINUTE="0",
        )
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(BIN / "vextrus-finance"),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self._log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not become ready:\n{self._log.read_text()}")

    def token(self, tenant: str) -> str:
        return mint_token(
            settings_for(self._database_url),
            tenant_id=tenant,
            roles=["admin"],
            subject="bench-user",
            ttl_seconds=6 * 3600,
        )

    def peak_rss_mb(self) -> float:
        """VmHWM: the most resident memory the process has had since it started."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
