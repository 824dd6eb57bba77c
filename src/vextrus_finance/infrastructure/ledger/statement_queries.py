"""The two reads the financial statements add to the trial balance's (ADR 0047): the closing
entries of a date range and each account's cash-flow class. `SqlLedgerReader` inherits them,
so a statement reads everything in the reader's one snapshot."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from vextrus_finance.domain.accounts import CashFlowClass
from vextrus_finance.domain.journals import JournalType
from vextrus_finance.infrastructure.db.reader import TenantReader
from vextrus_finance.infrastructure.db.schema import accounts, journals, ledger_entries

_CLASS_BY_VALUE = {c.value: c for c in CashFlowClass}


class StatementQueries(TenantReader):
    async def closing_movements(
        self, date_from: date, date_to: date, currency: str
    ) -> dict[str, int]:
        """Σ debit − credit per account of the ledger entries dated in [date_from, date_to] of
        CLOSING journals and of the journals reversing them (a reopened year's close and its
        reversal are left out together). The closing journals are found first through the
        (tenant_id, type) index — one per closed year, usually none — so a tenant that never
        closed a year pays one index probe; their entries are then read by journal key."""
        j = journals
        closing = (
            (
                await self._conn.execute(
                    sa.select(j.c.id).where(
                        j.c.tenant_id == self._tenant, j.c.type == JournalType.CLOSING.value
                    )
                )
            )
            .scalars()
            .all()
        )
        if not closing:
            return {}
        reversals = (
            (
                await self._conn.execute(
                    sa.select(j.c.id).where(
                        j.c.tenant_id == self._tenant,
                        j.c.type == JournalType.REVERSING.value,
                        j.c.reverses_id.in_(closing),
                    )
                )
            )
            .scalars()
            .all()
        )
        le = ledger_entries
        rows = await self._conn.execute(
            sa.select(le.c.account_id, sa.func.sum(le.c.debit - le.c.credit))
            .where(
                le.c.tenant_id == self._tenant,
                le.c.journal_id.in_([*closing, *reversals]),
                le.c.entry_date.between(date_from, date_to),
                le.c.currency == currency,
            )
            .group_by(le.c.account_id)
        )
        return {account_id: int(net) for account_id, net in rows if net}

    async def cash_flow_classes(self, currency: str) -> dict[str, CashFlowClass]:
        a = accounts
        rows = await self._conn.execute(
            sa.select(a.c.id, a.c.cash_flow_class).where(
                a.c.tenant_id == self._tenant, a.c.currency == currency
            )
        )
        return {account_id: _CLASS_BY_VALUE[value] for account_id, value in rows}
