"""Chart-of-accounts commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from vextrus_finance.application.context import new_id
from vextrus_finance.application.loading import load_existing
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.accounts import (
    Account,
    AccountType,
    BalanceLimit,
    CashFlowClass,
    ParentRef,
    signed_balance,
    validate_code,
)
from vextrus_finance.domain.errors import AlreadyExists, InvalidInput
from vextrus_finance.domain.money import BASE_CURRENCY

T = TypeVar("T")


@dataclass(frozen=True)
class OpenAccount:
    code: str
    name: str
    type: AccountType
    parent_id: str | None = None
    currency: str = BASE_CURRENCY
    balance_limit: BalanceLimit | None = None
    cash_flow_class: CashFlowClass | None = None  # None: the type's default
    # Chosen once per request so that a retried attempt recognises its own earlier commit.
    account_id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class Change(Generic[T]):
    """An optional update's new value; `None` in its place means 'leave it as it is'."""

    value: T


@dataclass(frozen=True)
class UpdateAccount:
    account_id: str
    name: str | None = None
    parent_id: Change[str | None] | None = None  # Change(None) makes it top-level
    balance_limit: Change[BalanceLimit | None] | None = None
    cash_flow_class: CashFlowClass | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class DeactivateAccount:
    account_id: str
    reason: str
    expected_version: int | None = None


async def _parent_ref(uow: UnitOfWork, parent_id: str) -> ParentRef:
    found = (await uow.accounts.by_ids([parent_id])).get(parent_id)
    if found is None:
        raise InvalidInput(f"no account {parent_id} in this tenant", field="parent_id")
    return ParentRef(found.id, found.type, found.is_active)


async def open_account(uow: UnitOfWork, cmd: OpenAccount) -> str:
    account = await uow.load(Account, cmd.account_id)
    if account.exists:
        return account.id  # an earlier attempt of this same command committed
    code = validate_code(cmd.code)
    if await uow.accounts.code_taken(code):
        raise AlreadyExists(f"account code {code} is already in use", field="code")
    parent = await _parent_ref(uow, cmd.parent_id) if cmd.parent_id else None
    account = Account.open(
        cmd.account_id,
        code=code,
        name=cmd.name,
        account_type=cmd.type,
        currency=cmd.currency,
        parent=parent,
        balance_limit=cmd.balance_limit,
        cash_flow_class=cmd.cash_flow_class,
    )
    await uow.record(account)
    return account.id


async def update_account(uow: UnitOfWork, cmd: UpdateAccount) -> str:
    account = await load_existing(
        uow, Account, cmd.account_id, what="account", expected_version=cmd.expected_version
    )
    if cmd.name is not None:
        account.rename(cmd.name)
    if cmd.parent_id is not None:
        parent_id = cmd.parent_id.value
        if parent_id is None:
            account.change_parent(None, frozenset())
        else:
            parent = await _parent_ref(uow, parent_id)
            account.change_parent(parent, await uow.accounts.ancestors(parent_id))
    if cmd.cash_flow_class is not None:
        account.set_cash_flow_class(cmd.cash_flow_class)
    if cmd.balance_limit is not None:
        totals = (await uow.accounts.lock([account.id])).balances[account.id]
        account.set_balance_limit(
            cmd.balance_limit.value,
            signed_balance(totals.type, totals.debit_total, totals.credit_total),
        )
    await uow.record(account)
    return account.id


async def deactivate_account(uow: UnitOfWork, cmd: DeactivateAccount) -> str:
    account = await load_existing(
        uow, Account, cmd.account_id, what="account", expected_version=cmd.expected_version
    )
    # Locking the balance row makes a concurrent posting to this account wait or fail.
    totals = (await uow.accounts.lock([account.id])).balances[account.id]
    account.deactivate(
        cmd.reason,
        balance=signed_balance(totals.type, totals.debit_total, totals.credit_total),
        has_active_children=await uow.accounts.has_active_children(account.id),
        at=uow.now(),
    )
    await uow.record(account)
    return account.id
