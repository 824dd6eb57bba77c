"""Journals: numbering prefixes, line rules, exact balance, the DRAFT → POSTED → REVERSED and
DRAFT → CANCELLED life cycle, and reversal as a new posted journal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from vextrus_finance.domain.accounts import AccountType, validate_reason
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.errors import FieldIssue, InvalidInput, InvalidState
from vextrus_finance.domain.events import DomainEvent, field_values, register
from vextrus_finance.domain.fiscal import period_of
from vextrus_finance.domain.limits import MAX_TOTAL
from vextrus_finance.domain.money import ZERO, format_amount
from vextrus_finance.domain.text import checked_text

DESCRIPTION_MAX = 500
REFERENCE_MAX = 255
TAG_MAX = 64  # cost centre, project, tax code
CANCEL_REASON_MIN = 3


class JournalType(StrEnum):
    GENERAL = "GENERAL"
    SALES = "SALES"
    PURCHASE = "PURCHASE"
    CASH_RECEIPT = "CASH_RECEIPT"
    CASH_PAYMENT = "CASH_PAYMENT"
    ADJUSTMENT = "ADJUSTMENT"
    REVERSING = "REVERSING"
    CLOSING = "CLOSING"
    OPENING = "OPENING"

    @property
    def prefix(self) -> str:
        return _PREFIXES[self]


_PREFIXES = {
    JournalType.GENERAL: "GJ",
    JournalType.SALES: "SJ",
    JournalType.PURCHASE: "PJ",
    JournalType.CASH_RECEIPT: "CR",
    JournalType.CASH_PAYMENT: "CP",
    JournalType.ADJUSTMENT: "AJ",
    JournalType.REVERSING: "RJ",
    JournalType.CLOSING: "CJ",
    JournalType.OPENING: "OJ",
}


class JournalStatus(StrEnum):
    DRAFT = "DRAFT"
    POSTED = "POSTED"
    REVERSED = "REVERSED"
    CANCELLED = "CANCELLED"


def journal_number(journal_type: JournalType, day: date, sequence: int) -> str:
    """`{PREFIX}-{YYYY}-{MM}-{NNNNNN}`; the sequence is per tenant, prefix and month."""
    return f"{journal_type.prefix}-{day.year:04d}-{day.month:02d}-{sequence:06d}"


def sequence_name(journal_type: JournalType, day: date) -> str:
    return f"journal:{journal_type.prefix}:{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class AccountRef:
    """What a line needs to know about its account, read from the tenant's chart."""

    id: str
    code: str
    type: AccountType
    currency: str
    is_active: bool


@dataclass(frozen=True)
class LineInput:
    account: AccountRef
    debit: Decimal
    credit: Decimal
    description: str | None = None
    cost_center: str | None = None
    project: str | None = None
    tax_code: str | None = None
    counterparty_id: str | None = None  # a record id, checked by the caller


@dataclass(frozen=True)
class JournalLine:
    id: str
    account_id: str
    account_code: str
    debit: Decimal
    credit: Decimal
    description: str | None = None
    cost_center: str | None = None
    project: str | None = None
    tax_code: str | None = None
    # Whose sub-ledger the line belongs to: required on receivable/payable control accounts,
    # so the aging sees every amount on them (ADR 0037).
    counterparty_id: str | None = None


@dataclass(frozen=True)
class JournalState:
    number: str
    date: date
    type: JournalType
    status: JournalStatus
    currency: str
    description: str
    reference: str | None
    fiscal_period: str
    lines: tuple[JournalLine, ...]
    reverses_id: str | None = None
    posted_at: datetime | None = None
    posted_by: str | None = None
    reversed_by_id: str | None = None
    cancel_reason: str | None = None

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


@register
@dataclass(frozen=True)
class JournalDrafted(DomainEvent):
    number: str
    date: date
    type: JournalType
    currency: str
    description: str
    reference: str | None
    fiscal_period: str
    lines: tuple[JournalLine, ...]
    reverses_id: str | None = None


@register
@dataclass(frozen=True)
class JournalRevised(DomainEvent):
    """A draft's new content; always carries every field so replay needs no merging."""

    date: date
    fiscal_period: str
    description: str
    reference: str | None
    lines: tuple[JournalLine, ...]


@register
@dataclass(frozen=True)
class JournalPosted(DomainEvent):
    posted_at: datetime
    posted_by: str


@register
@dataclass(frozen=True)
class JournalCancelled(DomainEvent):
    reason: str
    cancelled_at: datetime


@register
@dataclass(frozen=True)
class JournalReversed(DomainEvent):
    reversed_by_id: str
    reversal_date: date
    reason: str | None
    reversed_at: datetime


