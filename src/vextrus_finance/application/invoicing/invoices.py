"""Invoice commands: create, revise a draft, approve (posting the journal and, for sales,
issuing the Mushak-6.3 serial), cancel (reversing the journal)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from vextrus_finance.application.context import new_id
from vextrus_finance.application.invoicing.counterparties import link_counterparty
from vextrus_finance.application.invoicing.duplicates import lock_duplicate_check
from vextrus_finance.application.invoicing.posting_profiles import PostingAccounts, posting_accounts
from vextrus_finance.application.ledger.journals import (
    CreateJournal,
    ReverseJournal,
    check_document_date,
    create_journal,
    reverse_journal,
)
from vextrus_finance.application.ledger.journals import LineSpec as JournalLineSpec
from vextrus_finance.application.loading import load_existing
from vextrus_finance.application.ports import AccountRecord, UnitOfWork
from vextrus_finance.domain.accounts import validate_reason
from vextrus_finance.domain.counterparties import CounterpartyKind
from vextrus_finance.domain.errors import AlreadyExists, FieldIssue, InvalidInput
from vextrus_finance.domain.fiscal import PeriodStatus, fiscal_year_of, period_of
from vextrus_finance.domain.invoices import (
    NO_DETAILS,
    Counterparty,
    Invoice,
    InvoiceDetails,
    InvoiceKind,
    InvoiceLine,
    InvoiceState,
    InvoiceStatus,
    LineSpec,
    build_counterparty,
    build_details,
    build_lines,
    check_currency,
    check_dates,
    invoice_number,
    invoice_sequence,
    mushak_number,
    mushak_sequence,
)
from vextrus_finance.domain.journals import CANCEL_REASON_MIN, DESCRIPTION_MAX, JournalType
from vextrus_finance.domain.money import BASE_CURRENCY, ZERO
from vextrus_finance.domain.periods import ensure_open
from vextrus_finance.domain.posting_profiles import PostingRole as R

# A counterparty as the client named it, unchecked until `build_counterparty`: the same five
# fields as the checked value, which the payment commands already take as their input.
CounterpartySpec = Counterparty


@dataclass(frozen=True)
class CreateInvoice:
    kind: InvoiceKind
    counterparty: CounterpartySpec
    invoice_date: date
    due_date: date
    lines: tuple[LineSpec, ...]
    currency: str = BASE_CURRENCY
    details: InvoiceDetails = NO_DETAILS
    invoice_id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class ReviseInvoice:
    invoice_id: str
    counterparty: CounterpartySpec | None = None
    invoice_date: date | None = None
    due_date: date | None = None
    lines: tuple[LineSpec, ...] | None = None
    # Only the details named here change (PATCH); the others keep their values.
    details: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


@dataclass(frozen=True)
class ApproveInvoice:
    invoice_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class CancelInvoice:
    invoice_id: str
    reason: str
    date: date | None = None  # of the reversing journal; default the invoice's own date
    expected_version: int | None = None


def _content(
    kind: InvoiceKind,
    counterparty: CounterpartySpec,
    lines: tuple[LineSpec, ...] | None,
    invoice_date: date,
    due: date,
    details: InvoiceDetails,
) -> tuple[Counterparty, tuple[InvoiceLine, ...] | None, InvoiceDetails]:
    """Check the counterparty, the lines, the dates and the details together: one answer
    lists every problem, each naming its field."""
    issues: list[FieldIssue] = []
    party: Counterparty | None = None
    built: tuple[InvoiceLine, ...] | None = None
    checked: InvoiceDetails | None = None
    try:
        party = build_counterparty(
            counterparty.name,
            id=counterparty.id,
            address=counterparty.address,
            bin=counterparty.bin,
            tin=counterparty.tin,
        )
    except InvalidInput as error:
        issues.extend(error.issues)
    if lines is not None:
        try:
            built = build_lines(lines)
        except InvalidInput as error:
            issues.extend(error.issues)
    try:
        check_dates(invoice_date, due)
    except InvalidInput as error:
        issues.extend(error.issues)
    try:
        checked = build_details(kind, details, invoice_date)
    except InvalidInput as error:
        issues.extend(error.issues)
    if issues:
        raise InvalidInput.from_issues(issues)
    assert party is not None
    assert checked is not None
    return party, built, checked


def _line_types(kind: InvoiceKind) -> tuple[R, R]:
    """The roles whose account types a line's and the counterparty side's accounts must have:
    a sale earns revenue into a receivable, a purchase costs an expense (or buys an asset)
    into a payable."""
    if kind is InvoiceKind.SALES:
        return R.SALES_REVENUE, R.ACCOUNTS_RECEIVABLE
    return R.PURCHASES, R.ACCOUNTS_PAYABLE


async def chosen_accounts(
    uow: UnitOfWork,
    kind: InvoiceKind,
    lines: tuple[InvoiceLine, ...],
    details: InvoiceDetails,
) -> dict[str, AccountRecord]:
    """The accounts the invoice names itself (line `account_code`s, `control_account_code`),
    by code; each must exist, be active and be of the type its side needs (422 naming it)."""
    line_role, control_role = _line_types(kind)
    wanted = [
        (f"lines[{i}].account_code", line.account_code, line_role)
        for i, line in enumerate(lines)
        if line.account_code is not None
    ]
    if details.control_account_code is not None:
        wanted.append(("control_account_code", details.control_account_code, control_role))
    if not wanted:
        return {}
    found = await uow.accounts.by_codes({code for _, code, _ in wanted})
    issues: list[FieldIssue] = []
    for where, code, role in wanted:
        record = found.get(code)
        if record is None:
            issues.append(FieldIssue(where, f"no account {code} in this tenant", "unknown_account"))
        elif record.type not in role.allowed_types:
            allowed = " or ".join(t.value for t in role.allowed_types)
            issues.append(
                FieldIssue(
                    where,
                    f"account {code} is {record.type}; a {kind} invoice's "
                    f"{'line' if role is line_role else 'counterparty side'} needs {allowed}",
                    "wrong_account_type",
                )
            )
        elif not record.is_active:
            issues.append(FieldIssue(where, f"account {code} is inactive", "account_inactive"))
        elif record.is_header:
            issues.append(
                FieldIssue(where, f"account {code} has sub-accounts: name one", "header_account")
            )
        elif where == "control_account_code" and not await _may_become_control(uow, record):
            issues.append(
                FieldIssue(
                    where,
                    f"account {code} already holds entries that name no counterparty, or is a "
                    "cash account: a control account holds counterparties' balances only, so "
                    "the aging ties to it; name an unused account or a control account",
                    "control_account_in_use",
                )
            )
    if issues:
        raise InvalidInput.from_issues(issues)
    return found


async def _may_become_control(uow: UnitOfWork, record: AccountRecord) -> bool:
    """An invoice naming an account makes it a control account (manual lines on it then need a
    counterparty, the aging ties to it): only one that is one already, or an unused account
    without a cash-like balance limit, may be named — never the bank or cash account."""
    if record.is_control:
        return True
    if record.balance_limit is not None:
        return False
    return not await uow.accounts.daily_movements_after(record.id, date.min)


async def _ensure_new_bill(
    uow: UnitOfWork, invoice_id: str, kind: InvoiceKind, party: Counterparty, d: InvoiceDetails
) -> None:
    """The same supplier bill entered twice would claim its input VAT twice: refused (409)
    while the first is not cancelled. The supplier is known by BIN, else by name."""
    number = d.supplier_invoice_number
    if kind is not InvoiceKind.PURCHASE or number is None:
        return
    supplier = party.bin or party.name.casefold()
    await lock_duplicate_check(uow, "supplier-bill", f"{supplier}|{number}")
    taken = await uow.invoices.bill_with_supplier_number(
        number, supplier_bin=party.bin, supplier_name=party.name, other_than=invoice_id
    )
    if taken is not None:
        raise AlreadyExists(
            f"{party.name}'s invoice {number} is already entered as {taken}",
            field="supplier_invoice_number",
            code="duplicate_supplier_invoice",
        )


async def _named(uow: UnitOfWork, spec: CounterpartySpec) -> CounterpartySpec:
    """`{id}` alone names a record: its name is the record's (ADR 0037)."""
    if spec.id is None or spec.name.strip():
        return spec
    found = await uow.counterparties.counterparty(spec.id)
    if found is None:
        raise InvalidInput(
            f"no counterparty {spec.id} in this tenant",
            field="counterparty.id",
            code="unknown_counterparty",
        )
    return replace(spec, name=found.name)


