"""The read-model rows each event produces, as plain data: which table, which columns, which
values. No I/O: the inline projector (`inline.Projector`), the bulk projector and the rebuild
all take their rows from here, and the rebuild's SQL fill statements are tested against it
(ADR 0040).

A row inserted is always a whole row, every column of its table named (a column not yet set
is None): a column added to a table and not here fails the tests that compare the two."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from vextrus_finance.domain.accounts import (
    AccountBalanceLimitChanged,
    AccountCashFlowClassChanged,
    AccountDeactivated,
    AccountOpened,
    AccountParentChanged,
    AccountRenamed,
    default_cash_flow_class,
)
from vextrus_finance.domain.counterparties import CounterpartyRegistered, CounterpartyUpdated
from vextrus_finance.domain.events import DomainEvent
from vextrus_finance.domain.fiscal import PeriodStatus, parse_fiscal_year, parse_period
from vextrus_finance.domain.fiscal_years import FiscalYearClosed, FiscalYearReopened
from vextrus_finance.domain.invoices import (
    Counterparty,
    InvoiceApproved,
    InvoiceCancelled,
    InvoiceCreated,
    InvoiceDetails,
    InvoiceLine,
    InvoicePaymentRecorded,
    InvoicePaymentReversed,
    InvoiceRevised,
    InvoiceStatus,
    totals_of,
)
from vextrus_finance.domain.journals import (
    JournalCancelled,
    JournalDrafted,
    JournalLine,
    JournalPosted,
    JournalReversed,
    JournalRevised,
    JournalStatus,
)
from vextrus_finance.domain.money import to_minor
from vextrus_finance.domain.payments import (
    PaymentCompleted,
    PaymentCreated,
    PaymentFailed,
    PaymentMethod,
    PaymentReconciled,
    PaymentReversed,
    PaymentStatus,
)
from vextrus_finance.domain.periods import FiscalPeriodClosed, FiscalPeriodReopened
from vextrus_finance.domain.posting_profiles import CompanyProfileSet, PostingProfileSet
from vextrus_finance.infrastructure.event_store.store import EventEnvelope

Row = dict[str, Any]


# --- what an event does to the read models -------------------------------------------------
# `table` names a field of `ReadModelTables`, so the same change applies to the live tables
# or to a rebuild's shadow copies. Not frozen: a frozen dataclass is several times dearer to
# build, and every posting builds a few of these. Nothing changes them once built.


@dataclass(slots=True)
class Insert:
    table: str
    rows: list[Row]


@dataclass(slots=True)
class Update:
    """Set `values` on the one row whose columns equal `key`; no such row is an error (a read
    model an event refers to must exist)."""

    table: str
    key: Row
    values: Row


@dataclass(slots=True)
class Replace:
    """Delete the rows whose columns equal `key`, then insert `rows`: a revision's lines, a
    tenant's profile."""

    table: str
    key: Row
    rows: list[Row]


@dataclass(slots=True)
class Upsert:
    """Insert `row`, or set its other columns on the row that has the same `conflict` columns."""

    table: str
    row: Row
    conflict: tuple[str, ...]


@dataclass(slots=True)
class Post:
    """Copy the journal's lines into the ledger (`ledger_rows`) and add them to the account and
    month totals. The rows depend on the draft as the read model holds it (revised or not) and
    the totals on what is stored, so the projector supplies both."""

    tenant_id: str
    journal_id: str
    posted_at: datetime


Change = Insert | Update | Replace | Upsert | Post

_Rows = Callable[[EventEnvelope, Any], list[Change]]
_ROWS: dict[type[DomainEvent], _Rows] = {}
_F = TypeVar("_F", bound=_Rows)


def _of(*event_types: type[DomainEvent]) -> Callable[[_F], _F]:
    def register(rows: _F) -> _F:
        for event_type in event_types:
            _ROWS[event_type] = rows
        return rows

    return register


