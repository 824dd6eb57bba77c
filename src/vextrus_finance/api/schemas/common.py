"""Shared field types: amounts in and out, and the list envelope."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.money import format_amount, parse_amount

T = TypeVar("T")


def _amount(value: Any) -> Decimal:
    try:
        return parse_amount(value, field="")
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


_AMOUNT_SCHEMA = {"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "examples": ["1234.50"]}

AmountIn = Annotated[Decimal, BeforeValidator(_amount), WithJsonSchema(_AMOUNT_SCHEMA)]
AmountOut = Annotated[
    Decimal, PlainSerializer(format_amount, return_type=str), WithJsonSchema(_AMOUNT_SCHEMA)
]


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """Only a YYYY-MM-DD string (or a date): pydantic would also take a number as a Unix
    timestamp (`as_of=0` → 1970-01-01), which the contract's `format: date` does not allow."""
    if isinstance(value, date) or (isinstance(value, str) and _DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _not_null(schema: dict[str, Any]) -> None:
    """The JSON schema of an optional PATCH field that cannot be removed: it may be left out,
    but `null` is refused (422 "… cannot be removed"), so the document does not offer it. The
    model keeps `X | None`, whose validation errors name the field itself."""
    options = schema.pop("anyOf", None)
    if options is None:
        return
    kept = [option for option in options if option != {"type": "null"}]
    if len(kept) == 1:
        schema.update(kept[0])
    else:
        schema["anyOf"] = kept


NOT_NULL = _not_null


class Body(BaseModel):
    """Request bodies refuse unknown fields: a misspelt field is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ListOf(View, Generic[T]):
    items: list[T]
    next_cursor: str | None
