"""Journal commands: create (and post), batch, revise a draft, post, reverse, cancel."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from vextrus_finance.application.context import new_id
from vextrus_finance.application.ledger.accounts import Change
from vextrus_finance.application.loading import load_existing
from vextrus_finance.application.ports import AccountRecord, StreamConflict, UnitOfWork
from vextrus_finance.domain.accounts import (
    AccountBalance,
    BalanceLimit,
    check_balance_limits,
    lowest_balance_from,
    signed_balance,
)
from vextrus_finance.domain.errors import DomainError, FieldIssue, InvalidInput, InvalidState
from vextrus_finance.domain.fiscal import period_of
from vextrus_finance.domain.journals import (
    Journal,
    JournalLine,
    JournalStatus,
    JournalType,
    LineInput,
    build_lines,
    journal_number,
    sequence_name,
)
from vextrus_finance.domain.money import BASE_CURRENCY, ZERO, format_amount
from vextrus_finance.domain.periods import ensure_open


@dataclass(frozen=True)
class LineSpec:
    account_id: str | None
    account_code: str | None
    debit: Decimal
    credit: Decimal
    description: str | None = None
    cost_center: str | None = None
    project: str | None = None
    tax_code: str | None = None
    counterparty_id: str | None = None


@dataclass(frozen=True)
class CreateJournal:
    date: date
    description: str
    lines: tuple[LineSpec, ...]
    type: JournalType = JournalType.GENERAL
    reference: str | None = None
    currency: str = BASE_CURRENCY
    post: bool = False
    journal_id: str = field(default_factory=new_id)
    # Entered by a person: lines on a control account must name their counterparty. The
    # invoice and payment commands post theirs with `manual=False`: the invoice or payment
    # itself is what the aging reads for those.
    manual: bool = True


@dataclass(frozen=True)
class CreateJournalBatch:
    journals: tuple[CreateJournal, ...]
    atomic: bool = True


@dataclass(frozen=True)
class BatchItemResult:
    index: int
    journal_id: str | None
    error: DomainError | None


@dataclass(frozen=True)
class ReviseJournal:
    journal_id: str
    date: date | None = None
    description: str | None = None
    reference: Change[str | None] | None = None
    lines: tuple[LineSpec, ...] | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class PostJournal:
    journal_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ReverseJournal:
    journal_id: str
    date: date
    reason: str | None = None
    expected_version: int | None = None
    reversal_id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class CancelJournal:
    journal_id: str
    reason: str
    expected_version: int | None = None


def _prefixed(error: DomainError, prefix: str) -> DomainError:
    """Name fields from the request's root, e.g. `journals[3].lines[0].debit` in a batch."""
    if not prefix:
        return error
    issues = tuple(replace(i, field=f"{prefix}{i.field}") for i in error.issues)
    clone = type(error)(error.message, code=error.code, issues=issues)
    return clone


Chart = tuple[dict[str, AccountRecord], dict[str, AccountRecord]]  # by id, by code


def _names(specs: Sequence[LineSpec]) -> tuple[set[str], set[str]]:
    """The account ids and codes these lines name."""
    return (
        {s.account_id for s in specs if s.account_id},
        {s.account_code for s in specs if s.account_code},
    )


async def _accounts_of(uow: UnitOfWork, specs: Sequence[LineSpec]) -> Chart:
    """The accounts these lines name, by id and by code: two statements for any number."""
    ids, codes = _names(specs)
    return await uow.accounts.by_ids(ids), await uow.accounts.by_codes(codes)


def _account_rule_issue(
    record: AccountRecord,
    index: int,
    account_field: str,
    counterparty_id: str | None,
    *,
    manual: bool = True,
) -> FieldIssue | None:
    """What a line's account refuses: any line on a header account, a manual line without a
    counterparty on a control account (an invoice's or payment's journal is read through the
    invoice or payment itself)."""
    if record.is_header:
        return FieldIssue(
            f"lines[{index}].{account_field}",
            f"account {record.code} has sub-accounts: post to one of them",
            "header_account",
        )
    if record.is_control and manual and not counterparty_id:
        return FieldIssue(
            f"lines[{index}].counterparty_id",
            f"account {record.code} is a receivable/payable control account: name the "
            "customer or supplier of this line",
            "counterparty_required",
        )
    return None


async def _parties_of(uow: UnitOfWork, specs: Sequence[LineSpec]) -> frozenset[str]:
    """Which of the counterparties these lines name exist (no statement if none is named)."""
    named = {s.counterparty_id for s in specs if s.counterparty_id}
    return await uow.counterparties.existing(named) if named else frozenset()


