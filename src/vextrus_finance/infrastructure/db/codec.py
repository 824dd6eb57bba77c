"""Events and snapshot states to JSON and back. Domain classes stay plain dataclasses; Pydantic's
TypeAdapter does the transcoding (Decimal as exact strings, dates as ISO text, enums by value)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from vextrus_finance.domain.events import EVENT_TYPES, DomainEvent

_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def encode(value: Any) -> dict[str, Any]:
    data = _adapter(type(value)).dump_python(value, mode="json")
    assert isinstance(data, dict)
    return data


def decode_event(event_type: str, data: dict[str, Any]) -> DomainEvent:
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        raise LookupError(f"unknown event type {event_type!r}")
    event = _adapter(cls).validate_python(data)
    assert isinstance(event, DomainEvent)
    return event


def decode_state(cls: type[Any], data: dict[str, Any]) -> Any:
    return _adapter(cls).validate_python(data)
