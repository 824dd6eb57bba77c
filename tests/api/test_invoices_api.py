"""Invoices over REST: totals, numbering, drafts, approval postings, cancellation, refusals that
name the field and write nothing, lists, tenancy and permissions, posting profile, aging."""

from __future__ import annotations

from tests.api.helpers import API, D, assert_amount, assert_invalid, get_json, list_all, problem_of
from tests.api.invoice_helpers import (
    AIT_PAY,
    AP,
    AR,
    PURCHASES,
    VAT_IN,
    VAT_OUT,
    account,
    approve,
    approved_invoice,
    balance_of,
    create_invoice,
    invoice,
    invoice_body,
    issue_on,
    journal_lines,
    line,
    pay,
    seed_tenant,
)

ZERO = D("0.00")


async def test_reference_totals_and_line_figures(client, container, auth):
    await seed_tenant(container)
    h = auth()
    body = await create_invoice(
        client,
        h,
        [
            line("1", "10000", "STANDARD", hs_code="25232900", unit="bag"),
            line("1", "10000", "REDUCED_7_5"),
        ],
    )
    assert body["number"] == "INV-2025-08-000001"
    assert body["fiscal_year"] == "FY2025-2026"
    assert_amount(body["vat_total"], "2250.00")
    assert_amount(body["grand_total"], "22250.00")
    first = body["lines"][0]
    assert first["hs_code"] == "2523.29.00"
    assert first["quantity"] == "1"
    assert first["vat_rate_percent"] == "15"
    assert body["lines"][1]["vat_rate_percent"] == "7.5"
    assert_amount(first["total"], "11500.00")
    assert body["version"] == 1
    again = await get_json(client, f"{API}/invoices/{body['id']}", h)
    assert again == body


async def test_purchase_approval_posts_expense_input_vat_ap_and_tds(client, container, auth):
    await seed_tenant(container)
    h = auth()
    # 500 bags × 520 = 260 000; SD 10 % = 26 000; VAT 286 000 × 15 % = 42 900;
    # grand 328 900; AIT 3 % of 260 000 = 7 800; payable 321 100.
    bill = await approved_invoice(
        client,
        h,
        [line("500", "520", sd_rate="10", ait_rate="3")],
        kind="PURCHASE",
        counterparty={"name": "Meghna Cement Mills", "bin": "0001112220101"},
    )
    assert bill["number"] == "BILL-2025-08-000001"
    assert bill["mushak_number"] is None  # the supplier issues the 6.3 for a purchase
    assert bill["issued_at"] is None
    assert_amount(bill["payable_total"], "321100.00")
    assert await journal_lines(client, h, bill["journal_id"]) == {
        PURCHASES: (D("286000.00"), ZERO),
        VAT_IN: (D("42900.00"), ZERO),
        AP: (ZERO, D("321100.00")),
        AIT_PAY: (ZERO, D("7800.00")),
    }
    assert await balance_of(client, h, AP) == D("321100.00")
    journal = await get_json(client, f"{API}/journals/{bill['journal_id']}", h)
    assert journal["type"] == "PURCHASE"
    assert journal["reference"] == bill["number"]


