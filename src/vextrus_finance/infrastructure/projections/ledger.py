"""Inline projections: each event's effect on the read models, applied in the command's own
transaction (so clients read their writes) and replayed by rebuilds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.accounts import (
    AccountBalanceLimitChanged,
    AccountDeactivated,
    AccountOpened,
    AccountParentChanged,
    AccountRenamed,
)
from vextrus_finance.domain.events import DomainEvent
from vextrus_finance.domain.fiscal import PeriodStatus, month_key, parse_period
from vextrus_finance.domain.journals import (
    JournalCancelled,
    JournalDrafted,
    JournalLine,
    JournalPosted,
    JournalReversed,
    JournalRevised,
    JournalStatus,
)
from vextrus_finance.domain.money import to_minor
from vextrus_finance.domain.periods import FiscalPeriodClosed, FiscalPeriodReopened
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.projections.counterparties import CounterpartyProjections
from vextrus_finance.infrastructure.projections.invoicing import InvoiceProjections
from vextrus_finance.infrastructure.projections.tables import LIVE, ReadModelTables


@dataclass(frozen=True)
class _PostingSource:
    """What a posting copies into the ledger: the draft's header and its line rows."""

    date: date
    number: str
    type: str
    currency: str
    description: str
    reference: str | None
    lines: list[dict[str, Any]]


# Drafts projected earlier in the same `apply` call, by (tenant, journal id). Local to one call,
# never shared: the projector serves concurrent commands.
_Memo = dict[tuple[str, str], _PostingSource]
Handler = Callable[[AsyncConnection, EventEnvelope, Any, _Memo], Awaitable[None]]
PlainHandler = Callable[[AsyncConnection, EventEnvelope, Any], Awaitable[None]]


def _without_memo(handle: PlainHandler) -> Handler:
    async def run(conn: AsyncConnection, e: EventEnvelope, ev: Any, _memo: _Memo) -> None:
        await handle(conn, e, ev)

    return run


