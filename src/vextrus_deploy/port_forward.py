"""`kubectl port-forward deployment/NAME` for the smoke test: the Service spreads requests over
both tracks, so a smoke test through it would mostly test the old version. Forwarding to the
Deployment reaches one of its pods: the new version."""

from __future__ import annotations

import shlex
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from vextrus_deploy.kubectl import Kubectl, KubectlError

CONTAINER_PORT = 3014


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def port_forward(
    kubectl: Kubectl, deployment: str, namespace: str, timeout_s: float = 30
) -> Iterator[str]:
    """Yield http://127.0.0.1:PORT once kubectl says it is forwarding; stop it afterwards."""
    port = _free_port()
    command = [
        kubectl.binary,
        *(["--context", kubectl.context] if kubectl.context else []),
        "port-forward", f"deployment/{deployment}", f"{port}:{CONTAINER_PORT}", "-n", namespace,
    ]  # fmt: skip
    kubectl.log(f"$ {shlex.join(command)}")
    process = subprocess.Popen(  # noqa: S603 (a fixed binary, arguments as a list)
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    ready = threading.Event()
    output: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip())
            if line.startswith("Forwarding from"):
                ready.set()
        ready.set()  # kubectl exited: stop waiting

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(timeout_s) or process.poll() is not None:
            raise KubectlError(
                command[1:], process.poll() or -1, " ".join(output) or "no answer in time"
            )
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
