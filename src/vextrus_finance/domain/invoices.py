"""Invoices: SALES (we issue them; receivable) and PURCHASE (vendor bills; payable).

Life cycle DRAFT → APPROVED → PARTIALLY_PAID → PAID, and DRAFT/APPROVED → CANCELLED (never once
money was received against it). OVERDUE is not a stored state: it is derived from the due date
and the balance whenever the invoice is read. Lines carry their computed figures in the events,
so history never changes if the rounding rule does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from vextrus_finance.domain.accounts import validate_reason
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.errors import FieldIssue, InvalidInput, InvalidState
from vextrus_finance.domain.events import DomainEvent, field_values, register
from vextrus_finance.domain.fiscal import fiscal_year_of
from vextrus_finance.domain.journals import CANCEL_REASON_MIN
from vextrus_finance.domain.limits import MAX_TOTAL
from vextrus_finance.domain.money import BASE_CURRENCY, ZERO, format_amount
from vextrus_finance.domain.tax_ids import normalize_hs_code, validate_bin, validate_tin
from vextrus_finance.domain.text import checked_text
from vextrus_finance.domain.vat import (
    AIT_RATE_MAX,
    SD_RATE_MAX,
    VatRate,
    line_figures,
    parse_quantity,
    parse_rate,
)

T = TypeVar("T")
NAME_MAX = 255
ADDRESS_MAX = 500
DESCRIPTION_MAX = 500
UNIT_MAX = 32
COUNTERPARTY_ID_MAX = 64
MAX_LINES = 200
SUPPLIER_INVOICE_NUMBER_MAX = 64
ACCOUNT_CODE_MAX = 64
VEHICLE_TYPE_MAX = 64
VEHICLE_NUMBER_MAX = 32


class InvoiceKind(StrEnum):
    SALES = "SALES"
    PURCHASE = "PURCHASE"

    @property
    def number_prefix(self) -> str:
        return "INV" if self is InvoiceKind.SALES else "BILL"


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"
    APPROVED = "APPROVED"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    CANCELLED = "CANCELLED"


OPEN_STATUSES = (InvoiceStatus.APPROVED, InvoiceStatus.PARTIALLY_PAID)


def invoice_number(kind: InvoiceKind, day: date, sequence: int) -> str:
    return f"{kind.number_prefix}-{day.year:04d}-{day.month:02d}-{sequence:06d}"


def invoice_sequence(kind: InvoiceKind, day: date) -> str:
    return f"invoice:{kind.number_prefix}:{day.year:04d}-{day.month:02d}"


def mushak_sequence(fiscal_year: str) -> str:
    """Mushak-6.3 serials run per tenant and fiscal year, without gaps (one counter row)."""
    return f"mushak-6.3:{fiscal_year}"


def mushak_number(fiscal_year: str, sequence: int) -> str:
    return f"M63-{fiscal_year.removeprefix('FY')}-{sequence:06d}"


@dataclass(frozen=True)
class Counterparty:
    name: str
    id: str | None = None
    address: str | None = None
    bin: str | None = None
    tin: str | None = None


@dataclass(frozen=True)
class LineSpec:
    """A line as the client gave it (already parsed into numbers by the caller)."""

    description: str
    quantity: object
    unit_price: Decimal
    vat_rate: VatRate
    unit: str | None = None
    hs_code: str | None = None
    sd_rate: object = "0"
    ait_rate: object = "0"
    account_code: str | None = None


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: Decimal
    unit: str | None
    unit_price: Decimal
    hs_code: str | None
    vat_rate: VatRate
    sd_rate: Decimal
    ait_rate: Decimal
    amount: Decimal
    sd_amount: Decimal
    vat_amount: Decimal
    ait_amount: Decimal
    # The revenue (SALES) or expense/asset (PURCHASE) account; None: the posting profile's.
    account_code: str | None = None

    @property
    def total(self) -> Decimal:
        return self.amount + self.sd_amount + self.vat_amount


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    sd_total: Decimal
    vat_total: Decimal
    ait_total: Decimal

    @property
    def grand_total(self) -> Decimal:
        return self.subtotal + self.sd_total + self.vat_total

    @property
    def payable_total(self) -> Decimal:
        """What the counterparty actually pays: the grand total less AIT withheld at source."""
        return self.grand_total - self.ait_total


def totals_of(lines: Sequence[InvoiceLine]) -> Totals:
    return Totals(
        subtotal=sum((line.amount for line in lines), ZERO),
        sd_total=sum((line.sd_amount for line in lines), ZERO),
        vat_total=sum((line.vat_amount for line in lines), ZERO),
        ait_total=sum((line.ait_amount for line in lines), ZERO),
    )


def _checked(
    issues: list[FieldIssue], check: Callable[..., T], *args: object, **kwargs: object
) -> T | None:
    """Run one field check, collecting its issue instead of stopping at the first."""
    try:
        return check(*args, **kwargs)
    except InvalidInput as error:
        issues.extend(error.issues)
        return None


def build_counterparty(
    name: str,
    *,
    id: str | None = None,
    address: str | None = None,
    bin: str | None = None,
    tin: str | None = None,
    field: str = "counterparty",
) -> Counterparty:
    issues: list[FieldIssue] = []
    clean_name = checked_text(name, NAME_MAX, f"{field}.name", issues, required=True)
    clean_id = checked_text(id, COUNTERPARTY_ID_MAX, f"{field}.id", issues, required=False)
    clean_address = checked_text(address, ADDRESS_MAX, f"{field}.address", issues, required=False)
    clean_bin: str | None = None
    tin_value: str | None = None
    if bin is not None and bin.strip():
        clean_bin = _checked(issues, validate_bin, bin, field=f"{field}.bin")
    if tin is not None and tin.strip():
        tin_value = _checked(issues, validate_tin, tin, field=f"{field}.tin")
    if issues:
        raise InvalidInput.from_issues(issues)
    assert clean_name is not None
    return Counterparty(
        name=clean_name,
        id=clean_id,
        address=clean_address,
        bin=clean_bin,
        tin=tin_value,
    )


def build_lines(specs: Sequence[LineSpec]) -> tuple[InvoiceLine, ...]:
    """Every line rule at once, so the client sees all problems in one answer."""
    issues: list[FieldIssue] = []
    if not specs:
        issues.append(FieldIssue("lines", "an invoice needs at least one line", "too_few_lines"))
    if len(specs) > MAX_LINES:
        issues.append(FieldIssue("lines", f"at most {MAX_LINES} lines", "too_many_lines"))
    lines: list[InvoiceLine] = []
    for i, spec in enumerate(specs):
        where = f"lines[{i}]"
        before = len(issues)
        description = checked_text(
            spec.description, DESCRIPTION_MAX, f"{where}.description", issues, required=True
        )
        unit = checked_text(spec.unit, UNIT_MAX, f"{where}.unit", issues, required=False)
        account_code = checked_text(
            spec.account_code, ACCOUNT_CODE_MAX, f"{where}.account_code", issues, required=False
        )
        quantity = _checked(issues, parse_quantity, spec.quantity, field=f"{where}.quantity")
        hs_code: str | None = None
        if spec.hs_code is not None and spec.hs_code.strip():
            hs_code = _checked(issues, normalize_hs_code, spec.hs_code, field=f"{where}.hs_code")
        sd_rate = _checked(
            issues, parse_rate, spec.sd_rate, field=f"{where}.sd_rate", maximum=SD_RATE_MAX
        )
        ait_rate = _checked(
            issues, parse_rate, spec.ait_rate, field=f"{where}.ait_rate", maximum=AIT_RATE_MAX
        )
        if spec.unit_price < 0:
            issues.append(
                FieldIssue(f"{where}.unit_price", "must not be negative", "negative_amount")
            )
        if len(issues) > before:
            continue
        assert quantity is not None
        assert sd_rate is not None
        assert ait_rate is not None
        try:
            figures = line_figures(
                quantity, spec.unit_price, spec.vat_rate, sd_rate, ait_rate, field=where
            )
        except InvalidInput as error:
            issues.extend(error.issues)
            continue
        lines.append(
            InvoiceLine(
                description=description or "",
                quantity=quantity,
                unit=unit,
                unit_price=spec.unit_price,
                hs_code=hs_code,
                vat_rate=spec.vat_rate,
                sd_rate=sd_rate,
                ait_rate=ait_rate,
                amount=figures.amount,
                sd_amount=figures.sd,
                vat_amount=figures.vat,
                ait_amount=figures.ait,
                account_code=account_code,
            )
        )
    if not issues and totals_of(lines).grand_total > MAX_TOTAL:
        issues.append(
            FieldIssue("lines", f"the invoice total must not exceed {MAX_TOTAL}", "total_too_large")
        )
    if issues:
        raise InvalidInput.from_issues(issues)
    return tuple(lines)


@dataclass(frozen=True)
class InvoiceDetails:
    """What an invoice says beyond its parties and lines. A PURCHASE bill records the
    supplier's own tax-invoice number and date (the evidence for the input-VAT claim); a
    SALES invoice the buyer's destination of supply and the vehicle carrying the goods, as
    Mushak 6.3 prints them. `control_account_code` names the receivable (SALES) or payable
    (PURCHASE) account of the counterparty side; None: the posting profile's."""

    supplier_invoice_number: str | None = None
    supplier_invoice_date: date | None = None
    control_account_code: str | None = None
    destination: str | None = None
    vehicle_type: str | None = None
    vehicle_number: str | None = None