def rows_for(e: EventEnvelope) -> list[Change]:
    """The changes `e` makes to the read models, in the order they are applied."""
    rows = _ROWS.get(type(e.event))
    if rows is None:
        raise LookupError(f"no projection for {type(e.event).__name__}")
    return rows(e, e.event)


def projected_event_types() -> frozenset[type[DomainEvent]]:
    return frozenset(_ROWS)


def _key(e: EventEnvelope) -> Row:
    return {"tenant_id": e.tenant_id, "id": e.stream_id}


# --- accounts ------------------------------------------------------------------------------


@_of(AccountOpened)
def _account_opened(e: EventEnvelope, ev: AccountOpened) -> list[Change]:
    row = {
        "tenant_id": e.tenant_id,
        "id": e.stream_id,
        "code": ev.code,
        "name": ev.name,
        "type": ev.type.value,
        "parent_id": ev.parent_id,
        "currency": ev.currency,
        "is_active": True,
        "balance_limit": ev.balance_limit.value if ev.balance_limit else None,
        "debit_total": 0,
        "credit_total": 0,
        "deactivated_at": None,
        "deactivation_reason": None,
        "version": e.version,
        "created_at": e.recorded_at,
        "updated_at": e.recorded_at,
        "cash_flow_class": (ev.cash_flow_class or default_cash_flow_class(ev.type)).value,
    }
    return [Insert("accounts", [row])]


def _account(e: EventEnvelope, **values: Any) -> list[Change]:
    return [
        Update("accounts", _key(e), {**values, "version": e.version, "updated_at": e.recorded_at})
    ]


@_of(AccountRenamed)
def _account_renamed(e: EventEnvelope, ev: AccountRenamed) -> list[Change]:
    return _account(e, name=ev.name)


@_of(AccountParentChanged)
def _account_parent_changed(e: EventEnvelope, ev: AccountParentChanged) -> list[Change]:
    return _account(e, parent_id=ev.parent_id)


@_of(AccountBalanceLimitChanged)
def _account_limit_changed(e: EventEnvelope, ev: AccountBalanceLimitChanged) -> list[Change]:
    return _account(e, balance_limit=ev.balance_limit.value if ev.balance_limit else None)


@_of(AccountCashFlowClassChanged)
def _account_cash_flow_class_changed(
    e: EventEnvelope, ev: AccountCashFlowClassChanged
) -> list[Change]:
    return _account(e, cash_flow_class=ev.cash_flow_class.value)


@_of(AccountDeactivated)
def _account_deactivated(e: EventEnvelope, ev: AccountDeactivated) -> list[Change]:
    return _account(
        e, is_active=False, deactivated_at=ev.deactivated_at, deactivation_reason=ev.reason
    )


# --- journals ------------------------------------------------------------------------------


def line_rows(tenant_id: str, journal_id: str, lines: Sequence[JournalLine]) -> list[Row]:
    return [
        {
            "tenant_id": tenant_id,
            "journal_id": journal_id,
            "line_no": no,
            "id": line.id,
            "account_id": line.account_id,
            "account_code": line.account_code,
            "debit": to_minor(line.debit),
            "credit": to_minor(line.credit),
            "description": line.description,
            "cost_center": line.cost_center,
            "project": line.project,
            "tax_code": line.tax_code,
            "counterparty_id": line.counterparty_id,
        }
        for no, line in enumerate(lines, start=1)
    ]


@_of(JournalDrafted)
def _journal_drafted(e: EventEnvelope, ev: JournalDrafted) -> list[Change]:
    lines = line_rows(e.tenant_id, e.stream_id, ev.lines)
    journal = {
        "tenant_id": e.tenant_id,
        "id": e.stream_id,
        "number": ev.number,
        "date": ev.date,
        "type": ev.type.value,
        "status": JournalStatus.DRAFT.value,
        "currency": ev.currency,
        "description": ev.description,
        "reference": ev.reference,
        "fiscal_period": ev.fiscal_period,
        # From the lines' paisa: converting each Decimal a second time is measurable in bulk.
        "total_debit": sum(line["debit"] for line in lines),
        "total_credit": sum(line["credit"] for line in lines),
        "created_at": e.recorded_at,
        "created_by": e.user_id,
        "posted_at": None,
        "posted_by": None,
        "reversed_by_id": None,
        "reverses_id": ev.reverses_id,
        "cancel_reason": None,
        "version": e.version,
    }
    return [Insert("journals", [journal]), Insert("journal_lines", lines)]


