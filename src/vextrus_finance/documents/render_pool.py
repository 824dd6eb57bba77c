"""A bounded pool of render worker processes with a hard time limit and a per-tenant share.

A PDF render is seconds of CPU in WeasyPrint, which nothing can interrupt inside a thread: on the
shared thread pool a few large invoices from one tenant starved every other tenant (and the
token-key fetches that share that pool), kept running after their requests had timed out, and
held the process past SIGTERM. Here each render runs in a separate process, so it can be
killed: at its time limit, when its request is cancelled (client gone, request timeout) and at
shutdown. A killed worker is replaced by a fresh one on the next render.

Nothing waits for a slot: with every worker busy the caller is refused at once (`PoolFull`,
HTTP 503) and a tenant already using its share is refused (`TenantBusy`, HTTP 429), both with
the seconds after which a retry is sensible. A queue would only hold requests until their own
time limit while the CPU stays saturated."""

from __future__ import annotations

import asyncio
import logging
import math
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

# A killed process is reaped at once; waiting longer than this would only hide a kernel problem.
_REAP_S = 2.0
# A new worker's start (interpreter, WeasyPrint, fonts) is not part of a render's time limit.
_START_S = 60.0
_READY = (True, "ready")


class RenderRefused(Exception):
    """The render was not started; `retry_after_s` says when a retry may succeed."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PoolFull(RenderRefused):
    """Every worker is busy (HTTP 503)."""


class TenantBusy(RenderRefused):
    """The tenant already runs as many renders as it may (HTTP 429)."""


class RenderFailed(Exception):
    """The render did not produce a result: it ran out of time, or its worker died."""

    def __init__(self, message: str, retry_after_s: int, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.timed_out = timed_out


def _worker_main(conn: Connection, initializer: Callable[[], object] | None) -> None:
    """A worker: run each `(function, args)` received and send back `(ok, value)`."""
    # The parent owns shutdown: Ctrl-C reaches the whole process group, and a worker must not
    # die of it halfway through a message; the parent kills its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer()
    conn.send(_READY)
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        try:
            reply: tuple[bool, Any] = (True, function(*args))
        except Exception as exc:  # reported to the parent, which raises it as RenderFailed
            reply = (False, f"{type(exc).__name__}: {exc}")
        conn.send(reply)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False  # its start-up message has been read

    def stop(self) -> None:
        """Kill and reap the process. Its pipe stays open: a render waiting on it sees the end
        of the pipe and fails (closing the descriptor under the event loop's watch would not)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(_REAP_S)

    def kill(self) -> None:
        self.stop()
        self.conn.close()


@dataclass(eq=False)
class RenderPool:
    """`workers` processes at most, `per_tenant` of them for one tenant, `timeout_s` a render.

    Workers start on first use (or with `prestart`); `initializer` runs once in each new worker
    (e.g. to import WeasyPrint and load the fonts before the first request needs them).
    Functions and arguments cross a process boundary: they must be picklable (module-level
    functions, plain data)."""

    workers: int
    per_tenant: int
    timeout_s: float
    initializer: Callable[[], object] | None = None
    renders_started: int = 0
    _idle: list[_Worker] = field(default_factory=list)
    _running: set[_Worker] = field(default_factory=set)
    _slots_used: int = 0
    _tenants: dict[str, int] = field(default_factory=dict)
    _closed: bool = False

    def __post_init__(self) -> None:
        if self.workers < 1 or self.per_tenant < 1 or self.timeout_s <= 0:
            raise ValueError("a render pool needs workers ≥ 1, per_tenant ≥ 1, timeout > 0")
        # 'spawn': a fresh interpreter, not a fork of a process with an event loop, threads and
        # open database connections.
        self._context = multiprocessing.get_context("spawn")

    @property
    def retry_after_s(self) -> int:
        """A refused caller's wait: about the time a render in progress still needs."""
        return max(1, math.ceil(self.timeout_s / 4))

    @property
    def busy(self) -> int:
        return self._slots_used

    def _start_worker(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(child, self.initializer),
            name="vextrus-render",
            daemon=True,  # never outlives the service, whatever path it exits by
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def prestart(self) -> None:
        """Start every worker now (at application start-up) rather than on first use."""
        while not self._closed and len(self._idle) + len(self._running) < self.workers:
            self._idle.append(self._start_worker())

    async def warm(self) -> None:
        """Wait until every idle worker has started (fonts loaded), so a process that says it
        is ready does not spend its first seconds of traffic starting renderers. A worker that
        does not start in time is killed; another starts on first use."""
        for worker in list(self._idle):
            if worker.ready:
                continue
            try:
                await self._readable(worker, _START_S)
                self._receive(worker)
                worker.ready = True
            except (TimeoutError, RenderFailed):
                log.warning("render worker %s did not start", worker.process.pid)
                self._idle.remove(worker)
                worker.kill()

    @property
    def ready_workers(self) -> int:
        """Idle workers whose start-up (the initializer) has finished."""
        return sum(1 for worker in self._idle if worker.ready)

    def _idle_worker(self) -> _Worker | None:
        """An idle worker still alive (one may have died waiting: the OOM killer, an operator)."""
        while self._idle:
            worker = self._idle.pop()
            if worker.process.is_alive():
                return worker
            worker.kill()
        return None

    async def run(self, tenant_id: str, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; refused at once when no slot is free."""
        if self._closed:
            raise PoolFull("the service is shutting down", self.retry_after_s)
        if self._tenants.get(tenant_id, 0) >= self.per_tenant:
            raise TenantBusy(
                f"this tenant already has {self.per_tenant} document(s) rendering",
                self.retry_after_s,
            )
        if self._slots_used >= self.workers:
            raise PoolFull("every document renderer is busy", self.retry_after_s)
        self._slots_used += 1
        self._tenants[tenant_id] = self._tenants.get(tenant_id, 0) + 1
        worker: _Worker | None = None
        try:
            worker = self._idle_worker() or self._start_worker()
            self._running.add(worker)
            self.renders_started += 1
            result: T = await self._call(worker, function, args)
            self._running.discard(worker)
            if self._closed:
                worker.kill()
            else:
                self._idle.append(worker)
            worker = None
            return result
        finally:
            if worker is not None:
                # Timed out, cancelled, or the worker died: whatever it was doing must stop now.
                self._running.discard(worker)
                worker.kill()
            self._slots_used -= 1
            left = self._tenants[tenant_id] - 1
            if left:
                self._tenants[tenant_id] = left
            else:
                del self._tenants[tenant_id]

    async def _readable(self, worker: _Worker, timeout_s: float) -> None:
        """Wait for the worker's next message without holding a thread; TimeoutError if none."""
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fd = worker.conn.fileno()

        def wake() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(fd, wake)
        try:
            async with asyncio.timeout(timeout_s):
                await readable
        finally:
            loop.remove_reader(fd)
            # uvloop makes a watched descriptor non-blocking; `send` and `recv` need it
            # blocking, or a message larger than one read (any real PDF) fails with EAGAIN.
            os.set_blocking(fd, True)

    def _receive(self, worker: _Worker) -> tuple[bool, Any]:
        try:
            message: tuple[bool, Any] = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(_REAP_S)
            log.warning(
                "render worker %s ended (exit code %s)", worker.process.pid, worker.process.exitcode
            )
            raise RenderFailed("the document renderer stopped", self.retry_after_s) from None
        return message

    async def _call(self, worker: _Worker, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        if not worker.ready:
            try:
                await self._readable(worker, _START_S)
            except TimeoutError:
                message = "the document renderer did not start"
                raise RenderFailed(message, self.retry_after_s) from None
            self._receive(worker)
            worker.ready = True
        # The worker is waiting in `recv`, so even a large document is taken at once.
        try:
            worker.conn.send((function, args))
        except OSError:  # it died since: a broken pipe
            raise RenderFailed("the document renderer stopped", self.retry_after_s) from None
        try:
            await self._readable(worker, self.timeout_s)
        except TimeoutError:
            raise RenderFailed(
                f"the document took longer than {self.timeout_s:g} s to render and was stopped",
                self.retry_after_s,
                timed_out=True,
            ) from None
        ok, value = self._receive(worker)
        if not ok:
            raise RenderFailed(f"the document could not be rendered: {value}", 0)
        result: T = value
        return result

    def close(self) -> None:
        """Kill every worker, busy or idle; renders in progress fail, later ones are refused."""
        self._closed = True
        for worker in self._idle:
            worker.kill()
        self._idle.clear()
        for worker in self._running:
            worker.stop()  # its render fails now, and `run` closes the pipe

    def alive(self) -> list[BaseProcess]:
        """The worker processes still running (for tests and diagnostics)."""
        return [w.process for w in (*self._idle, *self._running) if w.process.is_alive()]
