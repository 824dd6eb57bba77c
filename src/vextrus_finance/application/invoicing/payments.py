"""Payment commands. Completion records the payment on its invoice and posts the cash journal
in the same transaction as the payment's own event (all or nothing); an overpayment is refused
before anything is written. Reversal reverses the journal and the invoice's paid amount."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from vextrus_finance.application.context import new_id
from vextrus_finance.application.invoicing.counterparties import payment_counterparty
from vextrus_finance.application.invoicing.duplicates import lock_duplicate_check
from vextrus_finance.application.invoicing.invoices import control_account_id
from vextrus_finance.application.invoicing.posting_profiles import posting_accounts
from vextrus_finance.application.ledger.journals import (
    CreateJournal,
    LineSpec,
    ReverseJournal,
    check_document_date,
    create_journal,
    reverse_journal,
)
from vextrus_finance.application.loading import load_existing
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.accounts import AccountType, validate_reason
from vextrus_finance.domain.errors import AlreadyExists, FieldIssue, InvalidInput
from vextrus_finance.domain.invoices import Counterparty, Invoice, InvoiceKind, InvoiceState
from vextrus_finance.domain.journals import DESCRIPTION_MAX, JournalType
from vextrus_finance.domain.money import BASE_CURRENCY, ZERO
from vextrus_finance.domain.payments import (
    Direction,
    Payment,
    PaymentMethod,
    PaymentState,
    Wallet,
    build_details,
    normalize_bank_transaction_id,
    payment_number,
    payment_sequence,
)
from vextrus_finance.domain.posting_profiles import PostingRole as R

# A wallet as the client named it, unchecked until `build_details` normalises the number:
# the same three fields as the checked value.
WalletSpec = Wallet


@dataclass(frozen=True)
class CreatePayment:
    amount: Decimal
    method: PaymentMethod
    payment_date: date
    invoice_id: str | None = None
    direction: Direction | None = None
    currency: str = BASE_CURRENCY
    reference: str | None = None
    bank_account_id: str | None = None
    check_number: str | None = None
    wallet: WalletSpec | None = None
    counterparty: Counterparty | None = None  # {id} or inline; an invoice's by default
    payment_id: str = field(default_factory=new_id)
    bank_account_code: str | None = None  # the same account by code; agrees with the id


@dataclass(frozen=True)
class CompletePayment:
    payment_id: str
    transaction_reference: str
    expected_version: int | None = None
    journal_id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class FailPayment:
    payment_id: str
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ReconcilePayment:
    payment_id: str
    bank_transaction_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ReversePayment:
    payment_id: str
    reason: str
    date: date | None = None  # of the reversing journal; default today, not before the payment
    expected_version: int | None = None


_DEFAULT_ROLE = {
    PaymentMethod.CASH: R.CASH,
    PaymentMethod.MOBILE_WALLET: R.MOBILE_WALLET,
}  # every other method moves money through the bank


async def _money_account(uow: UnitOfWork, cmd: CreatePayment) -> str:
    if cmd.bank_account_id is None:
        role = _DEFAULT_ROLE.get(cmd.method, R.BANK)
        accounts = await posting_accounts(uow, (role,))
        return accounts[role].id
    record = (await uow.accounts.by_ids([cmd.bank_account_id])).get(cmd.bank_account_id)
    problem = None
    if record is None:
        problem = f"no account {cmd.bank_account_id} in this tenant"
    elif record.type is not AccountType.ASSET:
        problem = f"account {record.code} is {record.type}; money moves through an ASSET account"
    elif not record.is_active:
        problem = f"account {record.code} is inactive"
    if problem is not None:
        raise InvalidInput(problem, field="bank_account_id", code="invalid_bank_account")
    assert record is not None
    return record.id


async def _bank_account_by_code(uow: UnitOfWork, cmd: CreatePayment) -> str:
    """The id of `bank_account_code`, which must agree with `bank_account_id` if both are
    given: people know their bank account as 1120-01, not by its UUID."""
    code = (cmd.bank_account_code or "").strip()
    record = (await uow.accounts.by_codes([code])).get(code)
    if record is None:
        raise InvalidInput(
            f"no account with code {code} in this tenant",
            field="bank_account_code",
            code="invalid_bank_account",
        )
    if cmd.bank_account_id is not None and cmd.bank_account_id != record.id:
        raise InvalidInput(
            f"account {code} is {record.id}, not bank_account_id {cmd.bank_account_id}",
            field="bank_account_code",
            code="account_mismatch",
        )
    return record.id


async def create_payment(uow: UnitOfWork, cmd: CreatePayment) -> str:
    existing = await uow.load(Payment, cmd.payment_id)
    if existing.exists:
        return existing.id
    if cmd.bank_account_code is not None:
        cmd = replace(cmd, bank_account_id=await _bank_account_by_code(uow, cmd))
    issues: list[FieldIssue] = []
    try:
        details = build_details(
            cmd.method,
            bank_account_id=cmd.bank_account_id,
            check_number=cmd.check_number,
            wallet_provider=cmd.wallet.provider if cmd.wallet else None,
            wallet_mobile=cmd.wallet.mobile_number if cmd.wallet else None,
            wallet_transaction_id=cmd.wallet.transaction_id if cmd.wallet else None,
            wallet_given=cmd.wallet is not None,
        )
    except InvalidInput as error:
        issues.extend(error.issues)
    if cmd.currency != BASE_CURRENCY:
        issues.append(
            FieldIssue("currency", f"payments are kept in {BASE_CURRENCY}", "unsupported_currency")
        )
    if cmd.amount <= 0:
        issues.append(FieldIssue("amount", "must be greater than zero", "invalid"))
    direction = cmd.direction
    invoice = None
    if cmd.invoice_id is not None:
        invoice = await uow.load(Invoice, cmd.invoice_id)
        if not invoice.exists:
            issues.append(
                FieldIssue("invoice_id", f"no invoice {cmd.invoice_id}", "unknown_invoice")
            )
            invoice = None
        else:
            implied = Direction.IN if invoice.state.kind is InvoiceKind.SALES else Direction.OUT
            if direction is not None and direction is not implied:
                issues.append(
                    FieldIssue(
                        "direction",
                        f"a {invoice.state.kind} invoice is paid {implied}",
                        "direction_mismatch",
                    )
                )
            direction = implied
            if cmd.payment_date < invoice.state.invoice_date:
                issues.append(
                    FieldIssue(
                        "payment_date",
                        f"{cmd.payment_date} is before the date of invoice "
                        f"{invoice.state.number}, {invoice.state.invoice_date}: money for an "
                        "invoice cannot move before it is issued (book an advance instead)",
                        "payment_before_invoice",
                    )
                )
    elif direction is None:
        issues.append(
            FieldIssue("direction", "give invoice_id, or direction for an advance", "required")
        )
    if issues:
        raise InvalidInput.from_issues(issues)
    await check_document_date(uow, cmd.payment_date, field="payment_date")
    if invoice is not None:
        # Early answer for the client; completion checks again under the invoice's version.
        invoice.ensure_payable(cmd.amount)
    assert direction is not None
    party = await payment_counterparty(
        uow, cmd.counterparty, invoice.state.counterparty if invoice else None, direction
    )
    wallet = details.wallet
    if wallet is not None and wallet.transaction_id is not None:
        # Early answer too; completion checks again under the duplicate-check lock.
        await _refuse_taken_wallet_transaction(
            uow, wallet.provider.value, wallet.transaction_id, cmd.payment_id
        )
    account_id = await _money_account(uow, cmd)
    sequence = await uow.numbers.next(payment_sequence(cmd.payment_date))
    payment = Payment.create(
        cmd.payment_id,
        number=payment_number(cmd.payment_date, sequence),
        invoice_id=cmd.invoice_id,
        direction=direction,
        amount=cmd.amount,
        currency=cmd.currency,
        details=details,
        payment_date=cmd.payment_date,
        reference=cmd.reference,
        account_id=account_id,
        counterparty_id=party,
    )
    await uow.record(payment)
    return payment.id


def _advance_role(direction: Direction) -> R:
    """What money without an invoice is: an advance from a customer or to a supplier."""
    return R.CUSTOMER_ADVANCES if direction is Direction.IN else R.SUPPLIER_ADVANCES


async def _ensure_new_wallet_transaction(uow: UnitOfWork, payment: Payment) -> None:
    """One wallet transaction settles one payment: a second completion with the same
    provider's transaction id is refused (409) while the first stands."""
    wallet = payment.state.details.wallet
    if wallet is None or wallet.transaction_id is None:
        return
    provider, transaction_id = wallet.provider.value, wallet.transaction_id
    await lock_duplicate_check(uow, "wallet-transaction", f"{provider}|{transaction_id}")
    await _refuse_taken_wallet_transaction(uow, provider, transaction_id, payment.id)