NO_DETAILS = InvoiceDetails()


def build_details(kind: InvoiceKind, given: InvoiceDetails, invoice_date: date) -> InvoiceDetails:
    """Trim and check the details; each belongs to one kind of invoice only."""
    issues: list[FieldIssue] = []
    number = checked_text(
        given.supplier_invoice_number,
        SUPPLIER_INVOICE_NUMBER_MAX,
        "supplier_invoice_number",
        issues,
        required=False,
    )
    control = checked_text(
        given.control_account_code,
        ACCOUNT_CODE_MAX,
        "control_account_code",
        issues,
        required=False,
    )
    destination = checked_text(
        given.destination, ADDRESS_MAX, "destination", issues, required=False
    )
    vehicle_type = checked_text(
        given.vehicle_type, VEHICLE_TYPE_MAX, "vehicle_type", issues, required=False
    )
    vehicle_number = checked_text(
        given.vehicle_number, VEHICLE_NUMBER_MAX, "vehicle_number", issues, required=False
    )
    wrong_kind = (
        ("supplier_invoice_number", number, InvoiceKind.PURCHASE),
        ("supplier_invoice_date", given.supplier_invoice_date, InvoiceKind.PURCHASE),
        ("destination", destination, InvoiceKind.SALES),
        ("vehicle_type", vehicle_type, InvoiceKind.SALES),
        ("vehicle_number", vehicle_number, InvoiceKind.SALES),
    )
    for field, value, only in wrong_kind:
        if value is not None and kind is not only:
            issues.append(
                FieldIssue(field, f"only a {only} invoice has {field}", "not_for_this_kind")
            )
    if given.supplier_invoice_date is not None and given.supplier_invoice_date > invoice_date:
        issues.append(
            FieldIssue(
                "supplier_invoice_date",
                f"the supplier's invoice date {given.supplier_invoice_date} is after the bill's "
                f"date {invoice_date}: a bill is recorded once it is received",
                "invalid_date",
            )
        )
    if issues:
        raise InvalidInput.from_issues(issues)
    return InvoiceDetails(
        supplier_invoice_number=number,
        supplier_invoice_date=given.supplier_invoice_date,
        control_account_code=control,
        destination=destination,
        vehicle_type=vehicle_type,
        vehicle_number=vehicle_number.upper() if vehicle_number else None,
    )