async def create_invoice(uow: UnitOfWork, cmd: CreateInvoice) -> str:
    existing = await uow.load(Invoice, cmd.invoice_id)
    if existing.exists:
        return existing.id  # an earlier attempt of this same command committed
    check_currency(cmd.currency)
    spec = await _named(uow, cmd.counterparty)
    party, lines, details = _content(
        cmd.kind, spec, cmd.lines, cmd.invoice_date, cmd.due_date, cmd.details
    )
    assert lines is not None
    await check_document_date(uow, cmd.invoice_date, field="invoice_date")
    party = await link_counterparty(uow, party, CounterpartyKind.trading(cmd.kind))
    await chosen_accounts(uow, cmd.kind, lines, details)
    await _ensure_new_bill(uow, cmd.invoice_id, cmd.kind, party, details)
    sequence = await uow.numbers.next(invoice_sequence(cmd.kind, cmd.invoice_date))
    invoice = Invoice.create(
        cmd.invoice_id,
        number=invoice_number(cmd.kind, cmd.invoice_date, sequence),
        kind=cmd.kind,
        counterparty=party,
        invoice_date=cmd.invoice_date,
        due_date=cmd.due_date,
        currency=cmd.currency,
        lines=lines,
        details=details,
    )
    await uow.record(invoice)
    return invoice.id


