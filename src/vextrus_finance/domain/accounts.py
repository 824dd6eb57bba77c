"""Chart of accounts: codes, types and normal sides, hierarchy, deactivation, balance limits."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.errors import FieldIssue, InvalidInput, InvalidState
from vextrus_finance.domain.events import DomainEvent, field_values, register
from vextrus_finance.domain.limits import MAX_TOTAL
from vextrus_finance.domain.money import ZERO, format_amount

CODE_RE = re.compile(r"[0-9]{4}(-[0-9]{2})*")
CODE_MAX = 64
CURRENCY_RE = re.compile(r"[A-Z]{3}")
NAME_MIN, NAME_MAX = 3, 255
REASON_MIN, REASON_MAX = 10, 500


class AccountType(StrEnum):
    ASSET = "ASSET"
    LIABILITY = "LIABILITY"
    EQUITY = "EQUITY"
    REVENUE = "REVENUE"
    EXPENSE = "EXPENSE"

    @property
    def debit_normal(self) -> bool:
        return self in (AccountType.ASSET, AccountType.EXPENSE)


# `AccountType(value)` as a dict lookup: rows read by the thousand (trial balance, account locks)
# skip the enum's call machinery.
ACCOUNT_TYPE_BY_VALUE: dict[str, AccountType] = {t.value: t for t in AccountType}


class BalanceLimit(StrEnum):
    NON_NEGATIVE = "non_negative"


class CashFlowClass(StrEnum):
    """Where an account's movements go in the cash flow statement (indirect method): CASH
    accounts are the cash itself, OPERATING ones adjust net profit, INVESTING and FINANCING
    ones are their own sections. A revenue or expense account's class is ignored: profit
    enters the statement through net profit (ADR 0047)."""

    CASH = "CASH"
    OPERATING = "OPERATING"
    INVESTING = "INVESTING"
    FINANCING = "FINANCING"


def default_cash_flow_class(account_type: AccountType) -> CashFlowClass:
    """The class of an account opened without one (and of every account opened before classes
    existed): equity is FINANCING, everything else OPERATING. Cash, investing assets and loans
    are marked by whoever opens them (`seed` does for the standard chart)."""
    return (
        CashFlowClass.FINANCING if account_type is AccountType.EQUITY else CashFlowClass.OPERATING
    )


def signed_balance(account_type: AccountType, debit: Decimal, credit: Decimal) -> Decimal:
    """The balance on the account's normal side: positive means 'normal'."""
    return debit - credit if account_type.debit_normal else credit - debit


def validate_code(code: str, *, field: str = "code") -> str:
    code = code.strip()
    if len(code) > CODE_MAX or not CODE_RE.fullmatch(code):
        raise InvalidInput(
            f"account code {code!r} must look like 1000, 1000-01 or 1000-01-02", field=field
        )
    return code


def validate_name(name: str, *, field: str = "name") -> str:
    name = name.strip()
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise InvalidInput(f"must be {NAME_MIN}–{NAME_MAX} characters", field=field)
    return name


def validate_currency(currency: str, *, field: str = "currency") -> str:
    if not CURRENCY_RE.fullmatch(currency):
        raise InvalidInput("must be a three-letter ISO 4217 code such as BDT", field=field)
    return currency


def validate_reason(
    reason: str, *, field: str = "reason", minimum: int = REASON_MIN, maximum: int = REASON_MAX
) -> str:
    reason = reason.strip()
    if not minimum <= len(reason) <= maximum:
        raise InvalidInput(f"must be {minimum}–{maximum} characters", field=field)
    return reason


@dataclass(frozen=True)
class _Opening:
    """What an account is opened with: its state starts from these fields, in this order."""

    code: str
    name: str
    type: AccountType
    parent_id: str | None
    currency: str
    balance_limit: BalanceLimit | None


@dataclass(frozen=True)
class AccountState(_Opening):
    is_active: bool = True
    deactivation_reason: str | None = None
    deactivated_at: datetime | None = None
    # None: opened before classes existed; `cash_flow_class` answers the type's default.
    cash_flow_class_set: CashFlowClass | None = None

    @property
    def cash_flow_class(self) -> CashFlowClass:
        return self.cash_flow_class_set or default_cash_flow_class(self.type)


