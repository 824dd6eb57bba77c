"""The SQLite rebuild's swap (ADR 0027): shadow tables filled in the main database, made from
the live tables' stored definitions, swapped in by DROP TABLE + ALTER TABLE … RENAME. The live
tables keep exactly their definitions and indexes, readers keep their snapshot until the swap
commits, and shadow tables left by a crashed rebuild are dropped by the next one."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.integration.helpers import STANDARD, journal, open_accounts
from tests.integration.test_rebuild_verify import _ledger, _snapshot_of_read_models
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.db.schema import journals, ledger_entries
from vextrus_finance.infrastructure.projections.tables import LIVE, SHADOW_PREFIX
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder


@pytest.fixture
def sqlite_container(container: Container) -> Container:
    if not container.db.is_sqlite:
        pytest.skip("the drop-and-rename swap is SQLite's; PostgreSQL copies the rows")
    return container


async def _schema(container: Container) -> dict[tuple[str, str], str | None]:
    """type and name → stored SQL of every table and index (autoindexes included) of the
    read models; the table name in CREATE TABLE unquoted (ALTER TABLE … RENAME quotes it)."""
    names = tuple(t.name for t in LIVE.all())
    marks = ", ".join("?" * len(names))
    async with container.db.read() as conn:
        rows = await conn.exec_driver_sql(
            f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks})",
            names,
        )
        found = {(str(r[0]), str(r[1])): r[2] for r in rows}
    return {
        key: None if sql is None else re.sub(r'^CREATE TABLE "(\w+)"', r"CREATE TABLE \1", sql)
        for key, sql in found.items()
    }


async def _shadow_tables(container: Container) -> list[str]:
    async with container.db.read() as conn:
        names = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    return [name for name in names if name.startswith(SHADOW_PREFIX)]


async def test_the_swap_keeps_every_definition_and_index(sqlite_container: Container) -> None:
    """Constraints, defaults, NOT NULL, UNIQUE and secondary indexes: the same stored SQL
    after one rebuild and after a second one (which starts from the renamed tables)."""
    container = sqlite_container
    await _ledger(container)
    before_schema = await _schema(container)
    assert ("index", "ix_ledger_entries_account_order") in before_schema
    assert ("index", "sqlite_autoindex_journals_2") in before_schema  # UNIQUE (tenant, number)
    before_rows = await _snapshot_of_read_models(container)
    for _ in range(2):
        await Rebuilder(container.db, container.store).rebuild()
        assert await _schema(container) == before_schema
        assert await _snapshot_of_read_models(container) == before_rows
        assert await _shadow_tables(container) == []
    # The UNIQUE constraint came along: a second journal number is refused.
    async with container.db.write() as conn:
        row = (await conn.execute(sa.select(journals).limit(1))).mappings().one()
        with pytest.raises(sa.exc.IntegrityError):
            async with conn.begin_nested():
                await conn.execute(sa.insert(journals).values({**row, "id": "another-id"}))


async def test_a_reader_keeps_its_snapshot_until_the_swap_commits(
    sqlite_container: Container,
) -> None:
    container = sqlite_container
    await _ledger(container)
    async with container.db.write() as conn:  # rows the rebuild will put right
        await conn.execute(sa.update(ledger_entries).values(debit=ledger_entries.c.debit + 7))
    total = sa.select(sa.func.sum(ledger_entries.c.debit))
    async with container.db.read() as reader:
        tampered = (await reader.execute(total)).scalar_one()
        await Rebuilder(container.db, container.store).rebuild()
        # Same transaction: the old table, old rows, old indexes.
        assert (await reader.execute(total)).scalar_one() == tampered
        rows = (await reader.execute(sa.select(ledger_entries))).all()
        assert rows
        assert all(r.debit >= 7 for r in rows)
    async with container.db.read() as reader:
        assert (await reader.execute(total)).scalar_one() == tampered - 7 * len(rows)


async def test_shadow_tables_left_by_a_crashed_rebuild_are_dropped(container: Container) -> None:
    """A rebuild killed while filling leaves `rebuild_*` tables in the database file; the next
    rebuild drops them first (their rows must not leak into the result) and leaves none."""
    await _ledger(container)
    before = await _snapshot_of_read_models(container)
    rebuilder = Rebuilder(container.db, container.store)
    shadow, _ = await rebuilder._create_shadow()  # what a killed process leaves behind
    async with container.db.write() as conn:  # half-filled, with rows that must not survive
        await conn.execute(
            sa.insert(shadow.ledger_entries).from_select(
                [c.name for c in ledger_entries.c], sa.select(ledger_entries)
            )
        )
        await conn.execute(
            sa.update(shadow.ledger_entries).values(debit=shadow.ledger_entries.c.debit + 1000)
        )
    assert len(await _shadow_tables(container)) == len(LIVE.all())
    await open_accounts(container, "t3", STANDARD)
    await journal(container, "t3", date(2025, 9, 15), ("1000", "3.00", "0"), ("3000", "0", "3.00"))
    after_commands = await _snapshot_of_read_models(container)
    assert after_commands != before
    await rebuilder.rebuild()
    assert await _shadow_tables(container) == []
    assert await _snapshot_of_read_models(container) == after_commands
    assert (await rebuilder.verify()).ok
    assert await _shadow_tables(container) == []
