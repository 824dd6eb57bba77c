"""The service image, built and run for real with podman (CONTAINER_TESTS=1; `.ci/run` sets it).

From the local Debian base (scripts/container-base; no registry here) and the host-collected
wheels, scripts/build-image builds deploy/docker/Dockerfile. The container then runs as
production would: ENVIRONMENT=production with a long JWT secret and CORS_ORIGIN, against the
suite's PostgreSQL, with a read-only root filesystem and only /tmp writable (what a Kubernetes
emptyDir gives). The smoke test must pass against it; SIGTERM must drain it and exit 0."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from tests.conftest import ROOT, free_port
from tests.deploy.helpers import CHECK_NAMES, admin_token, run_smoke_cli

PODMAN = str(ROOT / "scripts" / "podman")
IMAGE = "vextrus/finance:container-test"
SECRET = "container-test-secret-" + "0123456789abcdef" * 2  # production wants 32+ bytes
DRAIN_SECONDS = 2

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CONTAINER_TESTS") != "1",
        reason="builds and runs the image with podman: set CONTAINER_TESTS=1 (.ci/run does)",
    ),
]


def _require_tools() -> None:
    missing = [tool for tool in ("podman", "runc", "debootstrap") if shutil.which(tool) is None]
    if missing:
        reason = f"missing {', '.join(missing)}: run scripts/ensure-container-tools (as root)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def podman(
    *args: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [PODMAN, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} → {done.returncode}\n{done.stderr}")
    return done


@dataclass
class Running:
    name: str
    url: str


@pytest.fixture(scope="module")
def image() -> str:
    _require_tools()
    started = time.monotonic()
    done = subprocess.run(
        [str(ROOT / "scripts" / "build-image"), IMAGE],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    print(f"image built in {time.monotonic() - started:.0f} s")
    return IMAGE


@pytest.fixture(scope="module")
async def container(
    image: str, postgres_database_factory: Callable[[], Any]
) -> AsyncIterator[Running]:
    database_url = await postgres_database_factory()
    name = f"vextrus-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    podman(
        "run",
        "--detach",
        "--name",
        name,
        # The root filesystem is read-only and podman adds no tmpfs of its own: /tmp is the one
        # writable place, as with readOnlyRootFilesystem plus an emptyDir in Kubernetes.
        "--read-only",
        "--read-only-tmpfs=false",
        "--tmpfs",
        "/tmp:rw,nosuid,nodev,size=64m,mode=1777",
        # The suite's PostgreSQL listens on 127.0.0.1 only: share the host's network.
        "--network",
        "host",
        "--env",
        f"PORT={port}",
        "--env",
        f"DATABASE_URL={database_url}",
        "--env",
        f"JWT_SECRET={SECRET}",
        "--env",
        "CORS_ORIGIN=https://app.vextrus.com",
        "--env",
        f"SHUTDOWN_DRAIN_SECONDS={DRAIN_SECONDS}",
        image,
    )
    running = Running(name, f"http://127.0.0.1:{port}")
    try:
        _wait_ready(running)
        yield running
    finally:
        podman("rm", "--force", "--time", "0", name, check=False)


def _wait_ready(running: Running) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        state = json.loads(podman("inspect", running.name).stdout)[0]["State"]
        assert state["Running"], podman("logs", running.name).stderr[-4000:]
        try:
            if httpx.get(f"{running.url}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError("not ready in 90 s:\n" + podman("logs", running.name).stderr[-4000:])


def test_the_image_declares_its_healthcheck_port_and_non_root_user(image: str) -> None:
    inspected = json.loads(podman("image", "inspect", image).stdout)[0]
    # Docker's format keeps HEALTHCHECK (the OCI format has no field for it).
    assert "docker" in inspected["ManifestType"]
    config = inspected["Config"]
    health = " ".join(inspected["Healthcheck"]["Test"])
    assert "/health/live" in health
    assert "curl" not in health
    assert "3014/tcp" in config["ExposedPorts"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["vextrus-finance"]
    assert config["Cmd"] == ["serve"]
    assert config["StopSignal"] == "SIGTERM"


def test_smoke_passes_against_the_container(container: Running, tmp_path: Path) -> None:
    run = run_smoke_cli(container.url, admin_token(SECRET), tmp_path, "--jwt-secret", SECRET)
    assert run.returncode == 0, run.output
    assert tuple(run.status()) == CHECK_NAMES
    assert set(run.status().values()) == {"PASS"}, run.output


def test_the_healthcheck_command_reports_healthy(container: Running) -> None:
    # The systemd timer that would run it is absent here; podman runs it on demand.
    done = podman("healthcheck", "run", container.name, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_runs_as_non_root_with_python_as_pid_1_and_no_compiler(container: Running) -> None:
    assert podman("exec", container.name, "id", "-u").stdout.strip() == "10001"
    pid1 = podman("exec", container.name, "cat", "/proc/1/cmdline").stdout.split("\0")
    assert pid1[0].endswith("python3"), pid1
    assert pid1[1:3] == ["/opt/venv/bin/vextrus-finance", "serve"], pid1
    compilers = "gcc cc c++ g++ clang tcc x86_64-linux-gnu-gcc-12"
    found = podman(
        "exec",
        container.name,
        "sh",
        "-c",
        f"for c in {compilers}; do command -v $c; done",
        check=False,
    ).stdout
    assert found.strip() == "", found
    assert podman("exec", container.name, "sh", "-c", "command -v pip", check=False).stdout == ""


def test_the_root_filesystem_is_read_only_and_only_tmp_is_writable(container: Running) -> None:
    for path in ("/opt/venv/probe", "/etc/probe", "/var/cache/probe"):
        denied = podman("exec", container.name, "touch", path, check=False)
        assert denied.returncode != 0
        assert "Read-only file system" in denied.stderr, denied.stderr
    podman("exec", container.name, "touch", "/tmp/probe")


def test_weasyprint_renders_bengali_from_the_image_fonts(container: Running) -> None:
    script = (
        "import sys, weasyprint; sys.stdout.buffer.write(weasyprint.HTML(string="
        "'<p style=\"font-family: sans-serif\">মূসক ৬.৩ — চালানপত্র</p>').write_pdf())"
    )
    done = subprocess.run(
        [PODMAN, "exec", container.name, "python3", "-c", script],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert b"Fontconfig error" not in done.stderr  # the cache is in the image, nothing is written
    fonts = set()
    for page in PdfReader(BytesIO(done.stdout)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Bengali" in f for f in fonts), fonts


def test_sigterm_drains_and_exits_zero(container: Running) -> None:
    """Last in this module: it stops the container."""
    started = time.monotonic()
    podman("stop", "--time", "30", container.name, timeout=60)
    elapsed = time.monotonic() - started
    state = json.loads(podman("inspect", container.name).stdout)[0]["State"]
    logs = podman("logs", container.name).stderr
    assert state["ExitCode"] == 0, logs[-3000:]
    # Stopped by the signal, well before podman's 30 s SIGKILL, after the drain it announced.
    assert DRAIN_SECONDS <= elapsed < 25, elapsed
    assert "shutdown requested: readiness is 503" in logs
    assert "Application shutdown complete" in logs
    assert "Finished server process [1]" in logs  # the server itself was PID 1