@dataclass(frozen=True)
class ParentRef:
    """What the chart says about a proposed parent account."""

    id: str
    type: AccountType
    is_active: bool


@register
@dataclass(frozen=True)
class AccountOpened(DomainEvent, _Opening):
    # Absent from events recorded before cash-flow classes: the type's default applies.
    cash_flow_class: CashFlowClass | None = None


@register
@dataclass(frozen=True)
class AccountCashFlowClassChanged(DomainEvent):
    cash_flow_class: CashFlowClass


@register
@dataclass(frozen=True)
class AccountRenamed(DomainEvent):
    name: str


@register
@dataclass(frozen=True)
class AccountParentChanged(DomainEvent):
    parent_id: str | None


@register
@dataclass(frozen=True)
class AccountBalanceLimitChanged(DomainEvent):
    balance_limit: BalanceLimit | None


@register
@dataclass(frozen=True)
class AccountDeactivated(DomainEvent):
    reason: str
    deactivated_at: datetime


def _check_parent(account_type: AccountType, parent: ParentRef | None) -> None:
    if parent is None:
        return
    if parent.type is not account_type:
        raise InvalidInput(
            f"the parent is a {parent.type} account; a {account_type} account needs a "
            f"{account_type} parent",
            field="parent_id",
        )
    if not parent.is_active:
        raise InvalidInput("the parent account is inactive", field="parent_id")


class Account(Aggregate[AccountState]):
    STREAM_TYPE = "account"
    STATE_TYPE = AccountState

    @classmethod
    def open(
        cls,
        account_id: str,
        *,
        code: str,
        name: str,
        account_type: AccountType,
        currency: str,
        parent: ParentRef | None,
        balance_limit: BalanceLimit | None,
        cash_flow_class: CashFlowClass | None = None,
    ) -> Account:
        code = validate_code(code)
        name = validate_name(name)
        currency = validate_currency(currency)
        _check_parent(account_type, parent)
        account = cls(account_id)
        account._emit(
            AccountOpened(
                code=code,
                name=name,
                type=account_type,
                parent_id=parent.id if parent else None,
                currency=currency,
                balance_limit=balance_limit,
                cash_flow_class=cash_flow_class or default_cash_flow_class(account_type),
            )
        )
        return account

    def _require_active(self) -> None:
        if not self.state.is_active:
            raise InvalidState(f"account {self.state.code} is inactive", code="account_inactive")

    def rename(self, name: str) -> None:
        self._require_active()
        name = validate_name(name)
        if name != self.state.name:
            self._emit(AccountRenamed(name=name))

    def change_parent(self, parent: ParentRef | None, parent_ancestors: frozenset[str]) -> None:
        """`parent_ancestors` are the ids above the proposed parent: a cycle check."""
        self._require_active()
        if parent is not None and (parent.id == self.id or self.id in parent_ancestors):
            raise InvalidInput(
                "an account cannot be its own ancestor", field="parent_id", code="cycle"
            )
        _check_parent(self.state.type, parent)
        new_id = parent.id if parent else None
        if new_id != self.state.parent_id:
            self._emit(AccountParentChanged(parent_id=new_id))

    def set_balance_limit(self, limit: BalanceLimit | None, balance: Decimal) -> None:
        self._require_active()
        if limit is BalanceLimit.NON_NEGATIVE and balance < 0:
            raise InvalidInput(
                f"the balance is {format_amount(balance)}; it must be zero or more first",
                field="balance_limit",
            )
        if limit != self.state.balance_limit:
            self._emit(AccountBalanceLimitChanged(balance_limit=limit))

    def set_cash_flow_class(self, cash_flow_class: CashFlowClass) -> None:
        self._require_active()
        if cash_flow_class is not self.state.cash_flow_class:
            self._emit(AccountCashFlowClassChanged(cash_flow_class=cash_flow_class))

    def deactivate(
        self, reason: str, *, balance: Decimal, has_active_children: bool, at: datetime
    ) -> None:
        reason = validate_reason(reason)
        if not self.state.is_active:
            raise InvalidState("the account is already inactive", code="account_inactive")
        if has_active_children:
            raise InvalidState(
                "deactivate its active child accounts first", code="account_has_active_children"
            )
        if balance != 0:
            raise InvalidState(
                f"the balance is {format_amount(balance)}; only a zero balance can be deactivated",
                code="account_balance_not_zero",
            )
        self._emit(AccountDeactivated(reason=reason, deactivated_at=at))

    def _apply(self, event: DomainEvent) -> AccountState:
        match event:
            case AccountOpened():
                return AccountState(
                    **field_values(event, _Opening), cash_flow_class_set=event.cash_flow_class
                )
            case AccountRenamed():
                return replace(self.state, name=event.name)
            case AccountParentChanged():
                return replace(self.state, parent_id=event.parent_id)
            case AccountBalanceLimitChanged():
                return replace(self.state, balance_limit=event.balance_limit)
            case AccountCashFlowClassChanged():
                return replace(self.state, cash_flow_class_set=event.cash_flow_class)
            case AccountDeactivated():
                return replace(
                    self.state,
                    is_active=False,
                    deactivation_reason=event.reason,
                    deactivated_at=event.deactivated_at,
                )
        raise TypeError(f"Account cannot apply {type(event).__name__}")


