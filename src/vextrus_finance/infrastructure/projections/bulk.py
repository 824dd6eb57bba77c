"""Projecting many events at once — a rebuild's 2,000, a batch command's 200, a create-and-post's
two: the rows of `rows.rows_for`, written with a handful of multi-row statements per call
instead of several statements per event (ADR 0016, ADR 0022).

Only the rows of the tables that dominate a ledger's log are buffered: accounts opened,
journals drafted with their lines, and the posting of a journal drafted in the same call. An
event with any other change first flushes the buffers and is then written by the inline
`Projector`, so its effect (an UPDATE of a row written earlier, a period change) lands in the
same order as in a one-by-one replay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.fiscal import month_key
from vextrus_finance.infrastructure.db.driver import InsertMany, Sql, driver
from vextrus_finance.infrastructure.db.pg_one_statement import OneStatementWriter
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.projections.inline import Projector
from vextrus_finance.infrastructure.projections.rows import (
    Change,
    Insert,
    Post,
    Row,
    Update,
    ledger_rows,
    rows_for,
)
from vextrus_finance.infrastructure.projections.tables import ReadModelTables


@dataclass
class _Sums:
    """Σ debit/credit by (tenant, account) and by (tenant, account, month), still to be added to
    the stored totals."""

    totals: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    months: dict[tuple[str, str, int], list[int]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.totals or self.months)


# The tables whose inserts are buffered: the ones that dominate a ledger's log.
_BUFFERED = frozenset({"accounts", "journals", "journal_lines"})


@dataclass
class _Buffers:
    """Rows to insert, and the sums of the postings among them."""

    sums: _Sums
    accounts: list[Row] = field(default_factory=list)
    # By (tenant, journal id), in draft order: a later posting updates the buffered row.
    journals: dict[tuple[str, str], Row] = field(default_factory=dict)
    lines: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    ledger: list[Row] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.accounts or self.journals or self.lines or self.ledger)

    def take(self, changes: Sequence[Change]) -> bool:
        """Buffer all of `changes`, or none of them (False) when one needs the database: an
        insert into another table, an update of a row already written, a posting of a journal
        drafted before this call."""
        journals = self.journals
        for change in changes:
            if isinstance(change, Insert):
                if change.table == "journals":
                    # A second row of one journal goes to the database, which refuses it.
                    for row in change.rows:
                        if (row["tenant_id"], row["id"]) in journals:
                            return False
                elif change.table not in _BUFFERED:
                    return False
            elif isinstance(change, Post):
                if (change.tenant_id, change.journal_id) not in journals:
                    return False
            elif isinstance(change, Update):
                key = change.key
                if change.table != "journals" or (key["tenant_id"], key["id"]) not in journals:
                    return False
            else:
                return False
        for change in changes:
            if isinstance(change, Insert):
                self._insert(change)
            elif isinstance(change, Update):
                journals[change.key["tenant_id"], change.key["id"]].update(change.values)
            elif isinstance(change, Post):
                self._post(change)
        return True

    def _insert(self, change: Insert) -> None:
        if change.table == "accounts":
            self.accounts.extend(change.rows)
        elif change.table == "journals":
            for row in change.rows:
                self.journals[row["tenant_id"], row["id"]] = row
        else:
            for row in change.rows:
                self.lines.setdefault((row["tenant_id"], row["journal_id"]), []).append(row)

    def _post(self, post: Post) -> None:
        key = (post.tenant_id, post.journal_id)
        journal = self.journals[key]
        entries = ledger_rows(
            post.tenant_id, post.journal_id, post.posted_at, journal, self.lines.get(key, ())
        )
        self.ledger.extend(entries)
        month = month_key(journal["date"])
        totals, months = self.sums.totals, self.sums.months
        for entry in entries:
            account, debit, credit = entry["account_id"], entry["debit"], entry["credit"]
            total = totals.setdefault((post.tenant_id, account), [0, 0])
            total[0] += debit
            total[1] += credit
            in_month = months.setdefault((post.tenant_id, account, month), [0, 0])
            in_month[0] += debit
            in_month[1] += credit


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
            changes = rows_for(envelope)
            if not buffers.take(changes):
                if buffers:
                    await self._flush(conn, buffers)
                await self._write_sums(conn, sums)
                buffers = _Buffers(sums)
                await self._one_by_one.write(conn, envelope, changes)
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
        if b.lines:
            await self._insert_lines(conn, [row for rows in b.lines.values() for row in rows])
        if b.ledger:
            await self._insert_ledger(conn, b.ledger)
