"""The events a memory unit of work sees, and the aggregates replayed from them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.events import DomainEvent

A = TypeVar("A", bound=Aggregate[Any])


@dataclass(frozen=True)
class Recorded:
    tenant_id: str
    stream_type: str
    stream_id: str
    version: int
    event: DomainEvent
    user_id: str
    recorded_at: datetime


@dataclass(frozen=True)
class Stream(Generic[A]):
    """One aggregate replayed, with the first and the last event of its stream."""

    aggregate: A
    first: Recorded
    last: Recorded


class EventLog:
    """A tenant's events as one unit of work sees them: the committed ones, then its own."""

    def __init__(self, events: Callable[[], Sequence[Recorded]]) -> None:
        self._events = events

    def __iter__(self) -> Iterator[Recorded]:
        return iter(self._events())

    def streams(self, cls: type[A]) -> dict[str, Stream[A]]:
        """Every stream of `cls`, replayed, in the order the streams began."""
        found: dict[str, Stream[A]] = {}
        for recorded in self._events():
            if recorded.stream_type != cls.STREAM_TYPE:
                continue
            stream = found.get(recorded.stream_id)
            aggregate = cls(recorded.stream_id) if stream is None else stream.aggregate
            aggregate.replay(recorded.event)
            first = recorded if stream is None else stream.first
            found[recorded.stream_id] = Stream(aggregate, first, recorded)
        return found

    def aggregates(self, cls: type[A]) -> dict[str, A]:
        return {key: stream.aggregate for key, stream in self.streams(cls).items()}

    def load(self, cls: type[A], stream_id: str) -> A:
        aggregate = cls(stream_id)
        for recorded in self._events():
            if recorded.stream_type == cls.STREAM_TYPE and recorded.stream_id == stream_id:
                aggregate.replay(recorded.event)
        return aggregate
