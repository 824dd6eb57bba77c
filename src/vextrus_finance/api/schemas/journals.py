from __future__ import annotations

import datetime as dt

from pydantic import Field, StrictBool

from vextrus_finance.api.schemas.common import NOT_NULL, AmountIn, AmountOut, Body, IsoDate, View
from vextrus_finance.domain.journals import JournalStatus, JournalType
from vextrus_finance.domain.limits import MAX_JOURNAL_LINES as MAX_LINES

MAX_BATCH = 500


class JournalLineIn(Body):
    account_id: str | None = None
    account_code: str | None = None
    debit: AmountIn | None = None
    credit: AmountIn | None = None
    description: str | None = Field(default=None, max_length=500)
    cost_center: str | None = Field(default=None, max_length=64)
    project: str | None = Field(default=None, max_length=64)
    tax_code: str | None = Field(default=None, max_length=64)
    # Required on the posting profile's receivable and payable accounts (ADR 0037).
    counterparty_id: str | None = Field(default=None, max_length=64)


class JournalIn(Body):
    date: IsoDate
    type: JournalType = JournalType.GENERAL
    description: str = Field(min_length=1, max_length=500)
    reference: str | None = Field(default=None, max_length=255)
    currency: str = "BDT"
    lines: list[JournalLineIn] = Field(max_length=MAX_LINES)
    post: StrictBool = False


class JournalBatchIn(Body):
    journals: list[JournalIn] = Field(min_length=1, max_length=MAX_BATCH)
    atomic: StrictBool = True


class JournalPatch(Body):
    date: IsoDate | None = Field(default=None, json_schema_extra=NOT_NULL)
    description: str | None = Field(
        default=None, min_length=1, max_length=500, json_schema_extra=NOT_NULL
    )
    reference: str | None = Field(default=None, max_length=255)
    lines: list[JournalLineIn] | None = Field(
        default=None, max_length=MAX_LINES, json_schema_extra=NOT_NULL
    )


class ReverseIn(Body):
    date: IsoDate
    reason: str | None = Field(default=None, max_length=500)


class CancelIn(Body):
    reason: str = Field(max_length=500)


class JournalLineOut(View):
    id: str
    line_no: int
    account_id: str
    account_code: str
    debit: AmountOut
    credit: AmountOut
    description: str | None
    cost_center: str | None
    project: str | None
    tax_code: str | None
    counterparty_id: str | None


class JournalOut(View):
    id: str
    number: str
    date: dt.date
    type: JournalType
    status: JournalStatus
    currency: str
    description: str
    reference: str | None
    fiscal_period: str
    lines: list[JournalLineOut]
    total_debit: AmountOut
    total_credit: AmountOut
    created_at: dt.datetime
    created_by: str
    posted_at: dt.datetime | None
    posted_by: str | None
    reversed_by_id: str | None
    reverses_id: str | None
    cancel_reason: str | None
    version: int


class BatchError(View):
    index: int
    status: int
    code: str
    detail: str
    errors: list[dict[str, str]]


class JournalBatchOut(View):
    items: list[JournalOut]
    errors: list[BatchError] = Field(default_factory=list)


class LedgerLineOut(View):
    date: dt.date
    journal_id: str
    journal_number: str
    journal_type: JournalType
    line_id: str
    description: str | None
    reference: str | None
    debit: AmountOut
    credit: AmountOut
    balance: AmountOut


class LedgerOut(View):
    account_id: str
    account_code: str
    account_name: str
    currency: str
    opening_balance: AmountOut
    closing_balance: AmountOut
    items: list[LedgerLineOut]
    next_cursor: str | None