async def _refuse_taken_wallet_transaction(
    uow: UnitOfWork, provider: str, transaction_id: str, payment_id: str
) -> None:
    taken = await uow.invoices.payment_with_wallet_transaction(
        provider, transaction_id, other_than=payment_id
    )
    if taken is not None:
        raise AlreadyExists(
            f"{provider} transaction {transaction_id} already completed payment {taken}",
            field="wallet.transaction_id",
            code="duplicate_wallet_transaction",
        )


def payment_description(
    state: PaymentState, invoice: InvoiceState | None, transaction_reference: str
) -> str:
    """The payment journal's description: who paid or was paid and with what instrument, so
    the cash book reads without opening the payment (cheque number, wallet transaction)."""
    receipt = state.direction is Direction.IN
    text = f"{'Receipt' if receipt else 'Payment'} {state.number}"
    if invoice is not None:
        text += f" {'from' if receipt else 'to'} {invoice.counterparty.name} for {invoice.number}"
    details = state.details
    text += f" by {details.method}"
    if details.check_number:
        text += f" cheque no. {details.check_number}"
    if details.wallet is not None:
        text += f" {details.wallet.provider} {details.wallet.mobile_number}"
        if details.wallet.transaction_id:
            text += f" txn {details.wallet.transaction_id}"
    text += f" ({transaction_reference.strip()})"
    return text[:DESCRIPTION_MAX]