async def test_bad_input_names_the_field_and_writes_nothing(client, container, auth):
    await seed_tenant(container)
    h = auth()
    cases = [
        ({"lines": [line("0", "10")]}, "lines[0].quantity"),
        ({"lines": [line("1", "10.001")]}, "lines[0].unit_price"),
        ({"lines": [line("1", "-10")]}, "lines[0].unit_price"),
        ({"lines": [line("1", "10", "REDUCED_12")]}, "lines[0].vat_rate"),
        ({"lines": [line("1", "10", sd_rate="-1")]}, "lines[0].sd_rate"),
        ({"lines": [line("1", "10", hs_code="12AB")]}, "lines[0].hs_code"),
        ({"lines": []}, "lines"),
        (
            {"lines": [{"description": "x", "quantity": "1", "unit_price": "10"}]},
            "lines[0].vat_rate",
        ),
        ({"counterparty": {"name": "X", "bin": "123456789"}}, "counterparty.bin"),
        ({"counterparty": {"name": "X", "tin": "1234567890"}}, "counterparty.tin"),
        ({"counterparty": {"name": " "}}, "counterparty.name"),
        ({"due_date": "2025-08-01"}, "due_date"),
        ({"currency": "USD"}, "currency"),
    ]
    for override, field in cases:
        body = {**invoice_body([line("1", "100")]), **override}
        response = await client.post(f"{API}/invoices", json=body, headers=h)
        assert_invalid(response, field, exact=False)
    assert await list_all(client, f"{API}/invoices", h) == []
    # No number was used up by the refusals.
    first = await create_invoice(client, h, [line("1", "100")])
    assert first["number"] == "INV-2025-08-000001"


