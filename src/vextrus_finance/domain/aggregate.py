"""Event-sourced aggregate base: command methods emit events, `_apply` folds them into state."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Generic, TypeVar

from vextrus_finance.domain.errors import InvalidState
from vextrus_finance.domain.events import DomainEvent

S = TypeVar("S")


class Aggregate(ABC, Generic[S]):
    STREAM_TYPE: ClassVar[str]
    # Bump when the state dataclass changes shape: older snapshots are then ignored.
    SNAPSHOT_SCHEMA: ClassVar[int] = 1
    STATE_TYPE: ClassVar[type]

    def __init__(self, stream_id: str) -> None:
        self.id = stream_id
        self.version = 0  # events applied, committed or not
        self.committed_version = 0  # the version the store holds: the expected version
        self.pending: list[DomainEvent] = []
        self._state: S | None = None

    @property
    def exists(self) -> bool:
        return self._state is not None

    @property
    def state(self) -> S:
        if self._state is None:
            raise InvalidState(f"{self.STREAM_TYPE} {self.id} has no events")
        return self._state

    def _emit(self, event: DomainEvent) -> None:
        self._state = self._apply(event)
        self.version += 1
        self.pending.append(event)

    def replay(self, event: DomainEvent) -> None:
        self._state = self._apply(event)
        self.version += 1
        self.committed_version = self.version

    def restore(self, version: int, state: S) -> None:
        """Start from a snapshot taken at `version`."""
        self._state = state
        self.version = self.committed_version = version

    def mark_committed(self) -> None:
        self.committed_version = self.version
        self.pending = []

    @abstractmethod
    def _apply(self, event: DomainEvent) -> S:
        """Return the state after `event`; never raise for a stored event."""
