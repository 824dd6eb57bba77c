"""Closing and reopening fiscal periods, and the guard that keeps postings out of closed ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vextrus_finance.domain.errors import InvalidInput, InvalidState
from vextrus_finance.domain.events import EVENT_TYPES
from vextrus_finance.domain.fiscal import FiscalPeriod, FiscalYear, PeriodStatus, parse_period
from vextrus_finance.domain.periods import (
    FiscalPeriodBook,
    FiscalPeriodClosed,
    FiscalPeriodReopened,
    PeriodState,
    ensure_open,
)

JULY = parse_period("FY2025-2026-P01")
AT = datetime(2025, 8, 5, 17, 0, tzinfo=UTC)


def book(period: FiscalPeriod = JULY) -> FiscalPeriodBook:
    return FiscalPeriodBook(period.code)


def replayed(original: FiscalPeriodBook) -> FiscalPeriodBook:
    fresh = FiscalPeriodBook(original.id)
    for event in original.pending:
        fresh.replay(event)
    return fresh


def test_a_period_without_a_stream_is_open() -> None:
    b = book()
    assert not b.exists
    assert b.status is PeriodStatus.OPEN
    assert b.version == 0


def test_close() -> None:
    b = book()
    b.close(JULY, "  month-end close  ", by="fm-1", at=AT)
    assert b.status is PeriodStatus.CLOSED
    assert b.state == PeriodState(PeriodStatus.CLOSED, AT, "fm-1", "month-end close")
    assert b.pending == [
        FiscalPeriodClosed(reason="month-end close", closed_at=AT, closed_by="fm-1")
    ]
    assert b.version == 1


def test_close_twice_refused() -> None:
    b = book()
    b.close(JULY, "month-end close", by="fm-1", at=AT)
    with pytest.raises(InvalidState, match="period FY2025-2026-P01 is already closed") as info:
        b.close(JULY, "month-end close", by="fm-2", at=AT)
    assert info.value.code == "period_closed"
    assert b.version == 1
    assert b.state.changed_by == "fm-1"


def test_reopen_an_open_period_refused() -> None:
    b = book()
    with pytest.raises(InvalidState, match="period FY2025-2026-P01 is not closed") as info:
        b.reopen(JULY, "late supplier bill", by="fm-1", at=AT)
    assert info.value.code == "period_open"
    assert not b.exists
    assert b.pending == []


def test_close_reopen_close_again() -> None:
    b = book()
    b.close(JULY, "month-end close", by="fm-1", at=AT)
    later = AT + timedelta(days=3)
    b.reopen(JULY, "late supplier bill", by="cfo", at=later)
    assert b.status is PeriodStatus.OPEN
    assert b.state == PeriodState(PeriodStatus.OPEN, later, "cfo", "late supplier bill")
    assert b.pending[-1] == FiscalPeriodReopened(
        reason="late supplier bill", reopened_at=later, reopened_by="cfo"
    )
    with pytest.raises(InvalidState) as info:
        b.reopen(JULY, "late supplier bill", by="cfo", at=later)
    assert info.value.code == "period_open"
    b.close(JULY, "closed again", by="fm-1", at=later + timedelta(hours=1))
    assert b.status is PeriodStatus.CLOSED
    assert [type(e) for e in b.pending] == [
        FiscalPeriodClosed,
        FiscalPeriodReopened,
        FiscalPeriodClosed,
    ]
    assert b.version == 3


@pytest.mark.parametrize("reason", ["", "ab", "   ab   ", "x" * 501])
def test_close_needs_a_reason(reason: str) -> None:
    b = book()
    with pytest.raises(InvalidInput, match="3–500 characters") as info:
        b.close(JULY, reason, by="fm-1", at=AT)
    assert info.value.field == "reason"
    assert b.status is PeriodStatus.OPEN
    assert b.pending == []


@pytest.mark.parametrize("reason", ["", "no", "x" * 501])
def test_reopen_needs_a_reason(reason: str) -> None:
    b = book()
    b.close(JULY, "month-end close", by="fm-1", at=AT)
    with pytest.raises(InvalidInput, match="3–500 characters") as info:
        b.reopen(JULY, reason, by="fm-1", at=AT)
    assert info.value.field == "reason"
    assert b.status is PeriodStatus.CLOSED
    assert b.version == 1


def test_shortest_and_longest_reasons_accepted() -> None:
    b = book()
    b.close(JULY, "EOM", by="fm-1", at=AT)
    b.reopen(JULY, "r" * 500, by="fm-1", at=AT)
    assert b.state.reason == "r" * 500


def test_period_events_are_registered() -> None:
    assert EVENT_TYPES["FiscalPeriodClosed"] is FiscalPeriodClosed
    assert EVENT_TYPES["FiscalPeriodReopened"] is FiscalPeriodReopened


@given(st.lists(st.booleans(), max_size=10))
def test_status_alternates_and_replays(attempts: list[bool]) -> None:
    """Any sequence of close (True) / reopen (False) commands: the wrong ones are refused,
    the state always follows the last accepted one, and replay gives the same state."""
    b = book()
    expected = PeriodStatus.OPEN
    accepted = 0
    for i, close in enumerate(attempts):
        at = AT + timedelta(minutes=i)
        if close and expected is PeriodStatus.OPEN:
            b.close(JULY, f"close #{i}", by="fm", at=at)
            expected, accepted = PeriodStatus.CLOSED, accepted + 1
        elif not close and expected is PeriodStatus.CLOSED:
            b.reopen(JULY, f"reopen #{i}", by="fm", at=at)
            expected, accepted = PeriodStatus.OPEN, accepted + 1
        else:
            with pytest.raises(InvalidState):
                (b.close if close else b.reopen)(JULY, "wrong move", by="fm", at=at)
        assert b.status is expected
    assert b.version == accepted == len(b.pending)
    fresh = replayed(b)
    assert fresh.status is b.status
    if b.exists:
        assert fresh.state == b.state


# --- ensure_open ----------------------------------------------------------------------------


def test_ensure_open_passes_for_an_open_period() -> None:
    ensure_open(JULY, PeriodStatus.OPEN)


def test_ensure_open_refuses_a_closed_period() -> None:
    with pytest.raises(InvalidInput, match="fiscal period FY2025-2026-P01 is closed") as info:
        ensure_open(JULY, PeriodStatus.CLOSED)
    assert info.value.code == "period_closed"
    assert info.value.field == "date"
    assert info.value.issues[0].code == "period_closed"


def test_ensure_open_names_the_given_field() -> None:
    march = FiscalPeriod(FiscalYear(2025), 9)
    with pytest.raises(InvalidInput, match="FY2025-2026-P09") as info:
        ensure_open(march, PeriodStatus.CLOSED, field="journals[2].date")
    assert info.value.field == "journals[2].date"
    assert info.value.code == "period_closed"