async def _resolve(
    uow: UnitOfWork, specs: Sequence[LineSpec], *, manual: bool = True
) -> list[LineInput]:
    """Find each line's account in this tenant's chart, by id or by code."""
    chart = await _accounts_of(uow, specs)
    return _resolve_in(chart, specs, await _parties_of(uow, specs), manual=manual)


def _resolve_in(
    chart: Chart,
    specs: Sequence[LineSpec],
    parties: frozenset[str] = frozenset(),
    *,
    manual: bool = True,
) -> list[LineInput]:
    """Also refuses header accounts, unknown counterparties and — on manual lines — a
    control account's line without one."""
    by_id, by_code = chart
    issues: list[FieldIssue] = []
    inputs: list[LineInput] = []
    for i, spec in enumerate(specs):
        named = "account_id" if spec.account_id else "account_code"
        record = None
        unknown = None  # how the line named an account this tenant does not have
        if spec.account_id:
            record = by_id.get(spec.account_id)
            unknown = f"no account {spec.account_id} in this tenant"
        elif spec.account_code:
            record = by_code.get(spec.account_code)
            unknown = f"no account with code {spec.account_code} in this tenant"
        else:
            issues.append(
                FieldIssue(f"lines[{i}]", "give account_id or account_code", "missing_account")
            )
        if record is None and unknown is not None:
            issues.append(FieldIssue(f"lines[{i}].{named}", unknown, "unknown_account"))
        elif (
            record is not None
            and spec.account_id
            and spec.account_code
            and spec.account_code != record.code
        ):
            issues.append(
                FieldIssue(
                    f"lines[{i}].account_code",
                    f"account {spec.account_id} has code {record.code}, not {spec.account_code}",
                    "account_mismatch",
                )
            )
        rule = (
            None
            if record is None
            else _account_rule_issue(record, i, named, spec.counterparty_id, manual=manual)
        )
        if rule is not None:
            issues.append(rule)
        elif spec.counterparty_id and spec.counterparty_id not in parties:
            issues.append(
                FieldIssue(
                    f"lines[{i}].counterparty_id",
                    f"no counterparty {spec.counterparty_id} in this tenant",
                    "unknown_counterparty",
                )
            )
        elif record is not None:
            inputs.append(
                LineInput(
                    account=record.ref(),
                    debit=spec.debit,
                    credit=spec.credit,
                    description=spec.description,
                    cost_center=spec.cost_center,
                    project=spec.project,
                    tax_code=spec.tax_code,
                    counterparty_id=spec.counterparty_id,
                )
            )
    if issues:
        raise InvalidInput.from_issues(issues)
    return inputs