def upsert(conn: AsyncConnection, table: sa.Table) -> Any:
    """INSERT … ON CONFLICT in the connection's dialect (both databases speak it)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def line_rows(
    tenant_id: str, journal_id: str, lines: Sequence[JournalLine]
) -> list[dict[str, Any]]:
    return [
        {
            "tenant_id": tenant_id,
            "journal_id": journal_id,
            "line_no": no,
            "id": line.id,
            "account_id": line.account_id,
            "account_code": line.account_code,
            "debit": to_minor(line.debit),
            "credit": to_minor(line.credit),
            "description": line.description,
            "cost_center": line.cost_center,
            "project": line.project,
            "tax_code": line.tax_code,
            "counterparty_id": line.counterparty_id,
        }
        for no, line in enumerate(lines, start=1)
    ]


class ProjectionError(RuntimeError):
    """A read-model row an event refers to is missing: never silently skip it."""


async def _exactly_one(
    conn: AsyncConnection,
    statement: Any,
    what: EventEnvelope,
    params: dict[str, Any] | None = None,
) -> None:
    result = await conn.execute(statement, params)
    if result.rowcount != 1:
        raise ProjectionError(
            f"{what.event.event_type()} v{what.version} of {what.stream_type} {what.stream_id} "
            f"matched {result.rowcount} rows"
        )


def _params(table: sa.Table, *names: str) -> dict[str, sa.BindParameter[Any]]:
    """Bound parameters named `b_<column>`: SQLAlchemy reserves the bare column names of an
    INSERT or UPDATE for its own parameters."""
    return {name: sa.bindparam(f"b_{name}", type_=table.c[name].type) for name in names}


class _Statements:
    """The hot-path statements, built once per table bundle with bound parameters.

    A statement object built per call costs more CPU to construct and to derive its cache key
    than the database needs to run it (profile in docs/performance.md); a prebuilt one is
    compiled once per dialect and then only executed."""

    def __init__(self, t: ReadModelTables) -> None:
        j, jl, a, le = t.journals, t.journal_lines, t.accounts, t.ledger_entries
        self._period_totals = t.account_period_totals
        self.insert_journal = sa.insert(j)
        self.insert_lines = sa.insert(jl)
        self.insert_ledger_entries = sa.insert(le)
        self.mark_posted = (
            sa.update(j)
            .where(
                j.c.tenant_id == sa.bindparam("b_tenant_id"),
                j.c.id == sa.bindparam("b_id"),
            )
            .values(_params(j, "status", "posted_at", "posted_by", "version"))
        )
        self.select_header = sa.select(
            j.c.date, j.c.number, j.c.type, j.c.currency, j.c.description, j.c.reference
        ).where(j.c.tenant_id == sa.bindparam("tenant_id"), j.c.id == sa.bindparam("journal_id"))
        self.select_lines = (
            sa.select(
                jl.c.line_no, jl.c.id, jl.c.account_id, jl.c.debit, jl.c.credit, jl.c.description
            )
            .where(
                jl.c.tenant_id == sa.bindparam("tenant_id"),
                jl.c.journal_id == sa.bindparam("journal_id"),
            )
            .order_by(jl.c.line_no)
        )
        self.add_to_account_totals = (
            sa.update(a)
            .where(
                a.c.tenant_id == sa.bindparam("b_tenant_id"),
                a.c.id == sa.bindparam("b_account_id"),
            )
            .values(
                debit_total=a.c.debit_total + sa.bindparam("b_debit", type_=a.c.debit_total.type),
                credit_total=a.c.credit_total
                + sa.bindparam("b_credit", type_=a.c.credit_total.type),
            )
        )
        self._upserts: dict[str, Any] = {}

    def add_to_period_totals(self, conn: AsyncConnection) -> Any:
        """INSERT … ON CONFLICT DO UPDATE adding to the month's row, in this dialect."""
        name = conn.dialect.name
        statement = self._upserts.get(name)
        if statement is None:
            apt = self._period_totals
            insert = upsert(conn, apt).values(
                _params(apt, "tenant_id", "account_id", "month", "debit", "credit")
            )
            statement = self._upserts[name] = insert.on_conflict_do_update(
                index_elements=["tenant_id", "account_id", "month"],
                set_={
                    "debit": apt.c.debit + insert.excluded.debit,
                    "credit": apt.c.credit + insert.excluded.credit,
                },
            )
        return statement


