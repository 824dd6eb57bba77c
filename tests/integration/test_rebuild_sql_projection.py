"""The rebuild's SQL projection (ADR 0024): accounts opened and journals drafted and posted are
projected from the events' JSON in SQL, everything else through the Python projectors in log
order, and the result equals what the commands projected live — on both databases, for a log
that interleaves the two paths within one batch, across tenants, with amounts of many digits
and with events the SQL must leave to Python."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa

from tests.integration.helpers import STANDARD, journal, open_accounts, run
from tests.integration.test_rebuild_verify import _ledger, _snapshot_of_read_models
from tests.invoices.helpers import new_invoice, new_payment, seed_tenant, simple_line
from vextrus_finance.application.ledger.journals import (
    CancelJournal,
    LineSpec,
    PostJournal,
    ReverseJournal,
    ReviseJournal,
    cancel_journal,
    post_journal,
    reverse_journal,
    revise_journal,
)
from vextrus_finance.application.ledger.periods import ChangePeriod, change_period
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.journals import JournalDrafted, JournalLine, JournalPosted, JournalType
from vextrus_finance.infrastructure.db.schema import journal_lines, ledger_entries
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.projections import sql as sql_projection
from vextrus_finance.infrastructure.projections.bulk import BulkProjector
from vextrus_finance.infrastructure.projections.inline import ProjectionError
from vextrus_finance.infrastructure.projections.sql import SqlProjection, plan
from vextrus_finance.infrastructure.projections.tables import LIVE
from vextrus_finance.infrastructure.rebuild import rebuild
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder

BIG = "999999999999.99"  # the largest amount the domain accepts: 14 digits of paisa


class _Recorded(SqlProjection):
    made: ClassVar[list[SqlProjection]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _Recorded.made.append(self)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[SqlProjection]:
    _Recorded.made = []
    monkeypatch.setattr(rebuild, "SqlProjection", _Recorded)
    return _Recorded.made


@pytest.fixture
def sql_for_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run of projectable events goes through SQL, however short."""
    monkeypatch.setattr(sql_projection, "MIN_SQL_RUN", 1)


async def _handmade(container: Container, tenant: str, ids: dict[str, str]) -> dict[str, int]:
    """Events no command writes today but the log may hold (written by older code or by hand):
    amounts not in the two-decimal form, a posting time not in UTC, metadata without a user.
    Appended and projected live the way a command does it; returns their positions."""
    now = datetime(2025, 9, 3, 10, 30, tzinfo=UTC)

    def line(code: str, debit: str, credit: str) -> JournalLine:
        return JournalLine(f"line-{code}-{debit}", ids[code], code, Decimal(debit), Decimal(credit))

    drafted = JournalDrafted(
        number="GJ-2025-09-900001",
        date=date(2025, 9, 3),
        type=JournalType.GENERAL,
        currency="BDT",
        description="hand-made",
        reference=None,
        fiscal_period="FY2025-2026-P03",
        lines=(line("1000", "1E+2", "0"), line("1100", "1.5", "0"), line("3000", "0", "101.50")),
    )
    dhaka = timezone(timedelta(hours=6))
    posted = JournalPosted(
        posted_at=datetime(2025, 9, 3, 16, 30, 0, 250, tzinfo=dhaka), posted_by="u"
    )
    batch = [
        EventEnvelope(tenant, "journal", "handmade-1", 1, drafted, {}, now),
        EventEnvelope(tenant, "journal", "handmade-1", 2, posted, {"user_id": "u"}, now),
    ]
    async with container.db.write() as conn:
        last = await container.store.append(conn, batch)
        await BulkProjector(LIVE).apply(conn, batch)
    return {"drafted": last - 1, "posted": last}


