"""`verify` lists what the sub-ledger rules would refuse today — cancelled drafts the aging
used to count, control-account lines without a counterparty, lines on header accounts — as
warnings: the read models still replay exactly, so the verdict stays OK."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.api.helpers import API, assert_invalid, cr, create_account, dr, post_journal
from tests.api.invoice_helpers import create_invoice, invoice_body, line, seed_tenant
from tests.integration.helpers import run
from vextrus_finance.application.ledger.journals import CreateJournal, LineSpec, create_journal
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder


async def test_verify_lists_what_the_aging_cannot_tie_out(client, container, auth):
    await seed_tenant(container)
    h = auth()
    draft = await create_invoice(client, h, [line("1", "1000", "ZERO")])
    response = await client.post(
        f"{API}/invoices/{draft['id']}/cancel", json={"reason": "duplicate"}, headers=h
    )
    assert response.status_code == 200, response.text
    # A line on the receivable account as it could be written before the rule.
    legacy = CreateJournal(
        date(2025, 8, 1),
        "Opening receivable",
        (
            LineSpec(None, "1200", Decimal("250"), Decimal(0)),
            LineSpec(None, "3900", Decimal(0), Decimal("250")),
        ),
        post=True,
        manual=False,
    )
    await run(container, "t1", lambda uow: create_journal(uow, legacy))
    deposits = await create_account(client, h, "1600", "Deposits", "ASSET")
    await post_journal(client, h, "2025-08-01", [dr(deposits, "5"), cr("3900", "5")])
    await create_account(client, h, "1600-01", "WASA", "ASSET", parent_id=deposits["id"])

    report = await Rebuilder(container.db, container.store).verify()
    assert report.ok, report
    found = {(f.tenant_id, f.check, f.subject) for f in report.findings}
    assert found == {
        ("t1", "cancelled_draft", draft["number"]),
        ("t1", "control_line_without_counterparty", "GJ-2025-08-000001 line 1"),
        ("t1", "header_account_lines", "1600"),
    }


async def test_an_account_with_lines_no_counterparty_owns_cannot_become_a_control_account(
    client, container, auth
):
    """2110 holds a line without a counterparty: a bill may not name it as its control account
    (the aging could never tie out to it), so `verify` has nothing to report (ADR 0037)."""
    await seed_tenant(container)
    h = auth()
    await post_journal(client, h, "2025-08-01", [dr("5110", "75"), cr("2110", "75")])
    body = invoice_body(
        [line("1", "100", "ZERO", account_code="5110")], kind="PURCHASE",
        control_account_code="2110",
    )  # fmt: skip
    response = await client.post(f"{API}/invoices", json=body, headers=h)
    assert_invalid(response, "control_account_code", code="control_account_in_use")
    report = await Rebuilder(container.db, container.store).verify()
    assert report.ok, report
    assert [f.check for f in report.findings] == []