async def test_patch_is_for_drafts_only(client, container, auth):
    await seed_tenant(container)
    h = auth()
    draft = await create_invoice(client, h, [line("1", "100")])
    response = await client.patch(
        f"{API}/invoices/{draft['id']}",
        json={"lines": [line("2", "100", "REDUCED_5")], "due_date": "2025-10-01"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    revised = response.json()
    assert_amount(revised["grand_total"], "210.00")
    assert revised["due_date"] == "2025-10-01"
    assert revised["version"] == 2
    response = await client.patch(
        f"{API}/invoices/{draft['id']}", json={"due_date": "2025-01-01"}, headers=h
    )
    assert_invalid(response, "due_date")
    await approve(client, h, draft["id"])
    response = await client.patch(
        f"{API}/invoices/{draft['id']}", json={"due_date": "2025-12-01"}, headers=h
    )
    assert problem_of(response, 409)["code"] == "invoice_status"
    assert (await invoice(client, h, draft["id"]))["due_date"] == "2025-10-01"


async def test_state_transitions_that_are_refused(client, container, auth):
    await seed_tenant(container)
    h = auth()
    inv = await approved_invoice(client, h, [line("1", "1000")])
    response = await client.post(f"{API}/invoices/{inv['id']}/approve", headers=h)
    assert problem_of(response, 409)["code"] == "invoice_status"
    await pay(client, h, inv["id"], "100")
    response = await client.post(
        f"{API}/invoices/{inv['id']}/cancel", json={"reason": "customer changed"}, headers=h
    )
    assert problem_of(response, 409)["code"] == "invoice_has_payments"
    draft = await create_invoice(client, h, [line("1", "50")])
    response = await client.post(
        f"{API}/invoices/{draft['id']}/cancel", json={"reason": "duplicate"}, headers=h
    )
    assert response.status_code == 200
    assert response.json()["status"] == "CANCELLED"
    assert response.json()["cancellation_journal_id"] is None
    response = await client.post(f"{API}/invoices/{draft['id']}/approve", headers=h)
    assert problem_of(response, 409)["code"] == "invoice_status"
    zero = await create_invoice(client, h, [line("1", "0")])
    response = await client.post(f"{API}/invoices/{zero['id']}/approve", headers=h)
    assert_invalid(response, "lines", code="zero_total")


async def test_mushak_serials_are_gapless_per_fiscal_year(client, container, auth):
    await seed_tenant(container)
    h = auth()
    a = await approved_invoice(client, h, [line("1", "100")], invoice_date="2025-06-30")
    b = await approved_invoice(client, h, [line("1", "100")], invoice_date="2025-07-01")
    # A refused approval (closed period) must not use up a serial. The draft is made
    # before the close: no draft can be made in a closed period.
    c = await create_invoice(client, h, [line("1", "100")], invoice_date="2025-08-15")
    response = await client.post(
        f"{API}/fiscal-periods/FY2025-2026-P02/close",
        json={"reason": "August is closed", "force": True},
        headers=h,
    )
    assert response.status_code == 200, response.text
    response = await client.post(f"{API}/invoices/{c['id']}/approve", headers=h)
    assert_invalid(response, "invoice_date", code="period_closed", exact=False)
    d = await approved_invoice(client, h, [line("1", "100")], invoice_date="2025-09-01")
    assert [x["mushak_number"] for x in (a, b, d)] == [
        "M63-2024-2025-000001",
        "M63-2025-2026-000001",
        "M63-2025-2026-000002",
    ]
    assert (await invoice(client, h, c["id"]))["status"] == "DRAFT"


async def test_lists_filter_and_overdue_is_derived(client, container, auth):
    await seed_tenant(container)
    h = auth()
    late = await approved_invoice(client, h, [line("1", "100")], due_date="2025-09-01")
    paid = await approved_invoice(client, h, [line("1", "100")], due_date="2025-09-01")
    await pay(client, h, paid["id"], "115.00")
    future = await approved_invoice(
        client, h, [line("1", "100")], due_date="2099-01-01", counterparty={"name": "Future"}
    )
    bill = await create_invoice(client, h, [line("1", "100")], kind="PURCHASE")
    got = await invoice(client, h, late["id"])
    assert got["overdue"] is True
    assert got["status"] == "APPROVED"
    assert got["days_overdue"] > 400
    assert (await invoice(client, h, paid["id"]))["overdue"] is False
    overdue = await list_all(client, f"{API}/invoices", h, overdue="true")
    assert [i["id"] for i in overdue] == [late["id"]]
    assert [i["id"] for i in await list_all(client, f"{API}/invoices", h, status="OVERDUE")] == [
        late["id"]
    ]
    assert [i["id"] for i in await list_all(client, f"{API}/invoices", h, kind="PURCHASE")] == [
        bill["id"]
    ]
    assert [i["id"] for i in await list_all(client, f"{API}/invoices", h, status="PAID")] == [
        paid["id"]
    ]
    everything = await list_all(client, f"{API}/invoices", h, limit=1)
    assert {i["id"] for i in everything} == {late["id"], paid["id"], future["id"], bill["id"]}
    response = await client.get(f"{API}/invoices", params={"status": "LATE"}, headers=h)
    assert_invalid(response, "status")


async def test_another_tenant_sees_404(client, container, auth):
    await seed_tenant(container, "t1")
    await seed_tenant(container, "t2")
    a, b = auth("t1"), auth("t2")
    inv = await approved_invoice(client, a, [line("1", "100")])
    payment = await pay(client, a, inv["id"], "10", complete=False)
    for url in (f"{API}/invoices/{inv['id']}", f"{API}/payments/{payment['id']}"):
        assert problem_of(await client.get(url, headers=b), 404)
    for url, body in (
        (f"{API}/invoices/{inv['id']}/approve", None),
        (f"{API}/invoices/{inv['id']}/cancel", {"reason": "not mine"}),
        (f"{API}/payments/{payment['id']}/complete", {"transaction_reference": "TX-12345"}),
        (f"{API}/payments/{payment['id']}/fail", {"reason": "not mine at all"}),
    ):
        assert problem_of(await client.post(url, json=body, headers=b), 404)
    response = await client.post(
        f"{API}/payments",
        json={
            "invoice_id": inv["id"],
            "amount": "1",
            "method": "CASH",
            "payment_date": "2025-08-20",
        },
        headers=b,
    )
    assert_invalid(response, "invoice_id", code="unknown_invoice")
    assert await list_all(client, f"{API}/invoices", b) == []
    assert await list_all(client, f"{API}/payments", b) == []
    assert (await invoice(client, a, inv["id"]))["status"] == "APPROVED"


async def test_permissions(client, container, auth):
    await seed_tenant(container)
    clerk = auth(roles=("accounts_receivable",))
    viewer = auth(roles=("user",))
    draft = await create_invoice(client, clerk, [line("1", "100")])
    assert problem_of(
        await client.post(f"{API}/invoices/{draft['id']}/approve", headers=clerk), 403
    )
    assert problem_of(
        await client.post(f"{API}/invoices", json=invoice_body([line("1", "1")]), headers=viewer),
        403,
    )
    assert (await client.get(f"{API}/invoices/{draft['id']}", headers=viewer)).status_code == 200
    assert problem_of(await client.get(f"{API}/payments", headers=viewer), 403)
    assert problem_of(
        await client.put(f"{API}/posting-profile", json={"cash": "1100"}, headers=clerk), 403
    )


async def test_posting_profile_defaults_and_changes(client, container, auth):
    await seed_tenant(container)
    h = auth()
    profile = await get_json(client, f"{API}/posting-profile", h)
    roles = {a["role"]: a["code"] for a in profile["accounts"]}
    assert roles["accounts_receivable"] == AR
    assert roles["vat_output"] == VAT_OUT
    assert len(roles) == 14
    assert profile["is_default"] is False  # seeded
    # Revenue to 4200 (flat sales) from now on.
    response = await client.put(f"{API}/posting-profile", json={"sales_revenue": "4200"}, headers=h)
    assert response.status_code == 200, response.text
    changed = {a["role"]: a["code"] for a in response.json()["accounts"]}
    assert changed["sales_revenue"] == "4200"
    assert changed["accounts_receivable"] == AR
    inv = await approved_invoice(client, h, [line("1", "1000")])
    assert set(await journal_lines(client, h, inv["journal_id"])) == {AR, "4200", VAT_OUT}
    # Wrong type and unknown accounts are refused by role.
    response = await client.put(
        f"{API}/posting-profile", json={"sales_revenue": "1100", "cash": "9999"}, headers=h
    )
    body = assert_invalid(response, "sales_revenue")
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("sales_revenue", "wrong_account_type"),
        ("cash", "unknown_account"),
    }
    assert {
        a["role"]: a["code"]
        for a in (await get_json(client, f"{API}/posting-profile", h))["accounts"]
    }["sales_revenue"] == "4200"


async def test_tenant_without_chart_gets_a_clear_refusal(client, auth):
    h = auth("bare")
    draft = await create_invoice(client, h, [line("1", "100")])
    response = await client.post(f"{API}/invoices/{draft['id']}/approve", headers=h)
    assert_invalid(
        response, "posting_profile.accounts_receivable", code="posting_profile_incomplete"
    )
    assert (await invoice(client, h, draft["id"]))["status"] == "DRAFT"
    assert (await get_json(client, f"{API}/posting-profile", h))["accounts"] == []


async def test_company_profile(client, auth):
    h = auth()
    assert problem_of(await client.get(f"{API}/company-profile", headers=h), 404)
    response = await client.put(
        f"{API}/company-profile",
        json={
            "name": "Vextrus Builders Ltd.",
            "address": "Gulshan, Dhaka",
            "bin": "000123456-0101",
        },
        headers=h,
    )
    assert response.status_code == 200, response.text
    assert response.json()["bin"] == "0001234560101"
    response = await client.put(
        f"{API}/company-profile", json={"name": "X Ltd.", "bin": "12345"}, headers=h
    )
    assert_invalid(response, "bin", code="invalid_bin")
    assert (await get_json(client, f"{API}/company-profile", h))["name"] == "Vextrus Builders Ltd."


async def test_aging_buckets_by_counterparty(client, container, auth):
    await seed_tenant(container)
    h = auth()

    async def open_invoice(name: str, due: str, amount: str, kind: str = "SALES") -> None:
        await approved_invoice(
            client,
            h,
            [line("1", amount, "ZERO")],
            kind=kind,
            invoice_date="2025-07-01",
            due_date=due,
            counterparty={"name": name},
        )

    await open_invoice("Alpha", "2025-12-31", "100")  # not due: current
    await open_invoice("Alpha", "2025-12-01", "200")  # due today: current
    await open_invoice("Alpha", "2025-11-01", "300")  # 30 days: 1-30
    await open_invoice("Beta", "2025-10-31", "400")  # 31 days: 31-60
    await open_invoice("Beta", "2025-09-01", "500")  # 91 days: > 90
    await open_invoice("Gamma", "2025-10-01", "600")  # 61 days: 61-90
    await open_invoice("Supplier", "2025-10-01", "700", kind="PURCHASE")
    report = await get_json(client, f"{API}/reports/aging", h, as_of="2025-12-01")
    rows = {r["counterparty_name"]: r["buckets"] for r in report["rows"]}
    assert set(rows) == {"Alpha", "Beta", "Gamma"}
    assert_amount(rows["Alpha"]["current"], "300.00")
    assert_amount(rows["Alpha"]["days_1_30"], "300.00")
    assert_amount(rows["Beta"]["days_31_60"], "400.00")
    assert_amount(rows["Beta"]["days_over_90"], "500.00")
    assert_amount(rows["Gamma"]["days_61_90"], "600.00")
    assert_amount(report["totals"]["total"], "2100.00")
    payables = await get_json(
        client, f"{API}/reports/aging", h, kind="PURCHASE", as_of="2025-12-01"
    )
    assert_amount(payables["totals"]["days_61_90"], "700.00")


async def test_aging_as_of_a_past_date_shows_what_was_owed_then(client, container, auth):
    """Payments, reversals and cancellations count from their own dates, not from today."""
    await seed_tenant(container)
    h = auth()
    # 1 000 at 15 % VAT: 1 150 payable, due 2025-09-09.
    inv = await approved_invoice(
        client, h, [line("1", "1000")], invoice_date="2025-08-10", due_date="2025-09-09",
        counterparty={"name": "Delta"},
    )  # fmt: skip
    payment = await pay(client, h, inv["id"], "500", payment_date="2025-09-20")
    reversed_ = await client.post(
        f"{API}/payments/{payment['id']}/reverse",
        json={"reason": "the cheque bounced after clearing", "date": "2025-10-15"},
        headers=h,
    )
    assert reversed_.status_code == 200, reversed_.text
    cancelled = await client.post(
        f"{API}/invoices/{inv['id']}/cancel",
        json={"reason": "the contract was voided", "date": "2025-11-01"},
        headers=h,
    )
    assert cancelled.status_code == 200, cancelled.text
    await approved_invoice(  # dated after every as-of below but one
        client, h, [line("1", "100", "ZERO")], invoice_date="2025-11-10", due_date="2025-11-20",
        counterparty={"name": "Delta"},
    )  # fmt: skip

    async def delta(as_of: str) -> dict[str, str] | None:
        report = await get_json(client, f"{API}/reports/aging", h, as_of=as_of)
        rows = {r["counterparty_name"]: r["buckets"] for r in report["rows"]}
        return rows.get("Delta")

    assert await delta("2025-08-09") is None  # not yet issued
    before_due = await delta("2025-09-01")
    assert before_due is not None
    assert_amount(before_due["current"], "1150.00")
    part_paid = await delta("2025-09-25")  # 16 days late, 500 paid
    assert part_paid is not None
    assert_amount(part_paid["days_1_30"], "650.00")
    assert_amount(part_paid["total"], "650.00")
    after_reversal = await delta("2025-10-20")  # 41 days late, the payment undone
    assert after_reversal is not None
    assert_amount(after_reversal["days_31_60"], "1150.00")
    assert await delta("2025-11-05") is None  # cancelled, the next invoice not yet issued
    later = await delta("2025-11-25")
    assert later is not None
    assert_amount(later["total"], "100.00")


async def test_idempotency_key_and_if_match(client, container, auth):
    await seed_tenant(container)
    h = auth()
    keyed = {**h, "Idempotency-Key": "inv-create-1"}
    payload = invoice_body([line("1", "100")])
    first = await client.post(f"{API}/invoices", json=payload, headers=keyed)
    again = await client.post(f"{API}/invoices", json=payload, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(await list_all(client, f"{API}/invoices", h)) == 1
    other = await client.post(
        f"{API}/invoices", json=invoice_body([line("2", "100")]), headers=keyed
    )
    assert problem_of(other, 422)["code"] == "idempotency_key_reused"

    invoice_id = first.json()["id"]
    assert first.headers["ETag"] == '"1"'
    stale = await client.patch(
        f"{API}/invoices/{invoice_id}",
        json={"due_date": "2025-12-31"},
        headers={**h, "If-Match": '"7"'},
    )
    assert problem_of(stale, 412)
    fresh = await client.post(
        f"{API}/invoices/{invoice_id}/approve", headers={**h, "If-Match": '"1"'}
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.headers["ETag"] == '"2"'


async def test_a_backdated_sales_draft_is_issued_on_the_day_of_approval(client, container, auth):
    """One date governs a tax invoice: the serial's fiscal year, the journal's date and period,
    the invoice date and the time of issue all follow the day it was issued (ADR 0035)."""
    await seed_tenant(container)
    h = auth()
    draft = await create_invoice(
        client, h, [line("1", "1000")], invoice_date="2025-06-28", due_date="2025-07-28"
    )
    issue_on(container, "2025-12-07")
    issued = await approve(client, h, draft["id"], on_draft_date=False)
    assert issued["invoice_date"] == "2025-12-07"
    assert issued["due_date"] == "2026-01-06"  # the 30 days' terms are kept
    assert issued["fiscal_year"] == "FY2025-2026"
    assert issued["mushak_number"] == "M63-2025-2026-000001"
    assert issued["issued_at"].startswith("2025-12-07T05:00:00")  # 11:00 in Dhaka
    journal = await get_json(client, f"{API}/journals/{issued['journal_id']}", h)
    assert (journal["date"], journal["fiscal_period"]) == ("2025-12-07", "FY2025-2026-P06")
    assert await invoice(client, h, draft["id"]) == issued
    # A purchase bill records what the supplier issued: it keeps its date.
    bill = await create_invoice(client, h, [line("1", "100")], kind="PURCHASE")
    approved_bill = await approve(client, h, bill["id"], on_draft_date=False)
    assert approved_bill["invoice_date"] == "2025-08-10"


async def test_a_sales_draft_dated_in_a_closed_period_is_refused(client, container, auth):
    await seed_tenant(container)
    h = auth()
    draft = await create_invoice(client, h, [line("1", "1000")], invoice_date="2025-07-20")
    response = await client.post(
        f"{API}/fiscal-periods/FY2025-2026-P01/close",
        json={"reason": "July closed", "force": True},  # the draft is left open on purpose
        headers=h,
    )
    assert response.status_code == 200, response.text
    issue_on(container, "2025-08-05")
    response = await client.post(f"{API}/invoices/{draft['id']}/approve", headers=h)
    assert_invalid(response, "invoice_date", code="period_closed")
    after = await invoice(client, h, draft["id"])
    assert (after["status"], after["mushak_number"]) == ("DRAFT", None)


async def test_cancellation_is_booked_on_the_invoice_date_unless_closed(client, container, auth):
    await seed_tenant(container)
    h = auth()
    first = await approved_invoice(client, h, [line("1", "1000")], invoice_date="2025-08-10")
    issue_on(container, "2025-09-15")  # cancelled a month later, August still open
    response = await client.post(
        f"{API}/invoices/{first['id']}/cancel", json={"reason": "wrong customer"}, headers=h
    )
    assert response.status_code == 200, response.text
    reversal = response.json()["cancellation_journal_id"]
    assert (await get_json(client, f"{API}/journals/{reversal}", h))["date"] == "2025-08-10"

    second = await approved_invoice(client, h, [line("1", "500")], invoice_date="2025-08-12")
    response = await client.post(
        f"{API}/fiscal-periods/FY2025-2026-P02/close", json={"reason": "August closed"}, headers=h
    )
    assert response.status_code == 200, response.text
    issue_on(container, "2025-09-15")
    url = f"{API}/invoices/{second['id']}/cancel"
    response = await client.post(url, json={"reason": "wrong customer"}, headers=h)
    assert_invalid(response, "date", code="period_closed")
    assert (await invoice(client, h, second["id"]))["status"] == "APPROVED"
    response = await client.post(
        url, json={"reason": "wrong customer", "date": "2025-09-15"}, headers=h
    )
    assert response.status_code == 200, response.text
    reversal = response.json()["cancellation_journal_id"]
    assert (await get_json(client, f"{API}/journals/{reversal}", h))["date"] == "2025-09-15"


async def test_the_same_supplier_bill_entered_twice_is_refused(client, container, auth):
    await seed_tenant(container)
    h = auth()
    meghna = {"name": "Meghna Cement Mills", "bin": "0001112220101"}
    evidence = {"supplier_invoice_number": "MCM-0417", "supplier_invoice_date": "2025-08-08"}
    first = await create_invoice(
        client, h, [line("1", "1000")], kind="PURCHASE", counterparty=meghna, **evidence
    )
    assert (first["supplier_invoice_number"], first["supplier_invoice_date"]) == (
        "MCM-0417",
        "2025-08-08",
    )
    # Same supplier BIN and number, even under another spelling of the name: 409.
    again = invoice_body(
        [line("1", "1000")],
        kind="PURCHASE",
        counterparty={"name": "Meghna Cement", "bin": "0001112220101"},
        **evidence,
    )
    response = await client.post(f"{API}/invoices", json=again, headers=h)
    assert_invalid(
        response, "supplier_invoice_number", code="duplicate_supplier_invoice", status=409
    )
    assert len(await list_all(client, f"{API}/invoices", h)) == 1
    # Another supplier may use the same number.
    other = {"name": "Bashundhara Steel", "bin": "0009998880101"}
    response = await client.post(
        f"{API}/invoices",
        json=invoice_body([line("1", "5")], kind="PURCHASE", counterparty=other, **evidence),
        headers=h,
    )
    assert response.status_code == 201, response.text
    # A draft cannot be revised into the duplicate either.
    third = await create_invoice(client, h, [line("1", "9")], kind="PURCHASE", counterparty=meghna)
    response = await client.patch(
        f"{API}/invoices/{third['id']}", json={"supplier_invoice_number": "MCM-0417"}, headers=h
    )
    assert_invalid(response, "supplier_invoice_number", status=409)
    # Once the first is cancelled, the bill may be entered again.
    response = await client.post(
        f"{API}/invoices/{first['id']}/cancel", json={"reason": "entered twice"}, headers=h
    )
    assert response.status_code == 200, response.text
    response = await client.post(f"{API}/invoices", json=again, headers=h)
    assert response.status_code == 201, response.text


async def test_invoice_details_belong_to_one_kind(client, container, auth):
    await seed_tenant(container)
    h = auth()
    sale = invoice_body([line("1", "10")], supplier_invoice_number="X-1")
    response = await client.post(f"{API}/invoices", json=sale, headers=h)
    assert_invalid(response, "supplier_invoice_number", code="not_for_this_kind")
    bill = invoice_body(
        [line("1", "10")],
        kind="PURCHASE",
        supplier_invoice_date="2025-08-11",  # after the bill's own date
        destination="Chattogram",
    )
    response = await client.post(f"{API}/invoices", json=bill, headers=h)
    body = assert_invalid(response, "supplier_invoice_date")
    assert {"supplier_invoice_date", "destination"} <= {e["field"] for e in body["errors"]}


async def test_lines_post_to_their_own_accounts(client, container, auth):
    """A subcontractor bill reaches 5110/2110, equipment 1530, a flat sale 4200 (issue 15)."""
    await seed_tenant(container)
    h = auth()
    bill = await approved_invoice(
        client,
        h,
        [
            line("1", "100000", "ZERO", account_code="5110"),
            line("1", "50000", "ZERO", account_code="1530"),
            line("1", "1000", "ZERO"),  # the profile's purchases account
        ],
        kind="PURCHASE",
        control_account_code="2110",
    )
    assert [x["account_code"] for x in bill["lines"]] == ["5110", "1530", None]
    assert bill["control_account_code"] == "2110"
    assert await journal_lines(client, h, bill["journal_id"]) == {
        "5110": (D("100000.00"), ZERO),
        "1530": (D("50000.00"), ZERO),
        PURCHASES: (D("1000.00"), ZERO),
        "2110": (ZERO, D("151000.00")),
    }
    # Paying the bill settles the payable it was booked to.
    payment = await pay(
        client,
        h,
        bill["id"],
        "151000",
        method="BANK_TRANSFER",
        bank_account_id=(await account(client, h, "1120-01"))["id"],
    )
    assert (await journal_lines(client, h, payment["journal_id"]))["2110"] == (
        D("151000.00"),
        ZERO,
    )
    assert await balance_of(client, h, "2110") == ZERO

    sale = await approved_invoice(
        client, h, [line("1", "1000", account_code="4200")], control_account_code="1200"
    )
    assert await journal_lines(client, h, sale["journal_id"]) == {
        AR: (D("1150.00"), ZERO),
        "4200": (ZERO, D("1000.00")),
        VAT_OUT: (ZERO, D("150.00")),
    }


async def test_a_line_account_of_the_wrong_type_is_refused(client, container, auth):
    await seed_tenant(container)
    h = auth()
    body = invoice_body(
        [line("1", "10", account_code="5110"), line("1", "10", account_code="9999")],
        control_account_code="2100",
    )
    response = await client.post(f"{API}/invoices", json=body, headers=h)
    problem = assert_invalid(response, "lines[0].account_code", code="wrong_account_type")
    assert {e["field"] for e in problem["errors"]} == {
        "lines[0].account_code",
        "lines[1].account_code",
        "control_account_code",
    }
    bill = invoice_body(
        [line("1", "10", account_code="4100")], kind="PURCHASE", control_account_code="1200"
    )
    problem = assert_invalid(
        await client.post(f"{API}/invoices", json=bill, headers=h), "lines[0].account_code"
    )
    assert {e["field"] for e in problem["errors"]} == {
        "lines[0].account_code",
        "control_account_code",
    }
    assert await list_all(client, f"{API}/invoices", h) == []


async def test_only_an_unused_or_control_account_becomes_an_invoice_control_account(
    client, container, auth
):
    """Naming an account as an invoice's control account makes it one (manual lines then need
    a counterparty): a bank account in use, a cash account or a header account cannot be."""
    await seed_tenant(container)
    h = auth()
    journal = {
        "date": "2025-08-01", "description": "Capital paid in", "post": True,
        "lines": [{"account_code": "1120-02", "debit": "100.00"},
                  {"account_code": "3100", "credit": "100.00"}],
    }  # fmt: skip
    response = await client.post(f"{API}/journals", json=journal, headers=h)
    assert response.status_code == 201, response.text
    for code, problem_code in (
        ("1120-02", "control_account_in_use"),  # holds entries without a counterparty
        ("1100", "control_account_in_use"),  # cash: non-negative
        ("1000", "header_account"),
    ):
        body = invoice_body([line("1", "10")], control_account_code=code)
        response = await client.post(f"{API}/invoices", json=body, headers=h)
        assert_invalid(response, "control_account_code", code=problem_code)
    assert await list_all(client, f"{API}/invoices", h) == []
    for code in ("1200", "1210"):  # the profile's receivable; an unused receivable
        body = invoice_body([line("1", "10")], control_account_code=code)
        response = await client.post(f"{API}/invoices", json=body, headers=h)
        assert response.status_code == 201, response.text