async def _mixed_log(container: Container) -> dict[str, int]:
    """Tenant t1 interleaves bulk events with reversals, revisions, cancellations, a late
    posting and a period close; t2 is the demo ledger; t3 has invoices and payments."""
    await _ledger(container)  # t1 and t2: journals, a reversal, a draft, a closed period
    ids = await open_accounts(
        container, "t4", [*STANDARD, ("1200", AccountType.ASSET), ("2100", AccountType.LIABILITY)]
    )
    await journal(container, "t4", date(2025, 9, 1), ("1000", BIG, "0.00"), ("3000", "0.00", BIG))
    await journal(
        container, "t4", date(2025, 9, 1), ("5000", "0.01", "0.00"), ("1000", "0.00", "0.01")
    )
    late = await journal(
        container,
        "t4",
        date(2025, 9, 2),
        ("1100", "12.34", "0.00"),
        ("2000", "0.00", "12.34"),
        post=False,
    )
    revised = await journal(
        container,
        "t4",
        date(2025, 9, 2),
        ("1200", "7.00", "0.00"),
        ("2100", "0.00", "7.00"),
        post=False,
    )
    cancelled = await journal(
        container,
        "t4",
        date(2025, 9, 2),
        ("1000", "3.00", "0.00"),
        ("4000", "0.00", "3.00"),
        post=False,
    )
    reversed_ = await journal(
        container,
        "t4",
        date(2025, 9, 4),
        ("5000", "123456789012.05", "0.00"),
        ("1000", "0.00", "123456789012.05"),
    )
    await journal(
        container, "t4", date(2025, 9, 5), ("1100", "40.00", "0.00"), ("4000", "0.00", "40.00")
    )
    await run(
        container,
        "t4",
        lambda uow: reverse_journal(uow, ReverseJournal(reversed_, date(2025, 9, 6))),
    )
    new_lines = (
        LineSpec(None, "1200", Decimal("8.25"), Decimal(0), description="line text"),
        LineSpec(None, "2000", Decimal(0), Decimal("8.25"), cost_center="CC-1"),
    )
    await run(
        container, "t4", lambda uow: revise_journal(uow, ReviseJournal(revised, lines=new_lines))
    )
    await journal(
        container, "t4", date(2025, 9, 7), ("1000", "1.00", "0.00"), ("4000", "0.00", "1.00")
    )
    await run(container, "t4", lambda uow: post_journal(uow, PostJournal(late)))
    await run(container, "t4", lambda uow: post_journal(uow, PostJournal(revised)))
    await run(
        container,
        "t4",
        lambda uow: cancel_journal(uow, CancelJournal(cancelled, "not needed after all")),
    )
    await journal(
        container, "t4", date(2025, 9, 8), ("5000", "2.50", "0.00"), ("1000", "0.00", "2.50")
    )
    await run(
        container,
        "t4",
        lambda uow: change_period(
            uow, ChangePeriod("FY2025-2026-P02", "August is done", close=True)
        ),
    )
    await seed_tenant(container, "t3")
    invoice = await new_invoice(container, "t3", simple_line("1500.00"))
    await new_payment(container, "t3", invoice, "1500.00")
    handmade = await _handmade(container, "t4", ids)
    await journal(
        container, "t4", date(2025, 9, 9), ("1100", "5.55", "0.00"), ("4000", "0.00", "5.55")
    )
    return handmade


@pytest.mark.parametrize("per_transaction", [10_000, 4])
@pytest.mark.usefixtures("sql_for_every_run")
async def test_sql_and_python_paths_interleaved_reproduce_the_live_read_models(
    container: Container,
    recorded: list[SqlProjection],
    monkeypatch: pytest.MonkeyPatch,
    per_transaction: int,
) -> None:
    """One batch of the whole log (the two paths alternate inside it), and batches of 4 events
    (drafts posted in a later transaction, postings of drafts projected by Python)."""
    await _mixed_log(container)
    monkeypatch.setattr(rebuild, "EVENTS_PER_TRANSACTION", per_transaction)
    monkeypatch.setattr(rebuild, "SQLITE_EVENTS_PER_TRANSACTION", per_transaction)
    before = await _snapshot_of_read_models(container)
    await Rebuilder(container.db, container.store).rebuild()
    assert await _snapshot_of_read_models(container) == before
    [projection] = recorded
    assert projection.events_by_sql > 100
    assert projection.events_by_python > 10
    assert (await Rebuilder(container.db, container.store).verify()).ok


async def test_many_digit_amounts_are_exact_in_every_table(
    container: Container, sql_for_every_run: None, recorded: list[SqlProjection]
) -> None:
    await _mixed_log(container)
    await Rebuilder(container.db, container.store).rebuild()
    assert recorded[0].events_by_sql > 0
    async with container.db.read() as conn:
        lines = await conn.execute(
            sa.select(journal_lines.c.debit).where(journal_lines.c.tenant_id == "t4")
        )
        assert 99999999999999 in {row[0] for row in lines}
        ledger = await conn.execute(
            sa.select(sa.func.sum(ledger_entries.c.debit)).where(ledger_entries.c.tenant_id == "t4")
        )
        # BIG + 0.01 + 123456789012.05 (and its reversal) + 12.34 + 8.25 + 40 + 1 + 2.50
        # + the hand-made 100 + 1.50 + 5.55
        expected = (
            99999999999999
            + 1
            + 2 * 12345678901205
            + 1234
            + 825
            + 4000
            + 100
            + 250
            + 10000
            + 150
            + 555
        )
        assert ledger.scalar_one() == expected


