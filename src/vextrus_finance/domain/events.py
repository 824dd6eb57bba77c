"""Domain events are frozen dataclasses; the class name is the stored event type.

Every event class must be registered so the store can turn stored rows back into objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, TypeVar


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
