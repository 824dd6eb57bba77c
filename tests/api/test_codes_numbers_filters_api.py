"""Codes and numbers where people use them, and filters that filter (issue 15, item 10):
unknown query parameters are refused, lists filter by what users reach for, documents are
fetched by number, ledgers by account code, and payments name their bank account by code."""

from __future__ import annotations

import pytest

from tests.api.helpers import (
    API,
    D,
    assert_invalid,
    get_json,
    list_all,
    post_journal,
    problem_of,
)
from tests.api.invoice_helpers import BANK, CASH, create_invoice, line, pay, seed_tenant


@pytest.mark.parametrize(
    ("path", "params", "unknown"),
    [
        ("/payments", {"from": "2025-08-01", "colour": "red"}, "colour"),
        ("/journals", {"account": "1100"}, "account"),
        ("/accounts", {"typ": "ASSET"}, "typ"),
        ("/invoices", {"customer": "x"}, "customer"),
        ("/reports/trial-balance", {"asof": "2025-08-01"}, "asof"),
        ("/fiscal-periods", {"year": "FY2025-2026"}, "year"),
    ],
)
async def test_unknown_query_parameters_are_refused_by_name(
    client, container, auth, path, params, unknown
):
    await seed_tenant(container)
    h = auth()
    response = await client.get(f"{API}{path}", params=params, headers=h)
    body = assert_invalid(response, unknown, code="unknown_query_parameter")
    assert unknown in body["detail"]


async def test_unknown_query_parameters_on_writes_and_health_too(client, auth):
    h = auth()
    response = await client.post(
        f"{API}/accounts",
        params={"dry_run": "1"},
        json={"code": "1110", "name": "Cash", "type": "ASSET"},
        headers=h,
    )
    assert_invalid(response, "dry_run", code="unknown_query_parameter")
    assert (await get_json(client, f"{API}/accounts", h))["items"] == []
    assert_invalid(await client.get("/health/live", params={"x": "1"}), "x")
    # declared parameters still work, unauthenticated requests are still 401 first
    assert (await client.get(f"{API}/accounts", params={"type": "ASSET"}, headers=h)).is_success
    problem_of(await client.get(f"{API}/accounts", params={"typ": "ASSET"}), 401)


async def test_journal_filters_by_account_reference_and_dates(client, container, auth):
    await seed_tenant(container)
    h = auth()
    lines_cash = [
        {"account_code": CASH, "debit": "10.00"},
        {"account_code": "3100", "credit": "10.00"},
    ]
    lines_bank = [
        {"account_code": BANK, "debit": "20.00"},
        {"account_code": "3100", "credit": "20.00"},
    ]
    a = await post_journal(client, h, "2025-08-01", lines_cash, reference="CAP-1")
    b = await post_journal(client, h, "2025-08-15", lines_bank, reference="CAP-2")
    c = await post_journal(client, h, "2025-09-01", lines_cash, reference="CAP-2")
    url = f"{API}/journals"

    def numbers(items):
        return sorted(j["number"] for j in items)

    assert numbers(await list_all(client, url, h, account_code=CASH)) == numbers([a, c])
    bank = await get_json(client, f"{API}/accounts/by-code/{BANK}", h)
    assert numbers(await list_all(client, url, h, account_id=bank["id"])) == numbers([b])
    assert numbers(await list_all(client, url, h, reference="CAP-2")) == numbers([b, c])
    got = await list_all(client, url, h, **{"from": "2025-08-02", "to": "2025-08-31"})
    assert numbers(got) == numbers([b])
    got = await list_all(client, url, h, account_code=CASH, **{"from": "2025-08-02"})
    assert numbers(got) == numbers([c])
    assert_invalid(
        await client.get(url, params={"account_id": bank["id"], "account_code": CASH}, headers=h),
        "account_code",
    )


