"""What readiness asks the database, on connections of its own.

Probes do not borrow from the request pool: under heavy load every pooled connection may be busy
for seconds, and a pod whose pool is saturated is loaded, not broken. Taking it out of the Service
would move its load onto the others and spread the failure. A probe instead opens a fresh
connection (NullPool: nothing is kept, so nothing needs closing), which is also exactly what a
request would need after the pool lost its connections."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from vextrus_finance.infrastructure.db.database import Database
from vextrus_finance.infrastructure.db.errors import is_connection_failure


def probe_engine(db: Database, timeout_s: float) -> AsyncEngine:
    return create_async_engine(db.url, poolclass=NullPool, connect_args={"timeout": timeout_s})


async def schema_revision(conn: AsyncConnection) -> str | None:
    """Alembic's version row read directly (MigrationContext would log a line per probe);
    None when the database was never migrated."""
    try:
        result = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DBAPIError as exc:
        if is_connection_failure(exc):
            raise
        return None
    return result.scalar_one_or_none()
