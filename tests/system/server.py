"""Running the real `vextrus-finance serve` in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import TEST_SECRET, free_port

BIN = Path(sys.executable).parent


def cli(
    *args: str, database_url: str, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "vextrus-finance"), *args],
        env=service_env(database_url, **env),
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "JWT_SECRET": TEST_SECRET,
        "ENVIRONMENT": "test",
        "MIGRATE_ON_START": "true",
        "LOG_LEVEL": "WARNING",
        "SHUTDOWN_DRAIN_SECONDS": "0.2",  # SIGTERM would otherwise wait out a 10 s drain
        **extra,
    }


class Server:
    def __init__(self, database_url: str, log: Path, **env: str) -> None:
        self.database_url = database_url
        self.env = env  # extra environment for the service
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
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
                env=service_env(self.database_url, **self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self._log.read_text()
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not become ready:\n{self._log.read_text()}")

    def kill(self) -> None:
        """A crash: no shutdown hooks, no flushing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            return self.process.wait(timeout=30)
        return self.process.returncode
