"""An accountant's day, checked by hand: create and approve a sales invoice, take part of it by
bKash and the rest by bank, reverse the bKash payment, cancel another invoice. After every step
the invoice, its journal, AR, VAT payable and the trial balance match figures computed here."""

from __future__ import annotations

from decimal import Decimal

from tests.api.helpers import API, D, assert_amount, get_json
from tests.api.invoice_helpers import (
    AIT_REC,
    AR,
    BANK,
    BKASH,
    REVENUE,
    SD_PAY,
    VAT_OUT,
    account,
    approve,
    balance_of,
    create_invoice,
    invoice,
    journal_lines,
    line,
    seed_tenant,
    trial_balance,
)

ZERO = Decimal("0.00")


async def check_books(client, h, *, ar: str, vat: str, bkash: str, bank: str) -> None:
    assert await balance_of(client, h, AR) == D(ar)
    assert await balance_of(client, h, VAT_OUT) == D(vat)
    assert await balance_of(client, h, BKASH) == D(bkash)
    assert await balance_of(client, h, BANK) == D(bank)
    tb = await trial_balance(client, h)
    assert tb["totals"]["balanced"] is True
    assert D(tb["totals"]["variance"]) == 0
    assert D(tb["totals"]["debit"]) == D(tb["totals"]["credit"])


