"""HTTP load with wrk (C, light on the two shared cores) over N connections, each request body
taken in turn from a file, latency percentiles from wrk.

wrk runs for a duration, not a request count (a thread that stops early still waits for the
duration), so a short probe measures the rate first and the run lasts as long as the wanted
number of requests should take; the real count is reported."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_SCRIPT = r"""
local bodies, i = {}, 0
local method, path, token
function init(args)
  method, path, token = args[1], args[2], args[3]
  if args[4] ~= nil then
    for line in io.lines(args[4]) do bodies[#bodies + 1] = line end
  end
end
function request()
  i = i + 1
  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  if #bodies == 0 then return wrk.format(method, path, headers) end
  return wrk.format(method, path, headers, bodies[(i - 1) % #bodies + 1])
end
function done(summary, latency, requests)
  io.write(string.format(
    '\n@@{"requests": %d, "duration_us": %d, "errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds


def _wrk(
    url: str, script: Path, args: list[str], *, seconds: float, connections: int, threads: int
) -> LoadResult:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url,
            "--",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("@@"))
    data = json.loads(line[2:])
    return LoadResult(
        data["requests"],
        data["duration_us"] / 1e6,
        data["errors"],
        data["p50_us"] / 1000,
        data["p95_us"] / 1000,
        data["p99_us"] / 1000,
    )


def wrk(
    url: str,
    path: str,
    *,
    method: str,
    token: str,
    requests: int,
    connections: int,
    bodies: list[str] | None = None,
    threads: int = 2,
    probe_s: float = 1,
) -> LoadResult:
    """About `requests` requests (see the module's docstring), after a probe of `probe_s`."""
    threads = min(threads, connections)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "load.lua"
        script.write_text(_SCRIPT)
        args = [method, path, token]
        if bodies:
            body_file = Path(tmp) / "bodies.txt"
            body_file.write_text("\n".join(bodies) + "\n")
            args.append(str(body_file))
        probe = _wrk(url, script, args, seconds=probe_s, connections=connections, threads=threads)
        # Capped: a stalled probe must not turn into a half-hour run.
        seconds = min(300.0, max(1.0, requests / max(probe.per_s, 0.1)))
        return _wrk(url, script, args, seconds=seconds, connections=connections, threads=threads)


async def exact(
    url: str, path: str, *, token: str, bodies: list[str], connections: int
) -> LoadResult:
    """Exactly one POST per body over `connections` concurrent clients (httpx). For a few
    heavy requests, such as batches, where a Python client costs nothing next to the server
    and wrk's duration-based runs cannot be sized."""
    import asyncio
    import time

    import httpx

    queue = list(reversed(bodies))
    latencies: list[float] = []
    errors = 0
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while queue:
            payload = queue.pop()
            t0 = time.perf_counter()
            response = await http.post(path, content=payload)
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status_code >= 400:
                errors += 1

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=300, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(connections)))
        seconds = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return LoadResult(len(latencies), seconds, errors, pct(0.5), pct(0.95), pct(0.99))
