"""Closing and reopening fiscal periods (finance managers only; every change is an event)."""

from __future__ import annotations

from dataclasses import dataclass

from vextrus_finance.application.invoicing.queries import InvoiceFilter, PaymentFilter
from vextrus_finance.application.ledger.views import PeriodView
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.errors import FieldIssue, InvalidState
from vextrus_finance.domain.fiscal import FiscalPeriod, FiscalYear, PeriodStatus, parse_period
from vextrus_finance.domain.fiscal_years import FiscalYearBook
from vextrus_finance.domain.invoices import InvoiceStatus
from vextrus_finance.domain.payments import PaymentStatus
from vextrus_finance.domain.periods import FiscalPeriodBook


@dataclass(frozen=True)
class ChangePeriod:
    code: str
    reason: str
    close: bool  # False: reopen
    force: bool = False  # close even with draft invoices or pending payments dated in it


# More than this many open documents are not listed one by one: the count says the rest.
OPEN_DOCUMENTS_LISTED = 100


async def change_period(uow: UnitOfWork, cmd: ChangePeriod) -> str:
    period = parse_period(cmd.code)
    # Wait for postings in flight and keep new ones out until this change commits.
    await uow.periods.lock_for_change()
    book = await uow.load(FiscalPeriodBook, period.code)
    if cmd.close:
        if not cmd.force and book.status is PeriodStatus.OPEN:
            await _refuse_open_documents(uow, period)
        book.close(period, cmd.reason, by=uow.ctx.user_id, at=uow.now())
    else:
        # A closed year's periods stay closed until the year is reopened (ADR 0048).
        (await uow.load(FiscalYearBook, period.fiscal_year.label)).ensure_open(period.fiscal_year)
        book.reopen(period, cmd.reason, by=uow.ctx.user_id, at=uow.now())
    await uow.record(book)
    return period.code


async def _refuse_open_documents(uow: UnitOfWork, period: FiscalPeriod) -> None:
    """Month end: draft invoices and pending payments dated in the period would be stranded
    by the close (no draft can be approved or completed there afterwards); list them."""
    start, end = period.start, period.end
    limit = OPEN_DOCUMENTS_LISTED
    issues: list[FieldIssue] = []
    drafts = await uow.invoices.invoices(
        InvoiceFilter(status=InvoiceStatus.DRAFT, date_from=start, date_to=end),
        today=end,
        limit=limit,
        cursor=None,
    )
    for invoice in drafts.items:
        issues.append(
            FieldIssue(
                "invoices",
                f"draft invoice {invoice.number} ({invoice.id}) dated "
                f"{invoice.invoice_date.isoformat()}",
                "draft_invoice",
            )
        )
    for status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING):
        pending = await uow.invoices.payments(
            PaymentFilter(status=status, date_from=start, date_to=end), limit=limit, cursor=None
        )
        for payment in pending.items:
            issues.append(
                FieldIssue(
                    "payments",
                    f"{status.value.lower()} payment {payment.number} ({payment.id}) dated "
                    f"{payment.payment_date.isoformat()}",
                    "pending_payment",
                )
            )
    if issues:
        raise InvalidState(
            f"period {period.code} has {len(issues)} open document(s) dated in it: approve, "
            "complete or cancel them, or close with force: true",
            code="period_has_open_documents",
            issues=tuple(issues),
        )


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
