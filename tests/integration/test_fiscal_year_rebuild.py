"""The fiscal years' read model is a read model like the others (ADR 0040, ADR 0048): `verify`
passes after a close and a reopen, and a rebuild reproduces it exactly."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.integration.helpers import STANDARD, journal, open_accounts, run
from vextrus_finance.application.ledger.fiscal_years import (
    CloseFiscalYear,
    ReopenFiscalYear,
    close_fiscal_year,
    reopen_fiscal_year,
)
from vextrus_finance.application.ledger.periods import ChangePeriod, change_period
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.infrastructure.db.schema import fiscal_years
from vextrus_finance.infrastructure.projections.tables import LIVE
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder


async def _read_models(container: Container) -> dict[str, list[tuple[object, ...]]]:
    tables = {}
    async with container.db.read() as conn:
        for table in LIVE.all():
            rows = (await conn.execute(sa.select(table).order_by(*table.primary_key.columns))).all()
            tables[table.name] = [tuple(r) for r in rows]
    return tables


async def test_a_close_and_reopen_are_verified_and_rebuilt(container: Container) -> None:
    await open_accounts(container, "t1", [*STANDARD, ("3200", AccountType.EQUITY)])
    await journal(
        container, "t1", date(2025, 9, 3), ("1000", "500.00", "0"), ("4000", "0", "500.00")
    )
    await journal(container, "t1", date(2026, 2, 9), ("5000", "20.50", "0"), ("1000", "0", "20.50"))
    for year in ("FY2024-2025", "FY2025-2026"):
        for n in range(1, 13):
            command = ChangePeriod(f"{year}-P{n:02d}", "month end", close=True)
            await run(container, "t1", lambda uow, c=command: change_period(uow, c))
    for year in ("FY2024-2025", "FY2025-2026"):
        await run(
            container, "t1", lambda uow, y=year: close_fiscal_year(uow, CloseFiscalYear(y, "done"))
        )
    reopen = ReopenFiscalYear("FY2024-2025", "audit")
    await run(container, "t1", lambda uow: reopen_fiscal_year(uow, reopen))

    async with container.db.read() as conn:
        rows = (await conn.execute(sa.select(fiscal_years).order_by(fiscal_years.c.code))).all()
    assert [(r.code, r.status, r.version) for r in rows] == [
        ("FY2024-2025", "OPEN", 2),
        ("FY2025-2026", "CLOSED", 1),
    ]
    assert rows[0].closing_journal_id is None  # the close of an empty year posted nothing
    assert rows[1].closing_journal_id is not None
    report = await Rebuilder(container.db, container.store).verify()
    assert report.ok, report
    before = await _read_models(container)
    await Rebuilder(container.db, container.store).rebuild()
    assert await _read_models(container) == before
