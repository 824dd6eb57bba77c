"""Payments over REST: method rules, the life cycle, overpayment refused with nothing written,
reconciliation by bank transaction id, reversal, advances without an invoice."""

from __future__ import annotations

from tests.api.helpers import API, D, assert_amount, assert_invalid, get_json, list_all, problem_of
from tests.api.invoice_helpers import (
    AP,
    AR,
    BANK,
    CASH,
    account,
    approved_invoice,
    balance_of,
    invoice,
    journal_lines,
    line,
    pay,
    seed_tenant,
)

ZERO = D("0.00")


def body(invoice_id: str | None, amount: str = "100", method: str = "CASH", **extra):
    values = {"amount": amount, "method": method, "payment_date": "2025-08-20", **extra}
    if invoice_id is not None:
        values["invoice_id"] = invoice_id
    return values


async def test_method_rules_name_the_field(client, container, auth):
    await seed_tenant(container)
    h = auth()
    inv = await approved_invoice(client, h, [line("1", "1000")])
    revenue = await account(client, h, "4100")
    cases = [
        (body(inv["id"], method="BANK_TRANSFER"), "bank_account_id"),
        (body(inv["id"], method="BANK_TRANSFER", bank_account_id="nope"), "bank_account_id"),
        (body(inv["id"], method="BANK_TRANSFER", bank_account_id=revenue["id"]), "bank_account_id"),
        (body(inv["id"], method="CHECK"), "check_number"),
        (body(inv["id"], method="CHECK", check_number="12"), "check_number"),
        (body(inv["id"], method="MOBILE_WALLET"), "wallet"),
        (
            body(
                inv["id"],
                method="MOBILE_WALLET",
                wallet={"provider": "NAGAD", "mobile_number": "01212345678"},
            ),
            "wallet.mobile_number",
        ),
        (
            body(
                inv["id"],
                method="MOBILE_WALLET",
                wallet={"provider": "PAYPAL", "mobile_number": "01712345678"},
            ),
            "wallet.provider",
        ),
        (body(inv["id"], method="BITCOIN"), "method"),
        (body(inv["id"], amount="0"), "amount"),
        (body(inv["id"], amount="-5"), "amount"),
        (body(inv["id"], amount="1.001"), "amount"),
        (body(inv["id"], currency="USD"), "currency"),
        (body(inv["id"], direction="OUT"), "direction"),
        (body(None), "direction"),
        (body(inv["id"], amount="1150.01"), "amount"),  # more than the balance due
    ]
    for payload, field in cases:
        response = await client.post(f"{API}/payments", json=payload, headers=h)
        assert_invalid(response, field, exact=False)
    assert await list_all(client, f"{API}/payments", h) == []
    first = await pay(client, h, inv["id"], "1", complete=False)
    assert first["number"] == "PMT-2025-08-000001"


async def test_overpayment_at_completion_is_refused_before_anything_is_written(
    client, container, auth
):
    await seed_tenant(container)
    h = auth()
    inv = await approved_invoice(client, h, [line("1", "1000")])  # payable 1 150
    first = await pay(client, h, inv["id"], "1000", complete=False)
    second = await pay(client, h, inv["id"], "1000", complete=False)
    await client.post(
        f"{API}/payments/{first['id']}/complete",
        json={"transaction_reference": "CASH-0001"},
        headers=h,
    )
    journals_before = await list_all(client, f"{API}/journals", h)
    response = await client.post(
        f"{API}/payments/{second['id']}/complete",
        json={"transaction_reference": "CASH-0002"},
        headers=h,
    )
    assert_invalid(response, "amount", code="overpayment")
    assert (await get_json(client, f"{API}/payments/{second['id']}", h))["status"] == "PENDING"
    assert await list_all(client, f"{API}/journals", h) == journals_before
    current = await invoice(client, h, inv["id"])
    assert current["status"] == "PARTIALLY_PAID"
    assert_amount(current["paid_amount"], "1000.00")
    assert await balance_of(client, h, AR) == D("150.00")


