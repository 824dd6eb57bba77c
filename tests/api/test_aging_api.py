"""The aging report: what it counts (never a cancelled invoice of any kind) and how it ties
out to the receivable and payable control accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.api.helpers import (
    API,
    assert_amount,
    assert_invalid,
    cr,
    dr,
    get_json,
    journal_body,
    post_journal,
)
from tests.api.invoice_helpers import (
    AP,
    AR,
    account,
    approved_invoice,
    create_invoice,
    invoice,
    line,
    pay,
    seed_tenant,
)
from tests.integration.helpers import run
from vextrus_finance.application.ledger.journals import CreateJournal, LineSpec, create_journal


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


async def _party(client, h, name: str, kind: str = "CUSTOMER") -> str:
    response = await client.post(
        f"{API}/counterparties", json={"kind": kind, "name": name}, headers=h
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_manual_lines_on_a_control_account_need_a_counterparty(client, container, auth):
    await seed_tenant(container)
    h = auth()
    customer = await _party(client, h, "Opening Customer")
    for post in (True, False):
        response = await client.post(
            f"{API}/journals",
            json=journal_body("2025-07-01", [dr(AR, "100"), cr("3900", "100")], post=post),
            headers=h,
        )
        assert_invalid(response, "lines[0].counterparty_id", code="counterparty_required")
    response = await client.post(
        f"{API}/journals",
        json=journal_body(
            "2025-07-01", [dr(AR, "100", counterparty_id="nobody"), cr("3900", "100")], post=True
        ),
        headers=h,
    )
    assert_invalid(response, "lines[0].counterparty_id", code="unknown_counterparty")
    batch = await client.post(
        f"{API}/journals/batch",
        json={"journals": [journal_body("2025-07-01", [dr("1100", "5"), cr(AP, "5")])]},
        headers=h,
    )
    assert_invalid(batch, "journals[0].lines[1].counterparty_id", code="counterparty_required")
    journal = await post_journal(
        client, h, "2025-07-01", [dr(AR, "100", counterparty_id=customer), cr("3900", "100")]
    )
    assert journal["lines"][0]["counterparty_id"] == customer
    assert journal["lines"][1]["counterparty_id"] is None
    # Other accounts need none.
    await post_journal(client, h, "2025-07-01", [dr("1100", "5"), cr("3900", "5")])


async def test_manual_lines_with_a_counterparty_are_aged_and_tie_out(client, container, auth):
    await seed_tenant(container)
    h = auth()
    customer = await _party(client, h, "Opening Customer")
    supplier = await _party(client, h, "Opening Supplier", kind="SUPPLIER")
    opening = await post_journal(
        client, h, "2025-07-01",
        [dr(AR, "1000", counterparty_id=customer), cr(AP, "400", counterparty_id=supplier),
         cr("3900", "600")],
    )  # fmt: skip
    await approved_invoice(
        client, h, [line("1", "200", "ZERO")], invoice_date="2025-08-10", due_date="2025-09-09",
        counterparty={"id": customer},
    )  # fmt: skip
    # A line naming the party on another account is not its sub-ledger.
    await post_journal(
        client, h, "2025-08-02", [dr("6150", "10", counterparty_id=customer), cr("3900", "10")]
    )
    # A receipt booked by hand against the opening balance and reversed; then another.
    receipt = await post_journal(
        client, h, "2025-08-15", [dr("1100", "300"), cr(AR, "300", counterparty_id=customer)]
    )
    response = await client.post(
        f"{API}/journals/{receipt['id']}/reverse", json={"date": "2025-08-20"}, headers=h
    )
    assert response.status_code == 201, response.text
    await post_journal(
        client, h, "2025-08-25", [dr("1100", "150"), cr(AR, "150", counterparty_id=customer)]
    )
    report = await get_json(client, f"{API}/reports/aging", h, as_of="2025-08-31")
    assert [(r["counterparty_id"], r["invoices"]) for r in report["rows"]] == [(customer, 1)]
    buckets = report["rows"][0]["buckets"]
    assert_amount(buckets["total"], "1050.00")  # 1 000 + 200 - 150
    assert_amount(buckets["days_61_90"], "1000.00")  # the opening line, 61 days old
    assert_amount(buckets["days_1_30"], "-150.00")  # the receipt on account, 6 days old
    assert_amount(buckets["current"], "200.00")  # the invoice, due 9 September
    assert_amount(report["ledger_balance"], "1050.00")
    assert_amount(report["difference"], "0.00")
    payables = await get_json(
        client, f"{API}/reports/aging", h, kind="PURCHASE", as_of="2025-08-31"
    )
    assert [r["counterparty_id"] for r in payables["rows"]] == [supplier]
    assert_amount(payables["totals"]["total"], "400.00")
    assert_amount(payables["difference"], "0.00")
    # The statement shows the same lines and closes at the aged total.
    statement = await get_json(
        client, f"{API}/counterparties/{customer}/statement", h,
        **{"from": "2025-07-01", "to": "2025-08-31"},
    )  # fmt: skip
    assert [e["document_type"] for e in statement["lines"]] == [
        "JOURNAL", "SALES_INVOICE", "JOURNAL", "JOURNAL", "JOURNAL",
    ]  # fmt: skip
    assert statement["lines"][0]["document_id"] == opening["id"]
    assert_amount(statement["closing_balance"], "1050.00")


async def test_a_draft_from_before_the_rule_needs_a_counterparty_to_post(client, container, auth):
    await seed_tenant(container)
    h = auth()
    legacy = CreateJournal(
        date(2025, 8, 1),
        "Opening receivable",
        (
            LineSpec(None, "3900", Decimal(0), Decimal("250")),
            LineSpec(None, AR, Decimal("250"), Decimal(0)),
        ),
        manual=False,  # as the rule did not exist when it was drafted
    )
    journal_id = await run(container, "t1", lambda uow: create_journal(uow, legacy))
    response = await client.post(f"{API}/journals/{journal_id}/post", headers=h)
    assert_invalid(response, "lines[1].counterparty_id", code="counterparty_required")


async def test_an_account_an_invoice_names_is_a_control_account(client, container, auth):
    """A subcontractor bill payable to 2110 makes 2110 a control account of PURCHASE: the
    aging ties out to it and manual lines on it need a counterparty (ADR 0037, amended)."""
    await seed_tenant(container)
    h = auth()
    supplier = await _party(client, h, "Subcontractor Ltd.", kind="SUPPLIER")
    bill = await approved_invoice(
        client, h, [line("1", "1000", "ZERO", account_code="5110")], kind="PURCHASE",
        invoice_date="2025-08-10", due_date="2025-09-09", counterparty={"id": supplier},
        control_account_code="2110",
    )  # fmt: skip
    assert bill["control_account_code"] == "2110"
    subcontract = await account(client, h, "2110")
    for lines in (
        [dr("5110", "40"), cr("2110", "40")],
        [dr("5110", "40"), cr(subcontract, "40")],
    ):
        for post in (True, False):
            response = await client.post(
                f"{API}/journals", json=journal_body("2025-08-12", lines, post=post), headers=h
            )
            assert_invalid(response, "lines[1].counterparty_id", code="counterparty_required")
    await post_journal(
        client, h, "2025-08-12", [dr("5110", "40"), cr("2110", "40", counterparty_id=supplier)]
    )
    await post_journal(
        client, h, "2025-08-13", [dr("2110", "5", counterparty_id=supplier), cr("5110", "5")]
    )
    payables = await get_json(
        client, f"{API}/reports/aging", h, kind="PURCHASE", as_of="2025-08-31"
    )
    assert payables["control_accounts"] == [AP, "2110"]
    assert [(r["counterparty_id"], r["invoices"]) for r in payables["rows"]] == [(supplier, 1)]
    assert_amount(payables["totals"]["total"], "1035.00")  # 1 000 + 40 - 5
    assert_amount(payables["ledger_balance"], "1035.00")  # all on 2110
    assert_amount(payables["difference"], "0.00")
    receivables = await get_json(client, f"{API}/reports/aging", h, as_of="2025-08-31")
    assert receivables["control_accounts"] == [AR]
    # The supplier's statement shows the manual lines on 2110 next to its bill.
    statement = await get_json(
        client, f"{API}/counterparties/{supplier}/statement", h,
        **{"from": "2025-07-01", "to": "2025-08-31"},
    )  # fmt: skip
    assert [e["document_type"] for e in statement["lines"]] == [
        "PURCHASE_INVOICE", "JOURNAL", "JOURNAL",
    ]  # fmt: skip
    assert_amount(statement["closing_balance"], "-1035.00")