@_of(JournalRevised)
def _journal_revised(e: EventEnvelope, ev: JournalRevised) -> list[Change]:
    lines = line_rows(e.tenant_id, e.stream_id, ev.lines)
    header = {
        "date": ev.date,
        "fiscal_period": ev.fiscal_period,
        "description": ev.description,
        "reference": ev.reference,
        "total_debit": sum(line["debit"] for line in lines),
        "total_credit": sum(line["credit"] for line in lines),
        "version": e.version,
    }
    return [
        Update("journals", _key(e), header),
        Replace("journal_lines", {"tenant_id": e.tenant_id, "journal_id": e.stream_id}, lines),
    ]


@_of(JournalPosted)
def _journal_posted(e: EventEnvelope, ev: JournalPosted) -> list[Change]:
    posted = {
        "status": JournalStatus.POSTED.value,
        "posted_at": ev.posted_at,
        "posted_by": ev.posted_by,
        "version": e.version,
    }
    return [Update("journals", _key(e), posted), Post(e.tenant_id, e.stream_id, ev.posted_at)]


@_of(JournalCancelled)
def _journal_cancelled(e: EventEnvelope, ev: JournalCancelled) -> list[Change]:
    values = {"status": JournalStatus.CANCELLED.value, "cancel_reason": ev.reason}
    return [Update("journals", _key(e), {**values, "version": e.version})]


@_of(JournalReversed)
def _journal_reversed(e: EventEnvelope, ev: JournalReversed) -> list[Change]:
    values = {"status": JournalStatus.REVERSED.value, "reversed_by_id": ev.reversed_by_id}
    return [Update("journals", _key(e), {**values, "version": e.version})]


# The journal's columns a posting copies into each of its ledger entries.
POSTING_HEADER = ("date", "number", "type", "currency", "description", "reference")
# The line's columns a posting copies.
POSTING_LINE = ("line_no", "id", "account_id", "description", "debit", "credit")


def ledger_rows(
    tenant_id: str,
    journal_id: str,
    posted_at: datetime,
    journal: Mapping[str, Any],
    lines: Iterable[Mapping[str, Any]],
) -> list[Row]:
    """The ledger entries of a posting: `journal` and `lines` are the journal's row and line rows
    as the read model holds them (at least the columns `POSTING_HEADER` and `POSTING_LINE`)."""
    return [
        {
            "tenant_id": tenant_id,
            "journal_id": journal_id,
            "line_no": line["line_no"],
            "account_id": line["account_id"],
            "entry_date": journal["date"],
            "posted_at": posted_at,
            "line_id": line["id"],
            "journal_number": journal["number"],
            "journal_type": journal["type"],
            "currency": journal["currency"],
            "description": line["description"] or journal["description"],
            "reference": journal["reference"],
            "debit": line["debit"],
            "credit": line["credit"],
        }
        for line in lines
    ]


# --- fiscal periods ------------------------------------------------------------------------


@_of(FiscalPeriodClosed, FiscalPeriodReopened)
def _period_changed(
    e: EventEnvelope, ev: FiscalPeriodClosed | FiscalPeriodReopened
) -> list[Change]:
    period = parse_period(e.stream_id)
    if isinstance(ev, FiscalPeriodClosed):
        status, at, by = PeriodStatus.CLOSED, ev.closed_at, ev.closed_by
    else:
        status, at, by = PeriodStatus.OPEN, ev.reopened_at, ev.reopened_by
    row = {
        "tenant_id": e.tenant_id,
        "code": period.code,
        "fiscal_year": period.fiscal_year.label,
        "start_date": period.start,
        "end_date": period.end,
        "status": status.value,
        "changed_at": at,
        "changed_by": by,
        "reason": ev.reason,
        "version": e.version,
    }
    return [Upsert("fiscal_periods", row, ("tenant_id", "code"))]


