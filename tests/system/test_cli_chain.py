"""`vextrus-finance verify` finds an event edited with SQL and names it (ADR 0046)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.system.server import cli
from vextrus_finance.infrastructure.db.database import async_url


async def _edit_an_event(database_url: str) -> tuple[int, str]:
    """Change the description in the first journal's draft event; its position and id."""
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.begin() as conn:
            found = await conn.execute(
                sa.text(
                    "SELECT position, event_id FROM events WHERE event_type = 'JournalDrafted' "
                    "ORDER BY position LIMIT 1"
                )
            )
            position, event_id = found.one()
            edit = (
                "UPDATE events SET data = json_set(data, '$.description', 'edited')"
                if engine.dialect.name == "sqlite"
                else "UPDATE events SET data = jsonb_set(data, '{description}', '\"edited\"')"
            )
            await conn.execute(sa.text(edit + " WHERE position = :p"), {"p": position})
            return int(position), str(event_id)
    finally:
        await engine.dispose()


async def test_verify_names_an_edited_event(database_url: str) -> None:
    cli("seed", database_url=database_url)
    assert cli("verify", database_url=database_url).returncode == 0
    position, event_id = await _edit_an_event(database_url)
    failed = cli("verify", database_url=database_url, check=False, COLUMNS="400")
    assert failed.returncode == 1
    assert f"hash mismatch at position {position} (event {event_id})" in failed.stderr
    assert "FAILED" in failed.stderr