def check_dates(invoice_date: date, due_date: date) -> None:
    if due_date < invoice_date:
        raise InvalidInput(
            f"the due date {due_date} is before the invoice date {invoice_date}",
            field="due_date",
        )


def check_currency(currency: str) -> str:
    if currency != BASE_CURRENCY:
        raise InvalidInput(
            f"invoices are kept in {BASE_CURRENCY} (foreign-currency invoices need exchange "
            "rates, which the ledger does not keep yet)",
            field="currency",
            code="unsupported_currency",
        )
    return currency


@dataclass(frozen=True)
class InvoiceState:
    number: str
    kind: InvoiceKind
    status: InvoiceStatus
    counterparty: Counterparty
    invoice_date: date
    due_date: date
    fiscal_year: str
    currency: str
    lines: tuple[InvoiceLine, ...]
    paid_amount: Decimal = ZERO
    journal_id: str | None = None
    mushak_number: str | None = None
    issued_at: datetime | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    cancel_reason: str | None = None
    cancellation_journal_id: str | None = None
    payment_ids: tuple[str, ...] = ()
    details: InvoiceDetails = NO_DETAILS

    @property
    def totals(self) -> Totals:
        return totals_of(self.lines)

    @property
    def balance_due(self) -> Decimal:
        return self.totals.payable_total - self.paid_amount