async def complete_payment(uow: UnitOfWork, cmd: CompletePayment) -> str:
    payment = await load_existing(
        uow, Payment, cmd.payment_id, what="payment", expected_version=cmd.expected_version
    )
    payment.complete(
        cmd.transaction_reference, by=uow.ctx.user_id, at=uow.now(), journal_id=cmd.journal_id
    )
    state = payment.state
    await _ensure_new_wallet_transaction(uow, payment)
    invoice = None
    if state.invoice_id is not None:
        invoice = await load_existing(uow, Invoice, state.invoice_id, what="invoice")
        # The overpayment check, against the invoice's current version: a second payment
        # racing for the same balance conflicts on the invoice stream, retries, and is
        # refused here — before any row is written.
        invoice.record_payment(payment.id, state.amount)
    if invoice is not None:
        counter = await control_account_id(uow, invoice.state)
    else:
        role = _advance_role(state.direction)
        counter = (await posting_accounts(uow, (role,)))[role].id
    text = f"Payment {state.number}" + (f" for {invoice.state.number}" if invoice else "")
    if state.direction is Direction.IN:
        lines = (
            LineSpec(state.account_id, None, state.amount, ZERO, description=text),
            LineSpec(counter, None, ZERO, state.amount, description=text),
        )
    else:
        lines = (
            LineSpec(counter, None, state.amount, ZERO, description=text),
            LineSpec(state.account_id, None, ZERO, state.amount, description=text),
        )
    receipt = state.direction is Direction.IN
    await create_journal(
        uow,
        CreateJournal(
            date=state.payment_date,
            description=payment_description(
                state, invoice.state if invoice else None, cmd.transaction_reference
            ),
            lines=lines,
            type=JournalType.CASH_RECEIPT if receipt else JournalType.CASH_PAYMENT,
            reference=state.number,
            currency=state.currency,
            post=True,
            journal_id=cmd.journal_id,
            manual=False,
        ),
    )
    # Invoice before payment: the order rebuild locks their tables in (no deadlock).
    await uow.record(*([invoice] if invoice else []), payment)
    return payment.id


async def fail_payment(uow: UnitOfWork, cmd: FailPayment) -> str:
    payment = await load_existing(
        uow, Payment, cmd.payment_id, what="payment", expected_version=cmd.expected_version
    )
    payment.fail(cmd.reason, at=uow.now())
    await uow.record(payment)
    return payment.id


async def reconcile_payment(uow: UnitOfWork, cmd: ReconcilePayment) -> str:
    payment = await load_existing(
        uow, Payment, cmd.payment_id, what="payment", expected_version=cmd.expected_version
    )
    bank_transaction_id = normalize_bank_transaction_id(cmd.bank_transaction_id)
    payment.ensure_reconcilable()
    holder = await uow.invoices.payment_with_bank_transaction(bank_transaction_id)
    if holder is not None and holder != payment.id:
        raise AlreadyExists(
            f"bank transaction {bank_transaction_id} is already matched to payment {holder}",
            field="bank_transaction_id",
            code="bank_transaction_taken",
        )
    payment.reconcile(bank_transaction_id, by=uow.ctx.user_id, at=uow.now())
    await uow.record(payment)
    return payment.id


async def reverse_payment(uow: UnitOfWork, cmd: ReversePayment) -> str:
    payment = await load_existing(
        uow, Payment, cmd.payment_id, what="payment", expected_version=cmd.expected_version
    )
    payment.ensure_reversible()
    reason = validate_reason(cmd.reason)
    state = payment.state
    assert state.journal_id is not None
    invoice = None
    if state.invoice_id is not None:
        invoice = await load_existing(uow, Invoice, state.invoice_id, what="invoice")
        invoice.reverse_payment(payment.id, state.amount)
    reversal_id = await reverse_journal(
        uow,
        ReverseJournal(
            state.journal_id,
            cmd.date or max(uow.today(), state.payment_date),
            reason=f"Payment {state.number} reversed: {reason}"[:DESCRIPTION_MAX],
        ),
    )
    payment.reverse(reason, by=uow.ctx.user_id, at=uow.now(), reversal_journal_id=reversal_id)
    # Invoice before payment: the order rebuild locks their tables in (no deadlock).
    await uow.record(*([invoice] if invoice else []), payment)
    return payment.id