class Projector:
    def __init__(self, tables: ReadModelTables = LIVE) -> None:
        self.t = tables
        self._sql = _Statements(tables)
        self._handlers: dict[type[DomainEvent], Handler] = {
            AccountOpened: self._account_opened,
            AccountRenamed: self._account_renamed,
            AccountParentChanged: self._account_parent_changed,
            AccountBalanceLimitChanged: self._account_limit_changed,
            AccountDeactivated: self._account_deactivated,
            JournalDrafted: self._journal_drafted,
            JournalRevised: self._journal_revised,
            JournalPosted: self._journal_posted,
            JournalCancelled: self._journal_cancelled,
            JournalReversed: self._journal_reversed,
            FiscalPeriodClosed: self._period_changed,
            FiscalPeriodReopened: self._period_changed,
        }
        # Invoice and payment read models need no posting memo.
        for event_type, handle in InvoiceProjections(tables).handlers().items():
            self._handlers[event_type] = _without_memo(handle)
        for event_type, handle in CounterpartyProjections(tables).handlers().items():
            self._handlers[event_type] = _without_memo(handle)

    async def apply(self, conn: AsyncConnection, batch: Sequence[EventEnvelope]) -> None:
        memo: _Memo = {}
        for envelope in batch:
            handler = self._handlers.get(type(envelope.event))
            if handler is None:
                raise LookupError(f"no projection for {type(envelope.event).__name__}")
            await handler(conn, envelope, envelope.event, memo)

    # --- accounts --------------------------------------------------------------------

    async def _account_opened(
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountOpened, _memo: _Memo
    ) -> None:
        await conn.execute(
            sa.insert(self.t.accounts).values(
                tenant_id=e.tenant_id,
                id=e.stream_id,
                code=ev.code,
                name=ev.name,
                type=ev.type.value,
                parent_id=ev.parent_id,
                currency=ev.currency,
                is_active=True,
                balance_limit=ev.balance_limit.value if ev.balance_limit else None,
                debit_total=0,
                credit_total=0,
                version=e.version,
                created_at=e.recorded_at,
                updated_at=e.recorded_at,
            )
        )

    async def _update_account(self, conn: AsyncConnection, e: EventEnvelope, **values: Any) -> None:
        a = self.t.accounts
        await _exactly_one(
            conn,
            sa.update(a)
            .where(a.c.tenant_id == e.tenant_id, a.c.id == e.stream_id)
            .values(version=e.version, updated_at=e.recorded_at, **values),
            e,
        )

    async def _account_renamed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountRenamed, _memo: _Memo
    ) -> None:
        await self._update_account(conn, e, name=ev.name)

    async def _account_parent_changed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountParentChanged, _memo: _Memo
    ) -> None:
        await self._update_account(conn, e, parent_id=ev.parent_id)

    async def _account_limit_changed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountBalanceLimitChanged, _memo: _Memo
    ) -> None:
        limit = ev.balance_limit.value if ev.balance_limit else None
        await self._update_account(conn, e, balance_limit=limit)

    async def _account_deactivated(
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountDeactivated, _memo: _Memo
    ) -> None:
        await self._update_account(
            conn,
            e,
            is_active=False,
            deactivated_at=ev.deactivated_at,
            deactivation_reason=ev.reason,
        )

    # --- journals --------------------------------------------------------------------

    async def _journal_drafted(
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalDrafted, memo: _Memo
    ) -> None:
        total_debit = sum(to_minor(line.debit) for line in ev.lines)
        total_credit = sum(to_minor(line.credit) for line in ev.lines)
        await conn.execute(
            self._sql.insert_journal,
            {
                "tenant_id": e.tenant_id,
                "id": e.stream_id,
                "number": ev.number,
                "date": ev.date,
                "type": ev.type.value,
                "status": JournalStatus.DRAFT.value,
                "currency": ev.currency,
                "description": ev.description,
                "reference": ev.reference,
                "fiscal_period": ev.fiscal_period,
                "total_debit": total_debit,
                "total_credit": total_credit,
                "created_at": e.recorded_at,
                "created_by": e.user_id,
                "reverses_id": ev.reverses_id,
                "version": e.version,
            },
        )
        rows = line_rows(e.tenant_id, e.stream_id, ev.lines)
        await conn.execute(self._sql.insert_lines, rows)
        memo[(e.tenant_id, e.stream_id)] = _PostingSource(
            ev.date, ev.number, ev.type.value, ev.currency, ev.description, ev.reference, rows
        )

    async def _set_journal(self, conn: AsyncConnection, e: EventEnvelope, **values: Any) -> None:
        j = self.t.journals
        await _exactly_one(
            conn,
            sa.update(j)
            .where(j.c.tenant_id == e.tenant_id, j.c.id == e.stream_id)
            .values(version=e.version, **values),
            e,
        )

    async def _journal_revised(
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalRevised, memo: _Memo
    ) -> None:
        await self._set_journal(
            conn,
            e,
            date=ev.date,
            fiscal_period=ev.fiscal_period,
            description=ev.description,
            reference=ev.reference,
            total_debit=sum(to_minor(line.debit) for line in ev.lines),
            total_credit=sum(to_minor(line.credit) for line in ev.lines),
        )
        jl = self.t.journal_lines
        await conn.execute(
            sa.delete(jl).where(jl.c.tenant_id == e.tenant_id, jl.c.journal_id == e.stream_id)
        )
        rows = line_rows(e.tenant_id, e.stream_id, ev.lines)
        await conn.execute(self._sql.insert_lines, rows)
        key = (e.tenant_id, e.stream_id)
        drafted = memo.get(key)
        if drafted is not None:
            memo[key] = replace(
                drafted,
                date=ev.date,
                description=ev.description,
                reference=ev.reference,
                lines=rows,
            )

    async def _posting_source(self, conn: AsyncConnection, e: EventEnvelope) -> _PostingSource:
        """The journal's header and lines as the read model holds them (the draft was
        projected by an earlier command or an earlier rebuild batch)."""
        key = {"tenant_id": e.tenant_id, "journal_id": e.stream_id}
        header = (await conn.execute(self._sql.select_header, key)).one()
        lines = (await conn.execute(self._sql.select_lines, key)).mappings().all()
        return _PostingSource(
            header.date,
            header.number,
            header.type,
            header.currency,
            header.description,
            header.reference,
            [dict(line) for line in lines],
        )

    async def _journal_posted(
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalPosted, memo: _Memo
    ) -> None:
        """Copy the lines into the ledger and add them to the account and period totals.
        A draft projected earlier in this same batch (create-and-post, or a rebuild) is taken
        from memory instead of being read back: one round trip and two statements fewer."""
        await _exactly_one(
            conn,
            self._sql.mark_posted,
            e,
            {
                "b_tenant_id": e.tenant_id,
                "b_id": e.stream_id,
                "b_status": JournalStatus.POSTED.value,
                "b_posted_at": ev.posted_at,
                "b_posted_by": ev.posted_by,
                "b_version": e.version,
            },
        )
        source = memo.pop((e.tenant_id, e.stream_id), None)
        if source is None:
            source = await self._posting_source(conn, e)
        await conn.execute(
            self._sql.insert_ledger_entries,
            [
                {
                    "tenant_id": e.tenant_id,
                    "journal_id": e.stream_id,
                    "line_no": line["line_no"],
                    "account_id": line["account_id"],
                    "entry_date": source.date,
                    "posted_at": ev.posted_at,
                    "line_id": line["id"],
                    "journal_number": source.number,
                    "journal_type": source.type,
                    "currency": source.currency,
                    "description": line["description"] or source.description,
                    "reference": source.reference,
                    "debit": line["debit"],
                    "credit": line["credit"],
                }
                for line in source.lines
            ],
        )
        sums: dict[str, list[int]] = {}
        for line in source.lines:
            total = sums.setdefault(line["account_id"], [0, 0])
            total[0] += line["debit"]
            total[1] += line["credit"]
        # Sorted by id: the same order in which the command locked these rows.
        per_account = [
            {"b_tenant_id": e.tenant_id, "b_account_id": account_id, "b_debit": d, "b_credit": c}
            for account_id, (d, c) in sorted(sums.items())
        ]
        await conn.execute(self._sql.add_to_account_totals, per_account)
        month = month_key(source.date)
        await conn.execute(
            self._sql.add_to_period_totals(conn),
            [{**row, "b_month": month} for row in per_account],
        )

    async def _journal_cancelled(
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalCancelled, _memo: _Memo
    ) -> None:
        await self._set_journal(
            conn, e, status=JournalStatus.CANCELLED.value, cancel_reason=ev.reason
        )

    async def _journal_reversed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalReversed, _memo: _Memo
    ) -> None:
        await self._set_journal(
            conn, e, status=JournalStatus.REVERSED.value, reversed_by_id=ev.reversed_by_id
        )

    # --- fiscal periods --------------------------------------------------------------

    async def _period_changed(
        self,
        conn: AsyncConnection,
        e: EventEnvelope,
        ev: FiscalPeriodClosed | FiscalPeriodReopened,
        _memo: _Memo,
    ) -> None:
        period = parse_period(e.stream_id)
        if isinstance(ev, FiscalPeriodClosed):
            status, at, by = PeriodStatus.CLOSED, ev.closed_at, ev.closed_by
        else:
            status, at, by = PeriodStatus.OPEN, ev.reopened_at, ev.reopened_by
        values = {
            "status": status.value,
            "changed_at": at,
            "changed_by": by,
            "reason": ev.reason,
            "version": e.version,
        }
        insert = upsert(conn, self.t.fiscal_periods).values(
            tenant_id=e.tenant_id,
            code=period.code,
            fiscal_year=period.fiscal_year.label,
            start_date=period.start,
            end_date=period.end,
            **values,
        )
        await conn.execute(
            insert.on_conflict_do_update(index_elements=["tenant_id", "code"], set_=values)
        )
