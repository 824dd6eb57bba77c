"""Functions the render pool tests run in worker processes (importable by a spawned child)."""

from __future__ import annotations

import os
import time


def echo(value: str) -> tuple[str, int]:
    return value, os.getpid()


def slow(seconds: float) -> str:
    """A render that takes too long: plain CPU-free sleep, which only a kill can stop."""
    time.sleep(seconds)
    return "finished"


def fail() -> None:
    raise ValueError("no such page")


def die() -> None:
    os._exit(3)
