"""The migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure import migrations
from vextrus_finance.infrastructure.db.schema import metadata


def _diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return list(compare_metadata(context, metadata))


async def test_schema_at_head_matches_the_code(container: Container) -> None:
    async with container.db.writer() as conn:
        assert await migrations.current_revision(conn) == migrations.head_revision()
        assert await conn.run_sync(_diff) == []


async def test_migrating_twice_changes_nothing(container: Container) -> None:
    await container.migrate()
    await container.migrate()
    async with container.db.writer() as conn:
        assert await migrations.current_revision(conn) == migrations.head_revision()