def validate_description(description: str) -> str:
    description = description.strip()
    if not description:
        raise InvalidInput("must not be empty", field="description")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(f"must be at most {DESCRIPTION_MAX} characters", field="description")
    return description


def validate_reference(reference: str | None) -> str | None:
    issues: list[FieldIssue] = []
    value = checked_text(reference, REFERENCE_MAX, "reference", issues)
    if issues:
        raise InvalidInput.from_issues(issues, code=InvalidInput.code)
    return value


def build_lines(
    inputs: Sequence[LineInput], currency: str, new_id: Callable[[], str]
) -> tuple[JournalLine, ...]:
    """Check every line rule at once, so the client sees all problems in one answer."""
    issues: list[FieldIssue] = []
    if len(inputs) < 2:
        issues.append(FieldIssue("lines", "a journal needs at least two lines", "too_few_lines"))
    lines: list[JournalLine] = []
    for i, line in enumerate(inputs):
        where = f"lines[{i}]"
        negative = [side for side, v in (("debit", line.debit), ("credit", line.credit)) if v < 0]
        for side in negative:
            issues.append(
                FieldIssue(f"{where}.{side}", "amounts must not be negative", "negative_amount")
            )
        if not negative and (line.debit > 0) == (line.credit > 0):
            issues.append(
                FieldIssue(
                    where,
                    "a line has exactly one positive amount: debit or credit",
                    "one_sided_line",
                )
            )
        if not line.account.is_active:
            issues.append(
                FieldIssue(
                    f"{where}.account_id",
                    f"account {line.account.code} is inactive",
                    "account_inactive",
                )
            )
        if line.account.currency != currency:
            issues.append(
                FieldIssue(
                    f"{where}.account_id",
                    f"account {line.account.code} is kept in {line.account.currency}, "
                    f"the journal in {currency}",
                    "currency_mismatch",
                )
            )
        lines.append(
            JournalLine(
                id=new_id(),
                account_id=line.account.id,
                account_code=line.account.code,
                debit=line.debit,
                credit=line.credit,
                description=checked_text(
                    line.description, DESCRIPTION_MAX, f"{where}.description", issues
                ),
                cost_center=checked_text(line.cost_center, TAG_MAX, f"{where}.cost_center", issues),
                project=checked_text(line.project, TAG_MAX, f"{where}.project", issues),
                tax_code=checked_text(line.tax_code, TAG_MAX, f"{where}.tax_code", issues),
                counterparty_id=line.counterparty_id,
            )
        )
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    if not issues and max(debit, credit) > MAX_TOTAL:
        issues.append(
            FieldIssue("lines", f"a journal's total must not exceed {MAX_TOTAL}", "total_too_large")
        )
    if not issues and debit != credit:
        issues.append(
            FieldIssue(
                "lines",
                f"debits {format_amount(debit)} and credits {format_amount(credit)} differ by "
                f"{format_amount(abs(debit - credit))}; a journal must balance exactly",
                "unbalanced",
            )
        )
    if issues:
        raise InvalidInput.from_issues(issues)
    return tuple(lines)


