"""The aging report: what it counts (never a cancelled invoice of any kind) and how it ties
out to the receivable and payable control accounts."""

from __future__ import annotations

from tests.api.helpers import API, assert_amount, get_json
from tests.api.invoice_helpers import (
    AP,
    AR,
    approved_invoice,
    create_invoice,
    invoice,
    line,
    pay,
    seed_tenant,
)


async def test_a_cancelled_draft_is_not_in_the_aging_and_owes_nothing(client, container, auth):
    await seed_tenant(container)
    h = auth()
    draft = await create_invoice(
        client, h, [line("1", "1000", "ZERO")], invoice_date="2025-08-10",
        due_date="2025-09-09", counterparty={"name": "Draft Cancelled Ltd."},
    )  # fmt: skip
    response = await client.post(
        f"{API}/invoices/{draft['id']}/cancel", json={"reason": "duplicate"}, headers=h
    )
    assert response.status_code == 200, response.text
    assert_amount(response.json()["balance_due"], "0.00")
    assert_amount((await invoice(client, h, draft["id"]))["balance_due"], "0.00")
    kept = await approved_invoice(
        client, h, [line("1", "200", "ZERO")], invoice_date="2025-08-10",
        due_date="2025-09-09", counterparty={"name": "Open Ltd."},
    )  # fmt: skip
    assert_amount(kept["balance_due"], "200.00")
    report = await get_json(client, f"{API}/reports/aging", h, as_of="2025-12-01")
    assert [row["counterparty_name"] for row in report["rows"]] == ["Open Ltd."]
    assert_amount(report["totals"]["total"], "200.00")


async def test_a_cancelled_approved_invoice_owes_nothing(client, container, auth):
    await seed_tenant(container)
    h = auth()
    inv = await approved_invoice(
        client, h, [line("1", "300", "ZERO")], invoice_date="2025-08-10", due_date="2025-09-09"
    )
    response = await client.post(
        f"{API}/invoices/{inv['id']}/cancel",
        json={"reason": "voided", "date": "2025-08-20"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    assert_amount(response.json()["balance_due"], "0.00")
    report = await get_json(client, f"{API}/reports/aging", h, as_of="2025-12-01")
    assert report["rows"] == []


async def test_the_aging_ties_out_to_the_control_account(client, container, auth):
    await seed_tenant(container)
    h = auth()
    sale = await approved_invoice(
        client, h, [line("1", "1000")], invoice_date="2025-08-10", due_date="2025-09-09"
    )
    await pay(client, h, sale["id"], "500", payment_date="2025-08-20")
    await approved_invoice(
        client, h, [line("1", "700", "ZERO")], kind="PURCHASE", invoice_date="2025-08-12",
        due_date="2025-09-12", counterparty={"name": "Cement Supplier"},
    )  # fmt: skip
    receivables = await get_json(client, f"{API}/reports/aging", h, as_of="2025-09-30")
    assert receivables["control_accounts"] == [AR]
    assert_amount(receivables["totals"]["total"], "650.00")
    assert_amount(receivables["ledger_balance"], "650.00")
    assert_amount(receivables["difference"], "0.00")
    payables = await get_json(
        client, f"{API}/reports/aging", h, kind="PURCHASE", as_of="2025-09-30"
    )
    assert payables["control_accounts"] == [AP]
    assert_amount(payables["ledger_balance"], "700.00")
    assert_amount(payables["difference"], "0.00")
    # As of a day before anything was posted, both sides are empty.
    early = await get_json(client, f"{API}/reports/aging", h, as_of="2025-08-01")
    assert_amount(early["ledger_balance"], "0.00")
    assert_amount(early["difference"], "0.00")
