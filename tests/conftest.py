"""Test fixtures: a real PostgreSQL cluster and SQLite files, a fresh database per test.

PostgreSQL: TEST_POSTGRES_URL if given (CI starts a cluster), else the suite starts its own
throwaway cluster with scripts/pg-cluster. Each test gets a new database cloned from a
migrated template, so tests never see each other's data."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from vextrus_finance.api.app import create_app
from vextrus_finance.api.auth import mint_token
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.infrastructure.db.database import async_url
from vextrus_finance.settings import Environment, Settings

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET = "test-secret-for-the-suite-only-0123456789abcdef"
BACKENDS = ["sqlite", "postgres"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The server URL (database `postgres`) of a running cluster."""
    given = os.environ.get("TEST_POSTGRES_URL")
    if given:
        yield given
        return
    workdir = tempfile.mkdtemp(prefix="vf-pg-")
    port = free_port()
    env = {**os.environ, "PG_FSYNC": "off"}
    url = subprocess.run(
        [str(ROOT / "scripts" / "pg-cluster"), "start", workdir, str(port)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([str(ROOT / "scripts" / "pg-cluster"), "stop", workdir], check=False)
        shutil.rmtree(workdir, ignore_errors=True)


async def _admin(server_url: str, *statements: str) -> None:
    engine = create_async_engine(async_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(sa.text(statement))
    finally:
        await engine.dispose()


async def _migrate(url: str) -> None:
    """Exactly as the service migrates (for SQLite that also means the file is in WAL mode)."""
    container = bootstrap(make_settings(url))
    try:
        await container.migrate()
    finally:
        await container.close()


@pytest.fixture(scope="session")
async def postgres_template(postgres_server: str) -> str:
    name = f"vf_template_{uuid.uuid4().hex[:8]}"
    await _admin(postgres_server, f'CREATE DATABASE "{name}"')
    await _migrate(
        make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    )
    return name


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    await _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
async def postgres_database_factory(
    postgres_server: str, postgres_template: str
) -> AsyncIterator[Callable[[], Any]]:
    created: list[str] = []

    async def create() -> str:
        name = f"vf_test_{uuid.uuid4().hex[:12]}"
        await _admin(postgres_server, f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')
        created.append(name)
        return make_url(postgres_server).set(database=name).render_as_string(hide_password=False)

    yield create
    # A shared cluster (TEST_POSTGRES_URL) outlives the run: leave no database behind, or
    # repeated runs fill its disk.
    await _admin(
        postgres_server,
        *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in created),
        f'DROP DATABASE IF EXISTS "{postgres_template}" WITH (FORCE)',
    )


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_database_factory: Callable[[], Any],
) -> str:
    if request.param == "sqlite":
        path = tmp_path / "finance.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = await postgres_database_factory()
    return url


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "environment": Environment.TEST,
        "jwt_secret": TEST_SECRET,
        "eventstore_retry_delay_ms": 1,
        "migrate_on_start": False,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    c = bootstrap(settings)
    try:
        yield c
    finally:
        await c.close()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """The real app over ASGI, its lifespan run (as `serve` would), on the test database."""
    app = create_app(container=container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://finance.test") as c:
            yield c


@pytest.fixture
def token(settings: Settings) -> Callable[..., str]:
    def make(
        tenant: str = "t1", roles: tuple[str, ...] = ("admin",), sub: str = "user-1", **kw: Any
    ) -> str:
        return mint_token(settings, tenant_id=tenant, roles=roles, subject=sub, **kw)

    return make


@pytest.fixture
def auth(token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """Headers for a request as `roles` in `tenant`."""

    def make(
        tenant: str = "t1", roles: tuple[str, ...] = ("admin",), sub: str = "user-1"
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(tenant, roles, sub)}"}

    return make


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Async tests share the session loop so session-scoped async fixtures can serve them.
    for item in items:
        if asyncio.iscoroutinefunction(getattr(item, "function", None)):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"))
