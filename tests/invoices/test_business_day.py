"""The business day is the configured calendar's: a sales invoice approved late in the UTC
evening is dated the next day in the default zone (UTC+6) but the same day where the business
runs on UTC, and approval, the printed time of issue and `verify` all agree on it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import make_settings
from tests.integration.helpers import run
from tests.invoices.helpers import DAY, seed_tenant, simple_line
from vextrus_finance.api.routes.mushak_mapping import mushak63_document
from vextrus_finance.application.invoicing.invoices import (
    ApproveInvoice,
    CounterpartySpec,
    CreateInvoice,
    approve_invoice,
    create_invoice,
)
from vextrus_finance.application.invoicing.posting_profiles import (
    SetCompanyProfile,
    set_company_profile,
)
from vextrus_finance.bootstrap import bootstrap
from vextrus_finance.domain.invoices import InvoiceKind
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder

EVENING = datetime(2025, 8, 10, 20, 0, tzinfo=UTC)  # 02:00 on 11 August at UTC+6
COMPANY = SetCompanyProfile("Seller Ltd.", "Gulshan", "000123456-0101", None, None)


@pytest.mark.parametrize(
    ("zone", "issue_day", "offset"),
    [(None, date(2025, 8, 11), timedelta(hours=6)), ("UTC", date(2025, 8, 10), timedelta(0))],
)
async def test_approval_dates_a_sales_invoice_on_the_configured_business_day(
    database_url: str, zone: str | None, issue_day: date, offset: timedelta
) -> None:
    overrides = {} if zone is None else {"business_timezone": zone}
    container = bootstrap(make_settings(database_url, **overrides))
    try:
        await seed_tenant(container, "t1")
        await run(container, "t1", lambda uow: set_company_profile(uow, COMPANY))
        draft = CreateInvoice(
            InvoiceKind.SALES, CounterpartySpec("Buyer"), DAY, DAY, (simple_line("100"),)
        )
        invoice_id = await run(container, "t1", lambda uow: create_invoice(uow, draft))
        pinned = replace(container.uow_factory.calendar, clock=lambda: EVENING)
        container.uow_factory.calendar = pinned
        await run(container, "t1", lambda uow: approve_invoice(uow, ApproveInvoice(invoice_id)))

        async with container.invoice_reader("t1") as reader:
            view = await reader.invoice(invoice_id, today=issue_day)
            company = await reader.company_profile()
        assert view is not None
        assert (view.invoice_date, view.issued_at) == (issue_day, EVENING)
        document = mushak63_document(view, company, container.calendar)
        assert document.issued_at == EVENING
        assert document.issued_at.utcoffset() == offset
        # verify judges "dated its day of issue" by the same calendar: nothing to report.
        report = await Rebuilder(container.db, container.store).verify()
        assert report.ok
        assert report.findings == []
    finally:
        await container.close()
