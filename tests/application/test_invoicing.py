"""Invoices and payments on the in-memory unit of work: approval posts the invoice's journal,
completion posts the payment's and settles the invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.application.harness import DAY, Books
from vextrus_finance.application.invoicing.invoices import (
    ApproveInvoice,
    CounterpartySpec,
    CreateInvoice,
    approve_invoice,
    create_invoice,
)
from vextrus_finance.application.invoicing.payments import (
    CompletePayment,
    CreatePayment,
    complete_payment,
    create_payment,
)
from vextrus_finance.application.invoicing.posting_profiles import (
    SetCompanyProfile,
    SetPostingProfile,
    seed_posting_profile,
    set_company_profile,
    set_posting_profile,
)
from vextrus_finance.application.invoicing.views import InvoiceView
from vextrus_finance.application.ledger.views import JournalView
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.seed import seed_chart
from vextrus_finance.domain.errors import AlreadyExists, PreconditionFailed
from vextrus_finance.domain.invoices import InvoiceDetails, InvoiceKind, InvoiceStatus, LineSpec
from vextrus_finance.domain.journals import JournalStatus
from vextrus_finance.domain.payments import PaymentMethod, PaymentStatus
from vextrus_finance.domain.vat import VatRate

CUSTOMER = CounterpartySpec("Rahim Traders", bin="000000001-0101")
SUPPLIER = CounterpartySpec("Karim Steel")
GOODS = (LineSpec("cement", "10", Decimal("100"), VatRate.STANDARD),)


@pytest.fixture
async def books() -> Books:
    books = Books()

    async def seed(uow: UnitOfWork) -> None:
        await seed_chart(uow)
        await seed_posting_profile(uow)

    await books.run(seed)
    return books


async def _invoice(books: Books, invoice_id: str) -> InvoiceView:
    view = await books.run(lambda uow: uow.invoices.invoice(invoice_id, today=DAY))
    assert view is not None
    return view


async def _balance(books: Books, code: str) -> Decimal:
    view = await books.run(lambda uow: uow.reader.account_by_code(code))
    assert view is not None
    return view.balance


async def test_an_approved_invoice_is_posted_and_a_payment_settles_it(books: Books) -> None:
    draft = CreateInvoice(InvoiceKind.SALES, CUSTOMER, DAY, date(2026, 12, 27), GOODS)
    invoice_id = await books.run(lambda uow: create_invoice(uow, draft))
    assert (await _invoice(books, invoice_id)).status is InvoiceStatus.DRAFT
    assert await _balance(books, "1200") == 0

    await books.run(lambda uow: approve_invoice(uow, ApproveInvoice(invoice_id)))
    invoice = await _invoice(books, invoice_id)
    assert invoice.status is InvoiceStatus.APPROVED
    assert (invoice.payable_total, invoice.vat_total) == (Decimal("1150"), Decimal("150"))
    assert invoice.mushak_number is not None
    assert invoice.journal_id is not None
    journal_id = invoice.journal_id
    journal: JournalView | None = await books.run(lambda uow: uow.reader.journal(journal_id))
    assert journal is not None
    assert (journal.status, journal.number) == (JournalStatus.POSTED, "SJ-2026-11-000001")
    assert await _balance(books, "1200") == Decimal("1150")  # receivable
    assert await _balance(books, "2200") == Decimal("150")  # output VAT

    pay = CreatePayment(Decimal("1150"), PaymentMethod.CASH, DAY, invoice_id=invoice_id)
    payment_id = await books.run(lambda uow: create_payment(uow, pay))
    done = CompletePayment(payment_id, "receipt 17")
    await books.run(lambda uow: complete_payment(uow, done))
    payment = await books.run(lambda uow: uow.invoices.payment(payment_id))
    assert payment is not None
    assert payment.status is PaymentStatus.COMPLETED
    invoice = await _invoice(books, invoice_id)
    assert (invoice.status, invoice.balance_due) == (InvoiceStatus.PAID, Decimal("0"))
    assert await _balance(books, "1200") == 0
    assert await _balance(books, "1100") == Decimal("1150")  # cash in hand


async def test_the_same_supplier_bill_is_entered_once(books: Books) -> None:
    details = InvoiceDetails(supplier_invoice_number="KS-42", supplier_invoice_date=DAY)

    def bill() -> CreateInvoice:
        return CreateInvoice(InvoiceKind.PURCHASE, SUPPLIER, DAY, DAY, GOODS, details=details)

    first = bill()
    await books.run(lambda uow: create_invoice(uow, first))
    second = bill()
    with pytest.raises(AlreadyExists) as refused:
        await books.run(lambda uow: create_invoice(uow, second))
    assert refused.value.code == "duplicate_supplier_invoice"


async def test_a_profile_set_checks_if_match_even_before_it_exists(books: Books) -> None:
    stale_company = SetCompanyProfile("Vextrus Builders Ltd", expected_version=1)
    with pytest.raises(PreconditionFailed) as refused:
        await books.run(lambda uow: set_company_profile(uow, stale_company))
    assert str(refused.value) == "the company profile is at version 0"
    assert refused.value.issues[0].field == "If-Match"
    fresh_company = SetCompanyProfile("Vextrus Builders Ltd", expected_version=0)
    await books.run(lambda uow: set_company_profile(uow, fresh_company))

    stale_posting = SetPostingProfile({}, expected_version=7)  # seeded: at version 1
    with pytest.raises(PreconditionFailed) as refused:
        await books.run(lambda uow: set_posting_profile(uow, stale_posting))
    assert str(refused.value) == "the posting profile is at version 1"
    await books.run(lambda uow: set_posting_profile(uow, SetPostingProfile({}, expected_version=1)))