@register
@dataclass(frozen=True)
class InvoiceCreated(DomainEvent):
    number: str
    kind: InvoiceKind
    counterparty: Counterparty
    invoice_date: date
    due_date: date
    fiscal_year: str
    currency: str
    lines: tuple[InvoiceLine, ...]
    details: InvoiceDetails = NO_DETAILS


@register
@dataclass(frozen=True)
class InvoiceRevised(DomainEvent):
    """A draft's new content; carries every field so replay needs no merging."""

    counterparty: Counterparty
    invoice_date: date
    due_date: date
    fiscal_year: str
    lines: tuple[InvoiceLine, ...]
    details: InvoiceDetails = NO_DETAILS


@register
@dataclass(frozen=True)
class InvoiceApproved(DomainEvent):
    """For a SALES invoice also the dates it was issued with (ADR 0035); None: the draft's
    dates stand (purchase bills, and sales invoices approved before that rule)."""

    approved_at: datetime
    approved_by: str
    journal_id: str
    mushak_number: str | None
    issued_at: datetime | None
    invoice_date: date | None = None
    due_date: date | None = None
    fiscal_year: str | None = None


@register
@dataclass(frozen=True)
class InvoiceCancelled(DomainEvent):
    reason: str
    cancelled_at: datetime
    cancelled_by: str
    cancellation_journal_id: str | None


@dataclass(frozen=True)
class _InvoicePaidChange(DomainEvent):
    """What a payment, or its reversal, does to the invoice; not an event type of its own."""

    payment_id: str
    amount: Decimal
    paid_amount: Decimal  # after the payment or the reversal
    status: InvoiceStatus


@register
@dataclass(frozen=True)
class InvoicePaymentRecorded(_InvoicePaidChange):
    pass


@register
@dataclass(frozen=True)
class InvoicePaymentReversed(_InvoicePaidChange):
    pass


def _status_for(paid: Decimal, payable: Decimal) -> InvoiceStatus:
    if paid <= 0:
        return InvoiceStatus.APPROVED
    if paid >= payable:
        return InvoiceStatus.PAID
    return InvoiceStatus.PARTIALLY_PAID


