from __future__ import annotations

import datetime as dt

from pydantic import Field

from vextrus_finance.api.schemas.common import AmountIn, AmountOut, Body, IsoDate, View
from vextrus_finance.api.schemas.invoices import CounterpartyIn
from vextrus_finance.domain.payments import (
    Direction,
    PaymentMethod,
    PaymentStatus,
    WalletProvider,
)


class WalletIn(Body):
    provider: WalletProvider
    mobile_number: str = Field(max_length=32)
    transaction_id: str | None = Field(default=None, max_length=64)


class PaymentIn(Body):
    invoice_id: str | None = Field(default=None, max_length=64)
    direction: Direction | None = None
    amount: AmountIn
    currency: str = "BDT"
    method: PaymentMethod
    payment_date: IsoDate
    reference: str | None = Field(default=None, max_length=255)
    bank_account_id: str | None = Field(default=None, max_length=64)
    bank_account_code: str | None = Field(
        default=None,
        max_length=64,
        description="The bank account by its code (e.g. 1120-01) instead of bank_account_id",
    )
    check_number: str | None = Field(default=None, max_length=64)
    wallet: WalletIn | None = None
    # {id} of a record or inline {name, bin?, ...} (ADR 0037); by default the invoice's.
    counterparty: CounterpartyIn | None = None


class CompleteIn(Body):
    transaction_reference: str = Field(max_length=255)


class FailIn(Body):
    reason: str = Field(max_length=500)


class ReconcileIn(Body):
    bank_transaction_id: str = Field(max_length=128)


class PaymentReverseIn(Body):
    reason: str = Field(max_length=500)
    date: IsoDate | None = None


class WalletOut(View):
    provider: WalletProvider
    mobile_number: str
    transaction_id: str | None


class PaymentOut(View):
    id: str
    number: str
    invoice_id: str | None
    direction: Direction
    amount: AmountOut
    currency: str
    method: PaymentMethod
    status: PaymentStatus
    payment_date: dt.date
    reference: str | None
    bank_account_id: str | None
    account_id: str
    check_number: str | None
    wallet: WalletOut | None
    transaction_reference: str | None
    journal_id: str | None
    completed_at: dt.datetime | None
    failure_reason: str | None
    bank_transaction_id: str | None
    reconciled_at: dt.datetime | None
    reversal_reason: str | None
    reversal_journal_id: str | None
    counterparty_id: str | None
    created_at: dt.datetime
    created_by: str
    version: int
