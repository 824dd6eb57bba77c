"""Payments: money received for a sales invoice or paid for a purchase invoice (or, without an
invoice, an advance), by cash, bank, cheque, card or mobile wallet.

PENDING (PROCESSING for wallets) → COMPLETED or FAILED; COMPLETED → RECONCILED;
COMPLETED/RECONCILED → REVERSED. Completion and reversal move the ledger and the invoice; the
application layer does that in the same transaction as these events."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from vextrus_finance.domain.accounts import validate_reason
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.errors import FieldIssue, InvalidInput, InvalidState
from vextrus_finance.domain.events import DomainEvent, field_values, register
from vextrus_finance.domain.tax_ids import normalize_mobile

REFERENCE_MAX = 255
CHECK_NUMBER_MIN, CHECK_NUMBER_MAX = 3, 64
TRANSACTION_REFERENCE_MIN, TRANSACTION_REFERENCE_MAX = 5, 255
BANK_TRANSACTION_MIN, BANK_TRANSACTION_MAX = 5, 128
WALLET_TRANSACTION_MAX = 64


class PaymentMethod(StrEnum):
    CASH = "CASH"
    BANK_TRANSFER = "BANK_TRANSFER"
    CHECK = "CHECK"
    MOBILE_WALLET = "MOBILE_WALLET"
    CREDIT_CARD = "CREDIT_CARD"
    DEBIT_CARD = "DEBIT_CARD"
    ONLINE_BANKING = "ONLINE_BANKING"


class WalletProvider(StrEnum):
    BKASH = "BKASH"
    NAGAD = "NAGAD"
    ROCKET = "ROCKET"
    UPAY = "UPAY"
    SURECASH = "SURECASH"
    MCASH = "MCASH"
    TCASH = "TCASH"


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    RECONCILED = "RECONCILED"
    REVERSED = "REVERSED"


class Direction(StrEnum):
    IN = "IN"  # received from a customer
    OUT = "OUT"  # paid to a supplier


def payment_number(day: date, sequence: int) -> str:
    return f"PMT-{day.year:04d}-{day.month:02d}-{sequence:06d}"


def payment_sequence(day: date) -> str:
    return f"payment:PMT:{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Wallet:
    provider: WalletProvider
    mobile_number: str  # normalised, 01XXXXXXXXX
    transaction_id: str | None = None


@dataclass(frozen=True)
class PaymentDetails:
    """Everything about how the money moves, checked together."""

    method: PaymentMethod
    bank_account_id: str | None = None
    check_number: str | None = None
    wallet: Wallet | None = None


def build_details(
    method: PaymentMethod,
    *,
    bank_account_id: str | None,
    check_number: str | None,
    wallet_provider: WalletProvider | None,
    wallet_mobile: str | None,
    wallet_transaction_id: str | None,
    wallet_given: bool,
) -> PaymentDetails:
    issues: list[FieldIssue] = []
    bank_account_id = (bank_account_id or "").strip() or None
    check_number = (check_number or "").strip() or None
    if method is PaymentMethod.BANK_TRANSFER and bank_account_id is None:
        issues.append(
            FieldIssue(
                "bank_account_id",
                "a bank transfer needs the bank account it moves through",
                "required",
            )
        )
    if method is PaymentMethod.CHECK:
        if check_number is None:
            issues.append(
                FieldIssue("check_number", "a cheque payment needs the cheque number", "required")
            )
        elif not CHECK_NUMBER_MIN <= len(check_number) <= CHECK_NUMBER_MAX:
            issues.append(
                FieldIssue(
                    "check_number",
                    f"must be {CHECK_NUMBER_MIN}–{CHECK_NUMBER_MAX} characters",
                    "invalid_check_number",
                )
            )
    elif check_number is not None:
        issues.append(FieldIssue("check_number", "only CHECK payments carry a cheque number"))
    wallet: Wallet | None = None
    if method is PaymentMethod.MOBILE_WALLET:
        if not wallet_given:
            issues.append(
                FieldIssue("wallet", "a wallet payment needs {provider, mobile_number}", "required")
            )
        else:
            if wallet_provider is None:
                issues.append(FieldIssue("wallet.provider", "must be given", "required"))
            mobile = None
            try:
                mobile = normalize_mobile(wallet_mobile or "", field="wallet.mobile_number")
            except InvalidInput as error:
                issues.extend(error.issues)
            transaction_id = (wallet_transaction_id or "").strip() or None
            if transaction_id is not None and len(transaction_id) > WALLET_TRANSACTION_MAX:
                issues.append(
                    FieldIssue(
                        "wallet.transaction_id",
                        f"must be at most {WALLET_TRANSACTION_MAX} characters",
                        "too_long",
                    )
                )
            if wallet_provider is not None and mobile is not None:
                wallet = Wallet(wallet_provider, mobile, transaction_id)
    elif wallet_given:
        issues.append(FieldIssue("wallet", "only MOBILE_WALLET payments carry a wallet"))
    if issues:
        raise InvalidInput.from_issues(issues)
    return PaymentDetails(method, bank_account_id, check_number, wallet)


@dataclass(frozen=True)
class _Terms:
    """What a payment is created with and keeps: its state and creation event start with these."""

    number: str
    invoice_id: str | None
    direction: Direction
    amount: Decimal
    currency: str
    details: PaymentDetails
    payment_date: date
    reference: str | None


@dataclass(frozen=True)
class PaymentState(_Terms):
    status: PaymentStatus
    account_id: str  # the cash, bank or wallet account the money moves through
    transaction_reference: str | None = None
    journal_id: str | None = None
    completed_at: datetime | None = None
    failure_reason: str | None = None
    bank_transaction_id: str | None = None
    reconciled_at: datetime | None = None
    reversal_reason: str | None = None
    reversal_journal_id: str | None = None


@register
@dataclass(frozen=True)
class PaymentCreated(DomainEvent, _Terms):
    account_id: str
    counterparty_id: str | None = None  # the customer or supplier record (ADR 0037)


@register
@dataclass(frozen=True)
class PaymentCompleted(DomainEvent):
    transaction_reference: str
    completed_at: datetime
    completed_by: str
    journal_id: str
    # A wallet payment's provider transaction id as completed (None: not a wallet payment,
    # or completed before the id was kept here).
    wallet_transaction_id: str | None = None


@register
@dataclass(frozen=True)
class PaymentFailed(DomainEvent):
    reason: str
    failed_at: datetime


@register
@dataclass(frozen=True)
class PaymentReconciled(DomainEvent):
    bank_transaction_id: str
    reconciled_at: datetime
    reconciled_by: str


@register
@dataclass(frozen=True)
class PaymentReversed(DomainEvent):
    reason: str
    reversed_at: datetime
    reversed_by: str
    reversal_journal_id: str


def _bounded(value: str, field: str, minimum: int, maximum: int) -> str:
    value = value.strip()
    if not minimum <= len(value) <= maximum:
        raise InvalidInput(f"must be {minimum}–{maximum} characters", field=field)
    return value


class Payment(Aggregate[PaymentState]):
    STREAM_TYPE = "payment"
    STATE_TYPE = PaymentState

    @classmethod
    def create(
        cls,
        payment_id: str,
        *,
        number: str,
        invoice_id: str | None,
        direction: Direction,
        amount: Decimal,
        currency: str,
        details: PaymentDetails,
        payment_date: date,
        reference: str | None,
        account_id: str,
        counterparty_id: str | None = None,
    ) -> Payment:
        if amount <= 0:
            raise InvalidInput("must be greater than zero", field="amount")
        reference = (reference or "").strip() or None
        if reference is not None and len(reference) > REFERENCE_MAX:
            raise InvalidInput(f"must be at most {REFERENCE_MAX} characters", field="reference")
        payment = cls(payment_id)
        payment._emit(
            PaymentCreated(
                number=number,
                invoice_id=invoice_id,
                direction=direction,
                amount=amount,
                currency=currency,
                details=details,
                payment_date=payment_date,
                reference=reference,
                account_id=account_id,
                counterparty_id=counterparty_id,
            )
        )
        return payment

    def _require(self, action: str, *allowed: PaymentStatus) -> None:
        if self.state.status not in allowed:
            names = " or ".join(s.value for s in allowed)
            raise InvalidState(
                f"payment {self.state.number} is {self.state.status}; only a {names} payment "
                f"can be {action}",
                code="payment_status",
            )

    def ensure_completable(self) -> None:
        self._require("completed", PaymentStatus.PENDING, PaymentStatus.PROCESSING)

    def complete(
        self, transaction_reference: str, *, by: str, at: datetime, journal_id: str
    ) -> None:
        self.ensure_completable()
        reference = _bounded(
            transaction_reference,
            "transaction_reference",
            TRANSACTION_REFERENCE_MIN,
            TRANSACTION_REFERENCE_MAX,
        )
        self._emit(
            PaymentCompleted(
                transaction_reference=reference,
                completed_at=at,
                completed_by=by,
                journal_id=journal_id,
                wallet_transaction_id=self.wallet_transaction_id(reference),
            )
        )

    def wallet_transaction_id(self, transaction_reference: str) -> str | None:
        """The provider's transaction id a wallet payment completes with: the one given when
        it was entered, else the completion's reference (the id the provider confirmed)."""
        wallet = self.state.details.wallet
        if wallet is None:
            return None
        given = wallet.transaction_id or transaction_reference.strip()
        return given[:WALLET_TRANSACTION_MAX]

    def fail(self, reason: str, *, at: datetime) -> None:
        self._require("failed", PaymentStatus.PENDING, PaymentStatus.PROCESSING)
        reason = validate_reason(reason)
        self._emit(PaymentFailed(reason=reason, failed_at=at))

    def ensure_reconcilable(self) -> None:
        self._require("reconciled", PaymentStatus.COMPLETED)

    def reconcile(self, bank_transaction_id: str, *, by: str, at: datetime) -> None:
        self.ensure_reconcilable()
        self._emit(
            PaymentReconciled(
                bank_transaction_id=normalize_bank_transaction_id(bank_transaction_id),
                reconciled_at=at,
                reconciled_by=by,
            )
        )

    def ensure_reversible(self) -> None:
        self._require("reversed", PaymentStatus.COMPLETED, PaymentStatus.RECONCILED)

    def reverse(self, reason: str, *, by: str, at: datetime, reversal_journal_id: str) -> None:
        self.ensure_reversible()
        reason = validate_reason(reason)
        self._emit(
            PaymentReversed(
                reason=reason,
                reversed_at=at,
                reversed_by=by,
                reversal_journal_id=reversal_journal_id,
            )
        )

    def _apply(self, event: DomainEvent) -> PaymentState:
        match event:
            case PaymentCreated():
                wallet = event.details.method is PaymentMethod.MOBILE_WALLET
                return PaymentState(
                    **field_values(event, _Terms),
                    # Wallet payments wait for the provider's confirmation.
                    status=PaymentStatus.PROCESSING if wallet else PaymentStatus.PENDING,
                    account_id=event.account_id,
                )
            case PaymentCompleted():
                settled = self.state.details.wallet
                if settled is not None and event.wallet_transaction_id is not None:
                    settled = replace(settled, transaction_id=event.wallet_transaction_id)
                return replace(
                    self.state,
                    details=replace(self.state.details, wallet=settled),
                    status=PaymentStatus.COMPLETED,
                    transaction_reference=event.transaction_reference,
                    journal_id=event.journal_id,
                    completed_at=event.completed_at,
                )
            case PaymentFailed():
                return replace(self.state, status=PaymentStatus.FAILED, failure_reason=event.reason)
            case PaymentReconciled():
                return replace(
                    self.state,
                    status=PaymentStatus.RECONCILED,
                    bank_transaction_id=event.bank_transaction_id,
                    reconciled_at=event.reconciled_at,
                )
            case PaymentReversed():
                return replace(
                    self.state,
                    status=PaymentStatus.REVERSED,
                    reversal_reason=event.reason,
                    reversal_journal_id=event.reversal_journal_id,
                )
        raise TypeError(f"Payment cannot apply {type(event).__name__}")


def normalize_bank_transaction_id(value: str) -> str:
    return _bounded(value, "bank_transaction_id", BANK_TRANSACTION_MIN, BANK_TRANSACTION_MAX)