class Journal(Aggregate[JournalState]):
    STREAM_TYPE = "journal"
    STATE_TYPE = JournalState

    @classmethod
    def draft(
        cls,
        journal_id: str,
        *,
        number: str,
        day: date,
        journal_type: JournalType,
        currency: str,
        description: str,
        reference: str | None,
        lines: tuple[JournalLine, ...],
        reverses_id: str | None = None,
    ) -> Journal:
        journal = cls(journal_id)
        journal._emit(
            JournalDrafted(
                number=number,
                date=day,
                type=journal_type,
                currency=currency,
                description=validate_description(description),
                reference=validate_reference(reference),
                fiscal_period=period_of(day).code,
                lines=lines,
                reverses_id=reverses_id,
            )
        )
        return journal

    def require(self, status: JournalStatus, action: str) -> None:
        if self.state.status is not status:
            raise InvalidState(
                f"journal {self.state.number} is {self.state.status}; only a {status} journal "
                f"can be {action}",
                code="journal_status",
            )

    def revise(
        self,
        *,
        day: date,
        description: str,
        reference: str | None,
        lines: tuple[JournalLine, ...],
    ) -> None:
        self.require(JournalStatus.DRAFT, "edited")
        self._emit(
            JournalRevised(
                date=day,
                fiscal_period=period_of(day).code,
                description=validate_description(description),
                reference=validate_reference(reference),
                lines=lines,
            )
        )

    def post(self, *, by: str, at: datetime, accounts: dict[str, AccountRef]) -> None:
        """Post a draft. `accounts` is the chart as of now: accounts may have been deactivated
        since the draft was written."""
        self.require(JournalStatus.DRAFT, "posted")
        issues = [
            FieldIssue(
                f"lines[{i}].account_id",
                f"account {line.account_code} is inactive",
                "account_inactive",
            )
            for i, line in enumerate(self.state.lines)
            if not accounts[line.account_id].is_active
        ]
        if issues:
            raise InvalidInput.from_issues(issues)
        if self.state.total_debit != self.state.total_credit:  # pragma: no cover - by construction
            raise InvalidInput("the journal does not balance", field="lines", code="unbalanced")
        self._emit(JournalPosted(posted_at=at, posted_by=by))

    def cancel(self, reason: str, *, at: datetime) -> None:
        self.require(JournalStatus.DRAFT, "cancelled")
        reason = validate_reason(reason, minimum=CANCEL_REASON_MIN)
        self._emit(JournalCancelled(reason=reason, cancelled_at=at))

    def ensure_reversible(self, *, closing: bool = False) -> None:
        """`closing`: the fiscal-year reopen reversing its year's CLOSING journal, the only
        way a CLOSING journal is reversed (ADR 0048)."""
        if self.state.status is JournalStatus.REVERSED:
            raise InvalidState(
                f"journal {self.state.number} was already reversed by {self.state.reversed_by_id}",
                code="journal_already_reversed",
            )
        self.require(JournalStatus.POSTED, "reversed")
        if self.state.type is JournalType.REVERSING:
            # Reversing it would re-post the original's effect while the original still says
            # REVERSED; a wrong reversal is corrected by a new journal.
            raise InvalidState(
                f"journal {self.state.number} is itself a reversal and cannot be reversed",
                code="reversal_not_reversible",
            )
        if self.state.type is JournalType.CLOSING and not (closing and not self.state.reverses_id):
            raise InvalidState(
                f"journal {self.state.number} closes a fiscal year; reopen the year instead",
                code="closing_journal",
            )

    def reverse(
        self,
        reversal_id: str,
        *,
        number: str,
        day: date,
        reason: str | None,
        by: str,
        at: datetime,
        new_line_id: Callable[[], str],
        closing: bool = False,
    ) -> Journal:
        """Create, post and return the REVERSING journal; mark this one REVERSED. `closing`:
        the reversal of a year's CLOSING journal at reopen, itself of type CLOSING."""
        self.ensure_reversible(closing=closing)
        if day < self.state.date:
            raise InvalidInput(
                f"the reversal date must not be before the journal's date {self.state.date}",
                field="date",
            )
        if reason is not None:
            reason = validate_reason(reason, minimum=CANCEL_REASON_MIN)
        swapped = tuple(
            replace(
                line,
                id=new_line_id(),
                debit=line.credit,
                credit=line.debit,
                description=f"Reversing: {line.description or self.state.description}"[
                    :DESCRIPTION_MAX
                ],
            )
            for line in self.state.lines
        )
        reversal = Journal.draft(
            reversal_id,
            number=number,
            day=day,
            journal_type=JournalType.CLOSING if closing else JournalType.REVERSING,
            currency=self.state.currency,
            # The reason first, so the truncation to the column cuts the copied description.
            description=(
                f"Reversal of {self.state.number}"
                + (f" ({reason})" if reason else "")
                + f": {self.state.description}"
            )[:DESCRIPTION_MAX],
            reference=f"REV-{self.state.number}",
            lines=swapped,
            reverses_id=self.id,
        )
        reversal._emit(JournalPosted(posted_at=at, posted_by=by))
        self._emit(
            JournalReversed(
                reversed_by_id=reversal_id, reversal_date=day, reason=reason, reversed_at=at
            )
        )
        return reversal

    def _apply(self, event: DomainEvent) -> JournalState:
        match event:
            case JournalDrafted():
                return JournalState(status=JournalStatus.DRAFT, **field_values(event))
            case JournalRevised():
                return replace(self.state, **field_values(event))
            case JournalPosted():
                return replace(
                    self.state,
                    status=JournalStatus.POSTED,
                    posted_at=event.posted_at,
                    posted_by=event.posted_by,
                )
            case JournalCancelled():
                return replace(
                    self.state, status=JournalStatus.CANCELLED, cancel_reason=event.reason
                )
            case JournalReversed():
                return replace(
                    self.state, status=JournalStatus.REVERSED, reversed_by_id=event.reversed_by_id
                )
        raise TypeError(f"Journal cannot apply {type(event).__name__}")
