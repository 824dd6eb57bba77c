"""Everything the app is wired with, in one typed object.

`create_app` builds an `AppServices` and stores it as the app state's only attribute; the
lifespan starts what needs the database (`AppServices.running`); handlers, middleware and the
server read it through `services(request)` or `services(app)`, never through `app.state`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from vextrus_finance.api.auth import TokenVerifier
from vextrus_finance.api.probes import HealthProbes
from vextrus_finance.api.purge import PeriodicTask, idempotency_purge
from vextrus_finance.api.security.rate_limit import RateLimiter
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.documents.mushak63 import Mushak63Document, render_pdf
from vextrus_finance.documents.numerals import Lang
from vextrus_finance.documents.render_pool import RenderPool
from vextrus_finance.documents.rendering import load_pdf_renderer
from vextrus_finance.infrastructure.db.database import redacted
from vextrus_finance.observability.drain import Drain
from vextrus_finance.settings import Settings

log = logging.getLogger("vextrus_finance")
T = TypeVar("T")
PdfRenderer = Callable[[Mushak63Document, Lang], bytes]


class NotStarted(RuntimeError):
    """A service that exists only while the app's lifespan runs was asked for outside it."""


def _started(value: T | None, name: str) -> T:
    if value is None:
        raise NotStarted(f"the app has not started: {name} exists only while its lifespan runs")
    return value


@dataclass(eq=False)
class AppServices:
    verifier: TokenVerifier
    auth_cookie_name: str | None
    rate_limiter: RateLimiter
    user_rate_limit: int
    # Set from the SIGTERM handler, read by readiness and the request middleware.
    drain: Drain
    # The PDF renderer the render pool runs (a module-level function: it crosses into a worker
    # process); tests put a deliberately slow one here.
    pdf_renderer: PdfRenderer = render_pdf
    _container: Container | None = field(default=None, repr=False)
    _probes: HealthProbes | None = field(default=None, init=False, repr=False)
    _render_pool: RenderPool | None = field(default=None, init=False, repr=False)
    _purge: PeriodicTask | None = field(default=None, init=False, repr=False)

    @classmethod
    def create(cls, settings: Settings, container: Container | None = None) -> AppServices:
        """What needs no database is made with the app; a given container is used as it is
        (the caller owns it), otherwise the lifespan bootstraps one."""
        return cls(
            verifier=TokenVerifier(settings),
            auth_cookie_name=settings.auth_cookie_name,
            rate_limiter=RateLimiter.from_settings(settings),
            user_rate_limit=settings.rate_limit_per_minute,
            drain=Drain(),
            _container=container,
        )

    @property
    def container(self) -> Container:
        return _started(self._container, "the container")

    @property
    def probes(self) -> HealthProbes:
        return _started(self._probes, "the health probes")

    @property
    def render_pool(self) -> RenderPool:
        return _started(self._render_pool, "the render pool")

    @property
    def purge(self) -> PeriodicTask:
        return _started(self._purge, "the idempotency purge")

    @asynccontextmanager
    async def running(self, settings: Settings) -> AsyncIterator[None]:
        """The app's lifespan: startup in order, shutdown in reverse, also when startup fails
        half-way. A container the app bootstrapped is closed at shutdown; a given one is not,
        and its process then starts no render workers until the first PDF is asked for."""
        async with AsyncExitStack() as stack:
            owned = self._container is None
            if owned:
                self._container = bootstrap(settings)
                stack.push_async_callback(self._close_container)
            container = self.container
            if settings.migrate_on_start:
                await container.migrate()
            log.info("serving %s", redacted(settings.database_url))

            own = container.settings
            self._probes = HealthProbes.open(
                container.db, own.health_check_timeout_seconds, self.drain
            )
            stack.push_async_callback(self._close_probes)

            pool = self._render_pool = RenderPool(
                workers=own.document_render_workers,
                per_tenant=own.document_render_per_tenant,
                timeout_s=own.document_render_timeout_seconds,
                initializer=load_pdf_renderer,
            )
            stack.callback(self._close_render_pool)

            self._purge = idempotency_purge(container)
            self._purge.start()
            stack.push_async_callback(self._stop_purge)

            if owned:
                # A served process starts its render workers (and their fonts) before it takes
                # traffic, so starting them neither delays a first PDF nor competes with the
                # first requests for the CPU.
                pool.prestart()
                await pool.warm()
            yield

    async def _stop_purge(self) -> None:
        purge, self._purge = self._purge, None
        if purge is not None:
            await purge.stop()

    def _close_render_pool(self) -> None:
        pool, self._render_pool = self._render_pool, None
        if pool is not None:
            pool.close()  # kills renders in progress: shutdown must not wait for them

    async def _close_probes(self) -> None:
        probes, self._probes = self._probes, None
        if probes is not None:
            await probes.close()

    async def _close_container(self) -> None:
        container, self._container = self._container, None
        if container is not None:
            await container.close()


def attach(app: Starlette, app_services: AppServices) -> None:
    app.state.services = app_services


def services(source: HTTPConnection | Starlette) -> AppServices:
    """The services of the app serving `source` (a request or websocket), or of the app itself."""
    app = source.app if isinstance(source, HTTPConnection) else source
    found = getattr(app.state, "services", None)
    if not isinstance(found, AppServices):
        raise RuntimeError("this app was not made by create_app: it has no services")
    return found