async def revise_invoice(uow: UnitOfWork, cmd: ReviseInvoice) -> str:
    invoice = await load_existing(
        uow, Invoice, cmd.invoice_id, what="invoice", expected_version=cmd.expected_version
    )
    state = invoice.state
    if state.status is not InvoiceStatus.DRAFT:
        invoice.revise(  # raises the 409 with the state machine's wording
            counterparty=state.counterparty,
            invoice_date=state.invoice_date,
            due_date=state.due_date,
            lines=state.lines,
        )
    spec = cmd.counterparty or state.counterparty
    spec = await _named(uow, spec)
    invoice_date = cmd.invoice_date or state.invoice_date
    due_date = cmd.due_date or state.due_date
    wanted = replace(state.details, **cmd.details)
    party, lines, details = _content(state.kind, spec, cmd.lines, invoice_date, due_date, wanted)
    if cmd.invoice_date is not None:
        await check_document_date(uow, invoice_date, field="invoice_date")
    if cmd.counterparty is not None:  # a draft made before records keeps its inline party
        party = await link_counterparty(uow, party, CounterpartyKind.trading(state.kind))
    new_lines = lines if lines is not None else state.lines
    await chosen_accounts(uow, state.kind, new_lines, details)
    await _ensure_new_bill(uow, invoice.id, state.kind, party, details)
    invoice.revise(
        counterparty=party,
        invoice_date=invoice_date,
        due_date=due_date,
        lines=new_lines,
        details=details,
    )
    await uow.record(invoice)
    return invoice.id


def _journal_line(
    account_id: str, *, debit: Decimal = ZERO, credit: Decimal = ZERO, text: str
) -> JournalLineSpec:
    return JournalLineSpec(account_id, None, debit, credit, description=text)


