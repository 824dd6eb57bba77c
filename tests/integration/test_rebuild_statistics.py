"""After a rebuild rewrote every read-model row, the planner gets fresh statistics for them —
`ANALYZE` on SQLite, `VACUUM (ANALYZE)` on PostgreSQL, whose visibility map also lets the
trial balance's index-only scans skip the heap again (ADR 0024)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.integration.test_rebuild_verify import _ledger
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder

# Tables the ledger of `_ledger` fills, each with a secondary index (ANALYZE writes
# sqlite_stat1 rows for indexes).
FILLED = ("accounts", "account_period_totals", "journals", "ledger_entries")


async def test_a_rebuild_leaves_fresh_planner_statistics(container: Container) -> None:
    await _ledger(container)
    async with container.db.read() as conn:
        if container.db.is_sqlite:
            assert not set(FILLED) & await _sqlite_analysed(conn)
        else:
            before = await _postgres_state(conn)
            assert not any(all_visible for all_visible, _ in before.values()), before
    await Rebuilder(container.db, container.store).rebuild()
    async with container.db.read() as conn:
        if container.db.is_sqlite:
            assert set(FILLED) <= await _sqlite_analysed(conn)
        else:
            after = await _postgres_state(conn)
            for table in FILLED:
                all_visible, reltuples = after[table]
                assert all_visible, (table, after[table])
                assert reltuples > 0, (table, after[table])


async def _sqlite_analysed(conn: AsyncConnection) -> set[str]:
    """Tables with rows in sqlite_stat1 (which exists after the first ANALYZE)."""
    exists = await conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    )
    if exists.first() is None:
        return set()
    found = await conn.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1")
    return {str(row[0]) for row in found}


async def _postgres_state(conn: AsyncConnection) -> dict[str, tuple[bool, float]]:
    """Per table: every page marked all-visible (only VACUUM sets that), and the row estimate
    (ANALYZE and VACUUM set it; -1 means never analysed). Both live in pg_class and change
    with the command's own transaction, unlike the asynchronously reported pg_stat views."""
    result = await conn.execute(
        sa.text(
            "SELECT relname, relpages > 0 AND relallvisible = relpages, reltuples FROM pg_class"
            " WHERE relkind = 'r' AND relname = ANY(:names)"
        ),
        {"names": list(FILLED)},
    )
    return {row[0]: (bool(row[1]), float(row[2])) for row in result}
