"""The trial balance as a pure function of stored totals, and the list of a year's periods."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vextrus_finance.application.ledger.periods import periods_of_year
from vextrus_finance.application.ledger.reports import entry_for, trial_balance
from vextrus_finance.application.ledger.views import BalanceRow, PeriodView, TypeTotals
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.fiscal import FiscalYear, PeriodStatus

AS_OF = date(2026, 1, 31)
D = Decimal


def row(
    code: str,
    account_type: AccountType,
    debit: str = "0.00",
    credit: str = "0.00",
    *,
    active: bool = True,
    name: str | None = None,
) -> BalanceRow:
    return BalanceRow(
        account_id=f"id-{code}",
        code=code,
        name=name or f"Account {code}",
        type=account_type,
        is_active=active,
        debit_total=D(debit),
        credit_total=D(credit),
    )


def balanced_rows() -> list[BalanceRow]:
    return [
        row("4000", AccountType.REVENUE, "0.00", "1000.00", name="Sales"),
        row("1010", AccountType.ASSET, "1150.00", "300.00", name="Cash"),
        row("2100", AccountType.LIABILITY, "0.00", "150.00", name="VAT payable"),
        row("5000", AccountType.EXPENSE, "300.00", "0.00", name="Site costs"),
    ]


# --- one entry ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account_type", "debit", "credit", "column_debit", "column_credit", "net"),
    [
        (AccountType.ASSET, "500.00", "200.00", "300.00", "0.00", "300.00"),
        (AccountType.EXPENSE, "75.50", "0.00", "75.50", "0.00", "75.50"),
        (AccountType.LIABILITY, "100.00", "400.00", "0.00", "300.00", "300.00"),
        (AccountType.EQUITY, "0.00", "1000.00", "0.00", "1000.00", "1000.00"),
        (AccountType.REVENUE, "0.00", "250.00", "0.00", "250.00", "250.00"),
        # Negative balances (against the normal side) go to the other column.
        (AccountType.ASSET, "100.00", "250.00", "0.00", "150.00", "-150.00"),
        (AccountType.EXPENSE, "0.00", "20.00", "0.00", "20.00", "-20.00"),
        (AccountType.LIABILITY, "90.00", "40.00", "50.00", "0.00", "-50.00"),
        (AccountType.REVENUE, "10.00", "0.00", "10.00", "0.00", "-10.00"),
        # Zero balances show zero in both columns.
        (AccountType.ASSET, "10.00", "10.00", "0.00", "0.00", "0.00"),
        (AccountType.EQUITY, "0.00", "0.00", "0.00", "0.00", "0.00"),
    ],
)
def test_entry_columns(
    account_type: AccountType,
    debit: str,
    credit: str,
    column_debit: str,
    column_credit: str,
    net: str,
) -> None:
    entry = entry_for(row("1000", account_type, debit, credit))
    assert entry.debit == D(column_debit)
    assert entry.credit == D(column_credit)
    assert entry.net == D(net)
    assert entry.debit >= 0
    assert entry.credit >= 0
    assert entry.account_id == "id-1000"
    assert entry.code == "1000"
    assert entry.name == "Account 1000"
    assert entry.type is account_type


# --- the whole report -----------------------------------------------------------------------


def test_balanced_trial_balance() -> None:
    view = trial_balance(balanced_rows(), as_of=AS_OF, currency="BDT")
    assert view.as_of == AS_OF
    assert view.currency == "BDT"
    assert view.fiscal_year == "FY2025-2026"
    assert [(e.code, e.name, e.debit, e.credit, e.net) for e in view.entries] == [
        ("1010", "Cash", D("850.00"), D("0.00"), D("850.00")),
        ("2100", "VAT payable", D("0.00"), D("150.00"), D("150.00")),
        ("4000", "Sales", D("0.00"), D("1000.00"), D("1000.00")),
        ("5000", "Site costs", D("300.00"), D("0.00"), D("300.00")),
    ]
    assert view.totals.debit == D("1150.00")
    assert view.totals.credit == D("1150.00")
    assert view.totals.variance == D("0.00")
    assert view.totals.balanced is True


def test_negative_balances_keep_the_report_balanced() -> None:
    rows = [
        row("1010", AccountType.ASSET, "100.00", "400.00"),  # overdrawn: credit column 300
        row("1020", AccountType.ASSET, "500.00", "0.00"),
        row("2000", AccountType.LIABILITY, "0.00", "200.00"),
    ]
    view = trial_balance(rows, as_of=AS_OF, currency="BDT")
    assert [(e.debit, e.credit) for e in view.entries] == [
        (D("0.00"), D("300.00")),
        (D("500.00"), D("0.00")),
        (D("0.00"), D("200.00")),
    ]
    assert view.totals.debit == view.totals.credit == D("500.00")
    assert view.totals.balanced


def test_unbalanced_by_a_paisa() -> None:
    rows = [
        row("1010", AccountType.ASSET, "100.00", "0.00"),
        row("4000", AccountType.REVENUE, "0.00", "99.99"),
    ]
    view = trial_balance(rows, as_of=AS_OF, currency="BDT")
    assert view.totals.debit == D("100.00")
    assert view.totals.credit == D("99.99")
    assert view.totals.variance == D("0.01")
    assert view.totals.balanced is False


def test_variance_is_debit_minus_credit() -> None:
    rows = [
        row("1010", AccountType.ASSET, "50.00", "0.00"),
        row("4000", AccountType.REVENUE, "0.00", "80.00"),
    ]
    totals = trial_balance(rows, as_of=AS_OF, currency="BDT").totals
    assert totals.variance == D("-30.00")
    assert not totals.balanced


def test_by_type_has_all_five_types() -> None:
    view = trial_balance(balanced_rows(), as_of=AS_OF, currency="BDT")
    assert set(view.by_type) == set(AccountType)
    assert view.by_type[AccountType.ASSET] == TypeTotals(D("850.00"), D("0.00"), D("850.00"), 1)
    assert view.by_type[AccountType.LIABILITY] == TypeTotals(D("0.00"), D("150.00"), D("150.00"), 1)
    assert view.by_type[AccountType.REVENUE] == TypeTotals(D("0.00"), D("1000.00"), D("1000.00"), 1)
    assert view.by_type[AccountType.EXPENSE] == TypeTotals(D("300.00"), D("0.00"), D("300.00"), 1)
    assert view.by_type[AccountType.EQUITY] == TypeTotals(D("0.00"), D("0.00"), D("0.00"), 0)


def test_by_type_sums_several_accounts_and_mixed_signs() -> None:
    rows = [
        row("1010", AccountType.ASSET, "100.00", "0.00"),
        row("1020", AccountType.ASSET, "0.00", "30.00"),
        row("1030", AccountType.ASSET, "20.00", "0.00"),
    ]
    view = trial_balance(rows, as_of=AS_OF, currency="BDT")
    assert view.by_type[AccountType.ASSET] == TypeTotals(
        debit=D("120.00"), credit=D("30.00"), net=D("90.00"), count=3
    )


def test_empty_trial_balance() -> None:
    view = trial_balance([], as_of=AS_OF, currency="BDT")
    assert view.entries == []
    assert view.totals.debit == view.totals.credit == D("0.00")
    assert view.totals.variance == D("0.00")
    assert view.totals.balanced is True
    assert set(view.by_type) == set(AccountType)
    assert all(t == TypeTotals(D(0), D(0), D(0), 0) for t in view.by_type.values())


def test_include_zero_keeps_active_zero_accounts() -> None:
    rows = [
        *balanced_rows(),
        row("3000", AccountType.EQUITY),  # active, never used
        row("1090", AccountType.ASSET, "10.00", "10.00"),  # active, back to zero
        row("1099", AccountType.ASSET, active=False),  # inactive, zero
    ]
    with_zero = trial_balance(rows, as_of=AS_OF, currency="BDT")
    assert [e.code for e in with_zero.entries] == ["1010", "1090", "2100", "3000", "4000", "5000"]
    assert with_zero.by_type[AccountType.EQUITY].count == 1
    assert with_zero.by_type[AccountType.ASSET].count == 2

    without_zero = trial_balance(rows, as_of=AS_OF, currency="BDT", include_zero=False)
    assert [e.code for e in without_zero.entries] == ["1010", "2100", "4000", "5000"]
    assert without_zero.by_type[AccountType.EQUITY].count == 0
    assert without_zero.totals == with_zero.totals


def test_inactive_accounts_with_a_balance_are_always_shown() -> None:
    rows = [
        row("1010", AccountType.ASSET, "40.00", "0.00", active=False),
        row("4000", AccountType.REVENUE, "0.00", "40.00"),
    ]
    for include_zero in (True, False):
        view = trial_balance(rows, as_of=AS_OF, currency="BDT", include_zero=include_zero)
        assert [e.code for e in view.entries] == ["1010", "4000"]
        assert view.totals.balanced


def test_entries_sorted_by_code() -> None:
    codes = ["5000", "1000-01-02", "1000", "2000-10", "1000-01", "1001", "2000-02"]
    rows = [row(code, AccountType.ASSET, "1.00") for code in codes]
    view = trial_balance(rows, as_of=AS_OF, currency="BDT")
    assert [e.code for e in view.entries] == [
        "1000",
        "1000-01",
        "1000-01-02",
        "1001",
        "2000-02",
        "2000-10",
        "5000",
    ]


@pytest.mark.parametrize(
    ("as_of", "label"),
    [
        (date(2025, 6, 30), "FY2024-2025"),
        (date(2025, 7, 1), "FY2025-2026"),
        (date(2026, 6, 30), "FY2025-2026"),
    ],
)
def test_fiscal_year_label_from_as_of(as_of: date, label: str) -> None:
    assert trial_balance([], as_of=as_of, currency="BDT").fiscal_year == label


def test_explicit_fiscal_year_wins() -> None:
    view = trial_balance([], as_of=date(2026, 8, 1), currency="BDT", fiscal_year=FiscalYear(2025))
    assert view.fiscal_year == "FY2025-2026"


amounts = st.decimals(min_value=0, max_value=D("1e12"), places=2)
rows_strategy = st.lists(
    st.tuples(st.sampled_from(list(AccountType)), amounts, amounts, st.booleans()),
    max_size=15,
)


@given(rows_strategy, st.booleans())
def test_report_invariants(raw: list[tuple[AccountType, D, D, bool]], include_zero: bool) -> None:
    rows = [
        row(f"{1000 + i:04d}", t, str(debit), str(credit), active=active)
        for i, (t, debit, credit, active) in enumerate(raw)
    ]
    view = trial_balance(rows, as_of=AS_OF, currency="BDT", include_zero=include_zero)
    # Every non-zero account appears; columns are never both set and never negative.
    nonzero = {r.code for r in rows if r.debit_total != r.credit_total}
    assert nonzero <= {e.code for e in view.entries}
    for entry in view.entries:
        assert entry.debit >= 0
        assert entry.credit >= 0
        assert entry.debit == 0 or entry.credit == 0
        assert entry.debit - entry.credit == (entry.net if entry.type.debit_normal else -entry.net)
    # The columns preserve the ledger's own debit − credit difference.
    ledger = sum((r.debit_total - r.credit_total for r in rows), D(0))
    assert view.totals.variance == ledger
    assert view.totals.balanced == (ledger == 0)
    assert view.totals.debit == sum((e.debit for e in view.entries), D(0))
    assert sum(t.count for t in view.by_type.values()) == len(view.entries)
    assert sum((t.debit for t in view.by_type.values()), D(0)) == view.totals.debit
    assert sum((t.credit for t in view.by_type.values()), D(0)) == view.totals.credit
    assert [e.code for e in view.entries] == sorted(e.code for e in view.entries)


@given(st.lists(st.tuples(st.sampled_from(list(AccountType)), amounts), max_size=10))
def test_double_entry_postings_always_balance(postings: list[tuple[AccountType, D]]) -> None:
    """Each posting debits one account and credits a suspense account by the same amount:
    whatever the types, the trial balance of the result balances."""
    rows = [
        row(f"{2000 + i:04d}", t, str(amount), "0.00") for i, (t, amount) in enumerate(postings)
    ]
    total = sum((amount for _, amount in postings), D("0.00"))
    rows.append(row("9999", AccountType.LIABILITY, "0.00", str(total)))
    totals = trial_balance(rows, as_of=AS_OF, currency="BDT").totals
    assert totals.balanced
    assert totals.variance == 0
    assert totals.debit == totals.credit


# --- the periods of a year ------------------------------------------------------------------


def test_periods_of_year_lists_twelve_open_periods() -> None:
    periods = periods_of_year(FiscalYear(2025), [])
    assert [p.code for p in periods] == [f"FY2025-2026-P{n:02d}" for n in range(1, 13)]
    assert all(p.status is PeriodStatus.OPEN for p in periods)
    assert all(p.fiscal_year == "FY2025-2026" for p in periods)
    assert all(p.version == 0 and p.changed_at is None and p.reason is None for p in periods)
    assert periods[0].start == date(2025, 7, 1)
    assert periods[0].end == date(2025, 7, 31)
    assert periods[7].end == date(2026, 2, 28)
    assert periods[11].end == date(2026, 6, 30)


def test_periods_of_year_overlays_changed_periods() -> None:
    changed_at = datetime(2025, 8, 3, tzinfo=UTC)
    closed_july = PeriodView(
        code="FY2025-2026-P01",
        fiscal_year="FY2025-2026",
        start=date(2025, 7, 1),
        end=date(2025, 7, 31),
        status=PeriodStatus.CLOSED,
        changed_at=changed_at,
        changed_by="fm-1",
        reason="month-end close",
        version=1,
    )
    reopened_march = PeriodView(
        code="FY2025-2026-P09",
        fiscal_year="FY2025-2026",
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        status=PeriodStatus.OPEN,
        changed_at=changed_at,
        changed_by="cfo",
        reason="late bill",
        version=2,
    )
    periods = periods_of_year(FiscalYear(2025), [reopened_march, closed_july])
    assert len(periods) == 12
    assert periods[0] is closed_july
    assert periods[8] is reopened_march
    assert [p.status for p in periods] == [PeriodStatus.CLOSED] + [PeriodStatus.OPEN] * 11
    assert [p.code for p in periods] == [f"FY2025-2026-P{n:02d}" for n in range(1, 13)]
    assert periods[1].version == 0


def test_periods_of_year_ignores_other_years() -> None:
    other = PeriodView(
        code="FY2024-2025-P01",
        fiscal_year="FY2024-2025",
        start=date(2024, 7, 1),
        end=date(2024, 7, 31),
        status=PeriodStatus.CLOSED,
        changed_at=None,
        changed_by=None,
        reason=None,
        version=1,
    )
    periods = periods_of_year(FiscalYear(2025), [other])
    assert len(periods) == 12
    assert all(p.status is PeriodStatus.OPEN for p in periods)
    assert other not in periods
