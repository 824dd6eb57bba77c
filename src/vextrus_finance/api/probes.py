"""What readiness and the health report check: the database answering in time, its schema at
the migrations' head (or ahead of it), and the process not draining for shutdown.

The database checks run on an engine of their own (`infrastructure/db/probes.py`), made when
the app starts and disposed when it stops: a request pool saturated by load must not make a pod
unready."""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from vextrus_finance.infrastructure import migrations
from vextrus_finance.infrastructure.db.database import Database
from vextrus_finance.infrastructure.db.errors import is_connection_failure
from vextrus_finance.infrastructure.db.probes import probe_engine, schema_revision
from vextrus_finance.observability import metrics
from vextrus_finance.observability.drain import Drain

Check = dict[str, Any]


@functools.cache
def _head() -> str:
    return migrations.head_revision()  # reads the migration scripts: once per process


@functools.cache
def _known() -> frozenset[str]:
    return migrations.known_revisions()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


class HealthProbes:
    def __init__(self, engine: AsyncEngine, timeout_s: float, drain: Drain) -> None:
        self.engine = engine
        self.timeout_s = timeout_s
        self.drain = drain

    @classmethod
    def open(cls, db: Database, timeout_s: float, drain: Drain) -> HealthProbes:
        return cls(probe_engine(db, timeout_s), timeout_s, drain)

    async def close(self) -> None:
        await self.engine.dispose()

    async def checks(self) -> dict[str, Check]:
        database, schema = await self._database_checks()
        return {"database": database, "migrations": schema, "shutdown": self._shutdown_check()}

    async def _database_checks(self) -> tuple[Check, Check]:
        """(database, migrations) from one connection: reachable in time, schema at head."""
        started = time.perf_counter()
        timeout = self.timeout_s
        database: Check | None = None
        try:
            async with asyncio.timeout(timeout), self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
                database = {"status": "up", "latency_ms": _ms(started)}
                started = time.perf_counter()
                revision = await schema_revision(conn)
        except Exception as exc:
            if is_connection_failure(exc):
                metrics.connection_errors.inc()
            error = f"no answer within {timeout:g} s" if isinstance(exc, TimeoutError) else None
            down = {
                "status": "down",
                "error": error or type(exc).__name__,
                "latency_ms": _ms(started),
            }
            if database is not None:  # connected, but reading the schema version failed
                return database, down
            return down, {"status": "unknown", "error": "database unreachable"}
        head = _head()
        schema: Check = {"status": "up", "latency_ms": _ms(started), "revision": revision}
        if revision is not None and revision != head and revision not in _known():
            # A newer release migrated first (the rollout's migration Job runs before its
            # canary). Migrations are expand-only (ADR 0015), so this version still works on
            # that schema and stays ready: the stable track keeps serving while the canary is
            # judged.
            schema.update(ahead_of=head)
        elif revision != head:
            schema.update(status="down", error=f"schema at {revision}, code expects {head}")
        return database, schema

    def _shutdown_check(self) -> Check:
        if self.drain.active:
            return {"status": "down", "error": "draining for shutdown", "latency_ms": 0.0}
        return {"status": "up", "latency_ms": 0.0}