@_of(FiscalYearClosed, FiscalYearReopened)
def _year_changed(e: EventEnvelope, ev: FiscalYearClosed | FiscalYearReopened) -> list[Change]:
    year = parse_fiscal_year(e.stream_id)
    if isinstance(ev, FiscalYearClosed):
        status, at, by = PeriodStatus.CLOSED, ev.closed_at, ev.closed_by
        journal_id, retained_id = ev.closing_journal_id, ev.retained_earnings_account_id
    else:
        status, at, by = PeriodStatus.OPEN, ev.reopened_at, ev.reopened_by
        journal_id = retained_id = None
    row = {
        "tenant_id": e.tenant_id,
        "code": year.label,
        "start_date": year.start,
        "end_date": year.end,
        "status": status.value,
        "closing_journal_id": journal_id,
        "retained_earnings_account_id": retained_id,
        "changed_at": at,
        "changed_by": by,
        "reason": ev.reason,
        "version": e.version,
    }
    return [Upsert("fiscal_years", row, ("tenant_id", "code"))]


# --- invoices ------------------------------------------------------------------------------


def _invoice_line_rows(tenant_id: str, invoice_id: str, lines: Sequence[InvoiceLine]) -> list[Row]:
    return [
        {
            "tenant_id": tenant_id,
            "invoice_id": invoice_id,
            "line_no": no,
            "description": line.description,
            "quantity": f"{line.quantity:f}",
            "unit": line.unit,
            "unit_price": to_minor(line.unit_price),
            "hs_code": line.hs_code,
            "vat_rate": line.vat_rate.value,
            "sd_rate": f"{line.sd_rate:f}",
            "ait_rate": f"{line.ait_rate:f}",
            "amount": to_minor(line.amount),
            "sd_amount": to_minor(line.sd_amount),
            "vat_amount": to_minor(line.vat_amount),
            "ait_amount": to_minor(line.ait_amount),
            "account_code": line.account_code,
        }
        for no, line in enumerate(lines, start=1)
    ]


def _invoice_content(
    counterparty: Counterparty, lines: Sequence[InvoiceLine], details: InvoiceDetails
) -> Row:
    """What a revision may change besides the dates: the party, the lines' totals, the details."""
    t = totals_of(lines)
    return {
        "supplier_invoice_number": details.supplier_invoice_number,
        "supplier_invoice_date": details.supplier_invoice_date,
        "control_account_code": details.control_account_code,
        "destination": details.destination,
        "vehicle_type": details.vehicle_type,
        "vehicle_number": details.vehicle_number,
        "counterparty_id": counterparty.id,
        "counterparty_name": counterparty.name,
        "counterparty_address": counterparty.address,
        "counterparty_bin": counterparty.bin,
        "counterparty_tin": counterparty.tin,
        "subtotal": to_minor(t.subtotal),
        "sd_total": to_minor(t.sd_total),
        "vat_total": to_minor(t.vat_total),
        "ait_total": to_minor(t.ait_total),
        "grand_total": to_minor(t.grand_total),
        "payable_total": to_minor(t.payable_total),
    }


@_of(InvoiceCreated)
def _invoice_created(e: EventEnvelope, ev: InvoiceCreated) -> list[Change]:
    invoice = {
        "tenant_id": e.tenant_id,
        "id": e.stream_id,
        "number": ev.number,
        "kind": ev.kind.value,
        "status": InvoiceStatus.DRAFT.value,
        "invoice_date": ev.invoice_date,
        "due_date": ev.due_date,
        "fiscal_year": ev.fiscal_year,
        "currency": ev.currency,
        "paid_amount": 0,
        "mushak_number": None,
        "issued_at": None,
        "journal_id": None,
        "cancellation_journal_id": None,
        "cancel_reason": None,
        "approved_at": None,
        "approved_by": None,
        "created_at": e.recorded_at,
        "created_by": e.user_id,
        "version": e.version,
        **_invoice_content(ev.counterparty, ev.lines, ev.details),
    }
    lines = _invoice_line_rows(e.tenant_id, e.stream_id, ev.lines)
    return [Insert("invoices", [invoice]), Insert("invoice_lines", lines)]


