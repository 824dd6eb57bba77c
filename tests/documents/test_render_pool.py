"""The render pool: a hard time limit that really stops the work, a per-tenant share, refusal
when full, and workers killed when the pool closes or a request is cancelled."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator

import pytest

from tests.documents import render_jobs
from vextrus_finance.documents.render_pool import (
    PoolFull,
    RenderFailed,
    RenderPool,
    TenantBusy,
)


@pytest.fixture
async def pool() -> AsyncIterator[RenderPool]:
    pool = RenderPool(workers=2, per_tenant=1, timeout_s=20)
    yield pool
    pool.close()


async def _until_running(pool: RenderPool, count: int) -> None:
    """One turn of the loop: a new `run` takes its slot and starts its worker before it
    first waits."""
    await asyncio.sleep(0)
    assert pool.busy == count


def _gone(pid: int) -> bool:
    """Killed and reaped: the pid no longer exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_a_worker_runs_renders_one_after_another(pool: RenderPool) -> None:
    first = await pool.run("t1", render_jobs.echo, "a")
    second = await pool.run("t1", render_jobs.echo, "b")
    assert (first[0], second[0]) == ("a", "b")
    assert first[1] == second[1]  # the same worker, kept warm
    assert pool.busy == 0


async def test_a_render_over_its_time_limit_is_killed(pool: RenderPool) -> None:
    pool.timeout_s = 0.5
    with pytest.raises(RenderFailed) as failed:
        await pool.run("t1", render_jobs.slow, 3600)
    assert failed.value.timed_out
    assert failed.value.retry_after_s >= 1
    assert pool.alive() == []  # the worker is dead, not left sleeping out its hour
    pool.timeout_s = 20  # room for a new worker's start under a loaded test machine
    assert (await pool.run("t1", render_jobs.echo, "x"))[0] == "x"  # a fresh one serves


async def test_a_tenant_over_its_share_is_refused_while_another_is_served(
    pool: RenderPool,
) -> None:
    hog = asyncio.create_task(pool.run("t1", render_jobs.slow, 3600))
    await _until_running(pool, 1)
    with pytest.raises(TenantBusy) as busy:
        await pool.run("t1", render_jobs.echo, "again")
    assert busy.value.retry_after_s >= 1
    assert (await pool.run("t2", render_jobs.echo, "other"))[0] == "other"
    hog.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hog


async def test_a_full_pool_refuses_at_once(pool: RenderPool) -> None:
    hogs = [asyncio.create_task(pool.run(t, render_jobs.slow, 3600)) for t in ("t1", "t2")]
    await _until_running(pool, 2)
    with pytest.raises(PoolFull) as full:
        await pool.run("t3", render_jobs.echo, "x")
    assert full.value.retry_after_s >= 1
    for hog in hogs:
        hog.cancel()
    await asyncio.gather(*hogs, return_exceptions=True)


async def test_a_cancelled_render_kills_its_worker(pool: RenderPool) -> None:
    hog = asyncio.create_task(pool.run("t1", render_jobs.slow, 3600))
    await _until_running(pool, 1)
    (process,) = pool.alive()
    hog.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hog
    assert process.pid is not None
    assert _gone(process.pid)
    assert pool.busy == 0


async def test_closing_the_pool_kills_running_workers(pool: RenderPool) -> None:
    hogs = [asyncio.create_task(pool.run(t, render_jobs.slow, 3600)) for t in ("t1", "t2")]
    await _until_running(pool, 2)
    pids = [p.pid for p in pool.alive()]
    assert len(pids) == 2
    pool.close()
    for hog in hogs:
        with pytest.raises(RenderFailed):
            await hog
    assert all(pid is not None and _gone(pid) for pid in pids)
    with pytest.raises(PoolFull):
        await pool.run("t1", render_jobs.echo, "late")


async def test_errors_and_crashes_fail_the_render_not_the_pool(pool: RenderPool) -> None:
    with pytest.raises(RenderFailed, match="no such page"):
        await pool.run("t1", render_jobs.fail)
    with pytest.raises(RenderFailed, match="stopped"):
        await pool.run("t1", render_jobs.die)
    assert (await pool.run("t1", render_jobs.echo, "ok"))[0] == "ok"


def test_a_large_reply_arrives_whole_under_uvloop() -> None:
    """The server runs on uvloop, which makes a watched pipe non-blocking: a reply bigger than
    one read then failed halfway (EAGAIN) and was answered as a dead renderer."""
    import uvloop

    async def render() -> bytes:
        pool = RenderPool(workers=1, per_tenant=1, timeout_s=20)
        try:
            first = await pool.run("t1", render_jobs.big, 4_000_000)
            return first + await pool.run("t1", render_jobs.big, 4_000_000)
        finally:
            pool.close()

    assert uvloop.run(render()) == b"%" * 8_000_000


def test_the_render_limit_must_be_shorter_than_the_request_limit() -> None:
    """Otherwise the request timeout answers 504 first and the render's own answer is lost."""
    from pydantic import ValidationError

    from tests.conftest import make_settings

    assert make_settings("sqlite://").document_render_timeout_seconds < 30
    with pytest.raises(ValidationError, match="DOCUMENT_RENDER_TIMEOUT_SECONDS"):
        make_settings("sqlite://", document_render_timeout_seconds=30)


async def test_an_idle_worker_that_died_is_replaced(pool: RenderPool) -> None:
    _, pid = await pool.run("t1", render_jobs.echo, "first")
    os.kill(pid, signal.SIGKILL)  # the OOM killer, say, while it waited for work
    while True:  # the signal is delivered asynchronously
        if not pool.alive():
            break
        await asyncio.sleep(0.01)
    value, new_pid = await pool.run("t1", render_jobs.echo, "second")
    assert value == "second"
    assert new_pid != pid


async def test_renders_in_progress_hold_no_thread(pool: RenderPool) -> None:
    """Renders on the shared default thread pool left none for token-key fetches and other
    tenants. A render waits on its worker's pipe in the event loop instead."""
    import threading

    before = threading.active_count()
    hogs = [asyncio.create_task(pool.run(t, render_jobs.slow, 3600)) for t in ("t1", "t2")]
    await _until_running(pool, 2)
    await asyncio.sleep(0.2)  # the workers are rendering (sleeping) now
    assert threading.active_count() == before
    for hog in hogs:
        hog.cancel()
    await asyncio.gather(*hogs, return_exceptions=True)


async def test_warm_waits_for_every_worker_to_start() -> None:
    pool = RenderPool(workers=2, per_tenant=1, timeout_s=20, initializer=render_jobs.start_slowly)
    try:
        pool.prestart()
        assert pool.ready_workers == 0  # spawned, still starting
        await pool.warm()
        assert pool.ready_workers == 2
        assert len(pool.alive()) == 2
    finally:
        pool.close()


async def test_warm_drops_a_worker_that_cannot_start() -> None:
    pool = RenderPool(workers=1, per_tenant=1, timeout_s=20, initializer=render_jobs.die)
    try:
        pool.prestart()
        await pool.warm()
        assert pool.ready_workers == 0
        assert pool.alive() == []
    finally:
        pool.close()
