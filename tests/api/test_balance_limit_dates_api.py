"""Balance limits hold on a posting's own date and every later day, not only today (issue 15,
item 4): a backdated payment may not overdraw cash in the past even if today's balance is fine."""

from __future__ import annotations

from tests.api.helpers import (
    API,
    D,
    assert_invalid,
    balance,
    cr,
    create_account,
    dr,
    journal_body,
    post_journal,
)
from tests.api.invoice_helpers import CASH, balance_of, pay, seed_tenant


async def _cash_book(client, h):
    cash = await create_account(
        client, h, "1110", "Cash in Hand", "ASSET", balance_limit="non_negative"
    )
    capital = await create_account(client, h, "3100", "Share Capital", "EQUITY")
    expense = await create_account(client, h, "5100", "Site Expenses", "EXPENSE")
    return cash, capital, expense


async def test_a_backdated_payment_may_not_overdraw_the_account_on_its_date(client, auth):
    h = auth()
    cash, capital, expense = await _cash_book(client, h)
    await post_journal(client, h, "2025-09-01", [dr(cash, "100.00"), cr(capital, "100.00")])
    await post_journal(client, h, "2025-09-20", [dr(cash, "1000.00"), cr(capital, "1000.00")])

    # today's balance (1,100) covers 500, but on 15 September there were only 100
    response = await client.post(
        f"{API}/journals",
        json=journal_body("2025-09-15", [dr(expense, "500.00"), cr(cash, "500.00")], post=True),
        headers=h,
    )
    body = assert_invalid(response, "lines[1].account_id", code="balance_limit_exceeded")
    assert "2025-09-15" in body["detail"]
    assert await balance(client, h, cash["id"]) == D("1100.00")

    # exactly what there was that day is allowed
    await post_journal(client, h, "2025-09-15", [dr(expense, "100.00"), cr(cash, "100.00")])
    assert await balance(client, h, cash["id"]) == D("1000.00")


async def test_the_limit_holds_on_every_later_day_too(client, auth):
    h = auth()
    cash, capital, expense = await _cash_book(client, h)
    await post_journal(client, h, "2025-09-01", [dr(cash, "1000.00"), cr(capital, "1000.00")])
    await post_journal(client, h, "2025-09-25", [dr(expense, "800.00"), cr(cash, "800.00")])
    await post_journal(client, h, "2025-10-03", [dr(cash, "800.00"), cr(capital, "800.00")])

    # 300 on 10 September leaves 700 that day but −100 on 25 September
    draft = await client.post(
        f"{API}/journals",
        json=journal_body("2025-09-10", [dr(expense, "300.00"), cr(cash, "300.00")]),
        headers=h,
    )
    assert draft.status_code == 201, draft.text
    response = await client.post(f"{API}/journals/{draft.json()['id']}/post", headers=h)
    body = assert_invalid(response, "lines[1].account_id", code="balance_limit_exceeded")
    assert "2025-09-25" in body["detail"]
    assert "-100.00" in body["detail"]

    # 200 leaves zero on the 25th: allowed
    await post_journal(client, h, "2025-09-10", [dr(expense, "200.00"), cr(cash, "200.00")])
    assert await balance(client, h, cash["id"]) == D("800.00")


async def test_a_backdated_reversal_of_a_receipt_is_checked_at_its_date(client, auth):
    h = auth()
    cash, capital, expense = await _cash_book(client, h)
    receipt = await post_journal(
        client, h, "2025-09-01", [dr(cash, "500.00"), cr(capital, "500.00")]
    )
    await post_journal(client, h, "2025-09-05", [dr(expense, "400.00"), cr(cash, "400.00")])
    await post_journal(client, h, "2025-09-20", [dr(cash, "900.00"), cr(capital, "900.00")])

    # taking the receipt back on 2 September leaves −400 on the 5th
    response = await client.post(
        f"{API}/journals/{receipt['id']}/reverse",
        json={"date": "2025-09-02", "reason": "Receipt entered twice"},
        headers=h,
    )
    assert_invalid(response, "lines[0].account_id", code="balance_limit_exceeded")
    # on the 21st it is fine
    response = await client.post(
        f"{API}/journals/{receipt['id']}/reverse",
        json={"date": "2025-09-21", "reason": "Receipt entered twice"},
        headers=h,
    )
    assert response.status_code == 201, response.text
    assert await balance(client, h, cash["id"]) == D("500.00")


async def test_an_atomic_batch_sees_its_own_later_journals(client, auth):
    h = auth()
    cash, capital, expense = await _cash_book(client, h)
    journals = [
        journal_body("2025-09-20", [dr(cash, "500.00"), cr(capital, "500.00")], post=True),
        journal_body("2025-09-10", [dr(expense, "300.00"), cr(cash, "300.00")], post=True),
    ]
    response = await client.post(
        f"{API}/journals/batch", json={"journals": journals, "atomic": True}, headers=h
    )
    assert_invalid(response, "journals[1].lines[1].account_id", code="balance_limit_exceeded")
    assert await balance(client, h, cash["id"]) == 0


async def test_the_issue_case_a_backdated_cash_payment(client, container, auth):
    """The case the issue reports: with the standard chart (Cash in Hand is non_negative), a
    cash payment dated 15 September is refused when the cash came in only later."""
    await seed_tenant(container)
    h = auth()
    await pay(client, h, None, "50000.00", direction="IN", payment_date="2025-09-01")
    await pay(client, h, None, "200000.00", direction="IN", payment_date="2025-09-30")
    pending = await pay(
        client, h, None, "150000.00", direction="OUT", payment_date="2025-09-15", complete=False
    )
    response = await client.post(
        f"{API}/payments/{pending['id']}/complete",
        json={"transaction_reference": "PETTY-15"},
        headers=h,
    )
    body = assert_invalid(response, "lines[1].account_id", code="balance_limit_exceeded")
    assert "-100000.00" in body["detail"]
    assert await balance_of(client, h, CASH) == D("250000.00")
