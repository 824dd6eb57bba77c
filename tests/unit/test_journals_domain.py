"""Journals: line rules, numbering, the life cycle, reversal and replay."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.errors import InvalidInput, InvalidState
from vextrus_finance.domain.events import EVENT_TYPES
from vextrus_finance.domain.journals import (
    DESCRIPTION_MAX,
    AccountRef,
    Journal,
    JournalCancelled,
    JournalDrafted,
    JournalLine,
    JournalPosted,
    JournalReversed,
    JournalRevised,
    JournalStatus,
    JournalType,
    LineInput,
    build_lines,
    journal_number,
    sequence_name,
    validate_description,
    validate_reference,
)

CASH = AccountRef("a-cash", "1010", AccountType.ASSET, "BDT", True)
BANK = AccountRef("a-bank", "1020", AccountType.ASSET, "BDT", True)
REVENUE = AccountRef("a-rev", "4000", AccountType.REVENUE, "BDT", True)
VAT = AccountRef("a-vat", "2100", AccountType.LIABILITY, "BDT", True)
EXPENSE = AccountRef("a-exp", "5000", AccountType.EXPENSE, "BDT", True)
OLD = AccountRef("a-old", "1090", AccountType.ASSET, "BDT", False)
DOLLARS = AccountRef("a-usd", "1030", AccountType.ASSET, "USD", True)
CHART = {a.id: a for a in (CASH, BANK, REVENUE, VAT, EXPENSE, OLD, DOLLARS)}

DAY = date(2025, 7, 15)
AT = datetime(2025, 7, 15, 9, 0, tzinfo=UTC)
NUMBER = "GJ-2025-07-000001"


def ids(prefix: str = "line") -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"{prefix}-{next(counter)}"


def line(
    account: AccountRef, debit: str = "0", credit: str = "0", **extra: str | None
) -> LineInput:
    return LineInput(account=account, debit=Decimal(debit), credit=Decimal(credit), **extra)


def sale_lines() -> tuple[JournalLine, ...]:
    return build_lines(
        [
            line(CASH, debit="1150.00", description="cash sale"),
            line(REVENUE, credit="1000.00"),
            line(VAT, credit="150.00", tax_code="VAT15"),
        ],
        "BDT",
        ids(),
    )


def draft(
    journal_id: str = "j-1",
    *,
    number: str = NUMBER,
    day: date = DAY,
    journal_type: JournalType = JournalType.GENERAL,
    description: str = "Cash sale at Gulshan site",
    reference: str | None = "INV-42",
    lines: tuple[JournalLine, ...] | None = None,
) -> Journal:
    return Journal.draft(
        journal_id,
        number=number,
        day=day,
        journal_type=journal_type,
        currency="BDT",
        description=description,
        reference=reference,
        lines=sale_lines() if lines is None else lines,
    )


def posted(journal_id: str = "j-1", **kwargs: object) -> Journal:
    journal = draft(journal_id, **kwargs)  # type: ignore[arg-type]
    journal.post(by="user-1", at=AT, accounts=CHART)
    return journal


def reverse(
    journal: Journal, day: date = date(2025, 7, 20), reason: str | None = "wrong customer"
) -> Journal:
    return journal.reverse(
        "j-rev",
        number="RJ-2025-07-000001",
        day=day,
        reason=reason,
        by="user-2",
        at=datetime(2025, 7, 20, 12, 0, tzinfo=UTC),
        new_line_id=ids("rev-line"),
    )


def replayed(journal: Journal) -> Journal:
    fresh = Journal(journal.id)
    for event in journal.pending:
        fresh.replay(event)
    return fresh


def issues_of(error: InvalidInput) -> list[tuple[str, str]]:
    return [(issue.field, issue.code) for issue in error.issues]


# --- build_lines ----------------------------------------------------------------------------


def test_build_lines_keeps_order_accounts_and_amounts() -> None:
    lines = build_lines(
        [
            line(CASH, debit="1150.00", description="  cash sale  ", cost_center=" CC-1 "),
            line(REVENUE, credit="1000.00", project="Tower A", description="   "),
            line(VAT, credit="150.00", tax_code="VAT15"),
        ],
        "BDT",
        ids(),
    )
    assert lines == (
        JournalLine(
            id="line-1",
            account_id="a-cash",
            account_code="1010",
            debit=Decimal("1150.00"),
            credit=Decimal("0"),
            description="cash sale",
            cost_center="CC-1",
        ),
        JournalLine(
            id="line-2",
            account_id="a-rev",
            account_code="4000",
            debit=Decimal("0"),
            credit=Decimal("1000.00"),
            description=None,  # blank text is no text
            project="Tower A",
        ),
        JournalLine(
            id="line-3",
            account_id="a-vat",
            account_code="2100",
            debit=Decimal("0"),
            credit=Decimal("150.00"),
            tax_code="VAT15",
        ),
    )


@pytest.mark.parametrize("count", [0, 1])
def test_build_lines_needs_two_lines(count: int) -> None:
    inputs = [line(CASH, debit="10.00")][:count]
    with pytest.raises(InvalidInput, match="at least two lines") as info:
        build_lines(inputs, "BDT", ids())
    assert info.value.code == "too_few_lines"
    assert info.value.field == "lines"
    assert issues_of(info.value) == [("lines", "too_few_lines")]


def test_line_with_both_sides_refused() -> None:
    with pytest.raises(InvalidInput, match="exactly one positive amount") as info:
        build_lines(
            [line(CASH, debit="10.00", credit="10.00"), line(REVENUE, credit="0.00")],
            "BDT",
            ids(),
        )
    assert info.value.code == "one_sided_line"
    assert issues_of(info.value) == [("lines[0]", "one_sided_line"), ("lines[1]", "one_sided_line")]


def test_line_with_neither_side_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        build_lines(
            [line(CASH, debit="10.00"), line(REVENUE, credit="10.00"), line(BANK)], "BDT", ids()
        )
    assert issues_of(info.value) == [("lines[2]", "one_sided_line")]


def test_negative_amounts_refused() -> None:
    with pytest.raises(InvalidInput, match="must not be negative") as info:
        build_lines([line(CASH, debit="-10.00"), line(REVENUE, credit="-10.00")], "BDT", ids())
    assert info.value.code == "negative_amount"
    assert issues_of(info.value) == [
        ("lines[0].debit", "negative_amount"),
        ("lines[1].credit", "negative_amount"),
    ]


def test_negative_on_the_other_side_refused() -> None:
    # Debit 10 and credit -10 would net to a "debit 20"; it is refused, not reinterpreted.
    with pytest.raises(InvalidInput) as info:
        build_lines(
            [line(CASH, debit="10.00", credit="-10.00"), line(REVENUE, credit="20.00")],
            "BDT",
            ids(),
        )
    assert issues_of(info.value) == [("lines[0].credit", "negative_amount")]


def test_inactive_account_refused() -> None:
    with pytest.raises(InvalidInput, match="account 1090 is inactive") as info:
        build_lines([line(CASH, debit="5.00"), line(OLD, credit="5.00")], "BDT", ids())
    assert info.value.code == "account_inactive"
    assert issues_of(info.value) == [("lines[1].account_id", "account_inactive")]


def test_currency_mismatch_refused() -> None:
    with pytest.raises(InvalidInput, match="kept in USD, the journal in BDT") as info:
        build_lines([line(CASH, debit="5.00"), line(DOLLARS, credit="5.00")], "BDT", ids())
    assert info.value.code == "currency_mismatch"
    assert issues_of(info.value) == [("lines[1].account_id", "currency_mismatch")]


@pytest.mark.parametrize(
    ("debits", "credits", "difference"),
    [
        (["100.00"], ["99.99"], "0.01"),
        (["99.99"], ["100.00"], "0.01"),
        (["0.01", "0.01"], ["0.01"], "0.01"),
        (["1000000.00"], ["500000.00", "499999.99"], "0.01"),
    ],
)
def test_unbalanced_by_a_paisa_refused(
    debits: list[str], credits: list[str], difference: str
) -> None:
    inputs = [line(CASH, debit=d) for d in debits] + [line(REVENUE, credit=c) for c in credits]
    with pytest.raises(InvalidInput, match=f"differ by {difference}") as info:
        build_lines(inputs, "BDT", ids())
    assert info.value.code == "unbalanced"
    assert issues_of(info.value) == [("lines", "unbalanced")]


def test_unbalanced_message_names_both_totals() -> None:
    with pytest.raises(InvalidInput, match=r"debits 100\.00 and credits 99\.99 differ by 0\.01"):
        build_lines([line(CASH, debit="100"), line(REVENUE, credit="99.99")], "BDT", ids())


def test_every_line_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as info:
        build_lines(
            [
                line(CASH, debit="10.00"),
                line(OLD, debit="5.00", credit="5.00"),
                line(DOLLARS, credit="-1.00"),
                line(REVENUE),
                line(BANK, credit="3.00", cost_center="x" * 65),
                line(REVENUE, credit="3.00", description="d" * 501, project="p" * 65),
                line(VAT, credit="1.00", tax_code="t" * 65),
            ],
            "BDT",
            ids(),
        )
    assert issues_of(info.value) == [
        ("lines[1]", "one_sided_line"),
        ("lines[1].account_id", "account_inactive"),
        ("lines[2].credit", "negative_amount"),
        ("lines[2].account_id", "currency_mismatch"),
        ("lines[3]", "one_sided_line"),
        ("lines[4].cost_center", "too_long"),
        ("lines[5].description", "too_long"),
        ("lines[5].project", "too_long"),
        ("lines[6].tax_code", "too_long"),
    ]
    # The error's own code is the first issue's.
    assert info.value.code == "one_sided_line"
    assert info.value.field == "lines[1]"


def test_longest_allowed_texts_pass() -> None:
    lines = build_lines(
        [
            line(CASH, debit="1.00", description="d" * 500, cost_center="c" * 64),
            line(REVENUE, credit="1.00", project="p" * 64, tax_code="t" * 64),
        ],
        "BDT",
        ids(),
    )
    assert lines[0].description == "d" * 500
    assert lines[1].tax_code == "t" * 64


cents = st.integers(min_value=1, max_value=10**13)


@given(
    st.lists(cents, min_size=1, max_size=6),
    st.lists(cents, min_size=1, max_size=6),
    st.randoms(use_true_random=False),
)
def test_random_balanced_line_sets_always_build(
    debits: list[int], credits: list[int], rnd: object
) -> None:
    # Add one line on the lighter side so the two sides balance exactly.
    gap = sum(debits) - sum(credits)
    if gap > 0:
        credits = [*credits, gap]
    elif gap < 0:
        debits = [*debits, -gap]
    inputs = [line(CASH, debit=str(Decimal(d) / 100)) for d in debits] + [
        line(REVENUE, credit=str(Decimal(c) / 100)) for c in credits
    ]
    rnd.shuffle(inputs)  # type: ignore[attr-defined]
    lines = build_lines(inputs, "BDT", ids())
    assert len(lines) == len(inputs)
    assert sum(x.debit for x in lines) == sum(x.credit for x in lines)
    assert [(x.debit, x.credit) for x in lines] == [(i.debit, i.credit) for i in inputs]
    assert len({x.id for x in lines}) == len(lines)
    assert all((x.debit > 0) != (x.credit > 0) for x in lines)


@given(
    st.lists(cents, min_size=1, max_size=5),
    st.integers(min_value=-(10**6), max_value=10**6).filter(lambda n: n != 0),
)
def test_any_imbalance_is_refused(debits: list[int], delta: int) -> None:
    total = sum(debits)
    if total + delta <= 0:
        delta = -delta
    inputs = [line(CASH, debit=str(Decimal(d) / 100)) for d in debits] + [
        line(REVENUE, credit=str(Decimal(total + delta) / 100))
    ]
    with pytest.raises(InvalidInput) as info:
        build_lines(inputs, "BDT", ids())
    assert info.value.code == "unbalanced"
    assert f"differ by {Decimal(abs(delta)) / 100:.2f}" in info.value.message


# --- numbering ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("journal_type", "prefix"),
    [
        (JournalType.GENERAL, "GJ"),
        (JournalType.SALES, "SJ"),
        (JournalType.PURCHASE, "PJ"),
        (JournalType.CASH_RECEIPT, "CR"),
        (JournalType.CASH_PAYMENT, "CP"),
        (JournalType.ADJUSTMENT, "AJ"),
        (JournalType.REVERSING, "RJ"),
        (JournalType.CLOSING, "CJ"),
        (JournalType.OPENING, "OJ"),
    ],
)
def test_journal_number_for_every_type(journal_type: JournalType, prefix: str) -> None:
    assert journal_type.prefix == prefix
    assert journal_number(journal_type, date(2025, 7, 3), 1) == f"{prefix}-2025-07-000001"
    assert journal_number(journal_type, date(2026, 12, 31), 123456) == f"{prefix}-2026-12-123456"
    assert sequence_name(journal_type, date(2026, 1, 9)) == f"journal:{prefix}:2026-01"


def test_journal_number_format() -> None:
    assert journal_number(JournalType.GENERAL, date(2025, 7, 31), 1) == "GJ-2025-07-000001"
    assert journal_number(JournalType.SALES, date(2026, 2, 1), 42) == "SJ-2026-02-000042"
    assert len({t.prefix for t in JournalType}) == len(JournalType) == 9


# --- descriptions and references ------------------------------------------------------------


def test_description_rules() -> None:
    assert validate_description("  Rent for July  ") == "Rent for July"
    assert validate_description("x" * DESCRIPTION_MAX) == "x" * DESCRIPTION_MAX
    for bad, match in [("", "must not be empty"), ("   ", "must not be empty"), ("x" * 501, "500")]:
        with pytest.raises(InvalidInput, match=match) as info:
            validate_description(bad)
        assert info.value.field == "description"


def test_reference_rules() -> None:
    assert validate_reference(None) is None
    assert validate_reference("   ") is None
    assert validate_reference(" INV-1 ") == "INV-1"
    assert validate_reference("r" * 255) == "r" * 255
    with pytest.raises(InvalidInput, match="at most 255") as info:
        validate_reference("r" * 256)
    assert info.value.field == "reference"
    assert info.value.issues[0].code == "too_long"


# --- draft, revise, post, cancel ------------------------------------------------------------


def test_draft() -> None:
    lines = sale_lines()
    journal = draft(lines=lines, description="  Cash sale  ", reference="  INV-42 ")
    state = journal.state
    assert state.status is JournalStatus.DRAFT
    assert state.number == NUMBER
    assert state.date == DAY
    assert state.type is JournalType.GENERAL
    assert state.currency == "BDT"
    assert state.description == "Cash sale"
    assert state.reference == "INV-42"
    assert state.fiscal_period == "FY2025-2026-P01"
    assert state.lines == lines
    assert state.total_debit == state.total_credit == Decimal("1150.00")
    assert state.posted_at is None
    assert state.posted_by is None
    assert state.reversed_by_id is None
    assert state.reverses_id is None
    assert journal.version == 1
    assert journal.pending == [
        JournalDrafted(
            number=NUMBER,
            date=DAY,
            type=JournalType.GENERAL,
            currency="BDT",
            description="Cash sale",
            reference="INV-42",
            fiscal_period="FY2025-2026-P01",
            lines=lines,
        )
    ]


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (date(2025, 7, 1), "FY2025-2026-P01"),
        (date(2025, 12, 31), "FY2025-2026-P06"),
        (date(2026, 1, 1), "FY2025-2026-P07"),
        (date(2026, 6, 30), "FY2025-2026-P12"),
        (date(2025, 6, 30), "FY2024-2025-P12"),
    ],
)
def test_draft_fiscal_period_follows_the_date(day: date, period: str) -> None:
    assert draft(day=day).state.fiscal_period == period


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"description": "  "}, "description"), ({"reference": "r" * 256}, "reference")],
)
def test_draft_refuses_bad_text(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        draft(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_revise_a_draft() -> None:
    journal = draft()
    new_lines = build_lines(
        [line(EXPENSE, debit="300.00"), line(BANK, credit="300.00")], "BDT", ids("n")
    )
    journal.revise(
        day=date(2026, 2, 10), description=" Site electricity ", reference=None, lines=new_lines
    )
    state = journal.state
    assert state.status is JournalStatus.DRAFT
    assert state.date == date(2026, 2, 10)
    assert state.fiscal_period == "FY2025-2026-P08"
    assert state.description == "Site electricity"
    assert state.reference is None
    assert state.lines == new_lines
    assert state.number == NUMBER  # the number does not change
    assert state.total_debit == Decimal("300.00")
    assert journal.pending[-1] == JournalRevised(
        date=date(2026, 2, 10),
        fiscal_period="FY2025-2026-P08",
        description="Site electricity",
        reference=None,
        lines=new_lines,
    )


def test_revise_refuses_empty_description() -> None:
    journal = draft()
    with pytest.raises(InvalidInput) as info:
        journal.revise(day=DAY, description="", reference=None, lines=sale_lines())
    assert info.value.field == "description"
    assert journal.version == 1


def test_post() -> None:
    journal = posted()
    assert journal.state.status is JournalStatus.POSTED
    assert journal.state.posted_at == AT
    assert journal.state.posted_by == "user-1"
    assert journal.pending[-1] == JournalPosted(posted_at=AT, posted_by="user-1")
    assert journal.version == 2


def test_posting_refused_when_an_account_became_inactive() -> None:
    journal = draft()
    chart = {
        **CHART,
        REVENUE.id: AccountRef(REVENUE.id, REVENUE.code, REVENUE.type, "BDT", False),
        VAT.id: AccountRef(VAT.id, VAT.code, VAT.type, "BDT", False),
    }
    with pytest.raises(InvalidInput, match="account 4000 is inactive") as info:
        journal.post(by="user-1", at=AT, accounts=chart)
    assert info.value.code == "account_inactive"
    assert issues_of(info.value) == [
        ("lines[1].account_id", "account_inactive"),
        ("lines[2].account_id", "account_inactive"),
    ]
    assert journal.state.status is JournalStatus.DRAFT
    assert journal.version == 1


def test_posted_journal_cannot_change() -> None:
    journal = posted()
    with pytest.raises(InvalidState, match="is POSTED; only a DRAFT journal can be edited") as info:
        journal.revise(day=DAY, description="changed", reference=None, lines=sale_lines())
    assert info.value.code == "journal_status"
    with pytest.raises(InvalidState, match="can be posted") as info:
        journal.post(by="user-1", at=AT, accounts=CHART)
    assert info.value.code == "journal_status"
    with pytest.raises(InvalidState, match="can be cancelled") as info:
        journal.cancel("duplicate entry", at=AT)
    assert info.value.code == "journal_status"
    assert journal.state.status is JournalStatus.POSTED
    assert journal.state.description == "Cash sale at Gulshan site"
    assert journal.version == 2


def test_cancel_a_draft() -> None:
    journal = draft()
    journal.cancel("  duplicate entry  ", at=AT)
    assert journal.state.status is JournalStatus.CANCELLED
    assert journal.state.cancel_reason == "duplicate entry"
    assert journal.pending[-1] == JournalCancelled(reason="duplicate entry", cancelled_at=AT)


@pytest.mark.parametrize("reason", ["", "ab", "  ab  ", "x" * 501])
def test_cancel_needs_a_reason(reason: str) -> None:
    journal = draft()
    with pytest.raises(InvalidInput, match="3–500") as info:
        journal.cancel(reason, at=AT)
    assert info.value.field == "reason"
    assert journal.state.status is JournalStatus.DRAFT


def test_cancelled_journal_is_final() -> None:
    journal = draft()
    journal.cancel("duplicate entry", at=AT)
    for action in (
        lambda: journal.post(by="u", at=AT, accounts=CHART),
        lambda: journal.revise(day=DAY, description="again", reference=None, lines=sale_lines()),
        lambda: journal.cancel("duplicate entry", at=AT),
        lambda: reverse(journal),
    ):
        with pytest.raises(InvalidState, match="is CANCELLED") as info:
            action()
        assert info.value.code == "journal_status"
    assert journal.state.status is JournalStatus.CANCELLED
    assert journal.version == 2


def test_draft_cannot_be_reversed() -> None:
    journal = draft()
    with pytest.raises(InvalidState, match="only a POSTED journal can be reversed") as info:
        reverse(journal)
    assert info.value.code == "journal_status"
    assert journal.version == 1


# --- reversal -------------------------------------------------------------------------------


def test_reversal_swaps_lines_and_is_posted() -> None:
    original = posted()
    reversal = reverse(original, reason="  wrong customer  ")
    rs = reversal.state
    assert reversal.id == "j-rev"
    assert rs.type is JournalType.REVERSING
    assert rs.status is JournalStatus.POSTED
    assert rs.number == "RJ-2025-07-000001"
    assert rs.reference == f"REV-{NUMBER}"
    assert rs.reverses_id == "j-1"
    assert rs.date == date(2025, 7, 20)
    assert rs.fiscal_period == "FY2025-2026-P01"
    assert rs.currency == "BDT"
    assert rs.posted_by == "user-2"
    assert rs.posted_at == datetime(2025, 7, 20, 12, 0, tzinfo=UTC)
    # the reason is carried (issue 15)
    assert rs.description == f"Reversal of {NUMBER} (wrong customer): Cash sale at Gulshan site"
    originals = original.state.lines
    assert [(x.account_id, x.account_code) for x in rs.lines] == [
        (x.account_id, x.account_code) for x in originals
    ]
    assert [(x.debit, x.credit) for x in rs.lines] == [(x.credit, x.debit) for x in originals]
    assert [x.id for x in rs.lines] == ["rev-line-1", "rev-line-2", "rev-line-3"]
    assert not {x.id for x in rs.lines} & {x.id for x in originals}
    assert [x.description for x in rs.lines] == [
        "Reversing: cash sale",
        "Reversing: Cash sale at Gulshan site",  # no line description: the journal's
        "Reversing: Cash sale at Gulshan site",
    ]
    assert rs.lines[2].tax_code == "VAT15"  # tags are kept
    assert rs.total_debit == rs.total_credit == original.state.total_debit
    assert [type(e) for e in reversal.pending] == [JournalDrafted, JournalPosted]

    assert original.state.status is JournalStatus.REVERSED
    assert original.state.reversed_by_id == "j-rev"
    assert original.pending[-1] == JournalReversed(
        reversed_by_id="j-rev",
        reversal_date=date(2025, 7, 20),
        reason="wrong customer",
        reversed_at=datetime(2025, 7, 20, 12, 0, tzinfo=UTC),
    )
    # The original's content never changes.
    assert original.state.lines == originals
    assert original.state.posted_by == "user-1"


def test_reversal_in_a_later_fiscal_year() -> None:
    reversal = reverse(posted(), day=date(2026, 7, 1), reason=None)
    assert reversal.state.fiscal_period == "FY2026-2027-P01"
    assert reversal.state.status is JournalStatus.POSTED


def test_reversal_on_the_same_day_is_allowed() -> None:
    original = posted()
    reverse(original, day=DAY, reason=None)
    assert original.state.status is JournalStatus.REVERSED
    assert original.pending[-1].reason is None  # type: ignore[attr-defined]


def test_reversal_dated_before_the_original_refused() -> None:
    original = posted()
    with pytest.raises(
        InvalidInput, match="must not be before the journal's date 2025-07-15"
    ) as info:
        reverse(original, day=date(2025, 7, 14))
    assert info.value.field == "date"
    assert original.state.status is JournalStatus.POSTED
    assert original.version == 2


def test_reversal_reason_is_checked() -> None:
    original = posted()
    with pytest.raises(InvalidInput) as info:
        reverse(original, reason="no")
    assert info.value.field == "reason"
    assert original.state.status is JournalStatus.POSTED


def test_second_reversal_refused() -> None:
    original = posted()
    reverse(original)
    with pytest.raises(InvalidState, match="already reversed by j-rev") as info:
        reverse(original)
    assert info.value.code == "journal_already_reversed"
    assert original.version == 3
    assert original.state.reversed_by_id == "j-rev"


def test_a_reversal_without_a_reason_says_what_it_reverses() -> None:
    reversal = reverse(posted(), reason=None)
    assert reversal.state.description == f"Reversal of {NUMBER}: Cash sale at Gulshan site"


def test_reversal_description_is_capped() -> None:
    original = posted(description="x" * DESCRIPTION_MAX)
    reversal = reverse(original)
    assert len(reversal.state.description) == DESCRIPTION_MAX
    assert reversal.state.description.startswith(f"Reversal of {NUMBER} (wrong customer): xxx")
    assert all(len(x.description or "") <= DESCRIPTION_MAX for x in reversal.state.lines)


# --- events and replay ----------------------------------------------------------------------


def test_journal_events_are_registered() -> None:
    for cls in (JournalDrafted, JournalRevised, JournalPosted, JournalCancelled, JournalReversed):
        assert EVENT_TYPES[cls.event_type()] is cls


def test_replay_determinism_through_reversal() -> None:
    original = draft()
    original.revise(
        day=date(2025, 7, 16),
        description="Cash sale, revised",
        reference="INV-43",
        lines=sale_lines(),
    )
    original.post(by="user-1", at=AT, accounts=CHART)
    reversal = reverse(original)
    for journal in (original, reversal):
        fresh = replayed(journal)
        assert fresh.state == journal.state
        assert fresh.version == journal.version
    assert replayed(original).state.status is JournalStatus.REVERSED
    assert replayed(reversal).state.status is JournalStatus.POSTED


def test_replay_of_a_cancelled_draft() -> None:
    journal = draft()
    journal.cancel("entered twice", at=AT)
    assert replayed(journal).state == journal.state


@given(
    st.lists(
        st.tuples(st.dates(min_value=date(2024, 7, 1), max_value=date(2027, 6, 30)), cents),
        max_size=5,
    ),
    st.sampled_from(["post", "cancel", "reverse", "none"]),
)
def test_replay_equals_commands(revisions: list[tuple[date, int]], ending: str) -> None:
    journal = draft()
    for day, amount in revisions:
        value = str(Decimal(amount) / 100)
        lines = build_lines([line(CASH, debit=value), line(REVENUE, credit=value)], "BDT", ids())
        journal.revise(day=day, description=f"revision {value}", reference=None, lines=lines)
    if ending in {"post", "reverse"}:
        journal.post(by="u", at=AT, accounts=CHART)
    if ending == "reverse":
        reversal = reverse(journal, day=journal.state.date)
        assert replayed(reversal).state == reversal.state
    if ending == "cancel":
        journal.cancel("not needed", at=AT)
    fresh = replayed(journal)
    assert fresh.state == journal.state
    assert fresh.version == journal.version == len(journal.pending)
    if revisions:
        assert fresh.state.date == revisions[-1][0]
