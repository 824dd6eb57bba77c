"""Health endpoints (no auth) and the production start guard."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import make_settings
from vextrus_finance.api.app import create_app
from vextrus_finance.bootstrap import bootstrap
from vextrus_finance.infrastructure import migrations
from vextrus_finance.settings import DEVELOPMENT_JWT_SECRET, Environment


async def test_live_and_ready_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    live = await client.get("/health/live")
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "up",
        "migrations": "up",
        "shutdown": "up",
    }
    detail = await client.get("/health")
    assert detail.status_code == 200
    for check in detail.json()["checks"].values():
        assert check["latency_ms"] >= 0


async def test_not_ready_when_the_schema_is_not_at_head(tmp_path: Path) -> None:
    container = bootstrap(make_settings(f"sqlite:///{tmp_path / 'empty.db'}"))
    app = create_app(container=container)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            ready = await c.get("/health/ready")
            live = await c.get("/health/live")
    finally:
        await container.close()
    assert live.status_code == 200  # liveness checks nothing outside the process
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    body = ready.json()
    assert body["failed"] == ["migrations"]
    assert body["checks"]["database"]["status"] == "up"  # reachable, but not at head
    assert body["checks"]["migrations"]["status"] == "down"
    assert migrations.head_revision() in body["checks"]["migrations"]["error"]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"jwt_secret": None}, "no token key: set JWT_SECRET"),
        ({"jwt_secret": DEVELOPMENT_JWT_SECRET}, "development secret"),
        ({"jwt_secret": "a-real-secret-of-sufficient-length-123456"}, "SQLite"),
    ],
)
def test_production_refuses_to_start_without_its_prerequisites(
    tmp_path: Path, overrides: dict[str, object], named: str
) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path / 'x.db'}", environment=Environment.PRODUCTION, **overrides
    )
    with pytest.raises(RuntimeError, match=named):
        create_app(settings)


async def test_a_saturated_request_pool_does_not_make_the_pod_unready(database_url: str) -> None:
    """Load is not an outage: probes use connections of their own."""
    container = bootstrap(make_settings(database_url, database_pool_size=1))
    app = create_app(container=container)
    try:
        async with (
            app.router.lifespan_context(app),
            container.db.read_engine.connect() as held,  # the whole request pool, busy
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            await held.execute(sa.text("SELECT 1"))
            ready = await c.get("/health/ready")
    finally:
        await container.close()
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"]["latency_ms"] < 1000


async def _ready_with_schema_revision(database_url: str, revision: str) -> httpx.Response:
    container = bootstrap(make_settings(database_url))
    app = create_app(container=container)
    try:
        async with container.db.write() as conn:
            await conn.execute(
                sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision}
            )
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            return await c.get("/health/ready")
    finally:
        await container.close()


async def test_ready_when_a_newer_release_migrated_ahead(database_url: str) -> None:
    """During a canary the new release's migration Job runs first: the stable pods stay ready."""
    ready = await _ready_with_schema_revision(database_url, "9999_from_a_newer_release")
    assert ready.status_code == 200, ready.text
    schema = ready.json()["checks"]["migrations"]
    assert schema["status"] == "up"
    assert schema["revision"] == "9999_from_a_newer_release"
    assert schema["ahead_of"] == migrations.head_revision()


async def test_not_ready_when_the_schema_is_behind_the_code(database_url: str) -> None:
    older = sorted(migrations.known_revisions() - {migrations.head_revision()})[0]
    ready = await _ready_with_schema_revision(database_url, older)
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["migrations"]
    assert f"schema at {older}" in ready.json()["checks"]["migrations"]["error"]
