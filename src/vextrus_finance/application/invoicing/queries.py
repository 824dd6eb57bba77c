"""The read port for invoices, payments and the tenant's profiles (tenant-scoped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from vextrus_finance.application.invoicing.views import (
    CompanyProfileView,
    InvoiceView,
    OpenItem,
    PaymentView,
    PostingProfileView,
)
from vextrus_finance.application.ledger.views import Page
from vextrus_finance.domain.invoices import InvoiceKind, InvoiceStatus
from vextrus_finance.domain.payments import Direction, PaymentMethod, PaymentStatus


@dataclass(frozen=True)
class InvoiceFilter:
    kind: InvoiceKind | None = None
    status: InvoiceStatus | None = None
    counterparty_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool | None = None


@dataclass(frozen=True)
class PaymentFilter:
    invoice_id: str | None = None
    status: PaymentStatus | None = None
    method: PaymentMethod | None = None
    direction: Direction | None = None
    date_from: date | None = None
    date_to: date | None = None


class InvoiceReader(Protocol):
    async def invoice(self, invoice_id: str, *, today: date) -> InvoiceView | None: ...

    async def invoices(
        self, where: InvoiceFilter, *, today: date, limit: int, cursor: str | None
    ) -> Page[InvoiceView]: ...

    async def payment(self, payment_id: str) -> PaymentView | None: ...

    async def invoice_id_by_number(self, number: str) -> str | None: ...

    async def payment_id_by_number(self, number: str) -> str | None: ...

    async def payments(
        self, where: PaymentFilter, *, limit: int, cursor: str | None
    ) -> Page[PaymentView]: ...

    async def payment_with_bank_transaction(self, bank_transaction_id: str) -> str | None: ...

    async def bill_with_supplier_number(
        self, number: str, *, supplier_bin: str | None, supplier_name: str, other_than: str
    ) -> str | None:
        """The number of another PURCHASE invoice, not cancelled, with the same supplier (by
        BIN, or by name when the supplier has none) and supplier invoice number."""
        ...

    async def payment_with_wallet_transaction(
        self, provider: str, transaction_id: str, *, other_than: str
    ) -> str | None:
        """The number of another completed (or reconciled) payment with that transaction."""
        ...

    async def open_items(self, kind: InvoiceKind, as_of: date) -> list[OpenItem]: ...

    async def manual_items(
        self, account_ids: list[str], as_of: date, *, debit_side: bool
    ) -> list[OpenItem]: ...

    async def control_accounts(self, kind: InvoiceKind) -> list[tuple[str, str]]:
        """The tenant's control accounts of `kind` as (id, code): the posting profile's role
        account and every account an invoice of that kind names as its control account."""
        ...

    async def net_debit_as_of(self, account_ids: list[str], as_of: date) -> int: ...

    async def posting_profile(self) -> PostingProfileView: ...

    async def company_profile(self) -> CompanyProfileView | None: ...
