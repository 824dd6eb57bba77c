"""The reads the financial statements add to the trial balance's (ADR 0047): the chart with
cash-flow classes, each account's movement over a date range and the closing entries of a
range. `SqlLedgerReader` inherits them, so a statement reads everything in one snapshot.

A movement over [from, to] is summed from what is stored, like a balance (ADR 0025): the month
totals of the months the range covers whole, and for a month it covers in part either its
days inside the range (added) or the month's total less its days outside (whichever reads
fewer days). Statements compiled once per dialect, rows fetched through the driver."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from vextrus_finance.application.reporting.statements import StatementAccount, StatementFigures
from vextrus_finance.domain.fiscal import month_key
from vextrus_finance.domain.journals import JournalType
from vextrus_finance.infrastructure.db.driver import Select
from vextrus_finance.infrastructure.db.reader import TenantReader
from vextrus_finance.infrastructure.db.schema import accounts, ledger_entries
from vextrus_finance.infrastructure.ledger.net_balances import Span, plan_for, plan_spans, span_sums

_BY_TYPE = "SELECT id FROM journals WHERE tenant_id = :tenant AND type = :type"
_BY_TYPE_SQLITE = (
    "SELECT id FROM journals INDEXED BY ix_journals_tenant_type"
    " WHERE tenant_id = :tenant AND type = :type"
)


def _tenant() -> sa.BindParameter[str]:
    return sa.bindparam("tenant", type_=accounts.c.tenant_id.type)


def _chart(*extra: sa.ColumnElement[Any]) -> Select:
    """The accounts in a currency: (id, code, name, type, cash-flow class, *extra)."""
    a = accounts
    return Select(
        sa.select(a.c.id, a.c.code, a.c.name, a.c.type, a.c.cash_flow_class, *extra).where(
            a.c.tenant_id == _tenant(),
            a.c.currency == sa.bindparam("currency", type_=a.c.currency.type),
        ),
        off_loop=True,
    )


_ACCOUNTS = _chart()
_ACCOUNTS_WITH_TOTALS = _chart(accounts.c.debit_total - accounts.c.credit_total)


def _add(into: dict[str, int], sums: Sequence[tuple[str, int]], sign: int) -> None:
    """`into` += `sign` × `sums`, per account (the first sums into an empty dict in C)."""
    if not into and sign > 0:
        into.update(sums)
        return
    get = into.get
    for account_id, net in sums:
        into[account_id] = get(account_id, 0) + sign * net


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: date) -> date:
    return _month_end(day) + timedelta(days=1)


Piece = tuple[str, Any, Any, int]  # ("months" | "days", low, high, sign)


def range_pieces(date_from: date, date_to: date) -> list[Piece]:
    """The stored sums that add up to the movement over [date_from, date_to]."""
    pieces: list[Piece] = []
    first_whole, last_whole = date_from.replace(day=1), date_to.replace(day=1)
    if date_from.replace(day=1) == date_to.replace(day=1):  # one month
        if date_from.day == 1 and date_to == _month_end(date_to):
            return [("months", month_key(date_from), month_key(date_to), 1)]
        return [("days", date_from, date_to, 1)]
    if date_from.day != 1:
        inside = (_month_end(date_from) - date_from).days + 1
        if inside <= date_from.day - 1:
            pieces.append(("days", date_from, _month_end(date_from), 1))
            first_whole = _next_month(date_from)
        else:  # the whole month less the days before `date_from`
            pieces.append(("days", date_from.replace(day=1), date_from - timedelta(days=1), -1))
    if date_to != _month_end(date_to):
        if date_to.day <= (_month_end(date_to) - date_to).days:
            pieces.append(("days", date_to.replace(day=1), date_to, 1))
            last_whole = date_to.replace(day=1) - timedelta(days=1)
        else:  # the whole month less the days after `date_to`
            pieces.append(("days", date_to + timedelta(days=1), _month_end(date_to), -1))
    if first_whole <= last_whole:
        pieces.append(("months", month_key(first_whole), month_key(last_whole), 1))
    return pieces


class StatementQueries(TenantReader):
    async def statement_accounts(self, currency: str) -> list[StatementAccount]:
        """Every account in `currency`: (id, code, name, type, cash-flow class)."""
        rows = await _ACCOUNTS.rows(self._conn, tenant=self._tenant, currency=currency)
        return [tuple(row) for row in rows]

    async def movements(self, date_from: date, date_to: date) -> dict[str, int]:
        """Σ debit − credit per account of the ledger entries dated in [date_from, date_to]
        (every journal, the close included), from the month totals and at most two partial
        months' days. Accounts that did not move may be missing."""
        moved: dict[str, int] = {}
        for kind, low, high, sign in range_pieces(date_from, date_to):
            _add(moved, await span_sums(self._conn, self._tenant, (kind, low, high)), sign)
        return moved

    async def _month_range(self) -> tuple[int | None, int | None]:
        raise NotImplementedError  # SqlLedgerReader's: the first and last stored months

    async def balances_and_movements(
        self, currency: str, date_from: date, date_to: date
    ) -> StatementFigures:
        """In one pass over the stored rows: every account in `currency` with its cash-flow
        class and its balance at the end of `date_to` (the trial balance's plan, ADR 0025),
        the movements over [date_from, date_to] and the range's closing movements (every
        journal included in the first two). A span both sums need — usually the days of
        `date_to`'s month — is read once, and the chart once with its all-time totals."""
        first, last = await self._month_range()
        plan = plan_for(date_to, first, last)
        read: dict[Span, Sequence[tuple[str, int]]] = {}

        async def sums(span: Span) -> Sequence[tuple[str, int]]:
            if span not in read:
                read[span] = await span_sums(self._conn, self._tenant, span)
            return read[span]

        moved: dict[str, int] = {}
        for kind, low, high, sign in range_pieces(date_from, date_to):
            _add(moved, await sums((kind, low, high)), sign)
        to_balance: dict[str, int] = {}
        for span, sign in plan_spans(plan):
            _add(to_balance, await sums(span), sign)
        rows = await _ACCOUNTS_WITH_TOTALS.rows(self._conn, tenant=self._tenant, currency=currency)
        get = to_balance.get
        from_totals = plan.from_totals
        chart = [
            (i, code, name, kind, flow, (total if from_totals else 0) + get(i, 0))
            for i, code, name, kind, flow, total in rows
        ]
        return chart, moved, await self.closing_movements(date_from, date_to)

    async def closing_movements(self, date_from: date, date_to: date) -> dict[str, int]:
        """Σ debit − credit per account of the ledger entries dated in [date_from, date_to] of
        CLOSING journals and of the journals reversing them (a reopened year's close and its
        reversal are left out together). The closing journals are found first through the
        (tenant_id, type) index — one per closed year, usually none — so a tenant that never
        closed a year pays one index probe; their entries are then read by journal key.
        SQLite is told to use the index: its statistics count every journal under a handful
        of types and would scan the table for a rare one."""
        sqlite = self._conn.dialect.name == "sqlite"
        by_type = _BY_TYPE_SQLITE if sqlite else _BY_TYPE

        async def ids(kind: JournalType, reversing: list[str] | None = None) -> list[str]:
            query = sa.text(by_type)
            params: dict[str, Any] = {"tenant": self._tenant, "type": kind.value}
            if reversing is not None:
                query = sa.text(by_type + " AND reverses_id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                )
                params["ids"] = reversing
            return [str(i) for i in (await self._conn.execute(query, params)).scalars()]

        closing = await ids(JournalType.CLOSING)
        if not closing:
            return {}
        reversals = await ids(JournalType.REVERSING, closing)
        le = ledger_entries
        rows = await self._conn.execute(
            sa.select(le.c.account_id, sa.func.sum(le.c.debit - le.c.credit))
            .where(
                le.c.tenant_id == self._tenant,
                le.c.journal_id.in_([*closing, *reversals]),
                le.c.entry_date.between(date_from, date_to),
            )
            .group_by(le.c.account_id)
        )
        return {account_id: int(net) for account_id, net in rows if net}
