"""`verify` and the trial balance on stored values outside the ledger's limits (written by
code older than domain/limits.py, or by hand): each is reported, nothing crashes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from tests.api.helpers import problem_of
from tests.integration.helpers import STANDARD, journal, open_accounts
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.journals import JournalDrafted, JournalLine, JournalPosted, JournalType
from vextrus_finance.infrastructure.db.schema import account_period_totals, accounts
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder

OLD_MAX = Decimal("999999999999999.99")  # the line limit before totals were bounded


async def _legacy_journals(container: Container, ids: dict[str, str], count: int) -> None:
    """`count` posted journals of 40 lines of OLD_MAX on one account each side, appended to
    the log as older code wrote them (no read model could hold three of them)."""
    now = datetime(2025, 9, 3, 10, 30, tzinfo=UTC)
    batch = []
    sides = (("1000", OLD_MAX, Decimal(0)), ("3000", Decimal(0), OLD_MAX))
    for j in range(count):
        lines = tuple(
            JournalLine(f"l{j}-{i}", ids[code], code, debit, credit)
            for i in range(40)
            for code, debit, credit in sides
        )
        drafted = JournalDrafted(
            number=f"GJ-2025-09-9{j:05d}",
            date=date(2025, 9, 3),
            type=JournalType.GENERAL,
            currency="BDT",
            description="legacy",
            reference=None,
            fiscal_period="FY2025-2026-P03",
            lines=lines,
        )
        posted = JournalPosted(posted_at=now, posted_by="u")
        batch += [
            EventEnvelope("t1", "journal", f"legacy-{j}", 1, drafted, {}, now),
            EventEnvelope("t1", "journal", f"legacy-{j}", 2, posted, {"user_id": "u"}, now),
        ]
    async with container.db.write() as conn:
        await container.store.append(conn, batch)


async def test_verify_reports_events_whose_totals_overflow(container: Container) -> None:
    ids = await open_accounts(container, "t1", STANDARD)
    await _legacy_journals(container, ids, 3)
    report = await Rebuilder(container.db, container.store).verify()
    assert not report.ok
    assert report.out_of_range, report


async def test_verify_reports_stored_totals_out_of_range(container: Container) -> None:
    ids = await open_accounts(container, "t1", STANDARD)
    await journal(container, "t1", date(2025, 9, 1), ("1000", "5.00", "0"), ("3000", "0", "5.00"))
    huge = 9_000_000_000_000_000_000  # inside bigint, far outside the ledger's limit
    async with container.db.write() as conn:
        await conn.execute(
            sa.update(accounts).where(accounts.c.id == ids["1000"]).values(debit_total=huge)
        )
    report = await Rebuilder(container.db, container.store).verify()
    assert not report.ok
    assert any(ids["1000"] in finding for finding in report.out_of_range), report
    await Rebuilder(container.db, container.store).rebuild()
    assert (await Rebuilder(container.db, container.store).verify()).ok


async def test_the_trial_balance_answers_a_problem_on_out_of_range_totals(
    container: Container, client, auth
) -> None:
    ids = await open_accounts(container, "t1", STANDARD)
    await journal(container, "t1", date(2025, 8, 1), ("1000", "5.00", "0"), ("3000", "0", "5.00"))
    await journal(container, "t1", date(2025, 9, 1), ("1000", "5.00", "0"), ("3000", "0", "5.00"))
    # Two months whose sum leaves the 64-bit range (on SQLite each is also stored as REAL).
    huge = 5_000_000_000_000_000_000
    values: dict[str, object] = {"debit": huge}
    if container.settings.is_sqlite:
        values = {"debit": sa.literal_column("5.0e18")}
    async with container.db.write() as conn:
        await conn.execute(
            sa.update(account_period_totals)
            .where(account_period_totals.c.account_id == ids["1000"])
            .values(**values)
        )
        if container.settings.is_sqlite:
            await conn.execute(
                sa.update(accounts)
                .where(accounts.c.id == ids["1000"])
                .values(debit_total=sa.literal_column("1.0e19"))
            )
    statuses = []
    for query in ("as_of=2025-08-31", "as_of=2025-09-30", "as_of=2025-10-31", ""):
        response = await client.get(f"/api/v1/reports/trial-balance?{query}", headers=auth())
        statuses.append(response.status_code)
        if response.status_code != 200:
            assert problem_of(response, 409)["code"] == "stored_total_out_of_range"
    if container.settings.is_sqlite:
        assert 409 in statuses  # a REAL cannot be shown exactly
    # On PostgreSQL the totals are exact integers however large: shown as stored.
