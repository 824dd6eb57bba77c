"""Facts about the machine and the software a run measured, written next to every result."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from typing import Any

PACKAGES = ("fastapi", "uvicorn", "sqlalchemy", "aiosqlite", "asyncpg", "pydantic", "httpx")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _postgres_version() -> str | None:
    try:
        out = subprocess.run(
            ["pg_config", "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.strip()


def _wrk_version() -> str | None:
    try:
        out = subprocess.run(
            ["wrk", "--version"], check=False, capture_output=True, text=True
        ).stdout
    except OSError:
        return None
    return out.splitlines()[0].strip() if out else None


def machine_facts() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "os": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def versions() -> dict[str, Any]:
    packages: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    try:
        service = metadata.version("vextrus-finance")
    except metadata.PackageNotFoundError:
        service = None
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": _postgres_version(),
        "wrk": _wrk_version(),
        "vextrus_finance": service,
        "git_commit": _git_commit(),
        "packages": packages,
    }


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
