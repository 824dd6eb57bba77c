"""An account's cash-flow class: the type's default, an explicit class, a change as an event,
and events recorded before classes existed (ADR 0047)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from vextrus_finance.application.seed import STANDARD_CHART
from vextrus_finance.domain.accounts import (
    Account,
    AccountCashFlowClassChanged,
    AccountOpened,
    AccountType,
    CashFlowClass,
    default_cash_flow_class,
)
from vextrus_finance.domain.errors import InvalidState
from vextrus_finance.infrastructure.db.codec import decode_event, encode


def _open(kind: AccountType, flow: CashFlowClass | None = None) -> Account:
    return Account.open(
        "a1",
        code="1000",
        name="An account",
        account_type=kind,
        currency="BDT",
        parent=None,
        balance_limit=None,
        cash_flow_class=flow,
    )


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (AccountType.ASSET, CashFlowClass.OPERATING),
        (AccountType.LIABILITY, CashFlowClass.OPERATING),
        (AccountType.EQUITY, CashFlowClass.FINANCING),
        (AccountType.REVENUE, CashFlowClass.OPERATING),
        (AccountType.EXPENSE, CashFlowClass.OPERATING),
    ],
)
def test_an_account_opened_without_a_class_takes_its_types_default(
    kind: AccountType, expected: CashFlowClass
) -> None:
    assert default_cash_flow_class(kind) is expected
    account = _open(kind)
    assert account.state.cash_flow_class is expected
    opened = account.pending[0]
    assert isinstance(opened, AccountOpened)
    assert opened.cash_flow_class is expected


def test_a_class_given_is_kept_and_a_change_is_an_event() -> None:
    account = _open(AccountType.ASSET, CashFlowClass.CASH)
    assert account.state.cash_flow_class is CashFlowClass.CASH
    account.set_cash_flow_class(CashFlowClass.CASH)  # no change, no event
    assert len(account.pending) == 1
    account.set_cash_flow_class(CashFlowClass.INVESTING)
    assert account.pending[-1] == AccountCashFlowClassChanged(CashFlowClass.INVESTING)
    assert account.state.cash_flow_class is CashFlowClass.INVESTING


def test_an_inactive_account_keeps_its_class() -> None:
    account = _open(AccountType.ASSET)
    account.deactivate(
        "closed for good, no balance",
        balance=Decimal(0),
        has_active_children=False,
        at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(InvalidState):
        account.set_cash_flow_class(CashFlowClass.CASH)


def test_an_account_opened_event_recorded_before_classes_loads_with_the_default() -> None:
    data = encode(AccountOpened("3100", "Share capital", AccountType.EQUITY, None, "BDT", None))
    del data["cash_flow_class"]  # as stored before migration 0010
    event = decode_event("AccountOpened", data)
    assert isinstance(event, AccountOpened)
    assert event.cash_flow_class is None
    account = Account("a1")
    account.replay(event)
    assert account.state.cash_flow_class is CashFlowClass.FINANCING
    account.replay(AccountCashFlowClassChanged(CashFlowClass.OPERATING))
    assert account.state.cash_flow_class is CashFlowClass.OPERATING


def test_the_standard_chart_classes() -> None:
    classes = {account.code: account.cash_flow_class for account, _ in STANDARD_CHART}
    assert {c for c, k in classes.items() if k is CashFlowClass.CASH} == {
        "1100", "1110", "1120", "1120-01", "1120-02", "1120-03", "1130", "1130-01", "1130-02",
    }  # fmt: skip
    assert {c for c, k in classes.items() if k is CashFlowClass.INVESTING} == {
        "1500", "1510", "1520", "1530", "1540", "1550", "1590",
    }  # fmt: skip
    assert {c for c, k in classes.items() if k is CashFlowClass.FINANCING} == {
        "2400", "2500", "2510", "3000", "3100", "3200", "3900",
    }  # fmt: skip
    assert classes["1200"] is classes["2100"] is classes["4100"] is CashFlowClass.OPERATING