class Invoice(Aggregate[InvoiceState]):
    STREAM_TYPE = "invoice"
    STATE_TYPE = InvoiceState

    @classmethod
    def create(
        cls,
        invoice_id: str,
        *,
        number: str,
        kind: InvoiceKind,
        counterparty: Counterparty,
        invoice_date: date,
        due_date: date,
        currency: str,
        lines: tuple[InvoiceLine, ...],
        details: InvoiceDetails = NO_DETAILS,
    ) -> Invoice:
        check_dates(invoice_date, due_date)
        invoice = cls(invoice_id)
        invoice._emit(
            InvoiceCreated(
                number=number,
                kind=kind,
                counterparty=counterparty,
                invoice_date=invoice_date,
                due_date=due_date,
                fiscal_year=fiscal_year_of(invoice_date).label,
                currency=check_currency(currency),
                lines=lines,
                details=details,
            )
        )
        return invoice

    def _require(self, action: str, *allowed: InvoiceStatus) -> None:
        if self.state.status not in allowed:
            names = " or ".join(s.value for s in allowed)
            raise InvalidState(
                f"invoice {self.state.number} is {self.state.status}; only a {names} invoice "
                f"can be {action}",
                code="invoice_status",
            )

    def revise(
        self,
        *,
        counterparty: Counterparty,
        invoice_date: date,
        due_date: date,
        lines: tuple[InvoiceLine, ...],
        details: InvoiceDetails = NO_DETAILS,
    ) -> None:
        self._require("edited", InvoiceStatus.DRAFT)
        check_dates(invoice_date, due_date)
        self._emit(
            InvoiceRevised(
                counterparty=counterparty,
                invoice_date=invoice_date,
                due_date=due_date,
                fiscal_year=fiscal_year_of(invoice_date).label,
                lines=lines,
                details=details,
            )
        )

    def ensure_approvable(self) -> None:
        self._require("approved", InvoiceStatus.DRAFT)
        if self.state.totals.grand_total <= 0:
            raise InvalidInput(
                "the invoice totals zero: there is nothing to post",
                field="lines",
                code="zero_total",
            )

    def issue_dates(self, issue_day: date) -> tuple[date, date]:
        """The invoice and due dates a SALES invoice takes when issued on `issue_day`: a tax
        invoice is dated the day it is issued, and the payment terms (days from the invoice
        date to the due date) are kept."""
        state = self.state
        if state.kind is not InvoiceKind.SALES:
            return state.invoice_date, state.due_date
        return issue_day, issue_day + (state.due_date - state.invoice_date)

    def approve(
        self,
        *,
        by: str,
        at: datetime,
        journal_id: str,
        mushak_number: str | None,
        issue_day: date | None = None,
    ) -> None:
        """SALES invoices get their Mushak-6.3 serial, time of issue and, from `issue_day`
        (the business day of `at`), their invoice date here."""
        self.ensure_approvable()
        is_sales = self.state.kind is InvoiceKind.SALES
        if is_sales != (mushak_number is not None):
            raise ValueError("a Mushak-6.3 serial is issued for SALES invoices only")
        invoice_date = due_date = fiscal_year = None
        if is_sales:
            if issue_day is None:
                raise ValueError("a SALES invoice is approved on its day of issue")
            invoice_date, due_date = self.issue_dates(issue_day)
            fiscal_year = fiscal_year_of(invoice_date).label
        self._emit(
            InvoiceApproved(
                approved_at=at,
                approved_by=by,
                journal_id=journal_id,
                mushak_number=mushak_number,
                issued_at=at if is_sales else None,
                invoice_date=invoice_date,
                due_date=due_date,
                fiscal_year=fiscal_year,
            )
        )

    def ensure_cancellable(self) -> None:
        self._require("cancelled", InvoiceStatus.DRAFT, InvoiceStatus.APPROVED)
        if self.state.paid_amount != 0:  # pragma: no cover - APPROVED means nothing paid
            raise InvalidState("reverse the payments first", code="invoice_has_payments")

    def cancel(
        self, reason: str, *, by: str, at: datetime, cancellation_journal_id: str | None
    ) -> None:
        if self.state.status in (InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID):
            raise InvalidState(
                f"invoice {self.state.number} is {self.state.status}: reverse its payments "
                "before cancelling it",
                code="invoice_has_payments",
            )
        self.ensure_cancellable()
        # The reason also heads the reversing journal's, so the journal's minimum applies.
        reason = validate_reason(reason, minimum=CANCEL_REASON_MIN)
        self._emit(
            InvoiceCancelled(
                reason=reason,
                cancelled_at=at,
                cancelled_by=by,
                cancellation_journal_id=cancellation_journal_id,
            )
        )

    def ensure_payable(self, amount: Decimal, *, field: str = "amount") -> None:
        """Refuse a payment the invoice cannot take: wrong state or more than is due."""
        if self.state.status is not InvoiceStatus.PAID:
            self._require("paid", *OPEN_STATUSES)
        if amount > self.state.balance_due:
            raise InvalidInput(
                f"{format_amount(amount)} exceeds the balance due on invoice "
                f"{self.state.number}, {format_amount(self.state.balance_due)}",
                field=field,
                code="overpayment",
            )

    def record_payment(self, payment_id: str, amount: Decimal) -> None:
        self.ensure_payable(amount)
        if payment_id in self.state.payment_ids:  # pragma: no cover - payments complete once
            raise InvalidState(f"payment {payment_id} is already recorded")
        self._emit_paid(InvoicePaymentRecorded, payment_id, amount, self.state.paid_amount + amount)

    def reverse_payment(self, payment_id: str, amount: Decimal) -> None:
        if payment_id not in self.state.payment_ids:  # pragma: no cover - guarded by callers
            raise InvalidState(f"payment {payment_id} was never recorded on this invoice")
        self._emit_paid(InvoicePaymentReversed, payment_id, amount, self.state.paid_amount - amount)

    def _emit_paid(
        self,
        change: type[InvoicePaymentRecorded | InvoicePaymentReversed],
        payment_id: str,
        amount: Decimal,
        paid: Decimal,
    ) -> None:
        """The paid amount becomes `paid`, and the status follows from it."""
        status = _status_for(paid, self.state.totals.payable_total)
        self._emit(change(payment_id=payment_id, amount=amount, paid_amount=paid, status=status))

    def _apply(self, event: DomainEvent) -> InvoiceState:
        match event:
            case InvoiceCreated():
                return InvoiceState(status=InvoiceStatus.DRAFT, **field_values(event))
            case InvoiceRevised():
                return replace(self.state, **field_values(event))
            case InvoiceApproved():
                return replace(
                    self.state,
                    status=InvoiceStatus.APPROVED,
                    invoice_date=event.invoice_date or self.state.invoice_date,
                    due_date=event.due_date or self.state.due_date,
                    fiscal_year=event.fiscal_year or self.state.fiscal_year,
                    journal_id=event.journal_id,
                    mushak_number=event.mushak_number,
                    issued_at=event.issued_at,
                    approved_at=event.approved_at,
                    approved_by=event.approved_by,
                )
            case InvoiceCancelled():
                return replace(
                    self.state,
                    status=InvoiceStatus.CANCELLED,
                    cancel_reason=event.reason,
                    cancellation_journal_id=event.cancellation_journal_id,
                )
            case InvoicePaymentRecorded():
                return replace(
                    self.state,
                    status=event.status,
                    paid_amount=event.paid_amount,
                    payment_ids=(*self.state.payment_ids, event.payment_id),
                )
            case InvoicePaymentReversed():
                return replace(
                    self.state,
                    status=event.status,
                    paid_amount=event.paid_amount,
                    payment_ids=tuple(p for p in self.state.payment_ids if p != event.payment_id),
                )
        raise TypeError(f"Invoice cannot apply {type(event).__name__}")
