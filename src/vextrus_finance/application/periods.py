"""Closing and reopening fiscal periods (finance managers only; every change is an event)."""

from __future__ import annotations

from dataclasses import dataclass

from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.views import PeriodView
from vextrus_finance.domain.fiscal import FiscalYear, PeriodStatus, parse_period
from vextrus_finance.domain.periods import FiscalPeriodBook


@dataclass(frozen=True)
class ChangePeriod:
    code: str
    reason: str
    close: bool  # False: reopen


async def change_period(uow: UnitOfWork, cmd: ChangePeriod) -> str:
    period = parse_period(cmd.code)
    # Wait for postings in flight and keep new ones out until this change commits.
    await uow.periods.lock_for_change()
    book = await uow.load(FiscalPeriodBook, period.code)
    if cmd.close:
        book.close(period, cmd.reason, by=uow.ctx.user_id, at=uow.now())
    else:
        book.reopen(period, cmd.reason, by=uow.ctx.user_id, at=uow.now())
    await uow.record(book)
    return period.code


def periods_of_year(fiscal_year: FiscalYear, changed: list[PeriodView]) -> list[PeriodView]:
    """All twelve periods: the ones ever closed from the read model, the rest OPEN."""
    by_code = {view.code: view for view in changed}
    return [
        by_code.get(period.code)
        or PeriodView(
            code=period.code,
            fiscal_year=fiscal_year.label,
            start=period.start,
            end=period.end,
            status=PeriodStatus.OPEN,
            changed_at=None,
            changed_by=None,
            reason=None,
            version=0,
        )
        for period in fiscal_year.periods()
    ]
