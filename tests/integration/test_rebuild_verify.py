"""`projections rebuild` and `verify`: a rebuild equals the live read models, tampering is
found, and a rebuild repairs it — also while writers keep writing."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
import sqlalchemy as sa

from tests.integration.helpers import STANDARD, journal, open_accounts, run
from vextrus_finance.application.ledger.journals import ReverseJournal, reverse_journal
from vextrus_finance.application.ledger.periods import ChangePeriod, change_period
from vextrus_finance.application.seed import seed_chart, seed_demo_journals
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.db.schema import accounts, journals, ledger_entries
from vextrus_finance.infrastructure.projections.tables import LIVE
from vextrus_finance.infrastructure.rebuild import rebuild
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder


async def _snapshot_of_read_models(container: Container) -> dict[str, list[tuple[object, ...]]]:
    tables = {}
    async with container.db.read() as conn:
        for table in LIVE.all():
            rows = (await conn.execute(sa.select(table).order_by(*table.primary_key.columns))).all()
            tables[table.name] = [tuple(r) for r in rows]
    return tables


async def _ledger(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    posted = await journal(
        container, "t1", date(2025, 7, 3), ("1000", "500.00", "0"), ("3000", "0", "500.00")
    )
    await journal(
        container, "t1", date(2025, 8, 9), ("5000", "120.50", "0"), ("1000", "0", "120.50")
    )
    await journal(
        container, "t1", date(2025, 8, 9), ("1100", "1.00", "0"), ("2000", "0", "1.00"), post=False
    )
    await run(
        container, "t1", lambda uow: reverse_journal(uow, ReverseJournal(posted, date(2025, 9, 1)))
    )
    await run(
        container,
        "t1",
        lambda uow: change_period(uow, ChangePeriod("FY2025-2026-P01", "July is done", close=True)),
    )
    await run(container, "t2", seed_chart)
    await run(container, "t2", lambda uow: seed_demo_journals(uow, date(2025, 10, 1)))


async def test_verify_passes_on_a_consistent_ledger(container: Container) -> None:
    await _ledger(container)
    report = await Rebuilder(container.db, container.store).verify()
    assert report.ok, report
    async with container.db.read() as conn:
        assert report.events == await container.store.head_position(conn)


async def test_rebuild_reproduces_the_read_models_exactly(container: Container) -> None:
    await _ledger(container)
    before = await _snapshot_of_read_models(container)
    progress: list[tuple[int, int]] = []
    replayed = await Rebuilder(container.db, container.store).rebuild(
        lambda d, t: progress.append((d, t))
    )
    after = await _snapshot_of_read_models(container)
    assert after == before
    assert sum(len(rows) for rows in after.values()) > 100
    assert progress
    assert progress[-1][0] == replayed


async def test_rebuild_in_many_small_transactions_reproduces_the_read_models(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild sums account and month totals across its fill transactions and writes them at
    the end (ADR 0023): with 3 events per transaction the sums span dozens of commits and are
    interrupted by reversals and a period change, which the one-by-one projector applies."""
    await _ledger(container)
    monkeypatch.setattr(rebuild, "EVENTS_PER_TRANSACTION", 3)
    monkeypatch.setattr(rebuild, "SQLITE_EVENTS_PER_TRANSACTION", 3)
    before = await _snapshot_of_read_models(container)
    await Rebuilder(container.db, container.store).rebuild()
    assert await _snapshot_of_read_models(container) == before
    assert (await Rebuilder(container.db, container.store).verify()).ok


async def test_rebuild_keeps_every_live_index(container: Container) -> None:
    """On SQLite the swap drops the live tables' secondary indexes and creates them again after
    the copy (ADR 0023): the same indexes, with the same columns, must be there afterwards."""

    async def indexes() -> list[tuple[str, str, tuple[str | None, ...], bool]]:
        def read(sync_conn: sa.Connection) -> list[tuple[str, str, tuple[str | None, ...], bool]]:
            inspector = sa.inspect(sync_conn)
            return sorted(
                (table.name, str(ix["name"]), tuple(ix["column_names"]), bool(ix["unique"]))
                for table in LIVE.all()
                for ix in inspector.get_indexes(table.name)
            )

        async with container.db.read() as conn:
            return await conn.run_sync(read)

    await _ledger(container)
    before = await indexes()
    assert any(name == "ix_journals_tenant_date" for _, name, _, _ in before)
    await Rebuilder(container.db, container.store).rebuild()
    assert await indexes() == before


async def test_verify_finds_tampering_and_rebuild_repairs_it(container: Container) -> None:
    await _ledger(container)
    async with container.db.write() as conn:
        await conn.execute(
            sa.update(accounts)
            .where(accounts.c.code == "1000", accounts.c.tenant_id == "t1")
            .values(debit_total=accounts.c.debit_total + 1)
        )
        await conn.execute(
            sa.delete(journals).where(journals.c.status == "DRAFT", journals.c.tenant_id == "t1")
        )
        await conn.execute(
            sa.update(ledger_entries)
            .where(ledger_entries.c.tenant_id == "t2", ledger_entries.c.line_no == 1)
            .values(debit=ledger_entries.c.debit + 100)
        )
    rebuilder = Rebuilder(container.db, container.store)
    report = await rebuilder.verify()
    assert not report.ok
    assert {d.table for d in report.differences} == {"accounts", "journals", "ledger_entries"}
    assert {i.tenant_id for i in report.imbalances} == {"t2"}
    assert report.account_total_mismatches >= 1
    await rebuilder.rebuild()
    assert (await rebuilder.verify()).ok


async def test_rebuild_while_writers_keep_posting(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)

    async def write() -> None:
        for i in range(40):
            await journal(
                container,
                "t1",
                date(2025, 9, 2),
                ("1000", f"{i}.01", "0"),
                ("4000", "0", f"{i}.01"),
            )

    writer = asyncio.create_task(write())
    await asyncio.sleep(0.05)
    await Rebuilder(container.db, container.store).rebuild()
    await writer
    assert (await Rebuilder(container.db, container.store).verify()).ok
