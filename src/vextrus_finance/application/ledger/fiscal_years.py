"""Closing and reopening a fiscal year (ADR 0048; finance managers only; every change is an
event on the year's stream).

The close posts ONE journal of type CLOSING dated the year's last day (30 June) that brings the
balance of every REVENUE and EXPENSE account as of that day to zero against retained earnings;
the reopen reverses it with a CLOSING journal of the swapped lines (`Journal.reverse(closing=
True)`), linked to it by `reverses_id` and the reference `REV-<number>`. Every ledger entry
either writes is of type CLOSING, which the statements leave out of the closed year.

Both lock the period table first (`lock_for_change`, as a period close does): no period of the
year can be reopened, and no posting can be in flight, while the year changes. They are the
only commands that post into a closed period: `ensure_year_end_posting` is the one exception
to `ensure_open`, and allows only the year's last period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from vextrus_finance.application.context import new_id
from vextrus_finance.application.ledger.journals import PostingLedger, next_journal_number
from vextrus_finance.application.ledger.views import FiscalYearsSeen, FiscalYearView
from vextrus_finance.application.ports import AccountRecord, UnitOfWork
from vextrus_finance.domain.accounts import ACCOUNT_TYPE_BY_VALUE, AccountType
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.fiscal import (
    FiscalYear,
    PeriodStatus,
    fiscal_year_of,
    parse_fiscal_year,
)
from vextrus_finance.domain.fiscal_years import (
    DEFAULT_RETAINED_EARNINGS_CODE,
    FiscalYearBook,
    closing_amounts,
    ensure_periods_closed,
    ensure_year_end_posting,
    validate_year_reason,
)
from vextrus_finance.domain.journals import (
    AccountRef,
    Journal,
    JournalLine,
    JournalType,
)
from vextrus_finance.domain.money import BASE_CURRENCY, from_minor

RETAINED_FIELD = "retained_earnings_account_id"


@dataclass(frozen=True)
class CloseFiscalYear:
    code: str
    reason: str
    retained_earnings_account_id: str | None = None
    journal_id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class ReopenFiscalYear:
    code: str
    reason: str
    reversal_id: str = field(default_factory=new_id)


async def close_fiscal_year(uow: UnitOfWork, cmd: CloseFiscalYear) -> str:
    year = parse_fiscal_year(cmd.code, field="code")
    validate_year_reason(cmd.reason)
    # Wait for postings in flight and keep period changes out until this commits.
    await uow.periods.lock_for_change()
    book = await uow.load(FiscalYearBook, year.label)
    if not uow.first_attempt and book.exists and book.closing_journal_id == cmd.journal_id:
        return year.label  # an earlier attempt of this same command committed
    book.ensure_open(year)
    statuses = [(period, await uow.periods.status(period)) for period in year.periods()]
    ensure_periods_closed(year, statuses)
    last = year.periods()[-1]
    ensure_year_end_posting(year, last, dict(statuses)[last])
    retained = await _retained_earnings(uow, cmd.retained_earnings_account_id)
    journal = await _closing_journal(uow, year, retained, cmd)
    book.close(
        year,
        cmd.reason,
        closing_journal_id=journal.id if journal else None,
        retained_earnings_account_id=retained.id,
        by=uow.ctx.user_id,
        at=uow.now(),
    )
    await uow.record(*([journal] if journal else []), book)
    return year.label


async def reopen_fiscal_year(uow: UnitOfWork, cmd: ReopenFiscalYear) -> str:
    year = parse_fiscal_year(cmd.code, field="code")
    validate_year_reason(cmd.reason)
    await uow.periods.lock_for_change()
    book = await uow.load(FiscalYearBook, year.label)
    if not uow.first_attempt and await uow.exists(Journal, cmd.reversal_id):
        return year.label  # an earlier attempt of this same command committed
    book.ensure_closed(year)
    closing_id = book.closing_journal_id
    reversal: Journal | None = None
    original: Journal | None = None
    if closing_id is not None:
        original = await uow.load(Journal, closing_id)
        day = original.state.date
        last = year.periods()[-1]
        ensure_year_end_posting(year, last, await uow.periods.status(last))
        ledger = PostingLedger(uow)
        await ledger.lock({line.account_id for line in original.state.lines})
        reversal = original.reverse(
            cmd.reversal_id,
            number=await next_journal_number(uow, JournalType.CLOSING, day),
            day=day,
            reason=cmd.reason,
            by=uow.ctx.user_id,
            at=uow.now(),
            new_line_id=new_id,
            closing=True,
        )
        await ledger.apply(reversal.state.lines, day)
    book.reopen(
        year,
        cmd.reason,
        reversal_journal_id=reversal.id if reversal else None,
        by=uow.ctx.user_id,
        at=uow.now(),
    )
    await uow.record(*([reversal, original] if reversal and original else []), book)
    return year.label


async def _retained_earnings(uow: UnitOfWork, account_id: str | None) -> AccountRecord:
    """The given account, or the one with code 3200: it must exist and be an active EQUITY
    posting account in the base currency (422 naming `retained_earnings_account_id`)."""
    if account_id is not None:
        record = (await uow.accounts.by_ids({account_id})).get(account_id)
        what = f"account {account_id}"
    else:
        code = DEFAULT_RETAINED_EARNINGS_CODE
        record = (await uow.accounts.by_codes({code})).get(code)
        what = f"the default retained earnings account {code}"
    problem = None
    if record is None:
        problem = (f"{what} does not exist in this tenant", "unknown_account")
    elif record.type is not AccountType.EQUITY:
        problem = (f"{what} is {record.type.value}, not EQUITY", "not_equity")
    elif not record.is_active:
        problem = (f"{what} is inactive", "account_inactive")
    elif record.is_header:
        problem = (f"{what} has sub-accounts: give one of them", "header_account")
    elif record.currency != BASE_CURRENCY:
        problem = (f"{what} is kept in {record.currency}, not {BASE_CURRENCY}", "currency_mismatch")
    if problem is not None or record is None:
        message, code = problem or ("missing", "unknown_account")
        raise InvalidInput(message, field=RETAINED_FIELD, code=code)
    return record


async def _closing_journal(
    uow: UnitOfWork, year: FiscalYear, retained: AccountRecord, cmd: CloseFiscalYear
) -> Journal | None:
    """The posted CLOSING journal of `year`, or None when no revenue or expense account has a
    balance on its last day (a journal needs lines). Balances come from the stored totals,
    in the base currency."""
    day = year.end
    rows = await uow.reader.net_balances_as_of(day, BASE_CURRENCY)
    # Active or not: an inactive account's balance on that day still belongs to the year.
    refs = {
        account_id: AccountRef(account_id, code, ACCOUNT_TYPE_BY_VALUE[kind], BASE_CURRENCY, True)
        for account_id, code, _name, kind, _active, net in rows
        if net
    }
    nonzero = sorted(
        (
            (account_id, ref.type, net)
            for account_id, *_, net in rows
            if (ref := refs.get(account_id))
        ),
        key=lambda row: refs[row[0]].code,
    )
    amounts, retained_net = closing_amounts(nonzero)
    if not amounts:
        return None
    refs[retained.id] = retained.ref()
    if retained_net:
        amounts.append((retained.id, max(retained_net, 0), max(-retained_net, 0)))
    description = f"Closing of {year.label}: revenue and expense to {retained.code}"
    lines = tuple(
        JournalLine(
            id=new_id(),
            account_id=account_id,
            account_code=refs[account_id].code,
            debit=from_minor(debit),
            credit=from_minor(credit),
            description=description,
        )
        for account_id, debit, credit in amounts
    )
    journal = Journal.draft(
        cmd.journal_id,
        number=await next_journal_number(uow, JournalType.CLOSING, day),
        day=day,
        journal_type=JournalType.CLOSING,
        currency=BASE_CURRENCY,
        description=description,
        reference=f"CLOSE-{year.label}",
        lines=lines,
    )
    ledger = PostingLedger(uow)
    journal.post(by=uow.ctx.user_id, at=uow.now(), accounts=refs)
    await ledger.apply(lines, day)
    return journal


def list_fiscal_years(today: date, seen: FiscalYearsSeen) -> list[FiscalYearView]:
    """Every fiscal year from the one holding the first posting or period change (the current
    one when there is none) to the current one, plus any later year ever closed or reopened;
    oldest first. A year without a row in the read model was never closed: OPEN."""
    current = fiscal_year_of(today)
    first = fiscal_year_of(seen.first_day) if seen.first_day else current
    by_code = {view.code: view for view in seen.changed}
    starts = set(range(min(first, current).start_year, current.start_year + 1))
    starts |= {parse_fiscal_year(code).start_year for code in by_code}
    return [
        by_code.get(FiscalYear(s).label) or _never_closed(FiscalYear(s)) for s in sorted(starts)
    ]


def _never_closed(year: FiscalYear) -> FiscalYearView:
    return FiscalYearView(
        code=year.label,
        start=year.start,
        end=year.end,
        status=PeriodStatus.OPEN,
        closing_journal_id=None,
        retained_earnings_account_id=None,
        changed_at=None,
        changed_by=None,
        reason=None,
        version=0,
    )
