"""What invoice, payment, profile and aging queries return: plain dataclasses for the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from vextrus_finance.domain.invoices import (
    Counterparty,
    InvoiceDetails,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from vextrus_finance.domain.payments import (
    Direction,
    PaymentMethod,
    PaymentStatus,
    Wallet,
)
from vextrus_finance.domain.posting_profiles import CompanyProfileState

# The party as the invoice names it: the domain's own value, id and stored details.
CounterpartyView = Counterparty


@dataclass(frozen=True, kw_only=True)
class InvoiceLineView(InvoiceLine):
    """The domain's line as the read model holds it: numbered, with the VAT rate's percent."""

    line_no: int
    vat_rate_percent: Decimal | None


@dataclass(frozen=True, kw_only=True)
class InvoiceView(InvoiceDetails):
    """An invoice as the read model holds it: what it says (its details) and where it stands."""

    id: str
    number: str
    kind: InvoiceKind
    status: InvoiceStatus
    overdue: bool  # derived: open, past its due date, with a balance
    days_overdue: int
    counterparty: CounterpartyView
    invoice_date: date
    due_date: date
    fiscal_year: str
    currency: str
    lines: list[InvoiceLineView]
    subtotal: Decimal
    sd_total: Decimal
    vat_total: Decimal
    ait_total: Decimal
    grand_total: Decimal
    payable_total: Decimal
    paid_amount: Decimal
    balance_due: Decimal
    mushak_number: str | None
    issued_at: datetime | None
    journal_id: str | None
    cancellation_journal_id: str | None
    cancel_reason: str | None
    approved_at: datetime | None
    approved_by: str | None
    created_at: datetime
    created_by: str
    version: int


# The wallet a payment went through, as stored: the domain's own value.
WalletView = Wallet


@dataclass(frozen=True)
class PaymentView:
    id: str
    number: str
    invoice_id: str | None
    direction: Direction
    amount: Decimal
    currency: str
    method: PaymentMethod
    status: PaymentStatus
    payment_date: date
    reference: str | None
    bank_account_id: str | None
    account_id: str
    check_number: str | None
    wallet: WalletView | None
    transaction_reference: str | None
    journal_id: str | None
    completed_at: datetime | None
    failure_reason: str | None
    bank_transaction_id: str | None
    reconciled_at: datetime | None
    reversal_reason: str | None
    reversal_journal_id: str | None
    counterparty_id: str | None
    created_at: datetime
    created_by: str
    version: int


@dataclass(frozen=True)
class AgingBuckets:
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_over_90: Decimal
    total: Decimal


@dataclass(frozen=True)
class AgingRow:
    counterparty_id: str | None
    counterparty_name: str
    invoices: int
    buckets: AgingBuckets


@dataclass(frozen=True)
class AgingView:
    kind: InvoiceKind
    as_of: date
    currency: str
    rows: list[AgingRow]
    totals: AgingBuckets
    # The tie-out: the control account(s) balance at the end of `as_of` and what the open
    # items leave unexplained (manual lines without a counterparty, postings before a fix).
    control_accounts: list[str]  # codes
    ledger_balance: Decimal
    difference: Decimal


@dataclass(frozen=True)
class OpenItem:
    """An open invoice's balance for the aging report."""

    counterparty_id: str | None
    counterparty_name: str
    due_date: date
    balance_due: Decimal
    is_invoice: bool = True  # else what manual lines put on the control account that day


@dataclass(frozen=True)
class ProfileAccountView:
    role: str
    account_id: str
    code: str
    name: str
    type: str


@dataclass(frozen=True)
class PostingProfileView:
    accounts: list[ProfileAccountView]
    is_default: bool  # never set by the tenant: the standard chart's accounts are used
    version: int


@dataclass(frozen=True)
class CompanyProfileView(CompanyProfileState):
    """The stored company details with the version an If-Match names."""

    version: int