async def test_payment_filters_by_dates_direction_and_method(client, container, auth):
    await seed_tenant(container)
    h = auth()
    p1 = await pay(client, h, None, "10.00", direction="IN", payment_date="2025-08-05")
    p2 = await pay(
        client, h, None, "20.00", direction="OUT", payment_date="2025-08-20", complete=False
    )
    p3 = await pay(
        client,
        h,
        None,
        "30.00",
        direction="IN",
        method="BANK_TRANSFER",
        payment_date="2025-09-01",
        bank_account_code=BANK,
    )
    url = f"{API}/payments"

    def numbers(items):
        return sorted(p["number"] for p in items)

    got = await list_all(client, url, h, **{"from": "2025-08-01", "to": "2025-08-31"})
    assert numbers(got) == numbers([p1, p2])
    assert numbers(await list_all(client, url, h, direction="IN")) == numbers([p1, p3])
    assert numbers(await list_all(client, url, h, method="BANK_TRANSFER")) == numbers([p3])
    assert_invalid(await client.get(url, params={"direction": "SIDEWAYS"}, headers=h), "direction")


async def test_invoices_filter_by_counterparty(client, container, auth):
    await seed_tenant(container)
    h = auth()
    mine = await create_invoice(client, h, [line("1", "100")], counterparty={"name": "A Ltd"})
    await create_invoice(client, h, [line("1", "100")], counterparty={"name": "B Ltd"})
    party = mine["counterparty"]["id"]
    got = await list_all(client, f"{API}/invoices", h, counterparty_id=party)
    assert [i["id"] for i in got] == [mine["id"]]


async def test_documents_by_number_and_the_ledger_by_code(client, container, auth):
    await seed_tenant(container)
    h = auth()
    invoice = await create_invoice(client, h, [line("1", "100")])
    payment = await pay(client, h, None, "10.00", direction="IN", payment_date="2025-08-05")
    journal = await post_journal(
        client,
        h,
        "2025-08-06",
        [{"account_code": CASH, "debit": "5.00"}, {"account_code": "3100", "credit": "5.00"}],
    )
    got = await get_json(client, f"{API}/invoices/by-number/{invoice['number']}", h)
    assert got["id"] == invoice["id"]
    got = await get_json(client, f"{API}/payments/by-number/{payment['number']}", h)
    assert got["id"] == payment["id"]
    got = await get_json(client, f"{API}/journals/by-number/{journal['number']}", h)
    assert got["id"] == journal["id"]
    for kind, code in (("invoices", "invoice"), ("payments", "payment"), ("journals", "journal")):
        response = await client.get(f"{API}/{kind}/by-number/XX-0000", headers=h)
        assert problem_of(response, 404)["code"] == f"{code}_not_found"

    ledger = await get_json(client, f"{API}/accounts/by-code/{CASH}/ledger", h)
    assert ledger["account_code"] == CASH
    assert [D(x["balance"]) for x in ledger["items"]] == [D("10.00"), D("15.00")]
    by_id = await get_json(client, f"{API}/accounts/{ledger['account_id']}/ledger", h)
    assert by_id == ledger
    response = await client.get(f"{API}/accounts/by-code/9999/ledger", headers=h)
    assert problem_of(response, 404)["code"] == "account_not_found"


async def test_payments_take_the_bank_account_by_code(client, container, auth):
    await seed_tenant(container)
    h = auth()
    bank = await get_json(client, f"{API}/accounts/by-code/{BANK}", h)
    body = {
        "amount": "100.00",
        "method": "BANK_TRANSFER",
        "direction": "IN",
        "payment_date": "2025-08-05",
    }
    response = await client.post(
        f"{API}/payments", json={**body, "bank_account_code": BANK}, headers=h
    )
    assert response.status_code == 201, response.text
    assert response.json()["bank_account_id"] == bank["id"]
    # both, agreeing, are fine; disagreeing or unknown are refused naming the code
    response = await client.post(
        f"{API}/payments",
        json={**body, "bank_account_code": BANK, "bank_account_id": bank["id"]},
        headers=h,
    )
    assert response.status_code == 201, response.text
    cash = await get_json(client, f"{API}/accounts/by-code/{CASH}", h)
    response = await client.post(
        f"{API}/payments",
        json={**body, "bank_account_code": BANK, "bank_account_id": cash["id"]},
        headers=h,
    )
    assert_invalid(response, "bank_account_code", code="account_mismatch")
    response = await client.post(
        f"{API}/payments", json={**body, "bank_account_code": "1199-99"}, headers=h
    )
    assert_invalid(response, "bank_account_code", code="invalid_bank_account")
