"""Chart of accounts: codes, names, hierarchy, deactivation, balance limits and replay."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vextrus_finance.domain.accounts import (
    Account,
    AccountBalance,
    AccountBalanceLimitChanged,
    AccountDeactivated,
    AccountOpened,
    AccountParentChanged,
    AccountRenamed,
    AccountState,
    AccountType,
    BalanceLimit,
    CashFlowClass,
    ParentRef,
    check_balance_limits,
    signed_balance,
    validate_code,
    validate_currency,
    validate_name,
    validate_reason,
)
from vextrus_finance.domain.errors import InvalidInput, InvalidState
from vextrus_finance.domain.events import EVENT_TYPES, DomainEvent

AT = datetime(2025, 8, 1, 10, 30, tzinfo=UTC)
REASON = "merged into the main cash account"


def open_account(
    account_id: str = "acc-cash",
    *,
    code: str = "1000",
    name: str = "Cash in hand",
    account_type: AccountType = AccountType.ASSET,
    currency: str = "BDT",
    parent: ParentRef | None = None,
    balance_limit: BalanceLimit | None = None,
) -> Account:
    return Account.open(
        account_id,
        code=code,
        name=name,
        account_type=account_type,
        currency=currency,
        parent=parent,
        balance_limit=balance_limit,
    )


def replayed(account: Account) -> Account:
    fresh = Account(account.id)
    for event in account.pending:
        fresh.replay(event)
    return fresh


def asset_parent(
    parent_id: str = "acc-parent",
    *,
    active: bool = True,
    account_type: AccountType = AccountType.ASSET,
) -> ParentRef:
    return ParentRef(id=parent_id, type=account_type, is_active=active)


# --- account types and balances -------------------------------------------------------------


def test_account_types_and_normal_sides() -> None:
    assert {t.value for t in AccountType} == {"ASSET", "LIABILITY", "EQUITY", "REVENUE", "EXPENSE"}
    debit_normal = {t for t in AccountType if t.debit_normal}
    assert debit_normal == {AccountType.ASSET, AccountType.EXPENSE}


@pytest.mark.parametrize(
    ("account_type", "debit", "credit", "expected"),
    [
        (AccountType.ASSET, "100.00", "30.00", "70.00"),
        (AccountType.ASSET, "30.00", "100.00", "-70.00"),
        (AccountType.EXPENSE, "5.50", "0.00", "5.50"),
        (AccountType.LIABILITY, "100.00", "30.00", "-70.00"),
        (AccountType.LIABILITY, "30.00", "100.00", "70.00"),
        (AccountType.EQUITY, "0.00", "1000.00", "1000.00"),
        (AccountType.REVENUE, "10.00", "250.00", "240.00"),
        (AccountType.REVENUE, "0.00", "0.00", "0.00"),
    ],
)
def test_signed_balance_on_normal_side(
    account_type: AccountType, debit: str, credit: str, expected: str
) -> None:
    assert signed_balance(account_type, Decimal(debit), Decimal(credit)) == Decimal(expected)


amounts = st.decimals(min_value=0, max_value=Decimal("1e12"), places=2)


@given(st.sampled_from(list(AccountType)), amounts, amounts)
def test_signed_balance_properties(
    account_type: AccountType, debit: Decimal, credit: Decimal
) -> None:
    balance = signed_balance(account_type, debit, credit)
    assert balance == -signed_balance(account_type, credit, debit)
    assert balance == (debit - credit if account_type.debit_normal else credit - debit)


# --- codes, names, currencies, reasons ------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["1000", "1000-01", "1000-01-02", "0000", "9999-99", "1100-10-20-30", "5210-00"]
)
def test_valid_codes(code: str) -> None:
    assert validate_code(code) == code


def test_code_is_trimmed() -> None:
    assert validate_code("  1000-01 ") == "1000-01"


@pytest.mark.parametrize(
    "code",
    [
        "123",
        "12345",
        "1000-1",
        "1000-",
        "-1000",
        "ABCD",
        "1000-001",
        "1000--01",
        "1000_01",
        "1000.01",
        "1000-01-",
        "1000-ab",
        "100A",
        "",
        "1000 01",
        "10000-01",
        "১০০০",  # Bengali digits: not the ASCII code the spec means
        "１０００",  # full-width digits
    ],
)
def test_invalid_codes(code: str) -> None:
    with pytest.raises(InvalidInput, match="must look like 1000, 1000-01 or 1000-01-02") as info:
        validate_code(code)
    assert info.value.field == "code"


@given(st.from_regex(r"[0-9]{4}(-[0-9]{2}){0,4}", fullmatch=True))
def test_every_code_of_the_pattern_is_valid(code: str) -> None:
    assert validate_code(code) == code


@given(st.text(alphabet="0123456789-", min_size=1, max_size=14))
def test_codes_outside_the_pattern_are_refused(code: str) -> None:
    parts = code.split("-")
    matches = len(parts[0]) == 4 and all(len(p) == 2 for p in parts[1:])
    if matches:
        assert validate_code(code) == code
    else:
        with pytest.raises(InvalidInput):
            validate_code(code)


@pytest.mark.parametrize(
    ("name", "stored"),
    [("Abc", "Abc"), ("  Cash  ", "Cash"), ("x" * 255, "x" * 255), ("নগদ টাকা", "নগদ টাকা")],
)
def test_valid_names(name: str, stored: str) -> None:
    assert validate_name(name) == stored


@pytest.mark.parametrize("name", ["", "ab", "   ab   ", "x" * 256, "     "])
def test_invalid_names(name: str) -> None:
    with pytest.raises(InvalidInput, match="3–255 characters") as info:
        validate_name(name)
    assert info.value.field == "name"


@pytest.mark.parametrize("currency", ["BDT", "USD", "EUR"])
def test_valid_currencies(currency: str) -> None:
    assert validate_currency(currency) == currency


@pytest.mark.parametrize("currency", ["bdt", "BD", "BDTX", "", "B1T", " BDT"])
def test_invalid_currencies(currency: str) -> None:
    with pytest.raises(InvalidInput, match="ISO 4217") as info:
        validate_currency(currency)
    assert info.value.field == "currency"


def test_reason_bounds() -> None:
    assert validate_reason("x" * 10) == "x" * 10
    assert validate_reason("x" * 500) == "x" * 500
    assert validate_reason("   0123456789   ") == "0123456789"
    for bad in ["x" * 9, "x" * 501, "   short   ", ""]:
        with pytest.raises(InvalidInput, match="10–500 characters") as info:
            validate_reason(bad)
        assert info.value.field == "reason"


def test_reason_custom_bounds_and_field() -> None:
    assert validate_reason("abc", minimum=3) == "abc"
    with pytest.raises(InvalidInput, match="3–500") as info:
        validate_reason("ab", minimum=3, field="cancel.reason")
    assert info.value.field == "cancel.reason"


# --- opening --------------------------------------------------------------------------------


def test_open_emits_account_opened_with_clean_values() -> None:
    account = open_account(code=" 1000-01 ", name="  Cash in hand  ")
    assert account.exists
    assert account.version == 1
    assert account.committed_version == 0
    assert account.pending == [
        AccountOpened(
            code="1000-01",
            name="Cash in hand",
            type=AccountType.ASSET,
            parent_id=None,
            currency="BDT",
            balance_limit=None,
            cash_flow_class=CashFlowClass.OPERATING,
        )
    ]
    assert account.state == AccountState(
        code="1000-01",
        name="Cash in hand",
        type=AccountType.ASSET,
        parent_id=None,
        currency="BDT",
        balance_limit=None,
        is_active=True,
        deactivation_reason=None,
        deactivated_at=None,
        cash_flow_class_set=CashFlowClass.OPERATING,
    )


def test_open_with_parent_and_limit() -> None:
    account = open_account(
        code="1000-01", parent=asset_parent(), balance_limit=BalanceLimit.NON_NEGATIVE
    )
    assert account.state.parent_id == "acc-parent"
    assert account.state.balance_limit is BalanceLimit.NON_NEGATIVE
    assert BalanceLimit.NON_NEGATIVE == "non_negative"


@pytest.mark.parametrize(
    ("kwargs", "field", "match"),
    [
        ({"code": "123"}, "code", "must look like"),
        ({"name": "ab"}, "name", "3–255"),
        ({"currency": "bdt"}, "currency", "ISO 4217"),
        (
            {"parent": asset_parent(account_type=AccountType.LIABILITY)},
            "parent_id",
            "LIABILITY account; a ASSET account needs a ASSET parent",
        ),
        ({"parent": asset_parent(active=False)}, "parent_id", "inactive"),
    ],
)
def test_open_refuses_bad_input(kwargs: dict[str, object], field: str, match: str) -> None:
    with pytest.raises(InvalidInput, match=match) as info:
        open_account(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert info.value.code == "invalid_input"


@pytest.mark.parametrize("account_type", list(AccountType))
def test_parent_must_have_the_same_type(account_type: AccountType) -> None:
    for parent_type in AccountType:
        parent = asset_parent(account_type=parent_type)
        if parent_type is account_type:
            account = open_account(account_type=account_type, parent=parent)
            assert account.state.parent_id == parent.id
        else:
            with pytest.raises(InvalidInput) as info:
                open_account(account_type=account_type, parent=parent)
            assert info.value.field == "parent_id"


def test_account_without_events_has_no_state() -> None:
    account = Account("nothing")
    assert not account.exists
    with pytest.raises(InvalidState, match="account nothing has no events"):
        _ = account.state


# --- rename and parent ----------------------------------------------------------------------


def test_rename() -> None:
    account = open_account()
    account.rename("  Petty cash  ")
    assert account.state.name == "Petty cash"
    assert account.pending[-1] == AccountRenamed(name="Petty cash")
    assert account.version == 2


def test_rename_to_the_same_name_emits_nothing() -> None:
    account = open_account(name="Cash in hand")
    account.rename(" Cash in hand ")
    assert account.version == 1
    assert len(account.pending) == 1


def test_rename_refuses_bad_name_and_emits_nothing() -> None:
    account = open_account()
    with pytest.raises(InvalidInput) as info:
        account.rename("x")
    assert info.value.field == "name"
    assert account.state.name == "Cash in hand"
    assert len(account.pending) == 1


def test_change_parent_and_back_to_root() -> None:
    account = open_account("acc-child", code="1000-01")
    account.change_parent(asset_parent("acc-a"), frozenset())
    assert account.state.parent_id == "acc-a"
    assert account.pending[-1] == AccountParentChanged(parent_id="acc-a")
    account.change_parent(asset_parent("acc-b"), frozenset({"acc-root"}))
    assert account.state.parent_id == "acc-b"
    account.change_parent(None, frozenset())
    assert account.state.parent_id is None
    assert account.pending[-1] == AccountParentChanged(parent_id=None)
    assert account.version == 4


def test_change_to_the_same_parent_emits_nothing() -> None:
    account = open_account("acc-child", parent=asset_parent("acc-a"))
    account.change_parent(asset_parent("acc-a"), frozenset())
    assert account.version == 1
    root = open_account("acc-root")
    root.change_parent(None, frozenset())
    assert root.version == 1


def test_an_account_cannot_be_its_own_parent() -> None:
    account = open_account("acc-1")
    with pytest.raises(InvalidInput, match="own ancestor") as info:
        account.change_parent(asset_parent("acc-1"), frozenset())
    assert info.value.code == "cycle"
    assert info.value.field == "parent_id"
    assert account.state.parent_id is None


def test_parent_cycle_refused() -> None:
    # acc-1 → proposed parent acc-3, whose ancestors are acc-2 and acc-1: a cycle.
    account = open_account("acc-1")
    with pytest.raises(InvalidInput, match="own ancestor") as info:
        account.change_parent(asset_parent("acc-3"), frozenset({"acc-2", "acc-1"}))
    assert info.value.code == "cycle"
    assert info.value.issues[0].field == "parent_id"
    assert info.value.issues[0].code == "cycle"
    assert account.version == 1


def test_change_parent_checks_type_and_activity() -> None:
    account = open_account("acc-1")
    with pytest.raises(InvalidInput, match="needs a ASSET parent") as info:
        account.change_parent(asset_parent("acc-2", account_type=AccountType.EXPENSE), frozenset())
    assert info.value.field == "parent_id"
    with pytest.raises(InvalidInput, match="inactive") as info:
        account.change_parent(asset_parent("acc-2", active=False), frozenset())
    assert info.value.field == "parent_id"
    assert account.version == 1


# --- balance limit --------------------------------------------------------------------------


def test_set_balance_limit() -> None:
    account = open_account()
    account.set_balance_limit(BalanceLimit.NON_NEGATIVE, Decimal("0.00"))
    assert account.state.balance_limit is BalanceLimit.NON_NEGATIVE
    assert account.pending[-1] == AccountBalanceLimitChanged(
        balance_limit=BalanceLimit.NON_NEGATIVE
    )
    account.set_balance_limit(BalanceLimit.NON_NEGATIVE, Decimal("5.00"))
    assert account.version == 2  # unchanged limit: no event
    account.set_balance_limit(None, Decimal("5.00"))
    assert account.state.balance_limit is None
    assert account.version == 3


def test_balance_limit_cannot_be_set_while_negative() -> None:
    account = open_account()
    with pytest.raises(InvalidInput, match=r"the balance is -0\.01") as info:
        account.set_balance_limit(BalanceLimit.NON_NEGATIVE, Decimal("-0.01"))
    assert info.value.field == "balance_limit"
    assert account.state.balance_limit is None
    assert account.version == 1


def test_balance_limit_can_be_removed_while_negative() -> None:
    account = open_account(balance_limit=BalanceLimit.NON_NEGATIVE)
    account.set_balance_limit(None, Decimal("-500.00"))
    assert account.state.balance_limit is None


# --- deactivation ---------------------------------------------------------------------------


def test_deactivate() -> None:
    account = open_account()
    account.deactivate(f"  {REASON}  ", balance=Decimal("0.00"), has_active_children=False, at=AT)
    assert account.state.is_active is False
    assert account.state.deactivation_reason == REASON
    assert account.state.deactivated_at == AT
    assert account.pending[-1] == AccountDeactivated(reason=REASON, deactivated_at=AT)


@pytest.mark.parametrize("reason", ["too short", "x" * 501, "         ", ""])
def test_deactivate_needs_a_reason_of_10_to_500(reason: str) -> None:
    account = open_account()
    with pytest.raises(InvalidInput, match="10–500") as info:
        account.deactivate(reason, balance=Decimal(0), has_active_children=False, at=AT)
    assert info.value.field == "reason"
    assert account.state.is_active


@pytest.mark.parametrize("balance", ["0.01", "-0.01", "1000.00"])
def test_deactivate_needs_a_zero_balance(balance: str) -> None:
    account = open_account()
    with pytest.raises(InvalidState, match=f"the balance is {balance}") as info:
        account.deactivate(REASON, balance=Decimal(balance), has_active_children=False, at=AT)
    assert info.value.code == "account_balance_not_zero"
    assert account.state.is_active
    assert account.version == 1


def test_deactivate_needs_no_active_children() -> None:
    account = open_account()
    with pytest.raises(InvalidState, match="child accounts") as info:
        account.deactivate(REASON, balance=Decimal(0), has_active_children=True, at=AT)
    assert info.value.code == "account_has_active_children"
    assert account.state.is_active


def test_deactivate_twice_refused() -> None:
    account = open_account()
    account.deactivate(REASON, balance=Decimal(0), has_active_children=False, at=AT)
    with pytest.raises(InvalidState, match="already inactive") as info:
        account.deactivate(REASON, balance=Decimal(0), has_active_children=False, at=AT)
    assert info.value.code == "account_inactive"
    assert account.version == 2


def test_inactive_account_refuses_changes() -> None:
    account = open_account()
    account.deactivate(REASON, balance=Decimal(0), has_active_children=False, at=AT)
    with pytest.raises(InvalidState, match="account 1000 is inactive") as info:
        account.rename("New name")
    assert info.value.code == "account_inactive"
    with pytest.raises(InvalidState) as info:
        account.change_parent(asset_parent(), frozenset())
    assert info.value.code == "account_inactive"
    with pytest.raises(InvalidState) as info:
        account.change_parent(None, frozenset())
    assert info.value.code == "account_inactive"
    with pytest.raises(InvalidState) as info:
        account.set_balance_limit(BalanceLimit.NON_NEGATIVE, Decimal(0))
    assert info.value.code == "account_inactive"
    assert account.version == 2
    assert account.state.name == "Cash in hand"


# --- events and replay ----------------------------------------------------------------------


def test_account_events_are_registered() -> None:
    for cls in (
        AccountOpened,
        AccountRenamed,
        AccountParentChanged,
        AccountBalanceLimitChanged,
        AccountDeactivated,
    ):
        assert EVENT_TYPES[cls.event_type()] is cls
        assert cls.event_type() == cls.__name__


def test_replay_gives_the_same_state_as_the_commands() -> None:
    account = open_account("acc-9", code="1000-01", name="Cash at Dhaka site")
    account.rename("Cash at Chattogram site")
    account.change_parent(asset_parent("acc-1"), frozenset())
    account.set_balance_limit(BalanceLimit.NON_NEGATIVE, Decimal(0))
    account.change_parent(None, frozenset())
    account.set_balance_limit(None, Decimal(0))
    account.deactivate(REASON, balance=Decimal(0), has_active_children=False, at=AT)
    assert [type(e) for e in account.pending] == [
        AccountOpened,
        AccountRenamed,
        AccountParentChanged,
        AccountBalanceLimitChanged,
        AccountParentChanged,
        AccountBalanceLimitChanged,
        AccountDeactivated,
    ]
    fresh = replayed(account)
    assert fresh.state == account.state
    assert fresh.version == account.version == 7
    assert fresh.committed_version == 7
    assert fresh.pending == []


def test_mark_committed_and_restore() -> None:
    account = open_account()
    account.rename("Cash box")
    assert account.committed_version == 0
    account.mark_committed()
    assert account.pending == []
    assert account.committed_version == account.version == 2
    snapshot = account.state
    restored = Account(account.id)
    restored.restore(2, snapshot)
    assert restored.state == snapshot
    assert restored.version == restored.committed_version == 2
    restored.rename("Cash drawer")
    assert restored.version == 3
    assert restored.committed_version == 2
    assert restored.pending == [AccountRenamed(name="Cash drawer")]


def test_replay_refuses_a_foreign_event() -> None:
    class Unrelated(DomainEvent):
        pass

    account = open_account()
    with pytest.raises(TypeError, match="Account cannot apply Unrelated"):
        account.replay(Unrelated())


@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("rename"), st.sampled_from(["Cash box", "Main cash", "Site cash"])),
            st.tuples(st.just("parent"), st.sampled_from([None, "p-1", "p-2"])),
            st.tuples(st.just("limit"), st.sampled_from([None, BalanceLimit.NON_NEGATIVE])),
        ),
        max_size=12,
    )
)
def test_replay_determinism(commands: list[tuple[str, object]]) -> None:
    account = open_account()
    for command, value in commands:
        if command == "rename":
            account.rename(str(value))
        elif command == "parent":
            account.change_parent(None if value is None else asset_parent(str(value)), frozenset())
        else:
            account.set_balance_limit(value, Decimal(0))  # type: ignore[arg-type]
    fresh = replayed(account)
    assert fresh.state == account.state
    assert fresh.version == account.version == len(account.pending)


# --- balance limits at posting --------------------------------------------------------------


def balance(
    account_id: str,
    account_type: AccountType,
    debit: str,
    credit: str,
    *,
    limit: BalanceLimit | None = BalanceLimit.NON_NEGATIVE,
    code: str = "1000",
    is_active: bool = True,
) -> AccountBalance:
    return AccountBalance(
        id=account_id,
        code=code,
        type=account_type,
        is_active=is_active,
        balance_limit=limit,
        debit_total=Decimal(debit),
        credit_total=Decimal(credit),
    )


def test_posting_to_an_account_deactivated_meanwhile_is_refused() -> None:
    # The locked read is the truth at commit: a deactivation that committed after the
    # posting first resolved its accounts must still stop it.
    balances = {"a": balance("a", AccountType.ASSET, "0", "0", limit=None, is_active=False)}
    with pytest.raises(InvalidInput) as raised:
        check_balance_limits(
            {"a": (Decimal("100.00"), Decimal(0))}, balances, field_of={"a": "lines[0].account_id"}
        )
    assert raised.value.code == "account_inactive"
    assert raised.value.issues[0].field == "lines[0].account_id"


def test_posting_to_exactly_zero_is_allowed() -> None:
    balances = {"cash": balance("cash", AccountType.ASSET, "100.00", "0.00")}
    check_balance_limits(
        {"cash": (Decimal(0), Decimal("100.00"))},
        balances,
        field_of={"cash": "lines[1].account_id"},
    )


def test_asset_going_below_zero_is_refused_and_blames_the_line() -> None:
    balances = {
        "cash": balance("cash", AccountType.ASSET, "100.00", "0.00", code="1010"),
        "expense": balance("expense", AccountType.EXPENSE, "0.00", "0.00", code="5000"),
    }
    with pytest.raises(InvalidInput, match=r"account 1010 may not go below zero.*-0\.01") as info:
        check_balance_limits(
            {
                "expense": (Decimal("100.01"), Decimal(0)),
                "cash": (Decimal(0), Decimal("100.01")),
            },
            balances,
            field_of={"expense": "lines[0].account_id", "cash": "lines[1].account_id"},
        )
    assert info.value.code == "balance_limit_exceeded"
    assert [issue.field for issue in info.value.issues] == ["lines[1].account_id"]
    assert info.value.issues[0].code == "balance_limit_exceeded"


def test_liability_going_below_zero_is_refused() -> None:
    balances = {"ap": balance("ap", AccountType.LIABILITY, "0.00", "50.00", code="2000")}
    with pytest.raises(InvalidInput, match="account 2000") as info:
        check_balance_limits(
            {"ap": (Decimal("60.00"), Decimal(0))}, balances, field_of={"ap": "lines[0].debit"}
        )
    assert info.value.field == "lines[0].debit"
    # A credit to a liability moves it further from zero on its normal side: fine.
    check_balance_limits(
        {"ap": (Decimal(0), Decimal("60.00"))}, balances, field_of={"ap": "lines[0].credit"}
    )


def test_accounts_without_limit_may_go_negative() -> None:
    balances = {"bank": balance("bank", AccountType.ASSET, "0.00", "0.00", limit=None)}
    check_balance_limits(
        {"bank": (Decimal(0), Decimal("1000000.00"))}, balances, field_of={"bank": "lines[0]"}
    )


def test_every_offending_account_is_reported() -> None:
    balances = {
        "cash": balance("cash", AccountType.ASSET, "10.00", "0.00", code="1010"),
        "bank": balance("bank", AccountType.ASSET, "10.00", "0.00", code="1020"),
        "free": balance("free", AccountType.ASSET, "0.00", "0.00", code="1030", limit=None),
        "ok": balance("ok", AccountType.ASSET, "50.00", "0.00", code="1040"),
    }
    with pytest.raises(InvalidInput) as info:
        check_balance_limits(
            {
                "cash": (Decimal(0), Decimal("20.00")),
                "free": (Decimal(0), Decimal("20.00")),
                "ok": (Decimal(0), Decimal("20.00")),
                "bank": (Decimal("5.00"), Decimal("16.00")),
            },
            balances,
            field_of={
                "cash": "lines[0].account_id",
                "free": "lines[1].account_id",
                "ok": "lines[2].account_id",
                "bank": "lines[3].account_id",
            },
        )
    assert [i.field for i in info.value.issues] == ["lines[0].account_id", "lines[3].account_id"]
    assert "-10.00" in info.value.issues[0].message
    assert "-1.00" in info.value.issues[1].message


@given(
    st.sampled_from(list(AccountType)),
    amounts,
    amounts,
    amounts,
    amounts,
    st.sampled_from([None, BalanceLimit.NON_NEGATIVE]),
)
def test_limit_refuses_exactly_when_the_balance_would_go_negative(
    account_type: AccountType,
    debit_total: Decimal,
    credit_total: Decimal,
    debit: Decimal,
    credit: Decimal,
    limit: BalanceLimit | None,
) -> None:
    balances = {
        "a": AccountBalance("a", "1000", account_type, True, limit, debit_total, credit_total),
    }
    after = signed_balance(account_type, debit_total + debit, credit_total + credit)
    if limit is BalanceLimit.NON_NEGATIVE and after < 0:
        with pytest.raises(InvalidInput) as info:
            check_balance_limits({"a": (debit, credit)}, balances, field_of={"a": "lines[0]"})
        assert info.value.field == "lines[0]"
    else:
        check_balance_limits({"a": (debit, credit)}, balances, field_of={"a": "lines[0]"})
