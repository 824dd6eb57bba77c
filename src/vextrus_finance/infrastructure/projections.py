"""Inline projections: each event's effect on the read models, applied in the command's own
transaction (so clients read their writes) and replayed by rebuilds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
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
from vextrus_finance.infrastructure.event_store import EventEnvelope
from vextrus_finance.infrastructure.invoice_projections import InvoiceProjections
from vextrus_finance.infrastructure.read_model_tables import LIVE, ReadModelTables

Handler = Callable[[AsyncConnection, EventEnvelope, Any], Awaitable[None]]


def upsert(conn: AsyncConnection, table: sa.Table) -> Any:
    """INSERT … ON CONFLICT in the connection's dialect (both databases speak it)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _line_rows(
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
        }
        for no, line in enumerate(lines, start=1)
    ]


class ProjectionError(RuntimeError):
    """A read-model row an event refers to is missing: never silently skip it."""


async def _exactly_one(conn: AsyncConnection, statement: Any, what: EventEnvelope) -> None:
    result = await conn.execute(statement)
    if result.rowcount != 1:
        raise ProjectionError(
            f"{what.event.event_type()} v{what.version} of {what.stream_type} {what.stream_id} "
            f"matched {result.rowcount} rows"
        )


class Projector:
    def __init__(self, tables: ReadModelTables = LIVE) -> None:
        self.t = tables
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
        self._handlers.update(InvoiceProjections(tables).handlers())

    async def apply(self, conn: AsyncConnection, batch: Sequence[EventEnvelope]) -> None:
        for envelope in batch:
            handler = self._handlers.get(type(envelope.event))
            if handler is None:
                raise LookupError(f"no projection for {type(envelope.event).__name__}")
            await handler(conn, envelope, envelope.event)

    # --- accounts --------------------------------------------------------------------

    async def _account_opened(
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountOpened
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
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountRenamed
    ) -> None:
        await self._update_account(conn, e, name=ev.name)

    async def _account_parent_changed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountParentChanged
    ) -> None:
        await self._update_account(conn, e, parent_id=ev.parent_id)

    async def _account_limit_changed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountBalanceLimitChanged
    ) -> None:
        limit = ev.balance_limit.value if ev.balance_limit else None
        await self._update_account(conn, e, balance_limit=limit)

    async def _account_deactivated(
        self, conn: AsyncConnection, e: EventEnvelope, ev: AccountDeactivated
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
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalDrafted
    ) -> None:
        await conn.execute(
            sa.insert(self.t.journals).values(
                tenant_id=e.tenant_id,
                id=e.stream_id,
                number=ev.number,
                date=ev.date,
                type=ev.type.value,
                status=JournalStatus.DRAFT.value,
                currency=ev.currency,
                description=ev.description,
                reference=ev.reference,
                fiscal_period=ev.fiscal_period,
                total_debit=sum(to_minor(line.debit) for line in ev.lines),
                total_credit=sum(to_minor(line.credit) for line in ev.lines),
                created_at=e.recorded_at,
                created_by=e.user_id,
                reverses_id=ev.reverses_id,
                version=e.version,
            )
        )
        await conn.execute(
            sa.insert(self.t.journal_lines), _line_rows(e.tenant_id, e.stream_id, ev.lines)
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
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalRevised
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
        await conn.execute(sa.insert(jl), _line_rows(e.tenant_id, e.stream_id, ev.lines))

    async def _journal_posted(
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalPosted
    ) -> None:
        """Copy the lines into the ledger and add them to the account and period totals,
        all set-based: the lines are already in journal_lines."""
        j, jl, a, apt = (
            self.t.journals,
            self.t.journal_lines,
            self.t.accounts,
            self.t.account_period_totals,
        )
        await self._set_journal(
            conn,
            e,
            status=JournalStatus.POSTED.value,
            posted_at=ev.posted_at,
            posted_by=ev.posted_by,
        )
        journal = (
            await conn.execute(
                sa.select(
                    j.c.date, j.c.number, j.c.type, j.c.currency, j.c.description, j.c.reference
                ).where(j.c.tenant_id == e.tenant_id, j.c.id == e.stream_id)
            )
        ).one()
        of_journal = (jl.c.tenant_id == e.tenant_id, jl.c.journal_id == e.stream_id)
        le = self.t.ledger_entries
        await conn.execute(
            sa.insert(le).from_select(
                [
                    "tenant_id",
                    "journal_id",
                    "line_no",
                    "account_id",
                    "entry_date",
                    "posted_at",
                    "line_id",
                    "journal_number",
                    "journal_type",
                    "currency",
                    "description",
                    "reference",
                    "debit",
                    "credit",
                ],
                sa.select(
                    jl.c.tenant_id,
                    jl.c.journal_id,
                    jl.c.line_no,
                    jl.c.account_id,
                    sa.literal(journal.date, sa.Date),
                    sa.literal(ev.posted_at, le.c.posted_at.type),
                    jl.c.id,
                    sa.literal(journal.number),
                    sa.literal(journal.type),
                    sa.literal(journal.currency),
                    sa.func.coalesce(jl.c.description, sa.literal(journal.description)),
                    sa.literal(journal.reference, sa.String),
                    jl.c.debit,
                    jl.c.credit,
                ).where(*of_journal),
            )
        )
        per_account = (
            sa.select(
                jl.c.account_id,
                sa.func.sum(jl.c.debit).label("debit"),
                sa.func.sum(jl.c.credit).label("credit"),
            )
            .where(*of_journal)
            .group_by(jl.c.account_id)
            .subquery()
        )
        await conn.execute(
            sa.update(a)
            .where(a.c.tenant_id == e.tenant_id, a.c.id == per_account.c.account_id)
            .values(
                debit_total=a.c.debit_total + per_account.c.debit,
                credit_total=a.c.credit_total + per_account.c.credit,
            )
        )
        insert = upsert(conn, apt).from_select(
            ["tenant_id", "account_id", "month", "debit", "credit"],
            sa.select(
                sa.literal(e.tenant_id),
                jl.c.account_id,
                sa.literal(month_key(journal.date)),
                sa.func.sum(jl.c.debit),
                sa.func.sum(jl.c.credit),
            )
            .where(*of_journal)
            .group_by(jl.c.account_id),
        )
        await conn.execute(
            insert.on_conflict_do_update(
                index_elements=["tenant_id", "account_id", "month"],
                set_={
                    "debit": apt.c.debit + insert.excluded.debit,
                    "credit": apt.c.credit + insert.excluded.credit,
                },
            )
        )

    async def _journal_cancelled(
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalCancelled
    ) -> None:
        await self._set_journal(
            conn, e, status=JournalStatus.CANCELLED.value, cancel_reason=ev.reason
        )

    async def _journal_reversed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: JournalReversed
    ) -> None:
        await self._set_journal(
            conn, e, status=JournalStatus.REVERSED.value, reversed_by_id=ev.reversed_by_id
        )

    # --- fiscal periods --------------------------------------------------------------

    async def _period_changed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: FiscalPeriodClosed | FiscalPeriodReopened
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
