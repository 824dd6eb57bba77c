"""Domain events are frozen dataclasses; the class name is the stored event type.

Every event class must be registered so the store can turn stored rows back into objects."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar


@dataclass(frozen=True)
class DomainEvent:
    # Bumped when an event's fields change meaning; upcasters key on it.
    SCHEMA_VERSION: ClassVar[int] = 1

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__


E = TypeVar("E", bound=type[DomainEvent])

EVENT_TYPES: dict[str, type[DomainEvent]] = {}


def register(cls: E) -> E:
    """Class decorator: make the event type known to the event store's codec."""
    name = cls.event_type()
    if name in EVENT_TYPES and EVENT_TYPES[name] is not cls:
        raise RuntimeError(f"duplicate event type {name}")
    EVENT_TYPES[name] = cls
    return cls


def field_values(source: Any, of: type[Any] | None = None) -> dict[str, Any]:
    """`source`'s values for the fields of dataclass `of` (by default its own class), by name.

    An event and the state it opens or replaces name their shared fields alike, so one is built
    from the other without copying each field by hand (the values are shared, not copied)."""
    return {f.name: getattr(source, f.name) for f in fields(of or source)}
