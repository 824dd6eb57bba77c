"""A stand-in for `kubectl` with a cluster kept in a JSON file (env FAKE_KUBECTL_STATE), for the
rollout tests: no API server can run here. `kustomize` is passed to the real kubectl
(env FAKE_KUBECTL_REAL); every other call is logged in state["calls"] and acts on the state:

    deployments: {"ns/name": {replicas, image, track, version, annotations, history: [images]}}
    pods: {"ns|label selector": [names]}, services: ["ns/name"]
    jobs: {"ns/name": image}, job_outcome: {"ns/name": "complete" | "timeout"} (default complete)
    namespaces: [..], secrets: {"ns/name": {key: base64}}, crds: [..], hpas: {"ns/name": target}
    rollout_status: {"ns/name": "ok" | "timeout"}   (default ok)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import yaml

CONTAINER = "finance-service"


def not_found(kind: str, name: str) -> int:
    print(f'Error from server (NotFound): {kind} "{name}" not found', file=sys.stderr)
    return 1


def parse(args: list[str]) -> tuple[list[str], dict[str, str]]:
    positional, flags = [], {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-n", "-o", "-f", "-l", "--context"):
            flags[arg] = args[i + 1]
            i += 2
            continue
        if arg.startswith("--"):
            key, _, value = arg.partition("=")
            flags[key] = value
        else:
            positional.append(arg)
        i += 1
    return positional, flags


def deployment_json(key: str, d: dict[str, Any]) -> dict[str, Any]:
    namespace, name = key.split("/")
    return {
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "annotations": d["annotations"]},
        "spec": {
            "replicas": d["replicas"],
            "template": {
                "metadata": {"labels": {"track": d["track"]}},
                "spec": {"containers": [{"name": CONTAINER, "image": d["image"]}]},
            },
        },
    }


def set_image(d: dict[str, Any], image: str) -> None:
    if d["image"] != image:
        d["history"].append(d["image"])
        d["image"] = image


def apply(state: dict[str, Any], namespace: str, manifest: str) -> int:
    for doc in yaml.safe_load_all(manifest):
        if not doc:
            continue
        meta = doc["metadata"]
        key = f"{meta.get('namespace', namespace)}/{meta['name']}"
        if doc["kind"] == "Deployment":
            template = doc["spec"]["template"]
            image = next(
                c["image"] for c in template["spec"]["containers"] if c["name"] == CONTAINER
            )
            current = state["deployments"].setdefault(
                key, {"image": image, "history": [], "annotations": {}}
            )
            set_image(current, image)
            current["replicas"] = doc["spec"].get("replicas", 1)
            current["track"] = template["metadata"]["labels"].get("track")
            current["version"] = template["metadata"]["labels"].get("version")
            current["annotations"].update(meta.get("annotations") or {})
        elif doc["kind"] == "Job":
            if key in state["jobs"]:
                # (stricter than a real API server, which accepts an identical re-apply)
                print(f'The Job "{meta["name"]}" is invalid: field is immutable', file=sys.stderr)
                return 1
            containers = doc["spec"]["template"]["spec"]["containers"]
            state["jobs"][key] = containers[0]["image"]
        elif doc["kind"] == "HorizontalPodAutoscaler":
            state["hpas"][key] = doc["spec"]["scaleTargetRef"]["name"]
        state["applied"].append(f"{doc['kind']}/{key}")
    print("applied")
    return 0


def run(state: dict[str, Any], args: list[str]) -> int:
    pos, flags = parse(args)
    ns = flags.get("-n", "default")
    verb = pos[0]
    deployments = state["deployments"]

    def target() -> tuple[str, dict[str, Any] | None]:
        name = pos[-1].removeprefix("deployment/")
        return f"{ns}/{name}", deployments.get(f"{ns}/{name}")

    if verb == "apply":
        return apply(state, ns, sys.stdin.read())
    if verb == "get":
        kind, rest = pos[1], pos[2:]
        if "--raw" in flags:
            print("ok")
            return 0
        if kind == "deployment":
            key = f"{ns}/{rest[0]}"
            if key not in deployments:
                return not_found("deployments.apps", rest[0])
            print(json.dumps(deployment_json(key, deployments[key])))
            return 0
        if kind == "hpa":
            items = [
                {"metadata": {"name": k.split("/")[1]}, "spec": {"scaleTargetRef": {"name": t}}}
                for k, t in state["hpas"].items()
                if k.startswith(f"{ns}/")
            ]
            print(json.dumps({"items": items}))
            return 0
        if kind == "namespace":
            if rest[0] not in state["namespaces"]:
                return not_found("namespaces", rest[0])
            print(f"namespace/{rest[0]}")
            return 0
        if kind == "crd":
            if rest[0] not in state["crds"]:
                return not_found("customresourcedefinitions.apiextensions.k8s.io", rest[0])
            print(f"customresourcedefinition/{rest[0]}")
            return 0
        if kind == "pods":  # by namespace and the exact selector string
            print("\n".join(f"pod/{p}" for p in state["pods"].get(f"{ns}|{flags['-l']}", [])))
            return 0
        if kind == "service":
            if f"{ns}/{rest[0]}" not in state["services"]:
                return not_found("services", rest[0])
            print(f"service/{rest[0]}")
            return 0
        if kind == "secret":
            key = f"{ns}/{rest[0]}"
            if key not in state["secrets"]:
                return not_found("secrets", rest[0])
            print(json.dumps({"kind": "Secret", "data": state["secrets"][key]}))
            return 0
    if verb == "rollout":
        key, found = target()
        if found is None:
            return not_found("deployments.apps", key)
        if pos[1] == "status":
            if state["rollout_status"].get(key, "ok") == "timeout":
                print("error: timed out waiting for the condition", file=sys.stderr)
                return 1
            print(f'deployment "{key}" successfully rolled out')
            return 0
        if pos[1] == "undo":
            if not found["history"]:
                print("error: no rollout history found", file=sys.stderr)
                return 1
            found["image"] = found["history"].pop()
            print("rolled back")
            return 0
    if verb == "scale":
        key, found = target()
        if found is None:
            return not_found("deployments.apps", key)
        found["replicas"] = int(flags["--replicas"])
        return 0
    if verb == "set" and pos[1] == "image":
        name = pos[2].removeprefix("deployment/")
        found = deployments.get(f"{ns}/{name}")
        if found is None:
            return not_found("deployments.apps", name)
        container, _, image = pos[3].partition("=")
        assert container == CONTAINER, container
        set_image(found, image)
        return 0
    if verb == "annotate":
        name = pos[1].removeprefix("deployment/")
        found = deployments.get(f"{ns}/{name}")
        if found is None:
            return not_found("deployments.apps", name)
        for pair in pos[2:]:
            k, _, v = pair.partition("=")
            found["annotations"][k] = v
        return 0
    if verb == "wait":
        key = f"{ns}/{pos[1].removeprefix('job/')}"
        if key not in state["jobs"]:
            return not_found("jobs.batch", key)
        if state["job_outcome"].get(key, "complete") != "complete":
            print("error: timed out waiting for the condition on jobs/x", file=sys.stderr)
            return 1
        print(f"job.batch/{key} condition met")
        return 0
    if verb == "delete":
        kind, name = pos[1], pos[2]
        table = {"deployment": deployments, "hpa": state["hpas"], "job": state["jobs"]}[kind]
        table.pop(f"{ns}/{name}", None)
        return 0
    print(f"fake kubectl: unsupported call {args}", file=sys.stderr)
    return 99


def port_forward(state: dict[str, Any], args: list[str]) -> int:
    """Say it forwards, then wait to be stopped, as kubectl does (nothing listens: the fake smoke
    test only records the URL it was given)."""
    pos, flags = parse(args)
    name = pos[1].removeprefix("deployment/")
    if f"{flags.get('-n', 'default')}/{name}" not in state["deployments"]:
        return not_found("deployments.apps", name)
    local, _, remote = pos[2].partition(":")
    print(f"Forwarding from 127.0.0.1:{local} -> {remote}", flush=True)
    time.sleep(300)
    return 0


def main() -> int:
    args = sys.argv[1:]
    if args and args[0] == "kustomize":
        real = os.environ["FAKE_KUBECTL_REAL"]
        os.execv(real, [real, *args])  # the real renderer
    path = Path(os.environ["FAKE_KUBECTL_STATE"])
    state = json.loads(path.read_text())
    state["calls"].append(args)
    if args and args[0] == "port-forward":
        path.write_text(json.dumps(state, indent=1))
        return port_forward(state, args)
    code = run(state, args)
    path.write_text(json.dumps(state, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main())
