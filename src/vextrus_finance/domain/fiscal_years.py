"""Closing and reopening a fiscal year (ADR 0048): audited commands on a stream per year
(`FY2025-2026`). The close posts one CLOSING journal dated the year's last day that brings every
revenue and expense account to zero against retained earnings; the reopen reverses it with a
CLOSING journal of the opposite lines. No stream means the year was never closed (OPEN)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from vextrus_finance.domain.accounts import AccountType, validate_reason
from vextrus_finance.domain.errors import FieldIssue, InvalidState
from vextrus_finance.domain.events import DomainEvent, register
from vextrus_finance.domain.fiscal import FiscalPeriod, FiscalYear, PeriodStatus
from vextrus_finance.domain.periods import ClosableBook

YEAR_REASON_MIN = 3
DEFAULT_RETAINED_EARNINGS_CODE = "3200"
# The account types a close brings to zero: the profit and loss accounts.
CLOSED_TYPES = frozenset({AccountType.REVENUE, AccountType.EXPENSE})


@dataclass(frozen=True)
class YearState:
    status: PeriodStatus
    closing_journal_id: str | None
    retained_earnings_account_id: str | None
    changed_at: datetime
    changed_by: str
    reason: str


@register
@dataclass(frozen=True)
class FiscalYearClosed(DomainEvent):
    # None: the year had no revenue or expense balance, so no journal was needed.
    closing_journal_id: str | None
    retained_earnings_account_id: str
    reason: str
    closed_at: datetime
    closed_by: str


@register
@dataclass(frozen=True)
class FiscalYearReopened(DomainEvent):
    # None: the close had posted no journal, so there was nothing to reverse.
    reversal_journal_id: str | None
    reason: str
    reopened_at: datetime
    reopened_by: str


class FiscalYearBook(ClosableBook[YearState]):
    """One stream per fiscal year label."""

    STREAM_TYPE = "fiscal_year"
    STATE_TYPE = YearState

    @property
    def closing_journal_id(self) -> str | None:
        return self.state.closing_journal_id if self.exists else None

    def ensure_open(self, year: FiscalYear) -> None:
        if self.status is PeriodStatus.CLOSED:
            raise InvalidState(
                f"fiscal year {year.label} is closed; reopen it first", code="year_closed"
            )

    def ensure_closed(self, year: FiscalYear) -> None:
        if self.status is PeriodStatus.OPEN:
            raise InvalidState(f"fiscal year {year.label} is not closed", code="year_open")

    def close(
        self,
        year: FiscalYear,
        reason: str,
        *,
        closing_journal_id: str | None,
        retained_earnings_account_id: str,
        by: str,
        at: datetime,
    ) -> None:
        self.ensure_open(year)
        self._emit(
            FiscalYearClosed(
                closing_journal_id=closing_journal_id,
                retained_earnings_account_id=retained_earnings_account_id,
                reason=validate_year_reason(reason),
                closed_at=at,
                closed_by=by,
            )
        )

    def reopen(
        self,
        year: FiscalYear,
        reason: str,
        *,
        reversal_journal_id: str | None,
        by: str,
        at: datetime,
    ) -> None:
        self.ensure_closed(year)
        self._emit(
            FiscalYearReopened(
                reversal_journal_id=reversal_journal_id,
                reason=validate_year_reason(reason),
                reopened_at=at,
                reopened_by=by,
            )
        )

    def _apply(self, event: DomainEvent) -> YearState:
        match event:
            case FiscalYearClosed():
                return YearState(
                    PeriodStatus.CLOSED,
                    event.closing_journal_id,
                    event.retained_earnings_account_id,
                    event.closed_at,
                    event.closed_by,
                    event.reason,
                )
            case FiscalYearReopened():
                return YearState(
                    PeriodStatus.OPEN,
                    None,
                    None,
                    event.reopened_at,
                    event.reopened_by,
                    event.reason,
                )
        raise TypeError(f"FiscalYearBook cannot apply {type(event).__name__}")


def validate_year_reason(reason: str) -> str:
    return validate_reason(reason, minimum=YEAR_REASON_MIN)


def ensure_periods_closed(
    year: FiscalYear, statuses: Sequence[tuple[FiscalPeriod, PeriodStatus]]
) -> None:
    """A year closes only when all twelve of its periods are CLOSED: 409 `periods_open`,
    one issue per open period (field `periods`, message the period's code)."""
    still_open = [period for period, status in statuses if status is not PeriodStatus.CLOSED]
    if still_open:
        raise InvalidState(
            f"fiscal year {year.label} has {len(still_open)} open period(s): "
            + ", ".join(p.code for p in still_open),
            code="periods_open",
            issues=tuple(FieldIssue("periods", p.code, "period_open") for p in still_open),
        )


def ensure_year_end_posting(year: FiscalYear, period: FiscalPeriod, status: PeriodStatus) -> None:
    """The one exception to `periods.ensure_open`: the year's closing journal (and its
    reversal at reopen) is posted on the year's last day into its last period, which is CLOSED
    by then — the close requires it. Nothing else may post into a closed period; this check is
    called only by the fiscal-year close and reopen, and allows exactly that period."""
    if period != year.periods()[-1] or status is not PeriodStatus.CLOSED:
        raise InvalidState(  # pragma: no cover - the close checks all twelve periods first
            f"a closing journal of {year.label} posts only into its closed last period",
            code="periods_open",
        )


def closing_amounts(
    balances: Iterable[tuple[str, AccountType, int]],
) -> tuple[list[tuple[str, int, int]], int]:
    """From (account id, type, debit − credit in paisa as of the year's last day): the
    (account id, debit, credit) paisa of each line that brings a nonzero revenue or expense
    account to zero, in the order given, and the net debit − credit the retained earnings line
    must take (positive: a loss, posted as a debit)."""
    lines: list[tuple[str, int, int]] = []
    retained = 0
    for account_id, account_type, net in balances:
        if account_type not in CLOSED_TYPES or net == 0:
            continue
        lines.append((account_id, -net if net < 0 else 0, net if net > 0 else 0))
        retained += net
    return lines, retained