async def test_sqlite_leaves_inexact_forms_to_python(container: Container) -> None:
    """SQLite has no exact decimal: an amount not written as digits with two decimals, or a
    time not in UTC, sends its event to Python. PostgreSQL converts both exactly itself."""
    ids = await open_accounts(container, "t4", STANDARD)
    handmade = await _handmade(container, "t4", ids)
    ordinary = await journal(
        container, "t4", date(2025, 9, 9), ("1100", "5.55", "0.00"), ("4000", "0.00", "5.55")
    )
    assert ordinary
    projection = SqlProjection(LIVE, container.store)
    async with container.db.read() as conn:
        head = await container.store.head_position(conn)
        left = await projection.unprojectable(conn, 0, head)
    if container.db.is_sqlite:
        assert left == [handmade["drafted"], handmade["posted"]]
    else:
        assert left == []


def test_plan_splits_at_unprojectable_events_and_merges_short_runs() -> None:
    assert plan(0, 100, [], 32) == [sql_projection.Piece("sql", 0, 100)]
    assert plan(0, 100, [50], 32) == [
        sql_projection.Piece("sql", 0, 49),
        sql_projection.Piece("python", 49, 50),
        sql_projection.Piece("sql", 50, 100),
    ]
    # 10 projectable events between two others: not worth SQL, one Python piece
    assert plan(0, 100, [40, 51], 32) == [
        sql_projection.Piece("sql", 0, 39),
        sql_projection.Piece("python", 39, 51),
        sql_projection.Piece("sql", 51, 100),
    ]
    assert plan(0, 10, [1, 10], 1) == [
        sql_projection.Piece("python", 0, 1),
        sql_projection.Piece("sql", 1, 9),
        sql_projection.Piece("python", 9, 10),
    ]
    assert plan(0, 100, [], 200) == [sql_projection.Piece("python", 0, 100)]


def _line(n: int, account: str, code: str, debit: str, credit: str, **text: str) -> JournalLine:
    return JournalLine(f"line-{n}", account, code, Decimal(debit), Decimal(credit), **text)


@pytest.mark.usefixtures("sql_for_every_run")
async def test_line_fields_set_null_or_missing_and_a_journal_without_lines_project_alike(
    container: Container, recorded: list[SqlProjection]
) -> None:
    """The SQL reads each line field by its path in the event: a field set, null, or missing
    from the stored JSON (as older code wrote it) gives the row the Python projection gives;
    a draft without lines gets zero totals."""
    ids = await open_accounts(container, "t5", STANDARD)
    now = datetime(2025, 9, 3, 10, 30, tzinfo=UTC)

    def drafted(number: str, lines: tuple[JournalLine, ...]) -> JournalDrafted:
        return JournalDrafted(
            number=number,
            date=date(2025, 9, 3),
            type=JournalType.GENERAL,
            currency="BDT",
            description="header text",
            reference="REF-1",
            fiscal_period="FY2025-2026-P03",
            lines=lines,
        )

    full = {"description": "own text", "cost_center": "CC-9", "project": "P-1", "tax_code": "VAT"}
    lines = (
        _line(1, ids["1000"], "1000", "10.00", "0.00", **full),
        _line(2, ids["1100"], "1100", "5.25", "0.00"),  # optional fields null
        _line(3, ids["3000"], "3000", "0.00", "15.25"),  # optional fields missing (below)
    )
    posted = JournalPosted(posted_at=now, posted_by="u")
    meta = {"user_id": "u"}
    batch = [
        EventEnvelope("t5", "journal", "fields-1", 1, drafted("GJ-1", lines), meta, now),
        EventEnvelope("t5", "journal", "fields-1", 2, posted, meta, now),
        EventEnvelope("t5", "journal", "empty-1", 1, drafted("GJ-2", ()), meta, now),
    ]
    async with container.db.write() as conn:
        await container.store.append(conn, batch)
        await BulkProjector(LIVE).apply(conn, batch)
        for name in ("description", "cost_center", "project", "tax_code"):
            data = (
                f"json_remove(data, '$.lines[2].{name}')"
                if container.db.is_sqlite
                else f"data #- '{{lines,2,{name}}}'"
            )
            await conn.execute(
                sa.text(f"UPDATE events SET data = {data} WHERE stream_id = 'fields-1'")
            )
        stored = await conn.execute(
            sa.text("SELECT data FROM events WHERE stream_id = 'fields-1' AND version = 1")
        )
        assert "tax_code" not in str(stored.scalar_one()).split("line-3")[1]
    before = await _snapshot_of_read_models(container)
    await Rebuilder(container.db, container.store).rebuild()
    assert await _snapshot_of_read_models(container) == before
    assert recorded[0].events_by_python == 0
    rows = [r for r in before["journal_lines"] if r[0] == "t5"]
    assert [r[8:12] for r in rows] == [("own text", "CC-9", "P-1", "VAT"), *[(None,) * 4] * 2]
    empty = [r for r in before["journals"] if r[1] == "empty-1"]
    assert [(r[10], r[11]) for r in empty] == [(0, 0)]