async def test_fail_reconcile_and_reverse(client, container, auth):
    await seed_tenant(container)
    h = auth()
    inv = await approved_invoice(client, h, [line("1", "1000")])
    failed = await pay(client, h, inv["id"], "100", complete=False)
    response = await client.post(
        f"{API}/payments/{failed['id']}/fail", json={"reason": "short"}, headers=h
    )
    assert_invalid(response, "reason")
    response = await client.post(
        f"{API}/payments/{failed['id']}/fail",
        json={"reason": "the cheque was dishonoured"},
        headers=h,
    )
    assert response.json()["status"] == "FAILED"
    response = await client.post(
        f"{API}/payments/{failed['id']}/complete",
        json={"transaction_reference": "TXN-1234"},
        headers=h,
    )
    assert problem_of(response, 409)["code"] == "payment_status"
    assert (await invoice(client, h, inv["id"]))["status"] == "APPROVED"

    bank = await account(client, h, BANK)
    good = await pay(
        client, h, inv["id"], "1150", method="BANK_TRANSFER", bank_account_id=bank["id"]
    )
    assert (await invoice(client, h, inv["id"]))["status"] == "PAID"
    response = await client.post(
        f"{API}/payments/{good['id']}/reconcile",
        json={"bank_transaction_id": "SONALI-2025-0001"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "RECONCILED"
    assert response.json()["bank_transaction_id"] == "SONALI-2025-0001"
    # The same bank line cannot settle a second payment.
    other_invoice = await approved_invoice(client, h, [line("1", "100")])
    other = await pay(client, h, other_invoice["id"], "115")
    response = await client.post(
        f"{API}/payments/{other['id']}/reconcile",
        json={"bank_transaction_id": "SONALI-2025-0001"},
        headers=h,
    )
    assert problem_of(response, 409)["code"] == "bank_transaction_taken"
    assert (await get_json(client, f"{API}/payments/{other['id']}", h))["status"] == "COMPLETED"
    response = await client.post(
        f"{API}/payments/{good['id']}/reconcile",
        json={"bank_transaction_id": "SONALI-2025-0002"},
        headers=h,
    )
    assert problem_of(response, 409)["code"] == "payment_status"

    # A reconciled payment can still be reversed; the invoice is owed again.
    response = await client.post(
        f"{API}/payments/{good['id']}/reverse",
        json={"reason": "transfer recalled by the bank"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "REVERSED"
    current = await invoice(client, h, inv["id"])
    assert current["status"] == "APPROVED"
    assert_amount(current["balance_due"], "1150.00")
    assert await balance_of(client, h, AR) == D("1150.00") + D("0.00")
    response = await client.post(
        f"{API}/payments/{good['id']}/reverse",
        json={"reason": "transfer recalled by the bank"},
        headers=h,
    )
    assert problem_of(response, 409)["code"] == "payment_status"
    listed = await list_all(client, f"{API}/payments", h, invoice_id=inv["id"])
    assert {p["status"] for p in listed} == {"FAILED", "REVERSED"}
    assert [
        p["id"] for p in await list_all(client, f"{API}/payments", h, method="BANK_TRANSFER")
    ] == [good["id"]]


async def test_supplier_payment_and_advances(client, container, auth):
    await seed_tenant(container)
    h = auth()
    # Put money in the bank first: an opening journal.
    response = await client.post(
        f"{API}/journals",
        json={
            "date": "2025-07-01",
            "description": "Capital",
            "post": True,
            "lines": [
                {"account_code": BANK, "debit": "100000"},
                {"account_code": "3100", "credit": "100000"},
            ],
        },
        headers=h,
    )
    assert response.status_code == 201, response.text
    bill = await approved_invoice(client, h, [line("10", "1000", "ZERO")], kind="PURCHASE")
    paid = await pay(client, h, bill["id"], "4000", method="CHECK", check_number="CHQ-4421")
    assert paid["direction"] == "OUT"
    assert await journal_lines(client, h, paid["journal_id"]) == {
        AP: (D("4000.00"), ZERO),
        BANK: (ZERO, D("4000.00")),
    }
    journal = await get_json(client, f"{API}/journals/{paid['journal_id']}", h)
    assert journal["type"] == "CASH_PAYMENT"
    # An advance from a flat buyer, by cash, no invoice: Dr cash / Cr customer advances.
    advance = await pay(client, h, None, "25000", direction="IN")
    assert await journal_lines(client, h, advance["journal_id"]) == {
        CASH: (D("25000.00"), ZERO),
        "2300": (ZERO, D("25000.00")),
    }
    # Paying a supplier from an empty cash box breaks the cash account's non-negative limit.
    bill2 = await approved_invoice(client, h, [line("1", "30000", "ZERO")], kind="PURCHASE")
    pending = await pay(client, h, bill2["id"], "30000", complete=False)
    response = await client.post(
        f"{API}/payments/{pending['id']}/complete",
        json={"transaction_reference": "CASH-VOUCHER-9"},
        headers=h,
    )
    assert_invalid(response, "lines[1].account_id", code="balance_limit_exceeded")
    assert (await invoice(client, h, bill2["id"]))["status"] == "APPROVED"


async def test_idempotent_completion_replays(client, container, auth):
    await seed_tenant(container)
    h = auth()
    inv = await approved_invoice(client, h, [line("1", "1000")])
    payment = await pay(client, h, inv["id"], "500", complete=False)
    headers = {**h, "Idempotency-Key": "complete-1"}
    url = f"{API}/payments/{payment['id']}/complete"
    first = await client.post(url, json={"transaction_reference": "TX-77777"}, headers=headers)
    again = await client.post(url, json={"transaction_reference": "TX-77777"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert_amount((await invoice(client, h, inv["id"]))["paid_amount"], "500.00")


async def test_a_payment_dated_before_its_invoice_is_refused(client, container, auth):
    await seed_tenant(container)
    h = auth()
    inv = await approved_invoice(client, h, [line("1", "1000")], invoice_date="2025-08-10")
    body = {
        "invoice_id": inv["id"],
        "amount": "100",
        "method": "CASH",
        "payment_date": "2025-08-09",
    }
    response = await client.post(f"{API}/payments", json=body, headers=h)
    assert_invalid(response, "payment_date", code="payment_before_invoice")
    assert await list_all(client, f"{API}/payments", h) == []
    paid = await pay(client, h, inv["id"], "100", payment_date="2025-08-10")
    assert paid["status"] == "COMPLETED"


async def test_a_wallet_transaction_completes_one_payment_only(client, container, auth):
    await seed_tenant(container)
    h = auth()
    inv = await approved_invoice(client, h, [line("1", "1000", "ZERO")])

    def by_bkash(transaction_id: str | None, provider: str = "BKASH") -> dict:
        wallet = {"provider": provider, "mobile_number": "01712345678"}
        if transaction_id is not None:
            wallet["transaction_id"] = transaction_id
        return {"method": "MOBILE_WALLET", "wallet": wallet}

    first = await pay(client, h, inv["id"], "100", **by_bkash("8N7A6B5C4D"))
    assert first["wallet"]["transaction_id"] == "8N7A6B5C4D"
    # Entered again: refused at once.
    again = {"invoice_id": inv["id"], "amount": "100", "payment_date": "2025-08-20"}
    response = await client.post(
        f"{API}/payments", json={**again, **by_bkash("8N7A6B5C4D")}, headers=h
    )
    assert_invalid(
        response, "wallet.transaction_id", code="duplicate_wallet_transaction", status=409
    )
    # Without an id on entry, the completion's reference is the provider's transaction id.
    second = await pay(client, h, inv["id"], "100", complete=False, **by_bkash(None))
    url = f"{API}/payments/{second['id']}/complete"
    response = await client.post(url, json={"transaction_reference": "8N7A6B5C4D"}, headers=h)
    assert_invalid(
        response, "wallet.transaction_id", code="duplicate_wallet_transaction", status=409
    )
    assert (await get_json(client, f"{API}/payments/{second['id']}", h))["status"] == "PROCESSING"
    # The same id at another provider is another transaction.
    nagad = await pay(client, h, inv["id"], "100", **by_bkash("8N7A6B5C4D", "NAGAD"))
    assert nagad["status"] == "COMPLETED"
    assert_amount((await invoice(client, h, inv["id"]))["paid_amount"], "200.00")
