"""The app's wiring: one typed `AppServices` as the only attribute of the app's state, started
and stopped by the lifespan, and the idempotency purge it runs in the background."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import ROOT, make_settings
from vextrus_finance.api.app import create_app
from vextrus_finance.api.purge import PeriodicTask, idempotency_purge, purge_idempotency_keys
from vextrus_finance.api.services import AppServices, NotStarted, services
from vextrus_finance.application.context import utc_now
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.db.idempotency import SqlIdempotencyStore
from vextrus_finance.infrastructure.db.schema import idempotency_keys

SRC = ROOT / "src" / "vextrus_finance"


async def _save_key(container: Container, key: str, created_at: datetime) -> None:
    async with container.db.write() as conn:
        store = SqlIdempotencyStore(conn, "t1", "user-1", ttl=timedelta(hours=24), now=created_at)
        await store.save(key, "0" * 64, 201, {"id": key})


async def _keys(container: Container) -> set[str]:
    async with container.db.read() as conn:
        return set((await conn.execute(sa.select(idempotency_keys.c.key))).scalars())


async def _until(condition: Callable[[], Awaitable[bool]], within_s: float = 30) -> None:
    """Polls a condition that changes in another task (the database has no event to wait on)."""
    async with asyncio.timeout(within_s):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.02)


# --- one typed object, the only attribute of the app's state ---


async def test_after_startup_the_state_holds_only_the_services(container: Container) -> None:
    app = create_app(container=container)
    async with app.router.lifespan_context(app):
        assert set(app.state._state) == {"services"}
        wired = services(app)
        assert isinstance(wired, AppServices)
        assert wired.container is container
        assert wired.probes.drain is wired.drain
        assert wired.purge.running
        assert wired.render_pool.alive() == []  # a given container: workers start on demand
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/health/ready")).status_code == 200
            assert (await client.get("/metrics")).status_code == 200
        assert set(app.state._state) == {"services"}  # serving requests added nothing
        purge = wired.purge
    assert set(app.state._state) == {"services"}
    assert not purge.running  # stopped with the app
    for started_only in ("probes", "render_pool", "purge"):
        with pytest.raises(NotStarted):
            getattr(wired, started_only)
    assert wired.container is container  # the caller's: neither closed nor forgotten


def test_no_module_but_services_touches_the_app_state() -> None:
    """Everything else reads the app's wiring through `services(...)`."""
    touching = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "app.state" in path.read_text(encoding="utf-8")
    )
    assert touching == ["api/services.py"]


async def test_an_app_that_was_not_started_says_so(container: Container) -> None:
    app = create_app(container=container)
    with pytest.raises(NotStarted, match="lifespan"):
        _ = services(app).probes
    assert services(app).container is container  # a given container serves at once


async def test_an_app_bootstraps_starts_and_closes_its_own_container(tmp_path: Path) -> None:
    """What `serve` runs: migrate on start, render workers ready before traffic, everything
    closed at shutdown."""
    settings = make_settings(
        f"sqlite:///{tmp_path / 'own.db'}", migrate_on_start=True, document_render_workers=1
    )
    app = create_app(settings)
    wired = services(app)
    with pytest.raises(NotStarted):
        _ = wired.container
    async with app.router.lifespan_context(app):
        own = wired.container
        pool = wired.render_pool
        assert pool.ready_workers == 1
        assert await _keys(own) == set()  # migrated
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            assert (await client.get("/health/ready")).status_code == 200
    assert pool.alive() == []
    with pytest.raises(NotStarted):
        _ = wired.container
    assert set(app.state._state) == {"services"}


async def test_a_startup_that_fails_releases_what_it_started(postgres_server: str) -> None:
    missing = make_url(postgres_server).set(database=f"vf_missing_{uuid.uuid4().hex[:8]}")
    settings = make_settings(missing.render_as_string(hide_password=False), migrate_on_start=True)
    app = create_app(settings)
    with pytest.raises(sa.exc.DBAPIError, match="does not exist"):
        async with app.router.lifespan_context(app):
            pytest.fail("started on a database that cannot be opened")
    with pytest.raises(NotStarted):
        _ = services(app).container


# --- the idempotency purge ---


async def test_a_purge_removes_only_keys_past_the_ttl(container: Container) -> None:
    now = utc_now()
    ttl = timedelta(hours=container.settings.idempotency_ttl_hours)
    await _save_key(container, "expired", now - ttl - timedelta(minutes=1))
    await _save_key(container, "fresh", now - ttl + timedelta(minutes=5))
    assert await purge_idempotency_keys(container) == 1
    assert await _keys(container) == {"fresh"}
    assert await purge_idempotency_keys(container) == 0


async def test_the_lifespan_purges_at_startup_and_stops_the_loop(container: Container) -> None:
    ttl = timedelta(hours=container.settings.idempotency_ttl_hours)
    await _save_key(container, "expired", utc_now() - ttl - timedelta(hours=1))
    await _save_key(container, "fresh", utc_now())
    app = create_app(container=container)
    async with app.router.lifespan_context(app):
        purge = services(app).purge

        async def purged() -> bool:
            return await _keys(container) == {"fresh"}

        await _until(purged)
    assert not purge.running


async def test_a_failing_pass_is_logged_and_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    calls = 0

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database down")

    task = PeriodicTask("flaky work", flaky, interval_s=0.01)
    with caplog.at_level(logging.WARNING, logger="vextrus_finance"):
        task.start()

        async def twice() -> bool:
            return calls >= 2

        await _until(twice)
        await task.stop()
    assert not task.running
    assert "flaky work failed; will retry" in caplog.text


async def test_stopping_interrupts_the_wait_between_passes() -> None:
    passes = 0

    async def work() -> None:
        nonlocal passes
        passes += 1

    task = PeriodicTask("hourly", work, interval_s=3600)
    task.start()
    await asyncio.sleep(0.05)
    assert passes == 1  # ran at once, now waiting an hour
    loop = asyncio.get_running_loop()
    started = loop.time()
    await task.stop()
    assert loop.time() - started < 1
    assert not task.running


async def test_a_pass_that_ignores_cancellation_does_not_hold_up_the_stop() -> None:
    release = asyncio.Event()
    entered = asyncio.Event()

    async def stubborn() -> None:
        entered.set()
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue  # a pass that will not stop
        raise asyncio.CancelledError  # released: now it ends

    task = PeriodicTask("stubborn", stubborn, interval_s=3600)
    task.start()
    await entered.wait()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await task.stop(timeout_s=0.2)
    assert loop.time() - started < 1
    release.set()  # let it finish, so the test leaves no task behind
    await asyncio.sleep(0.05)


async def test_the_purge_loop_purges_again_after_its_interval(container: Container) -> None:
    loop = idempotency_purge(container, interval_s=0.05)
    loop.start()
    try:
        ttl = timedelta(hours=container.settings.idempotency_ttl_hours)
        await asyncio.sleep(0.1)  # the first pass has run on an empty table
        await _save_key(container, "expired", utc_now() - ttl - timedelta(hours=1))

        async def purged() -> bool:
            return await _keys(container) == set()

        await _until(purged)
    finally:
        await loop.stop()
    assert not loop.running