class PostingLedger:
    """The balances of the accounts a command posts to, locked until commit, so balance
    limits hold even when many postings race for the same account."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._balances: dict[str, AccountBalance] = {}
        # (account, date, debit, credit) applied but not yet recorded; None: recorded at once.
        self._unrecorded: list[tuple[str, date, Decimal, Decimal]] | None = None

    async def chart(self, specs: Sequence[LineSpec], *, lock: bool) -> Chart:
        """The accounts these lines name; when `lock`, locked with their balances, which the
        ledger then holds (its own running totals of accounts it holds already stay)."""
        if not lock:
            return await _accounts_of(self._uow, specs)
        by_id, by_code, balances = await self._uow.accounts.lock(*_names(specs))
        for account_id, balance in balances.items():
            self._balances.setdefault(account_id, balance)
        return by_id, by_code

    async def lock(self, account_ids: set[str]) -> None:
        missing = account_ids - self._balances.keys()
        if missing:
            locked = (await self._uow.accounts.lock(sorted(missing))).balances
            if locked.keys() != missing:
                # Resolved a moment ago, gone now: the read model was swapped by a rebuild.
                raise StreamConflict()
            self._balances.update(locked)

    def inactive_codes(self) -> list[str]:
        """Codes of the locked accounts that are inactive, as of now (under the lock)."""
        return sorted(b.code for b in self._balances.values() if not b.is_active)

    def defer_projection(self) -> None:
        """The caller records its journals only after the last `apply` (the atomic batch):
        the ledger remembers what it applied, which the read model cannot show yet."""
        self._unrecorded = []

    async def apply(self, lines: Sequence[JournalLine], day: date) -> None:
        await self.lock({line.account_id for line in lines})
        deltas: dict[str, tuple[Decimal, Decimal]] = {}
        field_of: dict[str, str] = {}
        for i, line in enumerate(lines):
            debit, credit = deltas.get(line.account_id, (ZERO, ZERO))
            deltas[line.account_id] = (debit + line.debit, credit + line.credit)
            field_of.setdefault(line.account_id, f"lines[{i}].account_id")
        check_balance_limits(deltas, self._balances, field_of=field_of)
        await self._check_later_days(deltas, day, field_of)
        unrecorded = self._unrecorded
        for account_id, (debit, credit) in deltas.items():
            held = self._balances[account_id]
            self._balances[account_id] = replace(
                held, debit_total=held.debit_total + debit, credit_total=held.credit_total + credit
            )
            if unrecorded is not None:
                unrecorded.append((account_id, day, debit, credit))

    async def _check_later_days(
        self, deltas: dict[str, tuple[Decimal, Decimal]], day: date, field_of: dict[str, str]
    ) -> None:
        """A limit holds on the posting's date and every later day, not only today: a
        backdated payment may not overdraw cash on the 15th even if later receipts cover it.
        Only postings that lower a limited account ask for its later days (one statement)."""
        for account_id, (debit, credit) in deltas.items():
            held = self._balances[account_id]
            if held.balance_limit is not BalanceLimit.NON_NEGATIVE:
                continue
            if signed_balance(held.type, debit, credit) >= 0:
                continue  # a posting that raises the balance cannot break a floor later
            later = await self._uow.accounts.daily_movements_after(account_id, day)
            later = _merged(later, self._unrecorded or [], account_id, day)
            if not later:
                continue  # not backdated: the all-time check above was the whole check
            after = signed_balance(held.type, held.debit_total + debit, held.credit_total + credit)
            lowest, on = lowest_balance_from(held.type, after, later)
            if lowest < 0:
                raise InvalidInput(
                    f"account {held.code} may not go below zero; this posting dated "
                    f"{day.isoformat()} would leave {format_amount(lowest)} on "
                    f"{(on or day).isoformat()}",
                    field=field_of[account_id],
                    code="balance_limit_exceeded",
                )


def _merged(
    later: list[tuple[date, Decimal, Decimal]],
    unrecorded: Sequence[tuple[str, date, Decimal, Decimal]],
    account_id: str,
    day: date,
) -> list[tuple[date, Decimal, Decimal]]:
    """The read model's later days plus what this ledger applied but has not recorded."""
    extra = [(d, dr, cr) for a, d, dr, cr in unrecorded if a == account_id and d > day]
    if not extra:
        return later
    sums: dict[date, tuple[Decimal, Decimal]] = {}
    for d, dr, cr in (*later, *extra):
        old_dr, old_cr = sums.get(d, (ZERO, ZERO))
        sums[d] = (old_dr + dr, old_cr + cr)
    return [(d, dr, cr) for d, (dr, cr) in sorted(sums.items())]


def _reversing_refused() -> InvalidInput:
    return InvalidInput(
        "REVERSING journals are made by reversing a posted journal (POST …/reverse)",
        field="type",
    )


def _refused_type(journal_type: JournalType) -> InvalidInput | None:
    """The types no one may enter: REVERSING (made by a reversal) and CLOSING (made only by
    the fiscal-year close and reopen, ADR 0048)."""
    if journal_type is JournalType.REVERSING:
        return _reversing_refused()
    if journal_type is JournalType.CLOSING:
        return InvalidInput(
            "CLOSING journals are made by closing a fiscal year (POST /fiscal-years/{code}/close)",
            field="type",
        )
    return None


async def check_document_date(uow: UnitOfWork, day: date, *, field: str = "date") -> None:
    """A journal, invoice or payment may be written only on a day it could be posted on: in
    the posting window and in an open period. The period is guarded like a posting's, so a
    close waits for this command and then sees what it wrote."""
    uow.posting_window.check(day, field=field)
    period = period_of(day)
    ensure_open(period, await uow.periods.status(period), field=field)


async def next_journal_number(uow: UnitOfWork, journal_type: JournalType, day: date) -> str:
    """The next number in `journal_type`'s sequence for `day`'s month (`journal_number`)."""
    sequence = await uow.numbers.next(sequence_name(journal_type, day))
    return journal_number(journal_type, day, sequence)


