"""`verify` reports data entered before today's rules refused it (issue 15): a limited account
that was below zero on some day, a posting outside the posting window. Reported, not failed:
the read models are still what the events say."""

from __future__ import annotations

from datetime import date

from tests.integration.helpers import STANDARD, journal, open_accounts, run
from vextrus_finance.application.ledger.accounts import Change, UpdateAccount, update_account
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import BalanceLimit
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder


async def test_verify_reports_a_limit_broken_in_the_past_and_dates_outside_the_window(
    container: Container,
) -> None:
    ids = await open_accounts(container, "t1", STANDARD)
    # Paid on the 1st before the money came in on the 5th: entered before the limit was set.
    await journal(
        container, "t1", date(2025, 8, 1), ("5000", "100.00", "0"), ("1000", "0", "100.00")
    )
    await journal(
        container, "t1", date(2025, 8, 5), ("1000", "500.00", "0"), ("3000", "0", "500.00")
    )
    limit = UpdateAccount(ids["1000"], balance_limit=Change(BalanceLimit.NON_NEGATIVE))
    await run(container, "t1", lambda uow: update_account(uow, limit))

    report = await Rebuilder(container.db, container.store).verify()
    assert report.ok, report
    assert [(f.tenant_id, f.check, f.subject) for f in report.findings] == [
        ("t1", "below_limit", "1000")
    ]
    assert "-100.00" in report.findings[0].detail
    assert "2025-08-01" in report.findings[0].detail

    # a window that starts later makes both journals findings
    settings = container.db.settings
    container.db.settings = settings.model_copy(
        update={"posting_window_first_day": date(2026, 7, 1)}
    )
    try:
        report = await Rebuilder(container.db, container.store).verify()
    finally:
        container.db.settings = settings
    kinds = sorted((f.check, f.subject) for f in report.findings)
    assert [k for k, _ in kinds] == [
        "below_limit",
        "outside_posting_window",
        "outside_posting_window",
    ]
    assert report.ok
