"""Month end (issue 15, item 11): a period with draft invoices or pending payments dated in it
is closed only with `force`, and no draft of any kind is made in a closed period."""

from __future__ import annotations

from tests.api.helpers import API, assert_invalid, get_json, problem_of
from tests.api.invoice_helpers import (
    approved_invoice,
    create_invoice,
    invoice_body,
    line,
    pay,
    seed_tenant,
)

AUGUST = "FY2025-2026-P02"


async def _close(client, h, **extra):
    return await client.post(
        f"{API}/fiscal-periods/{AUGUST}/close",
        json={"reason": "August is done", **extra},
        headers=h,
    )


async def test_closing_a_period_with_open_documents_lists_them(client, container, auth):
    await seed_tenant(container)
    h = auth()
    draft = await create_invoice(client, h, [line("1", "100")], invoice_date="2025-08-10")
    pending = await pay(client, h, None, "50.00", direction="IN", complete=False)
    # documents dated in other months do not hold August back
    await create_invoice(
        client, h, [line("1", "100")], invoice_date="2025-09-01", due_date="2025-10-01"
    )
    await pay(client, h, None, "5.00", direction="IN", complete=False, payment_date="2025-09-02")

    body = problem_of(await _close(client, h), 409)
    assert body["code"] == "period_has_open_documents"
    listed = {(e["field"], e["code"]) for e in body["errors"]}
    assert listed == {("invoices", "draft_invoice"), ("payments", "pending_payment")}
    text = " ".join(e["message"] for e in body["errors"])
    assert draft["number"] in text
    assert pending["number"] in text
    periods = await client.get(
        f"{API}/fiscal-periods", params={"fiscal_year": "FY2025-2026"}, headers=h
    )
    assert {p["code"]: p["status"] for p in periods.json()["items"]}[AUGUST] == "OPEN"

    response = await _close(client, h, force=True)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "CLOSED"


async def test_a_period_without_open_documents_closes_without_force(client, container, auth):
    await seed_tenant(container)
    h = auth()
    await pay(client, h, None, "50.00", direction="IN", payment_date="2025-08-20")  # completed
    response = await _close(client, h)
    assert response.status_code == 200, response.text


async def test_no_draft_is_made_in_a_closed_period(client, container, auth):
    await seed_tenant(container)
    h = auth()
    draft = await create_invoice(
        client, h, [line("1", "100")], invoice_date="2025-09-10", due_date="2025-10-10"
    )
    assert (await _close(client, h)).status_code == 200
    response = await client.post(
        f"{API}/invoices",
        json=invoice_body([line("1", "100")], invoice_date="2025-08-31", due_date="2025-09-30"),
        headers=h,
    )
    assert_invalid(response, "invoice_date", code="period_closed")
    response = await client.post(
        f"{API}/payments",
        json={"amount": "1.00", "method": "CASH", "direction": "OUT", "payment_date": "2025-08-15"},
        headers=h,
    )
    assert_invalid(response, "payment_date", code="period_closed")
    response = await client.patch(
        f"{API}/invoices/{draft['id']}", json={"invoice_date": "2025-08-30"}, headers=h
    )
    assert_invalid(response, "invoice_date", code="period_closed")
    response = await client.post(
        f"{API}/journals",
        json={
            "date": "2025-08-15",
            "description": "Late accrual",
            "lines": [
                {"account_code": "1100", "debit": "1.00"},
                {"account_code": "3100", "credit": "1.00"},
            ],
        },
        headers=h,
    )
    assert_invalid(response, "date", code="period_closed")


async def test_payment_journals_name_the_party_and_the_instrument(client, container, auth):
    await seed_tenant(container)
    h = auth()
    sale = await approved_invoice(
        client, h, [line("1", "1000")], counterparty={"name": "Gulshan Heights Ltd."}
    )
    cheque = await pay(client, h, sale["id"], "100.00", method="CHECK", check_number="CHQ-004512")
    journal = await get_json(client, f"{API}/journals/{cheque['journal_id']}", h)
    assert "Gulshan Heights Ltd." in journal["description"]
    assert "CHQ-004512" in journal["description"]
    assert sale["number"] in journal["description"]

    wallet = {"provider": "BKASH", "mobile_number": "01711000000", "transaction_id": "8N7A6D5B4C"}
    bkash = await pay(client, h, sale["id"], "50.00", method="MOBILE_WALLET", wallet=wallet)
    journal = await get_json(client, f"{API}/journals/{bkash['journal_id']}", h)
    assert "BKASH" in journal["description"]
    assert "8N7A6D5B4C" in journal["description"]

    # a reversing journal carries the reason
    response = await client.post(
        f"{API}/payments/{bkash['id']}/reverse",
        json={"reason": "Customer disputed the transfer"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    reversal_id = response.json()["reversal_journal_id"]
    reversal = await get_json(client, f"{API}/journals/{reversal_id}", h)
    assert "Customer disputed the transfer" in reversal["description"]
