"""Run the smoke test (`vextrus-finance smoke`, or any command the operator configures) as a
subprocess and report its exit code and output; the token never reaches the log."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

Log = Callable[[str], None]
DEFAULT_COMMAND = "vextrus-finance smoke"


@dataclass(frozen=True)
class SmokeConfig:
    base_url: str
    token: str
    command: str = DEFAULT_COMMAND
    timeout_s: float = 300


@dataclass(frozen=True)
class SmokeResult:
    passed: bool
    returncode: int
    reason: str


def run_smoke(config: SmokeConfig, log: Log) -> SmokeResult:
    command = [*shlex.split(config.command), "--base-url", config.base_url]
    log(f"smoke: $ {shlex.join(command)} --token ***")
    try:
        done = subprocess.run(  # noqa: S603 (the operator's own command, arguments as a list)
            [*command, "--token", config.token],
            capture_output=True,
            text=True,
            timeout=config.timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return SmokeResult(False, -1, f"smoke test gave no result within {config.timeout_s:g} s")
    except OSError as exc:
        return SmokeResult(False, 127, f"smoke test could not start: {exc}")
    for line in (done.stdout + done.stderr).splitlines():
        log(f"smoke| {line.replace(config.token, '***') if config.token else line}")
    if done.returncode != 0:
        return SmokeResult(False, done.returncode, f"smoke test exited {done.returncode}")
    return SmokeResult(True, 0, "smoke test passed")