@pytest.mark.parametrize("per_transaction", [10_000, 2])
@pytest.mark.parametrize("fault", ["no draft", "posted twice"])
@pytest.mark.usefixtures("sql_for_every_run")
async def test_a_posting_without_its_journal_fails_the_rebuild(
    container: Container, monkeypatch: pytest.MonkeyPatch, per_transaction: int, fault: str
) -> None:
    """As `Projector` refuses it: a posting of a journal that has no row — in the same fill
    transaction as other postings or alone in a later one — or a draft posted twice by
    postings written apart from it; the live tables stay as they were."""
    await open_accounts(container, "t6", STANDARD)
    draft = await journal(
        container,
        "t6",
        date(2025, 9, 1),
        ("1000", "1.00", "0.00"),
        ("3000", "0.00", "1.00"),
        post=fault != "posted twice",
    )
    await journal(
        container, "t6", date(2025, 9, 2), ("1100", "2.00", "0.00"), ("4000", "0.00", "2.00")
    )
    now = datetime(2025, 9, 3, 10, 30, tzinfo=UTC)
    meta = {"user_id": "u"}

    def posting(stream: str, version: int) -> EventEnvelope:
        event = JournalPosted(posted_at=now, posted_by="u")
        return EventEnvelope("t6", "journal", stream, version, event, meta, now)

    bad = (
        [posting("no-draft", 2)] if fault == "no draft" else [posting(draft, 2), posting(draft, 3)]
    )
    async with container.db.write() as conn:
        # Appended without projecting them: the live projection would refuse them too.
        await container.store.append(conn, bad)
    monkeypatch.setattr(rebuild, "EVENTS_PER_TRANSACTION", per_transaction)
    monkeypatch.setattr(rebuild, "SQLITE_EVENTS_PER_TRANSACTION", per_transaction)
    before = await _snapshot_of_read_models(container)
    # Two postings in different fill transactions reach the ledger twice instead (as they
    # do through `Projector`): its primary key refuses the second copy.
    apart = fault == "posted twice" and per_transaction == 2
    refused = (ProjectionError, sa.exc.IntegrityError) if apart else ProjectionError
    with pytest.raises(refused):
        await Rebuilder(container.db, container.store).rebuild()
    assert await _snapshot_of_read_models(container) == before


@pytest.mark.usefixtures("sql_for_every_run")
async def test_postings_apart_from_their_drafts_in_one_run(
    container: Container, recorded: list[SqlProjection]
) -> None:
    """Drafts posted later in the same run (other events between, so not folded into the
    draft's row on SQLite) and one posted right away: all through SQL, rows as live."""
    await open_accounts(container, "t7", STANDARD)
    first, second = [
        await journal(
            container,
            "t7",
            date(2025, 9, d),
            ("1000", f"{d}.00", "0.00"),
            ("3000", "0.00", f"{d}.00"),
            post=False,
        )
        for d in (1, 2)
    ]
    await journal(
        container, "t7", date(2025, 9, 3), ("1100", "3.00", "0.00"), ("4000", "0.00", "3.00")
    )
    await run(container, "t7", lambda uow: post_journal(uow, PostJournal(second)))
    await run(container, "t7", lambda uow: post_journal(uow, PostJournal(first)))
    before = await _snapshot_of_read_models(container)
    await Rebuilder(container.db, container.store).rebuild()
    assert await _snapshot_of_read_models(container) == before
    assert recorded[0].events_by_python == 0
    assert len([r for r in before["ledger_entries"] if r[0] == "t7"]) == 6