def _invoice(e: EventEnvelope, **values: Any) -> Update:
    return Update("invoices", _key(e), {**values, "version": e.version})


@_of(InvoiceRevised)
def _invoice_revised(e: EventEnvelope, ev: InvoiceRevised) -> list[Change]:
    lines = _invoice_line_rows(e.tenant_id, e.stream_id, ev.lines)
    return [
        _invoice(
            e,
            invoice_date=ev.invoice_date,
            due_date=ev.due_date,
            fiscal_year=ev.fiscal_year,
            **_invoice_content(ev.counterparty, ev.lines, ev.details),
        ),
        Replace("invoice_lines", {"tenant_id": e.tenant_id, "invoice_id": e.stream_id}, lines),
    ]


@_of(InvoiceApproved)
def _invoice_approved(e: EventEnvelope, ev: InvoiceApproved) -> list[Change]:
    # A sales invoice is issued with the dates of its approval (ADR 0035); None: the draft's stand.
    issued: Row = {}
    if ev.invoice_date is not None:
        issued = {
            "invoice_date": ev.invoice_date,
            "due_date": ev.due_date,
            "fiscal_year": ev.fiscal_year,
        }
    return [
        _invoice(
            e,
            **issued,
            status=InvoiceStatus.APPROVED.value,
            journal_id=ev.journal_id,
            mushak_number=ev.mushak_number,
            issued_at=ev.issued_at,
            approved_at=ev.approved_at,
            approved_by=ev.approved_by,
        )
    ]


@_of(InvoiceCancelled)
def _invoice_cancelled(e: EventEnvelope, ev: InvoiceCancelled) -> list[Change]:
    return [
        _invoice(
            e,
            status=InvoiceStatus.CANCELLED.value,
            cancel_reason=ev.reason,
            cancellation_journal_id=ev.cancellation_journal_id,
        )
    ]


@_of(InvoicePaymentRecorded, InvoicePaymentReversed)
def _invoice_paid(
    e: EventEnvelope, ev: InvoicePaymentRecorded | InvoicePaymentReversed
) -> list[Change]:
    return [_invoice(e, status=ev.status.value, paid_amount=to_minor(ev.paid_amount))]


# --- payments ------------------------------------------------------------------------------


@_of(PaymentCreated)
def _payment_created(e: EventEnvelope, ev: PaymentCreated) -> list[Change]:
    wallet = ev.details.wallet
    # A wallet payment is in flight from the start: the provider confirms it later.
    is_wallet = ev.details.method is PaymentMethod.MOBILE_WALLET
    payment = {
        "tenant_id": e.tenant_id,
        "id": e.stream_id,
        "number": ev.number,
        "invoice_id": ev.invoice_id,
        "direction": ev.direction.value,
        "amount": to_minor(ev.amount),
        "currency": ev.currency,
        "method": ev.details.method.value,
        "status": (PaymentStatus.PROCESSING if is_wallet else PaymentStatus.PENDING).value,
        "payment_date": ev.payment_date,
        "reference": ev.reference,
        "bank_account_id": ev.details.bank_account_id,
        "account_id": ev.account_id,
        "check_number": ev.details.check_number,
        "wallet_provider": wallet.provider.value if wallet else None,
        "wallet_mobile_number": wallet.mobile_number if wallet else None,
        "wallet_transaction_id": wallet.transaction_id if wallet else None,
        "transaction_reference": None,
        "journal_id": None,
        "completed_at": None,
        "failure_reason": None,
        "bank_transaction_id": None,
        "reconciled_at": None,
        "reversal_reason": None,
        "reversal_journal_id": None,
        "created_at": e.recorded_at,
        "created_by": e.user_id,
        "version": e.version,
        "counterparty_id": ev.counterparty_id,
    }
    return [Insert("payments", [payment])]


