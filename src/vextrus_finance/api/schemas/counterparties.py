from __future__ import annotations

import datetime as dt

from pydantic import Field, StrictBool

from vextrus_finance.api.schemas.common import NOT_NULL, AmountOut, Body, View
from vextrus_finance.domain.counterparties import CounterpartyKind


class CounterpartyRecordIn(Body):
    kind: CounterpartyKind
    name: str = Field(max_length=255)
    bin: str | None = Field(default=None, max_length=32)
    tin: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=500)
    mobile: str | None = Field(default=None, max_length=32)


class CounterpartyRecordPatch(Body):
    """Fields left out stay as they are; `null` clears an optional one."""

    kind: CounterpartyKind | None = Field(default=None, json_schema_extra=NOT_NULL)
    name: str | None = Field(default=None, max_length=255, json_schema_extra=NOT_NULL)
    bin: str | None = Field(default=None, max_length=32)
    tin: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=500)
    mobile: str | None = Field(default=None, max_length=32)
    is_active: StrictBool | None = Field(default=None, json_schema_extra=NOT_NULL)


class CounterpartyRecordOut(View):
    id: str
    kind: CounterpartyKind
    name: str
    bin: str | None
    tin: str | None
    address: str | None
    mobile: str | None
    is_active: bool
    created_at: dt.datetime
    created_by: str
    version: int


class StatementLineOut(View):
    date: dt.date
    document_type: str
    document_id: str
    number: str
    description: str
    debit: AmountOut
    credit: AmountOut
    balance: AmountOut


class StatementOut(View):
    counterparty: CounterpartyRecordOut
    date_from: dt.date
    date_to: dt.date
    currency: str
    opening_balance: AmountOut
    lines: list[StatementLineOut]
    closing_balance: AmountOut