@dataclass(frozen=True)
class AccountBalance:
    """An account's limit and all-time totals, read under lock while posting."""

    id: str
    code: str
    type: AccountType
    is_active: bool
    balance_limit: BalanceLimit | None
    debit_total: Decimal
    credit_total: Decimal


def check_balance_limits(
    deltas: Mapping[str, tuple[Decimal, Decimal]],
    balances: Mapping[str, AccountBalance],
    *,
    field_of: Mapping[str, str],
) -> None:
    """Refuse a posting to an inactive account, or one that would take a `non_negative`
    account below zero. `balances` are read under lock, so they are the truth at commit.

    `deltas` maps account id to (debit, credit) added by the posting; `field_of` names the
    input field to blame for each account."""
    issues: list[FieldIssue] = []
    for account_id, (debit, credit) in deltas.items():
        account = balances[account_id]
        if not account.is_active:
            issues.append(
                FieldIssue(
                    field_of[account_id], f"account {account.code} is inactive", "account_inactive"
                )
            )
            continue
        if max(account.debit_total + debit, account.credit_total + credit) > MAX_TOTAL:
            issues.append(
                FieldIssue(
                    field_of[account_id],
                    f"account {account.code} would total more than {MAX_TOTAL}, the largest "
                    "total the ledger keeps for one account",
                    "account_total_exceeded",
                )
            )
            continue
        if account.balance_limit is not BalanceLimit.NON_NEGATIVE:
            continue
        after = signed_balance(
            account.type, account.debit_total + debit, account.credit_total + credit
        )
        if after < 0:
            issues.append(
                FieldIssue(
                    field_of[account_id],
                    f"account {account.code} may not go below zero; this posting would leave "
                    f"{format_amount(after)}",
                    "balance_limit_exceeded",
                )
            )
    if issues:
        raise InvalidInput.from_issues(issues)


def lowest_balance_from(
    account_type: AccountType,
    balance_after: Decimal,
    later: Sequence[tuple[date, Decimal, Decimal]],
) -> tuple[Decimal, date | None]:
    """The lowest balance a backdated posting leaves on its date or any later day, and that
    day (None: its own date). `balance_after` is the all-time balance with the posting,
    `later` the (date, debits, credits) of each later day, oldest first: the balance at the
    end of the posting's date is the all-time balance less everything posted after it."""
    moves = [signed_balance(account_type, debit, credit) for _, debit, credit in later]
    running = balance_after - sum(moves, ZERO)
    lowest, lowest_day = running, None
    for (day, _, _), move in zip(later, moves, strict=True):
        running += move
        if running < lowest:
            lowest, lowest_day = running, day
    return lowest, lowest_day