SALES_ROLES = (R.ACCOUNTS_RECEIVABLE, R.AIT_RECEIVABLE, R.SALES_REVENUE, R.VAT_OUTPUT, R.SD_PAYABLE)
PURCHASE_ROLES = (R.PURCHASES, R.VAT_INPUT, R.ACCOUNTS_PAYABLE, R.AIT_PAYABLE)


_Candidate = tuple[AccountRecord, Decimal, Decimal, str]  # account, debit, credit, text


def _by_account(
    lines: tuple[InvoiceLine, ...],
    amount: Callable[[InvoiceLine], Decimal],
    default: AccountRecord,
    chosen: Mapping[str, AccountRecord],
) -> list[tuple[AccountRecord, Decimal]]:
    """Line amounts summed per account (a line without `account_code` goes to `default`), in
    the order the accounts first appear."""
    sums: dict[str, tuple[AccountRecord, Decimal]] = {}
    for line in lines:
        record = chosen[line.account_code] if line.account_code is not None else default
        _, total = sums.get(record.id, (record, ZERO))
        sums[record.id] = (record, total + amount(line))
    return list(sums.values())


def approval_lines(
    state: InvoiceState,
    accounts: PostingAccounts,
    chosen: Mapping[str, AccountRecord] | None = None,
) -> tuple[JournalLineSpec, ...]:
    """SALES: Dr AR (payable) + Dr AIT receivable / Cr revenue, Cr output VAT, Cr SD payable.
    PURCHASE: Dr purchases (subtotal + SD, SD is not creditable) + Dr input VAT / Cr AP
    (payable), Cr AIT/TDS payable. Revenue and purchases go to each line's account, the
    counterparty side to the invoice's control account, the profile's where none is named.
    Zero amounts are left out (a line is one positive side)."""
    chosen = chosen or {}
    t = state.totals
    control = state.details.control_account_code
    if state.kind is InvoiceKind.SALES:
        receivable = chosen[control] if control else accounts[R.ACCOUNTS_RECEIVABLE]
        revenue = _by_account(state.lines, lambda x: x.amount, accounts[R.SALES_REVENUE], chosen)
        candidates: list[_Candidate] = [
            (receivable, t.payable_total, ZERO, "receivable"),
            (
                accounts[R.AIT_RECEIVABLE],
                t.ait_total,
                ZERO,
                "AIT deducted at source by the customer",
            ),
            *((record, ZERO, amount, "sales") for record, amount in revenue),
            (accounts[R.VAT_OUTPUT], ZERO, t.vat_total, "output VAT"),
            (accounts[R.SD_PAYABLE], ZERO, t.sd_total, "supplementary duty"),
        ]
    else:
        payable = chosen[control] if control else accounts[R.ACCOUNTS_PAYABLE]
        costs = _by_account(
            state.lines, lambda x: x.amount + x.sd_amount, accounts[R.PURCHASES], chosen
        )
        candidates = [
            *((record, amount, ZERO, "purchases (including SD)") for record, amount in costs),
            (accounts[R.VAT_INPUT], t.vat_total, ZERO, "input VAT"),
            (payable, ZERO, t.payable_total, "payable"),
            (accounts[R.AIT_PAYABLE], ZERO, t.ait_total, "AIT/TDS withheld"),
        ]
    return tuple(
        _journal_line(record.id, debit=debit, credit=credit, text=f"{state.number} {text}")
        for record, debit, credit, text in candidates
        if debit > 0 or credit > 0
    )


async def control_account_id(uow: UnitOfWork, state: InvoiceState) -> str:
    """The receivable (SALES) or payable (PURCHASE) account the invoice was booked to, which
    its payments settle."""
    control = state.details.control_account_code
    if control is not None:
        return (await chosen_accounts(uow, state.kind, (), state.details))[control].id
    _, role = _line_types(state.kind)
    return (await posting_accounts(uow, (role,)))[role].id


def _description(prefix: str, state: InvoiceState) -> str:
    return f"{prefix} {state.number} - {state.counterparty.name}"[:DESCRIPTION_MAX]


