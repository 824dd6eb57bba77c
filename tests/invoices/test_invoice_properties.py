"""Property test: after any sequence of invoice and payment commands the trial balance is
balanced, AR equals the sum of the open sales invoices' balances, AP that of the purchase
invoices, every invoice reads as the model says, and a rebuild equals the live read models."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from tests.api.invoice_helpers import issue_on
from tests.integration.helpers import run, run_examples
from tests.invoices.helpers import seed_tenant
from vextrus_finance.application.invoicing.invoices import (
    ApproveInvoice,
    CancelInvoice,
    CounterpartySpec,
    CreateInvoice,
    approve_invoice,
    cancel_invoice,
    create_invoice,
)
from vextrus_finance.application.invoicing.payments import (
    CompletePayment,
    CreatePayment,
    FailPayment,
    ReversePayment,
    WalletSpec,
    complete_payment,
    create_payment,
    fail_payment,
    reverse_payment,
)
from vextrus_finance.application.ledger.reports import trial_balance
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.errors import InvalidInput, InvalidState
from vextrus_finance.domain.invoices import InvoiceKind, LineSpec, build_lines, totals_of
from vextrus_finance.domain.payments import PaymentMethod, WalletProvider
from vextrus_finance.domain.vat import VatRate
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder

DAY = date(2025, 9, 1)
CENT = Decimal("0.01")


@dataclass
class ModelInvoice:
    id: str
    kind: InvoiceKind
    payable: Decimal
    status: str = "DRAFT"
    paid: Decimal = Decimal(0)

    @property
    def open_balance(self) -> Decimal:
        return self.payable - self.paid if self.status in ("APPROVED", "PARTIALLY_PAID") else 0

    def settle(self) -> None:
        self.status = (
            "APPROVED"
            if self.paid == 0
            else "PAID"
            if self.paid == self.payable
            else "PARTIALLY_PAID"
        )


@dataclass
class ModelPayment:
    id: str
    invoice: ModelInvoice
    amount: Decimal
    status: str


@dataclass
class Model:
    invoices: list[ModelInvoice] = field(default_factory=list)
    payments: list[ModelPayment] = field(default_factory=list)


lines_strategy = st.lists(
    st.builds(
        LineSpec,
        description=st.just("work"),
        quantity=st.sampled_from(["1", "2", "3", "0.5", "12.125"]),
        unit_price=st.integers(1, 500_000).map(lambda p: Decimal(p) / 100),
        vat_rate=st.sampled_from(list(VatRate)),
        sd_rate=st.sampled_from(["0", "0", "10", "20", "37.5"]),
        ait_rate=st.sampled_from(["0", "0", "3", "5", "7.5"]),
    ),
    min_size=1,
    max_size=3,
)


async def _check(container: Container, tenant: str, model: Model) -> None:
    async with container.reader(tenant) as ledger:
        rows = await ledger.balances_as_of(date(2030, 6, 30), "BDT")
        tb = trial_balance(rows, as_of=date(2030, 6, 30), currency="BDT")
        assert tb.totals.balanced, tb.totals
        ar = await ledger.account_by_code("1200")
        ap = await ledger.account_by_code("2100")
    assert ar is not None
    assert ap is not None
    sales = sum((i.open_balance for i in model.invoices if i.kind is InvoiceKind.SALES), Decimal(0))
    purchases = sum(
        (i.open_balance for i in model.invoices if i.kind is InvoiceKind.PURCHASE), Decimal(0)
    )
    assert ar.balance == sales
    assert ap.balance == purchases
    async with container.invoice_reader(tenant) as reader:
        for expected in model.invoices:
            view = await reader.invoice(expected.id, today=DAY)
            assert view is not None
            assert (view.status.value, view.paid_amount) == (expected.status, expected.paid)
        for payment in model.payments:
            got = await reader.payment(payment.id)
            assert got is not None
            assert got.status.value == payment.status


async def _scenario(container: Container, data: st.DataObject) -> None:
    tenant = f"p-{uuid.uuid4().hex[:10]}"
    await seed_tenant(container, tenant)
    issue_on(container, DAY.isoformat())  # sales invoices are issued on DAY, as drafted
    # Money in the bank so supplier payments never hit a limit.
    model = Model()
    for _ in range(data.draw(st.integers(1, 9), label="steps")):
        step = data.draw(
            st.sampled_from(
                ["invoice", "invoice", "approve", "pay", "pay", "reverse", "cancel", "fail"]
            )
        )
        drafts = [i for i in model.invoices if i.status == "DRAFT"]
        open_ = [i for i in model.invoices if i.status in ("APPROVED", "PARTIALLY_PAID")]
        completed = [p for p in model.payments if p.status == "COMPLETED"]
        pending = [p for p in model.payments if p.status in ("PENDING", "PROCESSING")]
        if step == "invoice":
            kind = data.draw(st.sampled_from(list(InvoiceKind)))
            specs = tuple(data.draw(lines_strategy))
            command = CreateInvoice(kind, CounterpartySpec("Party"), DAY, DAY, specs)
            invoice_id = await run(container, tenant, lambda uow, c=command: create_invoice(uow, c))
            payable = totals_of(build_lines(specs)).payable_total
            model.invoices.append(ModelInvoice(invoice_id, kind, payable))
        elif step == "approve" and drafts:
            target = data.draw(st.sampled_from(drafts))
            await run(
                container,
                tenant,
                lambda uow, t=target: approve_invoice(uow, ApproveInvoice(t.id)),
            )
            target.status = "APPROVED"
        elif step == "pay" and open_:
            target = data.draw(st.sampled_from(open_))
            due = target.payable - target.paid
            # Sometimes exactly the rest, sometimes a part, sometimes a paisa too much.
            amount = data.draw(
                st.sampled_from([due, due + CENT, max(CENT, (due / 3).quantize(CENT))])
            )
            sales = target.kind is InvoiceKind.SALES
            method = data.draw(
                st.sampled_from(
                    [PaymentMethod.MOBILE_WALLET, PaymentMethod.CASH, PaymentMethod.CHECK]
                    if sales
                    else [PaymentMethod.CHECK, PaymentMethod.ONLINE_BANKING]
                )
            )
            command = CreatePayment(
                amount,
                method,
                DAY,
                invoice_id=target.id,
                check_number="CHQ-1" if method is PaymentMethod.CHECK else None,
                wallet=WalletSpec(WalletProvider.NAGAD, "01812345678")
                if method is PaymentMethod.MOBILE_WALLET
                else None,
            )
            try:
                payment_id = await run(
                    container, tenant, lambda uow, c=command: create_payment(uow, c)
                )
            except InvalidInput as error:
                assert amount > due
                assert error.code == "overpayment"
                continue
            assert amount <= due
            payment = ModelPayment(payment_id, target, amount, "PENDING")
            model.payments.append(payment)
            if method is PaymentMethod.MOBILE_WALLET:
                payment.status = "PROCESSING"
            if data.draw(st.booleans(), label="complete now"):
                await run(
                    container,
                    tenant,
                    lambda uow, p=payment_id: complete_payment(uow, CompletePayment(p, "TX-12345")),
                )
                payment.status = "COMPLETED"
                target.paid += amount
                target.settle()
        elif step == "fail" and pending:
            payment = data.draw(st.sampled_from(pending))
            # Either it completes (if the invoice still has room) or the bank refuses it.
            if data.draw(st.booleans()):
                await run(
                    container,
                    tenant,
                    lambda uow, p=payment: fail_payment(uow, FailPayment(p.id, "bank refused it")),
                )
                payment.status = "FAILED"
            else:
                invoice = payment.invoice
                try:
                    await run(
                        container,
                        tenant,
                        lambda uow, p=payment: complete_payment(
                            uow, CompletePayment(p.id, "TX-67890")
                        ),
                    )
                except InvalidInput as error:
                    assert error.code == "overpayment"
                    assert payment.amount > invoice.payable - invoice.paid
                else:
                    payment.status = "COMPLETED"
                    invoice.paid += payment.amount
                    invoice.settle()
        elif step == "reverse" and completed:
            payment = data.draw(st.sampled_from(completed))
            await run(
                container,
                tenant,
                lambda uow, p=payment: reverse_payment(
                    uow, ReversePayment(p.id, "reversed for the property test")
                ),
            )
            payment.status = "REVERSED"
            payment.invoice.paid -= payment.amount
            payment.invoice.settle()
        elif step == "cancel" and (drafts or open_):
            target = data.draw(st.sampled_from(drafts + open_))
            try:
                await run(
                    container,
                    tenant,
                    lambda uow, t=target: cancel_invoice(uow, CancelInvoice(t.id, "not needed")),
                )
            except InvalidState as error:
                assert target.paid > 0, error
                assert error.code == "invoice_has_payments"
            else:
                assert target.paid == 0
                target.status = "CANCELLED"
        await _check(container, tenant, model)
    report = await Rebuilder(container.db, container.store).verify()
    assert report.ok, report


async def test_any_invoice_and_payment_sequence_keeps_ar_equal_to_open_invoices(
    database_url: str,
) -> None:
    await run_examples(database_url, _scenario, max_examples=12)
