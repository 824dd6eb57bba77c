"""Driving the application layer directly (no HTTP) for integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_settings
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ledger.accounts import OpenAccount, open_account
from vextrus_finance.application.ledger.journals import CreateJournal, LineSpec, create_journal
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.domain.accounts import AccountType, BalanceLimit

T = TypeVar("T")


async def run(
    container: Container,
    tenant: str,
    decide: Callable[[UnitOfWork], Awaitable[T]],
    user: str = "tester",
) -> T:
    ctx = RequestContext(tenant_id=tenant, user_id=user)
    return (await container.runner.run(ctx, decide)).value


async def open_accounts(
    container: Container,
    tenant: str,
    specs: Sequence[tuple[str, AccountType]],
    limits: dict[str, BalanceLimit] | None = None,
) -> dict[str, str]:
    """Open accounts by (code, type); returns code → id."""
    limits = limits or {}

    async def decide(uow: UnitOfWork) -> dict[str, str]:
        ids = {}
        for code, account_type in specs:
            ids[code] = await open_account(
                uow,
                OpenAccount(
                    code=code,
                    name=f"Account {code}",
                    type=account_type,
                    balance_limit=limits.get(code),
                ),
            )
        return ids

    return await run(container, tenant, decide)


def lines(*entries: tuple[str, str, str]) -> tuple[LineSpec, ...]:
    """(account code, debit, credit) triples."""
    return tuple(LineSpec(None, code, Decimal(d), Decimal(c)) for code, d, c in entries)


async def journal(
    container: Container,
    tenant: str,
    day: date,
    *entries: tuple[str, str, str],
    post: bool = True,
) -> str:
    command = CreateJournal(day, "integration test", lines(*entries), post=post)
    return await run(container, tenant, lambda uow: create_journal(uow, command))


STANDARD = [
    ("1000", AccountType.ASSET),
    ("1100", AccountType.ASSET),
    ("2000", AccountType.LIABILITY),
    ("3000", AccountType.EQUITY),
    ("4000", AccountType.REVENUE),
    ("5000", AccountType.EXPENSE),
]


async def run_examples(
    database_url: str,
    scenario: Callable[[Container, st.DataObject], Awaitable[None]],
    *,
    max_examples: int,
) -> None:
    """Run a Hypothesis scenario, each example on a fresh container of its own. Hypothesis
    drives a synchronous function and each example runs its own event loop, so the whole
    search runs in a worker thread, away from the test's loop."""

    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        async def example() -> None:
            container = bootstrap(make_settings(database_url))
            try:
                await scenario(container, data)
            finally:
                await container.close()

        asyncio.run(example())

    await asyncio.to_thread(check)
