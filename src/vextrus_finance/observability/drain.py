"""The one piece of shutdown state the app reads: whether a drain has begun."""

from __future__ import annotations

import time


class Drain:
    """Set from the SIGTERM handler (a plain attribute write, safe in a signal handler);
    readiness reads it on every probe."""

    def __init__(self) -> None:
        self.started_at: float | None = None

    @property
    def active(self) -> bool:
        return self.started_at is not None

    def begin(self) -> None:
        if self.started_at is None:
            self.started_at = time.monotonic()

    def elapsed(self) -> float:
        return 0.0 if self.started_at is None else time.monotonic() - self.started_at
