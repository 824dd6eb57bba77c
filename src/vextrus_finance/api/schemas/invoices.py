from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer, WithJsonSchema

from vextrus_finance.api.schemas.common import NOT_NULL, AmountIn, AmountOut, Body, IsoDate, View
from vextrus_finance.domain.invoices import MAX_LINES, InvoiceKind, InvoiceStatus
from vextrus_finance.domain.vat import VatRate

# Quantities and rates stay as the client wrote them until the domain checks them, so a bad
# one is reported with its field path and the domain's wording.
_DECIMAL_TEXT = {"type": "string", "pattern": r"^\d+(\.\d+)?$", "examples": ["2.5"]}
DecimalText = Annotated[str | int | float, WithJsonSchema(_DECIMAL_TEXT)]


def _plain(value: Decimal) -> str:
    """`10`, `2.5`, `7.5`: exact, without trailing zeros or exponent."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


DecimalOut = Annotated[Decimal, PlainSerializer(_plain, return_type=str)]


class CounterpartyIn(Body):
    """`{id}` names a counterparty record; inline `{name, bin?, …}` is matched to a record by
    BIN (else by exact name) or registers one."""

    id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=255)
    address: str | None = Field(default=None, max_length=500)
    bin: str | None = Field(default=None, max_length=32)
    tin: str | None = Field(default=None, max_length=32)


class InvoiceLineIn(Body):
    description: str = Field(max_length=500)
    quantity: DecimalText
    unit: str | None = Field(default=None, max_length=32)
    unit_price: AmountIn
    hs_code: str | None = Field(default=None, max_length=32)
    vat_rate: VatRate  # required: a forgotten rate must not silently become 15 %
    sd_rate: DecimalText | None = None
    ait_rate: DecimalText | None = None
    # SALES: a REVENUE account; PURCHASE: an EXPENSE or ASSET account. Default: the profile's.
    account_code: str | None = Field(default=None, max_length=64)


class InvoiceDetailsIn(Body):
    """Fields that belong to one kind of invoice (422 `not_for_this_kind` on the other)."""

    # PURCHASE: the supplier's own tax invoice (Mushak 6.3) number and date; one bill per
    # supplier and number while it is not cancelled (409 `duplicate_supplier_invoice`).
    supplier_invoice_number: str | None = Field(default=None, max_length=64)
    supplier_invoice_date: IsoDate | None = None
    # The receivable (SALES, an ASSET) or payable (PURCHASE, a LIABILITY) account of the
    # counterparty side; its payments settle it. Default: the posting profile's.
    control_account_code: str | None = Field(default=None, max_length=64)
    # SALES: the buyer's destination of supply and the vehicle carrying the goods (Mushak 6.3).
    destination: str | None = Field(default=None, max_length=500)
    vehicle_type: str | None = Field(default=None, max_length=64)
    vehicle_number: str | None = Field(default=None, max_length=32)


class InvoiceIn(InvoiceDetailsIn):
    kind: InvoiceKind
    counterparty: CounterpartyIn
    invoice_date: IsoDate
    due_date: IsoDate
    currency: str = "BDT"
    lines: list[InvoiceLineIn] = Field(max_length=MAX_LINES)


class InvoicePatch(InvoiceDetailsIn):
    counterparty: CounterpartyIn | None = Field(default=None, json_schema_extra=NOT_NULL)
    invoice_date: IsoDate | None = Field(default=None, json_schema_extra=NOT_NULL)
    due_date: IsoDate | None = Field(default=None, json_schema_extra=NOT_NULL)
    lines: list[InvoiceLineIn] | None = Field(
        default=None, max_length=MAX_LINES, json_schema_extra=NOT_NULL
    )


class InvoiceCancelIn(Body):
    reason: str = Field(max_length=500)
    date: IsoDate | None = None


class CounterpartyOut(View):
    id: str | None
    name: str
    address: str | None
    bin: str | None
    tin: str | None


class InvoiceLineOut(View):
    line_no: int
    description: str
    quantity: DecimalOut
    unit: str | None
    unit_price: AmountOut
    hs_code: str | None
    vat_rate: VatRate
    vat_rate_percent: DecimalOut | None
    sd_rate: DecimalOut
    ait_rate: DecimalOut
    amount: AmountOut
    sd_amount: AmountOut
    vat_amount: AmountOut
    ait_amount: AmountOut
    total: AmountOut
    account_code: str | None


class InvoiceOut(View):
    id: str
    number: str
    kind: InvoiceKind
    status: InvoiceStatus
    overdue: bool
    days_overdue: int
    counterparty: CounterpartyOut
    invoice_date: dt.date
    due_date: dt.date
    fiscal_year: str
    currency: str
    lines: list[InvoiceLineOut]
    subtotal: AmountOut
    sd_total: AmountOut
    vat_total: AmountOut
    ait_total: AmountOut
    grand_total: AmountOut
    payable_total: AmountOut
    paid_amount: AmountOut
    balance_due: AmountOut
    mushak_number: str | None
    issued_at: dt.datetime | None
    journal_id: str | None
    cancellation_journal_id: str | None
    cancel_reason: str | None
    approved_at: dt.datetime | None
    approved_by: str | None
    created_at: dt.datetime
    created_by: str
    version: int
    supplier_invoice_number: str | None
    supplier_invoice_date: dt.date | None
    control_account_code: str | None
    destination: str | None
    vehicle_type: str | None
    vehicle_number: str | None


class AgingBucketsOut(View):
    current: AmountOut
    days_1_30: AmountOut
    days_31_60: AmountOut
    days_61_90: AmountOut
    days_over_90: AmountOut
    total: AmountOut


class AgingRowOut(View):
    counterparty_id: str | None
    counterparty_name: str
    invoices: int
    buckets: AgingBucketsOut


class AgingOut(View):
    kind: InvoiceKind
    as_of: dt.date
    currency: str
    rows: list[AgingRowOut]
    totals: AgingBucketsOut
    control_accounts: list[str]
    ledger_balance: AmountOut
    difference: AmountOut
