"""Fresh, migrated databases for each scenario: SQLite files in a temporary directory and
databases in a throwaway PostgreSQL cluster that the harness starts itself with the default
durability (fsync and synchronous_commit on)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from vextrus_finance.bootstrap import bootstrap
from vextrus_finance.infrastructure.db.database import async_url
from vextrus_finance.settings import Environment, Settings

ROOT = Path(__file__).resolve().parent.parent
BENCH_SECRET = "benchmark-secret-" + "0123456789abcdef" * 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_for(url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "environment": Environment.STAGING,
        "jwt_secret": BENCH_SECRET,
        "migrate_on_start": False,
        "log_level": "WARNING",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


async def migrate(url: str) -> None:
    container = bootstrap(settings_for(url))
    try:
        await container.migrate()
    finally:
        await container.close()


@dataclass
class Backends:
    workdir: Path
    postgres_server: str | None

    async def fresh(self, backend: str, name: str) -> str:
        """A new, migrated database for one scenario; returns its plain URL."""
        unique = f"{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        if backend == "sqlite":
            url = f"sqlite:///{self.workdir / (unique + '.db')}"
        else:
            assert self.postgres_server is not None
            engine = create_async_engine(
                async_url(self.postgres_server), isolation_level="AUTOCOMMIT"
            )
            try:
                async with engine.connect() as conn:
                    await conn.execute(sa.text(f'CREATE DATABASE "{unique}"'))
            finally:
                await engine.dispose()
            url = (
                make_url(self.postgres_server)
                .set(database=unique)
                .render_as_string(hide_password=False)
            )
        await migrate(url)
        return url

    async def settle(self) -> None:
        """Before each scenario, and between a scenario's preparation and its measurement:
        PostgreSQL writes out what is dirty in its buffers (CHECKPOINT), and the kernel what is
        in its page cache (sync), now rather than during the measurement, so that no scenario
        pays for the previous one's writes (docs/performance.md, "How to run it")."""
        if self.postgres_server is not None:
            engine = create_async_engine(
                async_url(self.postgres_server), isolation_level="AUTOCOMMIT"
            )
            try:
                async with engine.connect() as conn:
                    await conn.execute(sa.text("CHECKPOINT"))
            finally:
                await engine.dispose()
        await asyncio.to_thread(os.sync)

    async def postgres_settings(self) -> dict[str, str]:
        """What the cluster really runs with: proof of the durability the results assume."""
        if self.postgres_server is None:
            return {}
        engine = create_async_engine(async_url(self.postgres_server))
        try:
            async with engine.connect() as conn:
                out = {}
                for name in (
                    "server_version",
                    "fsync",
                    "synchronous_commit",
                    "wal_sync_method",
                    "shared_buffers",
                ):
                    out[name] = str((await conn.execute(sa.text(f"SHOW {name}"))).scalar_one())
                return out
        finally:
            await engine.dispose()


@contextmanager
def backends(wanted: list[str]) -> Iterator[Backends]:
    workdir = Path(tempfile.mkdtemp(prefix="vf-bench-"))
    workdir.chmod(0o755)  # the cluster runs as the postgres user and must reach its directory
    pg_dir = workdir / "pg"
    server: str | None = None
    try:
        if "postgres" in wanted:
            env = {**os.environ, "PG_FSYNC": "on"}
            server = subprocess.run(
                [str(ROOT / "scripts" / "pg-cluster"), "start", str(pg_dir), str(free_port())],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            ).stdout.strip()
        yield Backends(workdir, server)
    finally:
        if server is not None:
            subprocess.run([str(ROOT / "scripts" / "pg-cluster"), "stop", str(pg_dir)], check=False)
        shutil.rmtree(workdir, ignore_errors=True)
