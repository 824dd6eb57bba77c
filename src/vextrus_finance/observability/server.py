"""Running uvicorn with a drain before it stops (ADR 0015).

uvicorn stops listening as soon as it gets SIGTERM. Behind a Kubernetes Service that loses
requests: endpoints are removed asynchronously, so for a few seconds new requests still arrive
at a pod that no longer accepts them. Here the first SIGTERM (or SIGINT) only starts the drain:
readiness turns 503 at once and requests are still served for SHUTDOWN_DRAIN_SECONDS; then
uvicorn's own graceful shutdown runs — listener closed, in-flight requests finished, the
lifespan closes the pool — and the process exits 0 within SHUTDOWN_GRACE_SECONDS."""

from __future__ import annotations

import gc
import logging
import signal
from types import FrameType
from typing import Any

import uvicorn

from vextrus_finance.observability.drain import Drain

log = logging.getLogger("vextrus_finance.shutdown")
# Kept back from the grace period for the lifespan's shutdown (closing the pool, flushing spans).
LIFESPAN_RESERVE_S = 3.0


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, drain: Drain, drain_seconds: float) -> None:
        super().__init__(config)
        self.drain = drain
        self.drain_seconds = drain_seconds
        self._announced = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Runs as a signal handler: only flag writes here, no logging, no awaiting. Not
        # recording the signal (as uvicorn does) means it is not re-raised after shutdown, so a
        # clean drain exits 0 instead of dying by SIGTERM.
        if not self.drain.active:
            self.drain.begin()
        elif not self.should_exit:
            self.should_exit = True  # a second signal ends the drain early
        elif sig == signal.SIGINT:
            self.force_exit = True  # a third Ctrl-C stops waiting for requests

    async def on_tick(self, counter: int) -> bool:
        if self.drain.active:
            if not self._announced:
                self._announced = True
                log.info(
                    "shutdown requested: readiness is 503, serving for %.1f s more, then "
                    "finishing in-flight requests (signal again to skip the drain)",
                    self.drain_seconds,
                )
            if self.drain.elapsed() >= self.drain_seconds:
                self.should_exit = True
        return await super().on_tick(counter)


def server_config(app: Any, *, host: str, port: int, http: type[Any]) -> dict[str, Any]:
    """What `serve` gives uvicorn besides the shutdown timing (tests start servers with it).
    `http` is the HTTP protocol class: the app's, which bounds the request head (431)."""
    return {"app": app, "host": host, "port": port, "http": http}


def serve(
    app: Any,
    *,
    drain: Drain,
    host: str,
    port: int,
    drain_seconds: float,
    grace_seconds: float,
    http: type[Any],
) -> None:
    """Blocks until the server has shut down. `drain` is the app's own: readiness turns 503
    when the first signal begins it. Logging is configured by the caller (uvicorn writes
    through the root logger, so its lines get our format)."""
    config = uvicorn.Config(
        **server_config(app, host=host, port=port, http=http),
        log_config=None,
        access_log=False,  # our middleware writes one line per request with more in it
        # The app resolves X-Forwarded-For itself from FORWARDED_ALLOW_IPS (api/app.py), the
        # same way in tests as in production; uvicorn doing it too would be a second opinion.
        proxy_headers=False,
        # What is left of the grace period after the drain, less the lifespan's reserve.
        timeout_graceful_shutdown=max(1, int(grace_seconds - drain_seconds - LIFESPAN_RESERVE_S)),
        lifespan="on",
    )
    # Everything alive now (modules, the app, its routes and schemas) lives as long as the
    # process. Frozen, the cyclic collector stops re-scanning it on every full collection, which
    # requests that allocate a lot set off often (ADR 0021, docs/performance.md). Here, not in
    # the lifespan: tests run the lifespan hundreds of times in one process.
    gc.collect()
    gc.freeze()
    DrainingServer(config, drain, drain_seconds).run()
