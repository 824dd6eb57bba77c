"""A thin wrapper over the `kubectl` binary: every call is logged, and a failing call raises
with kubectl's own message, so that no step of a rollout can fail silently."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Log = Callable[[str], None]


class KubectlError(RuntimeError):
    def __init__(self, args: Sequence[str], returncode: int, stderr: str) -> None:
        self.args_ = list(args)
        self.returncode = returncode
        self.stderr = stderr.strip()
        super().__init__(f"kubectl {shlex.join(args)} exited {returncode}: {self.stderr}")


@dataclass
class Kubectl:
    binary: str = "kubectl"
    context: str | None = None
    log: Log = field(default=lambda _line: None)

    def run(
        self, args: Sequence[str], *, stdin: str | None = None, timeout: float | None = 120
    ) -> str:
        command = [self.binary, *(["--context", self.context] if self.context else []), *args]
        self.log(f"$ {shlex.join(command)}")
        try:
            done = subprocess.run(  # noqa: S603 (a fixed binary, arguments as a list)
                command,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise KubectlError(args, -1, f"no answer within {timeout} s") from exc
        except FileNotFoundError as exc:
            raise KubectlError(args, 127, f"{self.binary} not found") from exc
        if done.returncode != 0:
            raise KubectlError(args, done.returncode, done.stderr or done.stdout)
        return done.stdout

    def get_json(self, args: Sequence[str]) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.run(["get", *args, "-o", "json"]))
        return data

    def exists(self, args: Sequence[str]) -> bool:
        try:
            self.run(["get", *args, "-o", "name"])
        except KubectlError as exc:
            if "NotFound" in exc.stderr or "not found" in exc.stderr:
                return False
            raise
        return True

    def deployment(self, name: str, namespace: str) -> dict[str, Any] | None:
        try:
            return self.get_json(["deployment", name, "-n", namespace])
        except KubectlError as exc:
            if "NotFound" in exc.stderr or "not found" in exc.stderr:
                return None
            raise

    def kustomize(self, directory: str) -> str:
        return self.run(["kustomize", directory])

    def apply(self, manifest: str, namespace: str) -> str:
        return self.run(["apply", "-n", namespace, "-f", "-"], stdin=manifest)

    def rollout_status(self, deployment: str, namespace: str, timeout_s: int) -> str:
        # kubectl enforces its own --timeout; the subprocess limit only guards against a hang.
        return self.run(
            [
                "rollout",
                "status",
                f"deployment/{deployment}",
                "-n",
                namespace,
                f"--timeout={timeout_s}s",
            ],
            timeout=timeout_s + 60,
        )

    def rollout_undo(self, deployment: str, namespace: str) -> str:
        return self.run(["rollout", "undo", f"deployment/{deployment}", "-n", namespace])

    def scale(self, deployment: str, namespace: str, replicas: int) -> str:
        return self.run(
            ["scale", f"deployment/{deployment}", "-n", namespace, f"--replicas={replicas}"]
        )

    def set_image(self, deployment: str, namespace: str, container: str, image: str) -> str:
        return self.run(
            ["set", "image", f"deployment/{deployment}", "-n", namespace, f"{container}={image}"]
        )

    def annotate(self, deployment: str, namespace: str, annotations: dict[str, str]) -> str:
        pairs = [f"{key}={value}" for key, value in sorted(annotations.items())]
        return self.run(
            ["annotate", f"deployment/{deployment}", "-n", namespace, "--overwrite", *pairs]
        )

    def delete_deployment(self, deployment: str, namespace: str) -> str:
        return self.run(
            ["delete", "deployment", deployment, "-n", namespace, "--ignore-not-found=true"]
        )

    def delete_hpa(self, name: str, namespace: str) -> str:
        return self.delete("hpa", name, namespace)

    def hpas_targeting(self, deployments: Sequence[str], namespace: str) -> dict[str, str]:
        """{HPA name: the Deployment it scales} for the HPAs that scale one of `deployments`."""
        found: dict[str, str] = {}
        for hpa in self.get_json(["hpa", "-n", namespace]).get("items", []):
            target = hpa.get("spec", {}).get("scaleTargetRef", {}).get("name")
            if target in deployments:
                found[hpa["metadata"]["name"]] = target
        return found

    def delete(self, kind: str, name: str, namespace: str) -> str:
        return self.run(["delete", kind, name, "-n", namespace, "--ignore-not-found=true"])

    def wait_job_complete(self, name: str, namespace: str, timeout_s: int) -> str:
        # A failed Job never becomes complete: it shows as this wait's timeout.
        return self.run(
            ["wait", "--for=condition=complete", f"job/{name}", "-n", namespace,
             f"--timeout={timeout_s}s"],
            timeout=timeout_s + 60,
        )  # fmt: skip


def container_image(deployment: dict[str, Any], container: str) -> str | None:
    for spec in (
        deployment.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    ):
        if spec.get("name") == container:
            image = spec.get("image")
            return str(image) if image else None
    return None


def annotations_of(deployment: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = deployment.get("metadata", {}).get("annotations") or {}
    return found