def _payment(e: EventEnvelope, **values: Any) -> list[Change]:
    return [Update("payments", _key(e), {**values, "version": e.version})]


@_of(PaymentCompleted)
def _payment_completed(e: EventEnvelope, ev: PaymentCompleted) -> list[Change]:
    # A wallet payment's transaction id as completed; None leaves the one it was created with.
    wallet: Row = {}
    if ev.wallet_transaction_id is not None:
        wallet = {"wallet_transaction_id": ev.wallet_transaction_id}
    return _payment(
        e,
        **wallet,
        status=PaymentStatus.COMPLETED.value,
        transaction_reference=ev.transaction_reference,
        journal_id=ev.journal_id,
        completed_at=ev.completed_at,
    )


@_of(PaymentFailed)
def _payment_failed(e: EventEnvelope, ev: PaymentFailed) -> list[Change]:
    return _payment(e, status=PaymentStatus.FAILED.value, failure_reason=ev.reason)


@_of(PaymentReconciled)
def _payment_reconciled(e: EventEnvelope, ev: PaymentReconciled) -> list[Change]:
    return _payment(
        e,
        status=PaymentStatus.RECONCILED.value,
        bank_transaction_id=ev.bank_transaction_id,
        reconciled_at=ev.reconciled_at,
    )


@_of(PaymentReversed)
def _payment_reversed(e: EventEnvelope, ev: PaymentReversed) -> list[Change]:
    return _payment(
        e,
        status=PaymentStatus.REVERSED.value,
        reversal_reason=ev.reason,
        reversal_journal_id=ev.reversal_journal_id,
    )


# --- the tenant's profiles -----------------------------------------------------------------


@_of(PostingProfileSet)
def _posting_profile_set(e: EventEnvelope, ev: PostingProfileSet) -> list[Change]:
    rows = [
        {
            "tenant_id": e.tenant_id,
            "role": role.value,
            "account_id": account.id,
            "account_code": account.code,
            "version": e.version,
        }
        for role, account in sorted(ev.accounts.items())
    ]
    return [Replace("posting_profile_accounts", {"tenant_id": e.tenant_id}, rows)]


@_of(CompanyProfileSet)
def _company_profile_set(e: EventEnvelope, ev: CompanyProfileSet) -> list[Change]:
    row = {
        "tenant_id": e.tenant_id,
        "name": ev.name,
        "address": ev.address,
        "bin": ev.bin,
        "tin": ev.tin,
        "phone": ev.phone,
        "version": e.version,
    }
    return [Replace("company_profiles", {"tenant_id": e.tenant_id}, [row])]


# --- counterparties ------------------------------------------------------------------------


def _counterparty_details(ev: CounterpartyRegistered | CounterpartyUpdated) -> Row:
    return {
        "kind": ev.kind.value,
        "name": ev.name,
        "bin": ev.bin,
        "tin": ev.tin,
        "address": ev.address,
        "mobile": ev.mobile,
    }


@_of(CounterpartyRegistered)
def _counterparty_registered(e: EventEnvelope, ev: CounterpartyRegistered) -> list[Change]:
    row = {
        "tenant_id": e.tenant_id,
        "id": e.stream_id,
        **_counterparty_details(ev),
        "is_active": True,
        "created_at": e.recorded_at,
        "created_by": e.user_id,
        "version": e.version,
    }
    return [Insert("counterparties", [row])]


@_of(CounterpartyUpdated)
def _counterparty_updated(e: EventEnvelope, ev: CounterpartyUpdated) -> list[Change]:
    values = {**_counterparty_details(ev), "is_active": ev.is_active, "version": e.version}
    return [Update("counterparties", _key(e), values)]
