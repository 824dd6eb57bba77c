"""Tenant-scoped queries over the counterparty read model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.invoicing.counterparty_queries import (
    CounterpartyFilter,
    CounterpartyRecordView,
    StatementLine,
)
from vextrus_finance.application.ledger.views import Page
from vextrus_finance.domain.counterparties import CounterpartyKind
from vextrus_finance.domain.invoices import InvoiceKind
from vextrus_finance.domain.money import ZERO, from_minor
from vextrus_finance.domain.payments import Direction, PaymentStatus
from vextrus_finance.infrastructure.db.cursor import decode_cursor, encode_cursor
from vextrus_finance.infrastructure.db.reader import TenantReader, row_view
from vextrus_finance.infrastructure.db.schema import (
    accounts,
    counterparties,
    invoices,
    journal_lines,
    journals,
    ledger_entries,
    payments,
)
from vextrus_finance.infrastructure.ledger.control_accounts import control_accounts


def _view(m: Any) -> CounterpartyRecordView:
    return row_view(
        CounterpartyRecordView,
        m,
        kind=CounterpartyKind(m["kind"]),
        is_active=bool(m["is_active"]),
    )


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlCounterpartyReader(TenantReader):
    @property
    def conn(self) -> AsyncConnection:
        return self._conn

    async def _first(self, *where: sa.ColumnElement[bool]) -> CounterpartyRecordView | None:
        c = counterparties
        query = sa.select(c).where(c.c.tenant_id == self._tenant, *where).order_by(c.c.id)
        row = (await self._conn.execute(query.limit(1))).mappings().first()
        return _view(row) if row else None

    async def counterparty(self, counterparty_id: str) -> CounterpartyRecordView | None:
        return await self._first(counterparties.c.id == counterparty_id)

    async def existing(self, ids: set[str]) -> frozenset[str]:
        c = counterparties
        result = await self._conn.execute(
            sa.select(c.c.id).where(c.c.tenant_id == self._tenant, c.c.id.in_(sorted(ids)))
        )
        return frozenset(result.scalars())

    async def by_bin(self, bin: str) -> CounterpartyRecordView | None:
        return await self._first(counterparties.c.bin == bin)

    async def by_name(self, name: str) -> CounterpartyRecordView | None:
        """The oldest record of exactly this name (any case): what an inline counterparty
        without a BIN is matched to."""
        c = counterparties
        return await self._first(sa.func.lower(c.c.name) == name.lower())

    async def counterparties(
        self, where: CounterpartyFilter, *, limit: int, cursor: str | None
    ) -> Page[CounterpartyRecordView]:
        c = counterparties
        query = sa.select(c).where(c.c.tenant_id == self._tenant)
        if where.kind is not None:
            kinds = {where.kind, CounterpartyKind.BOTH}
            query = query.where(c.c.kind.in_(sorted(k.value for k in kinds)))
        if where.q:
            pattern = f"%{_like_escaped(where.q.lower())}%"
            query = query.where(sa.func.lower(c.c.name).like(pattern, escape="\\"))
        if where.bin is not None:
            query = query.where(c.c.bin == where.bin)
        if where.active is not None:
            query = query.where(c.c.is_active.is_(where.active))
        if cursor:
            after_name, after_id = decode_cursor(cursor, 2)
            query = query.where(
                sa.tuple_(c.c.name, c.c.id) > sa.tuple_(str(after_name), str(after_id))
            )
        page, more = await self._keyset_page(query, [c.c.name, c.c.id], limit)
        items = [_view(r) for r in page]
        last = items[-1] if items and more else None
        return Page(items, encode_cursor([last.name, last.id]) if last else None)


_SETTLED = [
    PaymentStatus.COMPLETED.value,
    PaymentStatus.RECONCILED.value,
    PaymentStatus.REVERSED.value,
]


def _and_undoing(line: StatementLine, undone_on: date | None, text: str) -> list[StatementLine]:
    """A document's line and, where a later journal undid the document (a cancellation or a
    reversal), the line undoing it on that journal's date: the same amount on the other side."""
    if undone_on is None:
        return [line]
    undoing = replace(line, date=undone_on, description=text, debit=line.credit, credit=line.debit)
    return [line, undoing]