async def create_journal(
    uow: UnitOfWork, cmd: CreateJournal, ledger: PostingLedger | None = None
) -> str:
    """`ledger`: the batch's, which holds its accounts' running totals."""
    if refused := _refused_type(cmd.type):
        raise refused
    # Only a retry can find its own journal (an earlier attempt may have committed before its
    # connection was lost). On a first attempt a taken id cannot pass unnoticed either: the
    # journal's primary key refuses it, and the retry that follows asks.
    if not uow.first_attempt and await uow.exists(Journal, cmd.journal_id):
        return cmd.journal_id  # an earlier attempt of this same command committed
    uow.posting_window.check(cmd.date)
    period = period_of(cmd.date)
    # Guard the period, then find the accounts (locked when posting): the global lock order
    # of docs/architecture.md §6. The verdict on the period comes before any on the lines.
    await uow.periods.guard_posting(period)
    ledger = ledger or PostingLedger(uow)
    chart = await ledger.chart(cmd.lines, lock=cmd.post)
    ensure_open(period, await uow.periods.status(period))
    parties = await _parties_of(uow, cmd.lines)
    inputs = _resolve_in(chart, cmd.lines, parties, manual=cmd.manual)
    lines = build_lines(inputs, cmd.currency, new_id)
    number = await next_journal_number(uow, cmd.type, cmd.date)
    journal = await _draft(uow, cmd, number, inputs, lines, ledger)
    await uow.record(journal)
    return journal.id


async def _draft(
    uow: UnitOfWork,
    cmd: CreateJournal,
    number: str,
    inputs: Sequence[LineInput],
    lines: tuple[JournalLine, ...],
    ledger: PostingLedger,
) -> Journal:
    """The journal of `cmd` under `number`, posted when asked (the ledger's accounts locked)."""
    journal = Journal.draft(
        cmd.journal_id,
        number=number,
        day=cmd.date,
        journal_type=cmd.type,
        currency=cmd.currency,
        description=cmd.description,
        reference=cmd.reference,
        lines=lines,
    )
    if cmd.post:
        journal.post(
            by=uow.ctx.user_id, at=uow.now(), accounts={i.account.id: i.account for i in inputs}
        )
        # Last, after everything else that could refuse: it moves the ledger's running totals.
        await ledger.apply(lines, cmd.date)
    return journal


async def create_journal_batch(uow: UnitOfWork, cmd: CreateJournalBatch) -> list[BatchItemResult]:
    """Atomic: all or nothing, one transaction, written set-based (below). Not atomic: each
    journal in a savepoint of the same transaction; failures are reported per item and the
    rest commit."""
    # Take the locks up front in the one global order (period guard, then accounts by id)
    # so that a batch can never deadlock with another command.
    if cmd.journals:
        await uow.periods.guard_posting(period_of(cmd.journals[0].date))
    ledger = PostingLedger(uow)
    chart = await _accounts_of(uow, [spec for j in cmd.journals for spec in j.lines])
    posting_specs = [spec for j in cmd.journals if j.post for spec in j.lines]
    if posting_specs:
        by_id, by_code = chart
        # Unknown ones are reported per journal below; lock only what exists.
        named = {
            by_id.get(s.account_id or "") or by_code.get(s.account_code or "")
            for s in posting_specs
        }
        await ledger.lock({r.id for r in named if r is not None})
    await uow.numbers.lock(sorted({sequence_name(j.type, j.date) for j in cmd.journals}))
    if cmd.atomic:
        return await _create_all_or_nothing(uow, cmd, ledger, chart)
    results: list[BatchItemResult] = []
    for index, journal in enumerate(cmd.journals):
        try:
            async with uow.savepoint():
                journal_id = await create_journal(uow, journal, ledger)
            results.append(BatchItemResult(index, journal_id, None))
        except DomainError as error:
            results.append(BatchItemResult(index, None, _prefixed(error, f"journals[{index}].")))
    return results


async def _create_all_or_nothing(
    uow: UnitOfWork, cmd: CreateJournalBatch, ledger: PostingLedger, chart: Chart
) -> list[BatchItemResult]:
    """The atomic batch as a set-based command (ADR 0022): the same checks as `create_journal`,
    journal by journal in request order (so the first bad journal is the one reported, and
    balance limits see the journals before it), but with one statement per batch — not per
    journal — for existence, account lookup, period status and numbering, and the whole batch
    recorded (projected) at once. Numbers are taken before the checks: if any journal fails,
    the transaction rolls back and gives them back, as it does any other effect."""
    done = await uow.existing(Journal, [j.journal_id for j in cmd.journals])
    todo = [(i, j) for i, j in enumerate(cmd.journals) if j.journal_id not in done]
    ledger.defer_projection()
    counts = Counter(sequence_name(j.type, j.date) for _, j in todo)
    next_number = {seq: await uow.numbers.take(seq, n) for seq, n in sorted(counts.items())}
    window = uow.posting_window
    parties = await _parties_of(uow, [spec for _, j in todo for spec in j.lines])
    drafted: list[Journal] = []
    for index, cmd_j in todo:
        try:
            if refused := _refused_type(cmd_j.type):
                raise refused
            window.check(cmd_j.date)
            period = period_of(cmd_j.date)
            ensure_open(period, await uow.periods.status(period))
            inputs = _resolve_in(chart, cmd_j.lines, parties, manual=cmd_j.manual)
            lines = build_lines(inputs, cmd_j.currency, new_id)
            sequence = sequence_name(cmd_j.type, cmd_j.date)
            number, next_number[sequence] = next_number[sequence], next_number[sequence] + 1
            journal_no = journal_number(cmd_j.type, cmd_j.date, number)
            journal = await _draft(uow, cmd_j, journal_no, inputs, lines, ledger)
        except DomainError as error:
            raise _prefixed(error, f"journals[{index}].") from None
        drafted.append(journal)
    await uow.record(*drafted)
    return [BatchItemResult(index, j.journal_id, None) for index, j in enumerate(cmd.journals)]


