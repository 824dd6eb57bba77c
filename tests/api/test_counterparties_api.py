"""Customers and suppliers as records: create, read, list, update with If-Match, referenced by
invoices (by id, or inline matched by BIN / name, or registered), the aging grouped by the
record, and the statement of account."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import API, assert_amount, assert_invalid, get_json, list_all, problem_of
from tests.api.invoice_helpers import (
    approve,
    approved_invoice,
    create_invoice,
    line,
    pay,
    seed_tenant,
)

BIN_A = "0001234560101"
BIN_B = "0009998880101"


async def register(
    client: httpx.AsyncClient, h: dict[str, str], name: str, kind: str = "CUSTOMER", **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/counterparties", json={"kind": kind, "name": name, **extra}, headers=h
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["location"] == f"{API}/counterparties/{body['id']}"
    return body


async def test_register_read_list_and_update(client, container, auth):
    h = auth()
    alpha = await register(
        client, h, "Alpha Builders Ltd.", bin="000123456-0101", tin="123456789012",
        mobile="+880 1711-000000", address="Gulshan, Dhaka",
    )  # fmt: skip
    assert alpha["bin"] == BIN_A
    assert alpha["mobile"] == "01711000000"
    assert alpha["kind"] == "CUSTOMER"
    assert alpha["is_active"] is True
    assert alpha["version"] == 1
    supplier = await register(client, h, "Meghna Cement", kind="SUPPLIER", bin=BIN_B)
    both = await register(client, h, "Alpha Traders", kind="BOTH")
    assert await get_json(client, f"{API}/counterparties/{alpha['id']}", h) == alpha

    customers = await list_all(client, f"{API}/counterparties", h, kind="CUSTOMER", limit=1)
    assert [c["name"] for c in customers] == ["Alpha Builders Ltd.", "Alpha Traders"]
    suppliers = await list_all(client, f"{API}/counterparties", h, kind="SUPPLIER")
    assert [c["id"] for c in suppliers] == [both["id"], supplier["id"]]
    found = await list_all(client, f"{API}/counterparties", h, q="alpha B")
    assert [c["id"] for c in found] == [alpha["id"]]
    by_bin = await list_all(client, f"{API}/counterparties", h, bin="0009998880101")
    assert [c["id"] for c in by_bin] == [supplier["id"]]

    response = await client.patch(
        f"{API}/counterparties/{alpha['id']}",
        json={"name": "Alpha Builders Limited", "mobile": None},
        headers={**h, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "Alpha Builders Limited"
    assert updated["mobile"] is None
    assert updated["bin"] == BIN_A  # left out: unchanged
    assert updated["version"] == 2
    assert response.headers["etag"] == '"2"'
    stale = await client.patch(
        f"{API}/counterparties/{alpha['id']}",
        json={"name": "Stale"},
        headers={**h, "If-Match": '"1"'},
    )
    problem_of(stale, 412)


async def test_bad_input_names_the_field(client, container, auth):
    h = auth()
    for body, field, code in (
        ({"kind": "CUSTOMER", "name": "X", "bin": "12345"}, "bin", "invalid_bin"),
        ({"kind": "CUSTOMER", "name": "X", "tin": "1"}, "tin", "invalid_tin"),
        ({"kind": "CUSTOMER", "name": "X", "mobile": "0123"}, "mobile", "invalid_mobile_number"),
        ({"kind": "CUSTOMER", "name": "  "}, "name", None),
        ({"kind": "FRIEND", "name": "X"}, "kind", None),
    ):
        response = await client.post(f"{API}/counterparties", json=body, headers=h)
        assert_invalid(response, field, code=code)
    await register(client, h, "First", bin=BIN_A)
    taken = await client.post(
        f"{API}/counterparties",
        json={"kind": "SUPPLIER", "name": "Second", "bin": BIN_A},
        headers=h,
    )
    assert_invalid(taken, "bin", code="counterparty_bin_taken", status=409)
    other = await register(client, h, "Other")
    response = await client.patch(
        f"{API}/counterparties/{other['id']}", json={"bin": BIN_A}, headers=h
    )
    assert_invalid(response, "bin", code="counterparty_bin_taken", status=409)
    response = await client.patch(
        f"{API}/counterparties/{other['id']}", json={"name": None}, headers=h
    )
    assert_invalid(response, "name")
    missing = await client.get(f"{API}/counterparties/nope", headers=h)
    assert problem_of(missing, 404)["code"] == "counterparty_not_found"
    response = await client.get(f"{API}/counterparties", params={"bin": "12"}, headers=h)
    assert_invalid(response, "bin", code="invalid_bin")


async def test_invoices_reference_records_and_the_aging_groups_by_them(client, container, auth):
    await seed_tenant(container)
    h = auth()
    alpha = await register(client, h, "Alpha Builders Ltd.", bin=BIN_A)
    by_id = await create_invoice(
        client, h, [line("1", "100", "ZERO")], counterparty={"id": alpha["id"]}
    )
    assert by_id["counterparty"]["id"] == alpha["id"]
    assert by_id["counterparty"]["name"] == "Alpha Builders Ltd."
    assert by_id["counterparty"]["bin"] == BIN_A
    # Inline with the BIN (a typo in the name): the same record.
    by_bin = await create_invoice(
        client, h, [line("1", "200", "ZERO")], counterparty={"name": "Alpha Bulders", "bin": BIN_A}
    )
    assert by_bin["counterparty"]["id"] == alpha["id"]
    assert by_bin["counterparty"]["name"] == "Alpha Builders Ltd."
    # Inline, unknown: a record is registered; the same name again finds it.
    new = await create_invoice(client, h, [line("1", "300", "ZERO")], counterparty={"name": "Beta"})
    beta_id = new["counterparty"]["id"]
    assert beta_id is not None
    beta = await get_json(client, f"{API}/counterparties/{beta_id}", h)
    assert (beta["name"], beta["kind"]) == ("Beta", "CUSTOMER")
    again = await create_invoice(client, h, [line("1", "1", "ZERO")], counterparty={"name": "beta"})
    assert again["counterparty"]["id"] == beta_id
    # A supplier invoice from a customer makes the record BOTH.
    await create_invoice(
        client, h, [line("1", "5", "ZERO")], kind="PURCHASE", counterparty={"id": alpha["id"]}
    )
    assert (await get_json(client, f"{API}/counterparties/{alpha['id']}", h))["kind"] == "BOTH"
    # Unknown id: 422 naming counterparty.id, nothing written.
    response = await client.post(
        f"{API}/invoices",
        json={
            "kind": "SALES", "counterparty": {"id": "CUST-404"}, "invoice_date": "2025-08-10",
            "due_date": "2025-09-09", "lines": [line("1", "1", "ZERO")],
        },
        headers=h,
    )  # fmt: skip
    assert_invalid(response, "counterparty.id", code="unknown_counterparty")
    listed = await list_all(client, f"{API}/invoices", h, counterparty_id=alpha["id"])
    assert len(listed) == 3

    for invoice in (by_id, by_bin, new):
        await approve(client, h, invoice["id"])
    report = await get_json(client, f"{API}/reports/aging", h, as_of="2025-09-01")
    rows = {r["counterparty_id"]: r for r in report["rows"]}
    assert set(rows) == {alpha["id"], beta_id}
    assert rows[alpha["id"]]["counterparty_name"] == "Alpha Builders Ltd."
    assert rows[alpha["id"]]["invoices"] == 2
    assert_amount(rows[alpha["id"]]["buckets"]["total"], "300.00")


async def test_statement_of_account_ties_to_the_aging(client, container, auth):
    await seed_tenant(container)
    h = auth()
    alpha = await register(client, h, "Alpha Builders Ltd.", bin=BIN_A)
    party = {"id": alpha["id"]}
    first = await approved_invoice(  # 1 000 + 15 % VAT
        client, h, [line("1", "1000")], invoice_date="2025-07-10", due_date="2025-08-09",
        counterparty=party,
    )  # fmt: skip
    await pay(client, h, first["id"], "500", payment_date="2025-07-20")
    second = await approved_invoice(
        client, h, [line("1", "400", "ZERO")], invoice_date="2025-08-05", due_date="2025-09-04",
        counterparty=party,
    )  # fmt: skip
    payment = await pay(client, h, second["id"], "400", payment_date="2025-08-15")
    response = await client.post(
        f"{API}/payments/{payment['id']}/reverse",
        json={"reason": "the cheque bounced", "date": "2025-08-20"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    draft = await create_invoice(
        client, h, [line("1", "999", "ZERO")], invoice_date="2025-08-06", counterparty=party
    )
    await client.post(f"{API}/invoices/{draft['id']}/cancel", json={"reason": "dup"}, headers=h)

    statement = await get_json(
        client,
        f"{API}/counterparties/{alpha['id']}/statement",
        h,
        **{"from": "2025-08-01", "to": "2025-08-31"},
    )
    assert statement["counterparty"]["id"] == alpha["id"]
    assert_amount(statement["opening_balance"], "650.00")  # 1 150 less 500
    kinds = [
        (entry["document_type"], entry["debit"], entry["credit"]) for entry in statement["lines"]
    ]
    assert kinds == [
        ("SALES_INVOICE", "400.00", "0.00"),
        ("PAYMENT", "0.00", "400.00"),
        ("PAYMENT", "400.00", "0.00"),  # the reversal
    ]
    assert [entry["balance"] for entry in statement["lines"]] == ["1050.00", "650.00", "1050.00"]
    assert_amount(statement["closing_balance"], "1050.00")
    aging = await get_json(client, f"{API}/reports/aging", h, as_of="2025-08-31")
    row = next(r for r in aging["rows"] if r["counterparty_id"] == alpha["id"])
    assert_amount(row["buckets"]["total"], statement["closing_balance"])

    whole = await get_json(
        client,
        f"{API}/counterparties/{alpha['id']}/statement",
        h,
        **{"from": "2025-07-01", "to": "2025-08-31"},
    )
    assert_amount(whole["opening_balance"], "0.00")
    assert_amount(whole["closing_balance"], "1050.00")
    response = await client.get(
        f"{API}/counterparties/{alpha['id']}/statement",
        params={"from": "2025-09-01", "to": "2025-08-01"},
        headers=h,
    )
    assert_invalid(response, "from")
    missing = await client.get(f"{API}/counterparties/nope/statement", headers=h)
    problem_of(missing, 404)


async def test_the_aging_shows_the_records_current_name_and_inactive_ones_are_refused(
    client, container, auth
):
    await seed_tenant(container)
    h = auth()
    party = await register(client, h, "Alpa Builders", bin=BIN_A)  # a typo
    await approved_invoice(
        client, h, [line("1", "100", "ZERO")], invoice_date="2025-08-10", due_date="2025-09-09",
        counterparty={"id": party["id"]},
    )  # fmt: skip
    response = await client.patch(
        f"{API}/counterparties/{party['id']}", json={"name": "Alpha Builders"}, headers=h
    )
    assert response.status_code == 200, response.text
    report = await get_json(client, f"{API}/reports/aging", h, as_of="2025-09-01")
    assert [r["counterparty_name"] for r in report["rows"]] == ["Alpha Builders"]
    response = await client.patch(
        f"{API}/counterparties/{party['id']}", json={"is_active": False}, headers=h
    )
    assert response.json()["is_active"] is False
    for counterparty, field in (({"id": party["id"]}, "counterparty.id"),
                                ({"name": "X", "bin": BIN_A}, "counterparty.bin")):  # fmt: skip
        response = await client.post(
            f"{API}/invoices",
            json={
                "kind": "SALES", "counterparty": counterparty, "invoice_date": "2025-08-10",
                "due_date": "2025-09-09", "lines": [line("1", "1", "ZERO")],
            },
            headers=h,
        )  # fmt: skip
        assert_invalid(response, field, code="counterparty_inactive")
    inactive = await list_all(client, f"{API}/counterparties", h, active="false")
    assert [c["id"] for c in inactive] == [party["id"]]


async def test_payments_name_their_counterparty(client, container, auth):
    await seed_tenant(container)
    h = auth()
    alpha = await register(client, h, "Alpha Builders Ltd.", bin=BIN_A)
    other = await register(client, h, "Other Ltd.")
    invoice = await approved_invoice(
        client, h, [line("1", "1000", "ZERO")], counterparty={"id": alpha["id"]}
    )
    paid = await pay(client, h, invoice["id"], "100", complete=False)
    assert paid["counterparty_id"] == alpha["id"]  # the invoice's
    named = await pay(
        client, h, invoice["id"], "100", complete=False, counterparty={"id": alpha["id"]}
    )
    assert named["counterparty_id"] == alpha["id"]
    for counterparty, field, code in (
        ({"id": other["id"]}, "counterparty.id", "counterparty_mismatch"),
        ({"id": "nobody"}, "counterparty.id", "unknown_counterparty"),
    ):
        response = await client.post(
            f"{API}/payments",
            json={"invoice_id": invoice["id"], "amount": "1", "method": "CASH",
                  "payment_date": "2025-08-20", "counterparty": counterparty},
            headers=h,
        )  # fmt: skip
        assert_invalid(response, field, code=code)
    # An advance names its party inline: matched by BIN, or registered.
    advance = await pay(
        client, h, None, "50", direction="IN", complete=False,
        counterparty={"name": "Alpha (typo)", "bin": BIN_A},
    )  # fmt: skip
    assert advance["counterparty_id"] == alpha["id"]
    supplier_advance = await pay(
        client,
        h,
        None,
        "60",
        direction="OUT",
        complete=False,
        counterparty={"name": "New Supplier"},
    )
    created = await get_json(
        client, f"{API}/counterparties/{supplier_advance['counterparty_id']}", h
    )
    assert (created["name"], created["kind"]) == ("New Supplier", "SUPPLIER")
    plain = await pay(client, h, None, "70", direction="IN", complete=False)
    assert plain["counterparty_id"] is None
