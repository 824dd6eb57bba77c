"""Projecting many events at once — a rebuild's 2,000, a batch command's 200, a create-and-post's
two: the same read-model rows as `Projector`, written with a handful of multi-row statements
per call instead of several statements per event (ADR 0016, ADR 0022).

Only the events that dominate a ledger's log are buffered — accounts opened, journals drafted
and posted. Any other event first flushes the buffers and is then applied by the ordinary
`Projector`, so its effect (an UPDATE of a row written earlier, a period change) lands in the
same order as in a one-by-one replay. See ADR 0016."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.accounts import AccountOpened
from vextrus_finance.domain.fiscal import month_key
from vextrus_finance.domain.journals import JournalDrafted, JournalPosted, JournalStatus
from vextrus_finance.infrastructure.db.driver import InsertMany, Sql, driver
from vextrus_finance.infrastructure.db.pg_one_statement import OneStatementWriter
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.projections.ledger import Projector, line_rows
from vextrus_finance.infrastructure.projections.tables import ReadModelTables


@dataclass
class _Sums:
    """Σ debit/credit by (tenant, account) and by (tenant, account, month), still to be added to
    the stored totals."""

    totals: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    months: dict[tuple[str, str, int], list[int]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.totals or self.months)


@dataclass
class _Buffers:
    sums: _Sums
    accounts: list[dict[str, Any]] = field(default_factory=list)
    # By (tenant, journal id), in draft order: a later JournalPosted edits the buffered row.
    journals: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    lines: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    ledger: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.accounts or self.journals or self.ledger)


class BulkProjector:
    """`defer_totals` (rebuild and verify only): the account and month totals are summed across
    `apply` calls and written by `flush_totals` — once per account and month for a whole
    rebuild instead of once per account per batch (ADR 0023). The shadow tables' totals are
    therefore incomplete until `flush_totals`; nothing reads them before it. Any event that is
    not buffered flushes them first, so the one-by-one projector always sees complete totals.
    Without it, each `apply` sums and writes its own totals: the unit of work shares one
    projector among all concurrent commands, and a command's totals must commit or roll back
    with that command's transaction."""

    def __init__(self, tables: ReadModelTables, *, defer_totals: bool = False) -> None:
        self.t = tables
        self._defer_totals = defer_totals
        self._sums = _Sums()
        self._one_by_one = Projector(tables)
        # Built once: every command projects through here (ADR 0022), and building a
        # statement costs more CPU than running it (ADR 0016).
        self._insert_accounts = InsertMany(tables.accounts)
        self._insert_journals = InsertMany(tables.journals)
        self._insert_lines = InsertMany(tables.journal_lines)
        self._insert_ledger = InsertMany(tables.ledger_entries)
        self._one_statement = OneStatementWriter(
            self._insert_journals,
            self._insert_lines,
            self._insert_ledger,
            accounts=tables.accounts.name,
            months=tables.account_period_totals.name,
        )
        # Table names are ours (live or shadow), values are bound.
        a, apt = tables.accounts.name, tables.account_period_totals.name
        self._add_totals = Sql.same(
            f"UPDATE {a} SET debit_total = debit_total + ?, credit_total = credit_total + ? "  # noqa: S608
            "WHERE tenant_id = ? AND id = ?"
        )
        self._add_months = Sql.same(
            f"INSERT INTO {apt} (tenant_id, account_id, month, debit, credit) "  # noqa: S608
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, account_id, month) DO UPDATE SET "
            f"debit = {apt}.debit + excluded.debit, credit = {apt}.credit + excluded.credit"
        )

    async def apply(self, conn: AsyncConnection, batch: Sequence[EventEnvelope]) -> None:
        # One projector serves every concurrent command of the process: unless deferred (a
        # rebuild owns its projector), the sums belong to this call and its transaction only.
        sums = self._sums if self._defer_totals else _Sums()
        buffers = _Buffers(sums)
        for envelope in batch:
            event = envelope.event
            if isinstance(event, AccountOpened):
                buffers.accounts.append(_account_row(envelope, event))
            elif isinstance(event, JournalDrafted):
                key = (envelope.tenant_id, envelope.stream_id)
                lines = line_rows(envelope.tenant_id, envelope.stream_id, event.lines)
                buffers.journals[key] = _journal_row(envelope, event, lines)
                buffers.lines[key] = lines
            elif isinstance(event, JournalPosted) and (
                (envelope.tenant_id, envelope.stream_id) in buffers.journals
            ):
                _post_buffered(buffers, envelope, event)
            else:
                if buffers:
                    await self._flush(conn, buffers)
                await self._write_sums(conn, sums)
                buffers = _Buffers(sums)
                await self._one_by_one.apply(conn, [envelope])
        if conn.dialect.name == "postgresql" and not self._defer_totals and not buffers.accounts:
            await self._write_in_one_statement(conn, buffers, sums)
            return
        if buffers:
            await self._flush(conn, buffers)
        if not self._defer_totals:
            await self._write_sums(conn, sums)

    async def _write_in_one_statement(
        self, conn: AsyncConnection, b: _Buffers, sums: _Sums
    ) -> None:
        """PostgreSQL: the journals, lines, ledger entries and both totals as one statement
        — one round trip instead of five (ADR 0026)."""
        totals = [(t, a, d, c) for (t, a), (d, c) in sorted(sums.totals.items())]
        months = [(t, a, m, d, c) for (t, a, m), (d, c) in sorted(sums.months.items())]
        sums.totals.clear()
        sums.months.clear()
        await self._one_statement.write(
            await driver(conn),
            conn.dialect,
            {
                "journals": list(b.journals.values()),
                "lines": [row for rows in b.lines.values() for row in rows],
                "ledger": b.ledger,
            },
            totals,
            months,
        )

    async def flush_totals(self, conn: AsyncConnection) -> None:
        """Add the deferred sums to the stored account and month totals."""
        await self._write_sums(conn, self._sums)

    async def _write_sums(self, conn: AsyncConnection, sums: _Sums) -> None:
        """Add `sums` to the stored account and month totals, and empty it."""
        totals, months = sorted(sums.totals.items()), sorted(sums.months.items())
        sums.totals.clear()
        sums.months.clear()
        if not (totals or months):
            return
        db = await driver(conn)
        if totals:
            await db.executemany(
                self._add_totals,
                [(d, c, tenant, account) for (tenant, account), (d, c) in totals],
            )
        if months:
            await db.executemany(
                self._add_months,
                [(tenant, account, month, d, c) for (tenant, account, month), (d, c) in months],
            )

    async def _flush(self, conn: AsyncConnection, b: _Buffers) -> None:
        # Parents before children, as the one-by-one order would write them.
        if b.accounts:
            await self._insert_accounts(conn, b.accounts)
        if b.journals:
            await self._insert_journals(conn, list(b.journals.values()))
            await self._insert_lines(conn, [row for rows in b.lines.values() for row in rows])
        if b.ledger:
            await self._insert_ledger(conn, b.ledger)