async def test_accountant_walkthrough(client, container, auth):
    await seed_tenant(container)
    h = auth()

    # 1. Create. Line 1: 10 × 1 000 at 15 %, AIT 5 %. Line 2: 1 × 2 000 with SD 10 % at 15 %.
    #    Line 1: amount 10 000, VAT 1 500, AIT 500.
    #    Line 2: amount 2 000, SD 200, VAT (2 000 + 200) × 15 % = 330.
    #    Subtotal 12 000, SD 200, VAT 1 830, grand 14 030, AIT 500, payable 13 530.
    draft = await create_invoice(
        client,
        h,
        [
            line("10", "1000", ait_rate="5", description="Piling work", hs_code="9954"),
            line("1", "2000", sd_rate="10", description="Imported tiles", unit="lot"),
        ],
        counterparty={"name": "Gulshan Heights Ltd.", "bin": "0012345670101"},
    )
    assert draft["status"] == "DRAFT"
    assert draft["mushak_number"] is None
    assert draft["journal_id"] is None
    for name, value in {
        "subtotal": "12000.00",
        "sd_total": "200.00",
        "vat_total": "1830.00",
        "ait_total": "500.00",
        "grand_total": "14030.00",
        "payable_total": "13530.00",
        "paid_amount": "0.00",
        "balance_due": "13530.00",
    }.items():
        assert_amount(draft[name], value)
    assert_amount(draft["lines"][1]["vat_amount"], "330.00")
    await check_books(client, h, ar="0", vat="0", bkash="0", bank="0")

    # 2. Approve: Dr AR 13 530 + Dr AIT receivable 500 / Cr revenue 12 000, VAT 1 830, SD 200.
    approved = await approve(client, h, draft["id"])
    assert approved["status"] == "APPROVED"
    assert approved["mushak_number"] == "M63-2025-2026-000001"
    assert approved["issued_at"] is not None
    assert await journal_lines(client, h, approved["journal_id"]) == {
        AR: (D("13530.00"), ZERO),
        AIT_REC: (D("500.00"), ZERO),
        REVENUE: (ZERO, D("12000.00")),
        VAT_OUT: (ZERO, D("1830.00")),
        SD_PAY: (ZERO, D("200.00")),
    }
    await check_books(client, h, ar="13530", vat="1830", bkash="0", bank="0")

    # 3. Part-pay 5 000 by bKash: PROCESSING until completed; then Dr bKash / Cr AR.
    response = await client.post(
        f"{API}/payments",
        json={
            "invoice_id": draft["id"],
            "amount": "5000",
            "method": "MOBILE_WALLET",
            "payment_date": "2025-08-20",
            "wallet": {
                "provider": "BKASH",
                "mobile_number": "+880 1712-345678",
                "transaction_id": "BK8N4K2Q",
            },
        },
        headers=h,
    )
    assert response.status_code == 201, response.text
    bkash = response.json()
    assert bkash["status"] == "PROCESSING"
    assert bkash["direction"] == "IN"
    assert bkash["wallet"]["mobile_number"] == "01712345678"
    await check_books(client, h, ar="13530", vat="1830", bkash="0", bank="0")
    response = await client.post(
        f"{API}/payments/{bkash['id']}/complete",
        json={"transaction_reference": "BK8N4K2Q"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    bkash = response.json()
    assert bkash["status"] == "COMPLETED"
    assert await journal_lines(client, h, bkash["journal_id"]) == {
        BKASH: (D("5000.00"), ZERO),
        AR: (ZERO, D("5000.00")),
    }
    current = await invoice(client, h, draft["id"])
    assert current["status"] == "PARTIALLY_PAID"
    assert_amount(current["paid_amount"], "5000.00")
    assert_amount(current["balance_due"], "8530.00")
    await check_books(client, h, ar="8530", vat="1830", bkash="5000", bank="0")

    # 4. The rest, 8 530, by bank transfer through Sonali Bank.
    bank_account = await account(client, h, BANK)
    response = await client.post(
        f"{API}/payments",
        json={
            "invoice_id": draft["id"],
            "amount": "8530.00",
            "method": "BANK_TRANSFER",
            "bank_account_id": bank_account["id"],
            "payment_date": "2025-08-25",
        },
        headers=h,
    )
    assert response.status_code == 201, response.text
    transfer = response.json()
    assert transfer["status"] == "PENDING"
    response = await client.post(
        f"{API}/payments/{transfer['id']}/complete",
        json={"transaction_reference": "SONALI-778812"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    transfer = response.json()
    assert await journal_lines(client, h, transfer["journal_id"]) == {
        BANK: (D("8530.00"), ZERO),
        AR: (ZERO, D("8530.00")),
    }
    current = await invoice(client, h, draft["id"])
    assert current["status"] == "PAID"
    assert_amount(current["balance_due"], "0.00")
    await check_books(client, h, ar="0", vat="1830", bkash="5000", bank="8530")

    # 5. The bKash payment bounced: reverse it. Dr AR 5 000 / Cr bKash 5 000.
    response = await client.post(
        f"{API}/payments/{bkash['id']}/reverse",
        json={"reason": "bKash transaction reversed by the provider", "date": "2025-08-28"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    reversed_payment = response.json()
    assert reversed_payment["status"] == "REVERSED"
    original = await get_json(client, f"{API}/journals/{bkash['journal_id']}", h)
    assert original["status"] == "REVERSED"
    assert original["reversed_by_id"] == reversed_payment["reversal_journal_id"]
    assert await journal_lines(client, h, reversed_payment["reversal_journal_id"]) == {
        BKASH: (ZERO, D("5000.00")),
        AR: (D("5000.00"), ZERO),
    }
    current = await invoice(client, h, draft["id"])
    assert current["status"] == "PARTIALLY_PAID"
    assert_amount(current["paid_amount"], "8530.00")
    assert_amount(current["balance_due"], "5000.00")
    await check_books(client, h, ar="5000", vat="1830", bkash="0", bank="8530")

    # 6. Another invoice, 3 × 33.33 = 99.99, VAT 15.00 (14.9985 rounded), approved, then
    #    cancelled: its journal is reversed and the books return to step 5.
    other = await create_invoice(client, h, [line("3", "33.33")], invoice_date="2025-08-12")
    assert_amount(other["subtotal"], "99.99")
    assert_amount(other["vat_total"], "15.00")
    assert_amount(other["grand_total"], "114.99")
    other = await approve(client, h, other["id"])
    assert other["mushak_number"] == "M63-2025-2026-000002"
    await check_books(client, h, ar="5114.99", vat="1845.00", bkash="0", bank="8530")
    response = await client.post(
        f"{API}/invoices/{other['id']}/cancel",
        # Dated in the books' month: the aging below is as of 30 September 2025, and a
        # cancellation dated today would (rightly) still show the invoice as owed then.
        json={"reason": "Raised against the wrong customer", "date": "2025-08-30"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "CANCELLED"
    assert await journal_lines(client, h, cancelled["cancellation_journal_id"]) == {
        AR: (ZERO, D("114.99")),
        REVENUE: (D("99.99"), ZERO),
        VAT_OUT: (D("15.00"), ZERO),
    }
    await check_books(client, h, ar="5000", vat="1830", bkash="0", bank="8530")

    # AR equals the open sales balances; the aging report shows them.
    aging = await get_json(client, f"{API}/reports/aging", h, kind="SALES", as_of="2025-09-30")
    assert_amount(aging["totals"]["total"], "5000.00")
    assert_amount(aging["totals"]["days_1_30"], "5000.00")  # due 9 Sep: 21 days late
    assert [row["counterparty_id"] for row in aging["rows"]] == [draft["counterparty"]["id"]]
    assert_amount(aging["ledger_balance"], "5000.00")  # ties to 1200
    assert_amount(aging["difference"], "0.00")