async def approve_invoice(uow: UnitOfWork, cmd: ApproveInvoice) -> str:
    """A SALES invoice is a tax invoice, issued at the time of supply and never backdated: it is
    dated the business day of issue, and that one date governs the Mushak serial's fiscal year,
    the journal's date and period, and the printed document (ADR 0035). A draft dated in a
    closed period is refused rather than silently moved out of it. PURCHASE bills keep the
    supplier's date."""
    invoice = await load_existing(
        uow, Invoice, cmd.invoice_id, what="invoice", expected_version=cmd.expected_version
    )
    invoice.ensure_approvable()
    state = invoice.state
    is_sales = state.kind is InvoiceKind.SALES
    issue_day = uow.today() if is_sales else None
    journal_date = state.invoice_date
    if issue_day is not None:
        # Hook for the VAT return (a later issue): a locked VAT month refuses here too.
        for day in (state.invoice_date, issue_day):
            period = period_of(day)
            ensure_open(period, await uow.periods.status(period), field="invoice_date")
        journal_date = issue_day
    fiscal_year = fiscal_year_of(journal_date).label
    accounts = await posting_accounts(uow, SALES_ROLES if is_sales else PURCHASE_ROLES)
    chosen = await chosen_accounts(uow, state.kind, state.lines, state.details)
    # Checked again under the lock, as at entry: a racing duplicate cannot pass both.
    await _ensure_new_bill(uow, invoice.id, state.kind, state.counterparty, state.details)
    journal_id = await create_journal(
        uow,
        CreateJournal(
            date=journal_date,
            description=_description("Sales invoice" if is_sales else "Purchase bill", state),
            lines=approval_lines(state, accounts, chosen),
            type=JournalType.SALES if is_sales else JournalType.PURCHASE,
            reference=state.number,
            currency=state.currency,
            post=True,
            manual=False,
        ),
    )
    serial = None
    if is_sales:
        # Taken last, after everything that could refuse: a refused approval rolls the
        # counter back with it, so the serials stay gapless.
        sequence = await uow.numbers.next(mushak_sequence(fiscal_year))
        serial = mushak_number(fiscal_year, sequence)
    invoice.approve(
        by=uow.ctx.user_id,
        at=uow.now(),
        journal_id=journal_id,
        mushak_number=serial,
        issue_day=issue_day,
    )
    await uow.record(invoice)
    return invoice.id


async def _cancellation_date(uow: UnitOfWork, state: InvoiceState) -> date:
    """The reversal undoes the invoice where it was booked, so the period's figures show
    neither; once that period is closed the user must say when the cancellation is booked."""
    period = period_of(state.invoice_date)
    if await uow.periods.status(period) is PeriodStatus.CLOSED:
        raise InvalidInput(
            f"invoice {state.number} is booked in fiscal period {period.code}, which is closed: "
            "give the date to book the cancellation on",
            field="date",
            code="period_closed",
        )
    return state.invoice_date


async def cancel_invoice(uow: UnitOfWork, cmd: CancelInvoice) -> str:
    invoice = await load_existing(
        uow, Invoice, cmd.invoice_id, what="invoice", expected_version=cmd.expected_version
    )
    state = invoice.state
    if state.status not in (InvoiceStatus.DRAFT, InvoiceStatus.APPROVED):
        invoice.cancel(cmd.reason, by=uow.ctx.user_id, at=uow.now(), cancellation_journal_id=None)
    reason = validate_reason(cmd.reason, minimum=CANCEL_REASON_MIN)
    reversal_id = None
    if state.journal_id is not None:
        reversal_id = await reverse_journal(
            uow,
            ReverseJournal(
                state.journal_id,
                cmd.date or await _cancellation_date(uow, state),
                reason=f"Invoice {state.number} cancelled: {reason}"[:DESCRIPTION_MAX],
            ),
        )
    invoice.cancel(reason, by=uow.ctx.user_id, at=uow.now(), cancellation_journal_id=reversal_id)
    await uow.record(invoice)
    return invoice.id