def _account_row(e: EventEnvelope, ev: AccountOpened) -> dict[str, Any]:
    return {
        "tenant_id": e.tenant_id,
        "id": e.stream_id,
        "code": ev.code,
        "name": ev.name,
        "type": ev.type.value,
        "parent_id": ev.parent_id,
        "currency": ev.currency,
        "is_active": True,
        "balance_limit": ev.balance_limit.value if ev.balance_limit else None,
        "debit_total": 0,
        "credit_total": 0,
        "deactivated_at": None,
        "deactivation_reason": None,
        "version": e.version,
        "created_at": e.recorded_at,
        "updated_at": e.recorded_at,
    }


def _journal_row(
    e: EventEnvelope, ev: JournalDrafted, lines: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
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
        # The lines' amounts are already in paisa: converting each Decimal twice cost ~5 % of a
        # rebuild.
        "total_debit": sum(line["debit"] for line in lines),
        "total_credit": sum(line["credit"] for line in lines),
        "created_at": e.recorded_at,
        "created_by": e.user_id,
        "posted_at": None,
        "posted_by": None,
        "reversed_by_id": None,
        "reverses_id": ev.reverses_id,
        "cancel_reason": None,
        "version": e.version,
    }


def _post_buffered(b: _Buffers, e: EventEnvelope, ev: JournalPosted) -> None:
    key = (e.tenant_id, e.stream_id)
    journal = b.journals[key]
    journal.update(
        status=JournalStatus.POSTED.value,
        posted_at=ev.posted_at,
        posted_by=ev.posted_by,
        version=e.version,
    )
    month = month_key(journal["date"])
    for line in b.lines[key]:
        b.ledger.append(
            {
                "tenant_id": e.tenant_id,
                "journal_id": e.stream_id,
                "line_no": line["line_no"],
                "account_id": line["account_id"],
                "entry_date": journal["date"],
                "posted_at": ev.posted_at,
                "line_id": line["id"],
                "journal_number": journal["number"],
                "journal_type": journal["type"],
                "currency": journal["currency"],
                "description": line["description"] or journal["description"],
                "reference": journal["reference"],
                "debit": line["debit"],
                "credit": line["credit"],
            }
        )
        total = b.sums.totals.setdefault((e.tenant_id, line["account_id"]), [0, 0])
        total[0] += line["debit"]
        total[1] += line["credit"]
        in_month = b.sums.months.setdefault((e.tenant_id, line["account_id"], month), [0, 0])
        in_month[0] += line["debit"]
        in_month[1] += line["credit"]
