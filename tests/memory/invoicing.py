"""Invoice, payment and counterparty reads derived from the events: the views and look-ups
commands make; the aging's reports and the profiles' views are not kept."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from tests.memory.events import EventLog, Stream
from vextrus_finance.application.invoicing.counterparty_queries import (
    CounterpartyFilter,
    CounterpartyRecordView,
)
from vextrus_finance.application.invoicing.queries import InvoiceFilter, PaymentFilter
from vextrus_finance.application.invoicing.views import (
    CompanyProfileView,
    InvoiceLineView,
    InvoiceView,
    OpenItem,
    PaymentView,
    PostingProfileView,
    WalletView,
)
from vextrus_finance.application.ledger.views import Page
from vextrus_finance.domain.counterparties import CounterpartyRecord
from vextrus_finance.domain.events import field_values
from vextrus_finance.domain.invoices import OPEN_STATUSES, Invoice, InvoiceKind, InvoiceStatus
from vextrus_finance.domain.money import ZERO
from vextrus_finance.domain.payments import Payment, PaymentCreated, PaymentStatus

T = TypeVar("T")


def _page(items: list[T], limit: int, cursor: str | None, what: str) -> Page[T]:
    """The first page, newest first, as the SQL readers order it; further pages are not kept."""
    if cursor is not None or len(items) > limit:
        raise NotImplementedError(f"{what}: a second page")
    return Page(items, None)


def _invoice_view(stream: Stream[Invoice], today: date) -> InvoiceView:
    s = stream.aggregate.state
    t = s.totals
    balance = ZERO if s.status is InvoiceStatus.CANCELLED else t.payable_total - s.paid_amount
    late = (today - s.due_date).days
    overdue = s.status in OPEN_STATUSES and balance > 0 and late > 0
    return InvoiceView(
        id=stream.aggregate.id,
        number=s.number,
        kind=s.kind,
        status=s.status,
        overdue=overdue,
        days_overdue=late if overdue else 0,
        counterparty=s.counterparty,
        invoice_date=s.invoice_date,
        due_date=s.due_date,
        fiscal_year=s.fiscal_year,
        currency=s.currency,
        lines=[
            InvoiceLineView(
                **field_values(line), line_no=no, vat_rate_percent=line.vat_rate.percent
            )
            for no, line in enumerate(s.lines, start=1)
        ],
        subtotal=t.subtotal,
        sd_total=t.sd_total,
        vat_total=t.vat_total,
        ait_total=t.ait_total,
        grand_total=t.grand_total,
        payable_total=t.payable_total,
        paid_amount=s.paid_amount,
        balance_due=balance,
        mushak_number=s.mushak_number,
        issued_at=s.issued_at,
        journal_id=s.journal_id,
        cancellation_journal_id=s.cancellation_journal_id,
        cancel_reason=s.cancel_reason,
        approved_at=s.approved_at,
        approved_by=s.approved_by,
        created_at=stream.first.recorded_at,
        created_by=stream.first.user_id,
        version=stream.aggregate.version,
        **field_values(s.details),
    )


def _payment_view(stream: Stream[Payment]) -> PaymentView:
    s = stream.aggregate.state
    wallet = s.details.wallet
    created = stream.first.event  # the party is the creation's, as the projection keeps it
    party = created.counterparty_id if isinstance(created, PaymentCreated) else None
    return PaymentView(
        id=stream.aggregate.id,
        number=s.number,
        invoice_id=s.invoice_id,
        direction=s.direction,
        amount=s.amount,
        currency=s.currency,
        method=s.details.method,
        status=s.status,
        payment_date=s.payment_date,
        reference=s.reference,
        bank_account_id=s.details.bank_account_id,
        account_id=s.account_id,
        check_number=s.details.check_number,
        wallet=(
            WalletView(wallet.provider, wallet.mobile_number, wallet.transaction_id)
            if wallet is not None
            else None
        ),
        transaction_reference=s.transaction_reference,
        journal_id=s.journal_id,
        completed_at=s.completed_at,
        failure_reason=s.failure_reason,
        bank_transaction_id=s.bank_transaction_id,
        reconciled_at=s.reconciled_at,
        reversal_reason=s.reversal_reason,
        reversal_journal_id=s.reversal_journal_id,
        counterparty_id=party,
        created_at=stream.first.recorded_at,
        created_by=stream.first.user_id,
        version=stream.aggregate.version,
    )


class MemoryInvoiceReader:
    def __init__(self, log: EventLog) -> None:
        self._log = log

    async def invoice(self, invoice_id: str, *, today: date) -> InvoiceView | None:
        stream = self._log.streams(Invoice).get(invoice_id)
        return _invoice_view(stream, today) if stream is not None else None

    async def invoices(
        self, where: InvoiceFilter, *, today: date, limit: int, cursor: str | None
    ) -> Page[InvoiceView]:
        views = [_invoice_view(s, today) for s in self._log.streams(Invoice).values()]
        found = [
            v
            for v in views
            if (where.kind is None or v.kind is where.kind)
            and (where.status is None or v.status is where.status)
            and (where.counterparty_id is None or v.counterparty.id == where.counterparty_id)
            and (where.date_from is None or v.invoice_date >= where.date_from)
            and (where.date_to is None or v.invoice_date <= where.date_to)
            and (where.overdue is None or v.overdue is where.overdue)
        ]
        found.sort(key=lambda v: (v.invoice_date, v.number), reverse=True)
        return _page(found, limit, cursor, "MemoryInvoiceReader.invoices")

    async def payment(self, payment_id: str) -> PaymentView | None:
        stream = self._log.streams(Payment).get(payment_id)
        return _payment_view(stream) if stream is not None else None

    async def payments(
        self, where: PaymentFilter, *, limit: int, cursor: str | None
    ) -> Page[PaymentView]:
        views = [_payment_view(s) for s in self._log.streams(Payment).values()]
        found = [
            v
            for v in views
            if (where.invoice_id is None or v.invoice_id == where.invoice_id)
            and (where.status is None or v.status is where.status)
            and (where.method is None or v.method is where.method)
            and (where.direction is None or v.direction is where.direction)
            and (where.date_from is None or v.payment_date >= where.date_from)
            and (where.date_to is None or v.payment_date <= where.date_to)
        ]
        found.sort(key=lambda v: (v.payment_date, v.number), reverse=True)
        return _page(found, limit, cursor, "MemoryInvoiceReader.payments")

    async def invoice_id_by_number(self, number: str) -> str | None:
        invoices = self._log.aggregates(Invoice)
        return next((i for i, inv in invoices.items() if inv.state.number == number), None)

    async def payment_id_by_number(self, number: str) -> str | None:
        payments = self._log.aggregates(Payment)
        return next((i for i, p in payments.items() if p.state.number == number), None)

    async def payment_with_bank_transaction(self, bank_transaction_id: str) -> str | None:
        payments = self._log.aggregates(Payment).items()
        return next(
            (i for i, p in payments if p.state.bank_transaction_id == bank_transaction_id), None
        )

    async def bill_with_supplier_number(
        self, number: str, *, supplier_bin: str | None, supplier_name: str, other_than: str
    ) -> str | None:
        for invoice_id, invoice in self._log.aggregates(Invoice).items():
            s = invoice.state
            party = s.counterparty
            same_supplier = (
                party.bin == supplier_bin
                if supplier_bin is not None
                else party.bin is None and party.name.lower() == supplier_name.lower()
            )
            if (
                s.details.supplier_invoice_number == number
                and s.kind is InvoiceKind.PURCHASE
                and s.status is not InvoiceStatus.CANCELLED
                and invoice_id != other_than
                and same_supplier
            ):
                return s.number
        return None

    async def payment_with_wallet_transaction(
        self, provider: str, transaction_id: str, *, other_than: str
    ) -> str | None:
        settled = (PaymentStatus.COMPLETED, PaymentStatus.RECONCILED)
        for payment_id, payment in self._log.aggregates(Payment).items():
            s = payment.state
            wallet = s.details.wallet
            if (
                wallet is not None
                and wallet.provider.value == provider
                and wallet.transaction_id == transaction_id
                and s.status in settled
                and payment_id != other_than
            ):
                return s.number
        return None

    async def open_items(self, kind: InvoiceKind, as_of: date) -> list[OpenItem]:
        raise NotImplementedError("MemoryInvoiceReader.open_items (the aging)")

    async def manual_items(
        self, account_ids: list[str], as_of: date, *, debit_side: bool
    ) -> list[OpenItem]:
        raise NotImplementedError("MemoryInvoiceReader.manual_items (the aging)")

    async def control_accounts(self, kind: InvoiceKind) -> list[tuple[str, str]]:
        raise NotImplementedError("MemoryInvoiceReader.control_accounts (the aging)")

    async def net_debit_as_of(self, account_ids: list[str], as_of: date) -> int:
        raise NotImplementedError("MemoryInvoiceReader.net_debit_as_of (the aging)")

    async def posting_profile(self) -> PostingProfileView:
        raise NotImplementedError("MemoryInvoiceReader.posting_profile (the profile view)")

    async def company_profile(self) -> CompanyProfileView | None:
        raise NotImplementedError("MemoryInvoiceReader.company_profile")


def _counterparty_view(stream: Stream[CounterpartyRecord]) -> CounterpartyRecordView:
    s = stream.aggregate.state
    return CounterpartyRecordView(
        id=stream.aggregate.id,
        kind=s.kind,
        name=s.name,
        bin=s.bin,
        tin=s.tin,
        address=s.address,
        mobile=s.mobile,
        is_active=s.is_active,
        created_at=stream.first.recorded_at,
        created_by=stream.first.user_id,
        version=stream.aggregate.version,
    )


class MemoryCounterpartyReader:
    def __init__(self, log: EventLog) -> None:
        self._log = log

    def _all(self) -> list[CounterpartyRecordView]:
        """By id, as the SQL reader picks the first of several matches."""
        views = [_counterparty_view(s) for s in self._log.streams(CounterpartyRecord).values()]
        return sorted(views, key=lambda v: v.id)

    async def counterparty(self, counterparty_id: str) -> CounterpartyRecordView | None:
        return next((v for v in self._all() if v.id == counterparty_id), None)

    async def existing(self, ids: set[str]) -> frozenset[str]:
        return frozenset(v.id for v in self._all() if v.id in ids)

    async def by_bin(self, bin: str) -> CounterpartyRecordView | None:
        return next((v for v in self._all() if v.bin == bin), None)

    async def by_name(self, name: str) -> CounterpartyRecordView | None:
        return next((v for v in self._all() if v.name.lower() == name.lower()), None)

    async def counterparties(
        self, where: CounterpartyFilter, *, limit: int, cursor: str | None
    ) -> Page[CounterpartyRecordView]:
        raise NotImplementedError("MemoryCounterpartyReader.counterparties (a filtered page)")
