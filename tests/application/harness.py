"""Running application commands on the in-memory unit of work, through the real runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

from tests.memory import MemoryBooks, MemoryUnitOfWorkFactory
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ledger.accounts import OpenAccount, open_account
from vextrus_finance.application.ledger.journals import LineSpec
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.runner import CommandRunner
from vextrus_finance.domain.accounts import AccountType, BalanceLimit
from vextrus_finance.settings import get_settings

T = TypeVar("T")
NOW = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 11:00 in Dhaka
DAY = date(2026, 11, 27)
TENANT = "t1"


class Books:
    """One tenant's books in memory, with the runner the service uses."""

    def __init__(self, *, max_attempts: int = 3) -> None:
        self.factory = MemoryUnitOfWorkFactory(
            MemoryBooks(), calendar=replace(get_settings().calendar, clock=lambda: NOW)
        )
        self.runner = CommandRunner(self.factory, max_attempts=max_attempts, base_delay_s=0)

    async def run(self, decide: Callable[[UnitOfWork], Awaitable[T]], *, user: str = "ann") -> T:
        return (await self.runner.run(RequestContext(TENANT, user), decide)).value

    async def open(
        self,
        code: str,
        account_type: AccountType,
        *,
        parent: str | None = None,
        limit: BalanceLimit | None = None,
    ) -> str:
        command = OpenAccount(
            code, f"Account {code}", account_type, parent_id=parent, balance_limit=limit
        )
        return await self.run(lambda uow: open_account(uow, command))

    async def balance(self, account_id: str) -> Decimal:
        async def read(uow: UnitOfWork) -> Decimal:
            view = await uow.reader.account(account_id)
            assert view is not None
            return view.balance

        return await self.run(read)


def lines(*spec: tuple[str, str, str]) -> tuple[LineSpec, ...]:
    """(account code, debit, credit) per line."""
    return tuple(LineSpec(None, code, Decimal(dr), Decimal(cr)) for code, dr, cr in spec)
