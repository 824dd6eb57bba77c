"""The read port: tenant-scoped queries over the read models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from vextrus_finance.application.ledger.views import (
    AccountView,
    BalanceRow,
    FiscalYearsSeen,
    JournalView,
    LedgerPage,
    NetBalanceRow,
    Page,
    PeriodView,
)
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.fiscal import FiscalYear
from vextrus_finance.domain.journals import JournalStatus, JournalType


@dataclass(frozen=True)
class JournalFilter:
    status: JournalStatus | None = None
    type: JournalType | None = None
    period: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    account_id: str | None = None  # journals with a line on this account
    account_code: str | None = None
    reference: str | None = None


class LedgerReader(Protocol):
    async def account(self, account_id: str) -> AccountView | None: ...

    async def account_by_code(self, code: str) -> AccountView | None: ...

    async def accounts(
        self,
        *,
        account_type: AccountType | None,
        active: bool | None,
        limit: int,
        cursor: str | None,
    ) -> Page[AccountView]: ...

    async def accounts_as_of(self, views: Sequence[AccountView], as_of: date) -> list[AccountView]:
        """These accounts with totals and balance at the end of `as_of`."""
        ...

    async def journal(self, journal_id: str) -> JournalView | None: ...

    async def journal_by_number(self, number: str) -> JournalView | None: ...

    async def journals_by_ids(self, journal_ids: Sequence[str]) -> list[JournalView]:
        """These journals in the given order (ids that are not found are left out), read with
        two statements however many there are."""
        ...

    async def journals(
        self, where: JournalFilter, *, limit: int, cursor: str | None
    ) -> Page[JournalView]: ...

    async def balances_as_of(self, as_of: date, currency: str) -> list[BalanceRow]: ...

    async def net_balances_as_of(self, as_of: date, currency: str) -> list[NetBalanceRow]:
        """The same balances as `balances_as_of`, as debits minus credits in integer paisa, in
        no particular order: what the trial balance needs, at the least cost per account."""
        ...

    async def ledger(
        self,
        account: AccountView,
        *,
        date_from: date | None,
        date_to: date | None,
        limit: int,
        cursor: str | None,
    ) -> LedgerPage: ...

    async def closed_or_reopened_periods(self, fiscal_year: FiscalYear) -> list[PeriodView]: ...

    async def fiscal_years_seen(self) -> FiscalYearsSeen:
        """The first day of activity and the fiscal years' read model (ADR 0048)."""
        ...