async def revise_journal(uow: UnitOfWork, cmd: ReviseJournal) -> str:
    journal = await load_existing(
        uow, Journal, cmd.journal_id, what="journal", expected_version=cmd.expected_version
    )
    journal.require(JournalStatus.DRAFT, "edited")
    state = journal.state
    day = cmd.date or state.date
    await check_document_date(uow, day)
    lines = state.lines
    if cmd.lines is not None:
        lines = build_lines(await _resolve(uow, cmd.lines), state.currency, new_id)
    journal.revise(
        day=day,
        description=cmd.description if cmd.description is not None else state.description,
        reference=cmd.reference.value if cmd.reference is not None else state.reference,
        lines=lines,
    )
    await uow.record(journal)
    return journal.id


def _check_drafted_lines(lines: Sequence[JournalLine], accounts: dict[str, AccountRecord]) -> None:
    """A draft written before its account got sub-accounts, or before the control-account
    rule, is held to the rules of a new line when it is posted."""
    issues: list[FieldIssue] = []
    for i, line in enumerate(lines):
        record = accounts.get(line.account_id)
        rule = (
            None
            if record is None
            else _account_rule_issue(record, i, "account_id", line.counterparty_id)
        )
        if rule is not None:
            issues.append(rule)
    if issues:
        raise InvalidInput.from_issues(issues)


async def post_journal(uow: UnitOfWork, cmd: PostJournal) -> str:
    journal = await load_existing(
        uow, Journal, cmd.journal_id, what="journal", expected_version=cmd.expected_version
    )
    journal.require(JournalStatus.DRAFT, "posted")
    await check_document_date(uow, journal.state.date)
    accounts = await uow.accounts.by_ids({line.account_id for line in journal.state.lines})
    _check_drafted_lines(journal.state.lines, accounts)
    await PostingLedger(uow).apply(journal.state.lines, journal.state.date)
    journal.post(
        by=uow.ctx.user_id, at=uow.now(), accounts={k: v.ref() for k, v in accounts.items()}
    )
    await uow.record(journal)
    return journal.id


async def reverse_journal(uow: UnitOfWork, cmd: ReverseJournal) -> str:
    if not uow.first_attempt and await uow.exists(Journal, cmd.reversal_id):
        return cmd.reversal_id  # an earlier attempt of this same command committed
    journal = await load_existing(
        uow, Journal, cmd.journal_id, what="journal", expected_version=cmd.expected_version
    )
    journal.ensure_reversible()
    await check_document_date(uow, cmd.date)
    ledger = PostingLedger(uow)
    await ledger.lock({line.account_id for line in journal.state.lines})
    inactive = ledger.inactive_codes()
    if inactive:
        raise InvalidState(
            f"account(s) {', '.join(inactive)} are inactive; the reversal cannot post to them",
            code="account_inactive",
        )
    reversal = journal.reverse(
        cmd.reversal_id,
        number=await next_journal_number(uow, JournalType.REVERSING, cmd.date),
        day=cmd.date,
        reason=cmd.reason,
        by=uow.ctx.user_id,
        at=uow.now(),
        new_line_id=new_id,
    )
    await ledger.apply(reversal.state.lines, cmd.date)
    await uow.record(reversal, journal)
    return reversal.id


async def cancel_journal(uow: UnitOfWork, cmd: CancelJournal) -> str:
    journal = await load_existing(
        uow, Journal, cmd.journal_id, what="journal", expected_version=cmd.expected_version
    )
    journal.cancel(cmd.reason, at=uow.now())
    await uow.record(journal)
    return journal.id
