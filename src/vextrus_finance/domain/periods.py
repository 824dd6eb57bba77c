"""Closing and reopening fiscal periods: audited commands on a stream per period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from vextrus_finance.domain.accounts import validate_reason
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.errors import InvalidInput, InvalidState
from vextrus_finance.domain.events import DomainEvent, register
from vextrus_finance.domain.fiscal import FiscalPeriod, PeriodStatus

PERIOD_REASON_MIN = 3


@dataclass(frozen=True)
class PeriodState:
    status: PeriodStatus
    changed_at: datetime
    changed_by: str
    reason: str


@register
@dataclass(frozen=True)
class FiscalPeriodClosed(DomainEvent):
    reason: str
    closed_at: datetime
    closed_by: str


@register
@dataclass(frozen=True)
class FiscalPeriodReopened(DomainEvent):
    reason: str
    reopened_at: datetime
    reopened_by: str


class _HasStatus(Protocol):
    @property
    def status(self) -> PeriodStatus: ...


S = TypeVar("S", bound=_HasStatus)


class ClosableBook(Aggregate[S]):
    """A period's or a year's book: its stream starts at the first close, so no stream means
    it was never closed (OPEN)."""

    @property
    def status(self) -> PeriodStatus:
        return self.state.status if self.exists else PeriodStatus.OPEN


class FiscalPeriodBook(ClosableBook[PeriodState]):
    """One stream per period code."""

    STREAM_TYPE = "fiscal_period"
    STATE_TYPE = PeriodState

    def close(self, period: FiscalPeriod, reason: str, *, by: str, at: datetime) -> None:
        if self.status is PeriodStatus.CLOSED:
            raise InvalidState(f"period {period.code} is already closed", code="period_closed")
        reason = validate_reason(reason, minimum=PERIOD_REASON_MIN)
        self._emit(FiscalPeriodClosed(reason=reason, closed_at=at, closed_by=by))

    def reopen(self, period: FiscalPeriod, reason: str, *, by: str, at: datetime) -> None:
        if self.status is PeriodStatus.OPEN:
            raise InvalidState(f"period {period.code} is not closed", code="period_open")
        reason = validate_reason(reason, minimum=PERIOD_REASON_MIN)
        self._emit(FiscalPeriodReopened(reason=reason, reopened_at=at, reopened_by=by))

    def _apply(self, event: DomainEvent) -> PeriodState:
        match event:
            case FiscalPeriodClosed():
                return PeriodState(
                    PeriodStatus.CLOSED, event.closed_at, event.closed_by, event.reason
                )
            case FiscalPeriodReopened():
                return PeriodState(
                    PeriodStatus.OPEN, event.reopened_at, event.reopened_by, event.reason
                )
        raise TypeError(f"FiscalPeriodBook cannot apply {type(event).__name__}")


def ensure_open(period: FiscalPeriod, status: PeriodStatus, *, field: str = "date") -> None:
    if status is PeriodStatus.CLOSED:
        raise InvalidInput(
            f"fiscal period {period.code} is closed; reopen it or use a date in an open period",
            field=field,
            code="period_closed",
        )