class SqlStatementReader(TenantReader):
    """The documents of one counterparty that moved what it owes or is owed, each as it
    counts on its own date (the aging's rules): approved invoices, their cancellations,
    settled payments against them and those payments' reversals."""

    async def entries(self, counterparty_id: str) -> list[StatementLine]:
        return [
            *await self._documents(counterparty_id),
            *await self._manual_lines(counterparty_id),
        ]

    async def _manual_lines(self, counterparty_id: str) -> list[StatementLine]:
        """Posted lines naming the party on the control accounts of either kind
        (`control_accounts.py`) — what the aging counts —
        reversals included on their own dates; read from the ledger by account."""
        le, jl = ledger_entries, journal_lines
        control = control_accounts(self._tenant).with_only_columns(accounts.c.id)
        line_of = sa.and_(
            jl.c.tenant_id == le.c.tenant_id,
            jl.c.journal_id == le.c.journal_id,
            jl.c.line_no == le.c.line_no,
        )
        rows = await self._conn.execute(
            sa.select(
                le.c.entry_date,
                le.c.journal_id,
                le.c.journal_number,
                sa.func.coalesce(le.c.description, "journal"),
                le.c.debit,
                le.c.credit,
            )
            .select_from(le.join(jl, line_of))
            .where(
                le.c.tenant_id == self._tenant,
                le.c.account_id.in_(control),
                jl.c.counterparty_id == counterparty_id,
            )
        )
        return [
            StatementLine(
                day,
                "JOURNAL",
                journal_id,
                number,
                text,
                from_minor(debit),
                from_minor(credit),
                ZERO,
            )
            for day, journal_id, number, text, debit, credit in rows
        ]

    async def _undone_on(
        self,
        table: sa.Table,
        journal_id: sa.Column[Any],
        columns: list[sa.Column[Any]],
        *where: sa.ColumnElement[bool],
    ) -> Sequence[Any]:
        """`columns` of the tenant's rows of `table` matching `where`, each followed by the date
        of the journal its `journal_id` names (a cancellation or a reversal): null where it
        names none."""
        journal = journals.alias("undoing")
        joined = table.outerjoin(
            journal, sa.and_(journal.c.tenant_id == table.c.tenant_id, journal.c.id == journal_id)
        )
        query = (
            sa.select(*columns, journal.c.date)
            .select_from(joined)
            .where(table.c.tenant_id == self._tenant, *where)
        )
        return (await self._conn.execute(query)).all()

    async def _documents(self, counterparty_id: str) -> list[StatementLine]:
        i, p = invoices, payments
        rows = await self._undone_on(
            i,
            i.c.cancellation_journal_id,
            [i.c.id, i.c.number, i.c.kind, i.c.invoice_date, i.c.payable_total, i.c.cancel_reason],
            i.c.counterparty_id == counterparty_id,
            i.c.journal_id.is_not(None),  # approved at some point: drafts never owed
        )
        found: list[StatementLine] = []
        for invoice_id, number, kind, day, total, reason, cancel_day in rows:
            amount = from_minor(int(total))
            sales = kind == InvoiceKind.SALES.value
            document = "SALES_INVOICE" if sales else "PURCHASE_INVOICE"
            debit, credit = (amount, ZERO) if sales else (ZERO, amount)
            line = StatementLine(day, document, invoice_id, number, "invoice", debit, credit, ZERO)
            cancelled = f"cancelled: {reason}" if reason else "cancelled"
            found += _and_undoing(line, cancel_day, cancelled)
        ids = [row[0] for row in rows]
        if not ids:
            return found
        paid = await self._undone_on(
            p,
            p.c.reversal_journal_id,
            [p.c.id, p.c.number, p.c.direction, p.c.payment_date, p.c.amount, p.c.method],
            p.c.invoice_id.in_(ids),
            p.c.status.in_(_SETTLED),
        )
        for payment_id, number, direction, day, amount_minor, method, reversal_day in paid:
            amount = from_minor(int(amount_minor))
            received = direction == Direction.IN.value
            debit, credit = (ZERO, amount) if received else (amount, ZERO)
            text = f"{'received' if received else 'paid'} by {method}"
            line = StatementLine(day, "PAYMENT", payment_id, number, text, debit, credit, ZERO)
            found += _and_undoing(line, reversal_day, "reversed")
        return found
