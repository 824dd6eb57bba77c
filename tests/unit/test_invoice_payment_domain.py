"""Invoice and payment state machines, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from vextrus_finance.domain.errors import InvalidInput, InvalidState
from vextrus_finance.domain.invoices import (
    Counterparty,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    LineSpec,
    build_counterparty,
    build_lines,
    mushak_number,
)
from vextrus_finance.domain.payments import (
    Direction,
    Payment,
    PaymentMethod,
    PaymentStatus,
    WalletProvider,
    build_details,
)
from vextrus_finance.domain.vat import VatRate

D = Decimal
AT = datetime(2025, 8, 10, 9, 30, tzinfo=UTC)


def sales(kind: InvoiceKind = InvoiceKind.SALES) -> Invoice:
    invoice = Invoice.create(
        "inv-1",
        number="INV-2025-08-000001",
        kind=kind,
        counterparty=Counterparty("Buyer"),
        invoice_date=date(2025, 8, 10),
        due_date=date(2025, 9, 9),
        currency="BDT",
        lines=build_lines([LineSpec("work", "10", D("1000"), VatRate.STANDARD)]),
    )
    invoice.mark_committed()
    return invoice


def approved() -> Invoice:
    invoice = sales()
    invoice.approve(
        by="u", at=AT, journal_id="j1", mushak_number="M63-2025-2026-000001", issue_day=AT.date()
    )
    return invoice


def test_new_invoice_is_a_draft_in_its_fiscal_year():
    invoice = sales()
    assert invoice.state.status is InvoiceStatus.DRAFT
    assert invoice.state.fiscal_year == "FY2025-2026"
    assert invoice.state.balance_due == D("11500")


def test_due_date_before_invoice_date_is_refused():
    with pytest.raises(InvalidInput) as caught:
        Invoice.create(
            "x",
            number="INV-1",
            kind=InvoiceKind.SALES,
            counterparty=Counterparty("B"),
            invoice_date=date(2025, 8, 10),
            due_date=date(2025, 8, 9),
            currency="BDT",
            lines=(),
        )
    assert caught.value.field == "due_date"


def test_foreign_currency_is_refused_by_field():
    with pytest.raises(InvalidInput) as caught:
        Invoice.create(
            "x",
            number="INV-1",
            kind=InvoiceKind.SALES,
            counterparty=Counterparty("B"),
            invoice_date=date(2025, 8, 10),
            due_date=date(2025, 8, 10),
            currency="USD",
            lines=(),
        )
    assert caught.value.field == "currency"


def test_approval_issues_mushak_serial_and_time_for_sales_only():
    invoice = approved()
    assert invoice.state.status is InvoiceStatus.APPROVED
    assert invoice.state.issued_at == AT
    purchase = sales(InvoiceKind.PURCHASE)
    purchase.approve(by="u", at=AT, journal_id="j", mushak_number=None)
    assert purchase.state.issued_at is None
    assert mushak_number("FY2025-2026", 7) == "M63-2025-2026-000007"


def test_only_drafts_are_edited_or_approved():
    invoice = approved()
    with pytest.raises(InvalidState):
        invoice.revise(
            counterparty=Counterparty("X"),
            invoice_date=date(2025, 8, 10),
            due_date=date(2025, 8, 10),
            lines=invoice.state.lines,
        )
    with pytest.raises(InvalidState):
        invoice.approve(
            by="u",
            at=AT,
            journal_id="j2",
            mushak_number="M63-2025-2026-000002",
            issue_day=AT.date(),
        )


def test_payments_move_the_state_and_overpayment_is_refused():
    invoice = approved()
    invoice.record_payment("p1", D("5000"))
    assert invoice.state.status is InvoiceStatus.PARTIALLY_PAID
    with pytest.raises(InvalidInput) as caught:
        invoice.record_payment("p2", D("6500.01"))
    assert caught.value.code == "overpayment"
    assert caught.value.field == "amount"
    invoice.record_payment("p2", D("6500"))
    assert invoice.state.status is InvoiceStatus.PAID
    with pytest.raises(InvalidInput):
        invoice.record_payment("p3", D("0.01"))
    invoice.reverse_payment("p1", D("5000"))
    assert invoice.state.status is InvoiceStatus.PARTIALLY_PAID
    assert invoice.state.balance_due == D("5000")
    invoice.reverse_payment("p2", D("6500"))
    assert invoice.state.status is InvoiceStatus.APPROVED


def test_drafts_and_cancelled_invoices_take_no_payment():
    with pytest.raises(InvalidState):
        sales().record_payment("p", D("1"))
    invoice = approved()
    invoice.cancel("wrong customer", by="u", at=AT, cancellation_journal_id="r")
    with pytest.raises(InvalidState):
        invoice.record_payment("p", D("1"))


def test_cancel_rules():
    invoice = approved()
    invoice.record_payment("p", D("1"))
    with pytest.raises(InvalidState) as caught:
        invoice.cancel("wrong customer", by="u", at=AT, cancellation_journal_id=None)
    assert caught.value.code == "invoice_has_payments"
    draft = sales()
    with pytest.raises(InvalidInput) as bad_reason:
        draft.cancel(" x ", by="u", at=AT, cancellation_journal_id=None)
    assert bad_reason.value.field == "reason"
    draft.cancel("duplicate", by="u", at=AT, cancellation_journal_id=None)
    assert draft.state.status is InvoiceStatus.CANCELLED
    with pytest.raises(InvalidState):
        draft.cancel("again please", by="u", at=AT, cancellation_journal_id=None)


def test_counterparty_checks_every_field():
    with pytest.raises(InvalidInput) as caught:
        build_counterparty(" ", bin="123456789", tin="1234567890")
    assert {i.field for i in caught.value.issues} == {
        "counterparty.name",
        "counterparty.bin",
        "counterparty.tin",
    }
    party = build_counterparty("Meghna", bin="0001112220101", tin="123456789012")
    assert party.bin == "0001112220101"


# --- payments ---------------------------------------------------------------------------


def details(method: PaymentMethod, **kw):
    values = {
        "bank_account_id": None,
        "check_number": None,
        "wallet_provider": None,
        "wallet_mobile": None,
        "wallet_transaction_id": None,
        "wallet_given": False,
    }
    values.update(kw)
    return build_details(method, **values)


@pytest.mark.parametrize(
    ("method", "kw", "field"),
    [
        (PaymentMethod.BANK_TRANSFER, {}, "bank_account_id"),
        (PaymentMethod.CHECK, {}, "check_number"),
        (PaymentMethod.CHECK, {"check_number": "12"}, "check_number"),
        (PaymentMethod.MOBILE_WALLET, {}, "wallet"),
        (
            PaymentMethod.MOBILE_WALLET,
            {
                "wallet_given": True,
                "wallet_provider": WalletProvider.NAGAD,
                "wallet_mobile": "01212345678",
            },
            "wallet.mobile_number",
        ),
        (PaymentMethod.CASH, {"check_number": "123"}, "check_number"),
        (
            PaymentMethod.CASH,
            {"wallet_given": True, "wallet_provider": WalletProvider.BKASH},
            "wallet",
        ),
    ],
)
def test_method_rules(method, kw, field):
    with pytest.raises(InvalidInput) as caught:
        details(method, **kw)
    assert field in {i.field for i in caught.value.issues}


def payment(method: PaymentMethod = PaymentMethod.CASH, **kw) -> Payment:
    p = Payment.create(
        "pay-1",
        number="PMT-2025-08-000001",
        invoice_id=None,
        direction=Direction.IN,
        amount=D("100"),
        currency="BDT",
        details=details(method, **kw),
        payment_date=date(2025, 8, 10),
        reference=None,
        account_id="acc",
    )
    p.mark_committed()
    return p


def test_wallet_payments_start_processing_others_pending():
    wallet = payment(
        PaymentMethod.MOBILE_WALLET,
        wallet_given=True,
        wallet_provider=WalletProvider.ROCKET,
        wallet_mobile="+8801812345678",
    )
    assert wallet.state.status is PaymentStatus.PROCESSING
    assert wallet.state.details.wallet is not None
    assert wallet.state.details.wallet.mobile_number == "01812345678"
    assert payment().state.status is PaymentStatus.PENDING


def test_payment_life_cycle():
    p = payment()
    with pytest.raises(InvalidState):
        p.reconcile("BANK-TX-1", by="u", at=AT)
    with pytest.raises(InvalidInput) as short:
        p.complete("abc", by="u", at=AT, journal_id="j")
    assert short.value.field == "transaction_reference"
    p.complete("TXN-12345", by="u", at=AT, journal_id="j")
    assert p.state.status is PaymentStatus.COMPLETED
    with pytest.raises(InvalidState):
        p.complete("TXN-12345", by="u", at=AT, journal_id="j")
    with pytest.raises(InvalidState):
        p.fail("the bank refused it", at=AT)
    p.reconcile("BANK-TX-1", by="u", at=AT)
    assert p.state.status is PaymentStatus.RECONCILED
    with pytest.raises(InvalidInput) as reason:
        p.reverse("too short", by="u", at=AT, reversal_journal_id="r")
    assert reason.value.field == "reason"
    p.reverse("customer cheque bounced", by="u", at=AT, reversal_journal_id="r")
    assert p.state.status is PaymentStatus.REVERSED
    with pytest.raises(InvalidState):
        p.reverse("customer cheque bounced", by="u", at=AT, reversal_journal_id="r")


def test_failed_payment_is_final():
    p = payment()
    p.fail("insufficient funds at the bank", at=AT)
    assert p.state.status is PaymentStatus.FAILED
    with pytest.raises(InvalidState):
        p.complete("TXN-12345", by="u", at=AT, journal_id="j")
