"""Shared field types: amounts in and out, and the list envelope."""

from __future__ import annotations

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


class Body(BaseModel):
    """Request bodies refuse unknown fields: a misspelt field is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ListOf(View, Generic[T]):
    items: list[T]
    next_cursor: str | None
