"""The inline projector: writes an event's rows (`rows.rows_for`) one statement per change, in
the command's own transaction, so clients read their writes. The bulk projector hands it every
event it does not buffer; a rebuild replays through the same path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.fiscal import month_key
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.projections.rows import (
    POSTING_HEADER,
    POSTING_LINE,
    Change,
    Insert,
    Post,
    Replace,
    Row,
    Update,
    Upsert,
    ledger_rows,
    rows_for,
)
from vextrus_finance.infrastructure.projections.tables import LIVE, ReadModelTables


class ProjectionError(RuntimeError):
    """A read-model row an event refers to is missing: never silently skip it."""


def upsert(conn: AsyncConnection, table: sa.Table) -> Any:
    """INSERT … ON CONFLICT in the connection's dialect (both databases speak it)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _bound(table: sa.Table, prefix: str, names: Sequence[str]) -> dict[str, Any]:
    """Bound parameters named `<prefix>_<column>`: SQLAlchemy reserves the bare column names of
    an INSERT or UPDATE for its own parameters."""
    return {name: sa.bindparam(f"{prefix}_{name}", type_=table.c[name].type) for name in names}


def _params(prefix: str, values: Row) -> Row:
    return {f"{prefix}_{name}": value for name, value in values.items()}


class Projector:
    """Statements are built once per shape (table and columns) and reused: building one and
    deriving its cache key costs more CPU than the database needs to run it (ADR 0016)."""

    def __init__(self, tables: ReadModelTables = LIVE) -> None:
        self.t = tables
        self._tables = tables.by_name()
        self._statements: dict[tuple[Any, ...], Any] = {}
        j, jl, a = tables.journals, tables.journal_lines, tables.accounts
        self._select_header = sa.select(*[j.c[name] for name in POSTING_HEADER]).where(
            j.c.tenant_id == sa.bindparam("tenant_id"), j.c.id == sa.bindparam("journal_id")
        )
        self._select_lines = (
            sa.select(*[jl.c[name] for name in POSTING_LINE])
            .where(
                jl.c.tenant_id == sa.bindparam("tenant_id"),
                jl.c.journal_id == sa.bindparam("journal_id"),
            )
            .order_by(jl.c.line_no)
        )
        self._add_to_account_totals = (
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

    async def apply(self, conn: AsyncConnection, batch: Sequence[EventEnvelope]) -> None:
        for envelope in batch:
            await self.write(conn, envelope, rows_for(envelope))

    async def write(
        self, conn: AsyncConnection, e: EventEnvelope, changes: Sequence[Change]
    ) -> None:
        """Apply `changes` (the rows of `e`, which error messages name) in order."""
        for change in changes:
            if isinstance(change, Insert):
                await self._insert(conn, change.table, change.rows)
            elif isinstance(change, Update):
                result = await conn.execute(
                    self._update(change.table, tuple(change.key), tuple(change.values)),
                    {**_params("k", change.key), **_params("b", change.values)},
                )
                if result.rowcount != 1:
                    raise ProjectionError(
                        f"{e.event.event_type()} v{e.version} of {e.stream_type} {e.stream_id} "
                        f"matched {result.rowcount} rows"
                    )
            elif isinstance(change, Replace):
                await conn.execute(
                    self._delete(change.table, tuple(change.key)), _params("k", change.key)
                )
                await self._insert(conn, change.table, change.rows)
            elif isinstance(change, Upsert):
                await conn.execute(
                    self._upsert(conn, change.table, tuple(change.row), change.conflict),
                    _params("b", change.row),
                )
            else:
                await self._post(conn, change)

    async def _insert(self, conn: AsyncConnection, table: str, rows: list[Row]) -> None:
        if rows:
            statement = self._statements.get(("insert", table))
            if statement is None:
                statement = self._statements["insert", table] = sa.insert(self._tables[table])
            await conn.execute(statement, rows)

    def _update(self, table: str, key: tuple[str, ...], values: tuple[str, ...]) -> Any:
        shape = ("update", table, key, values)
        statement = self._statements.get(shape)
        if statement is None:
            t = self._tables[table]
            statement = self._statements[shape] = (
                sa.update(t)
                .where(*[t.c[name] == sa.bindparam(f"k_{name}") for name in key])
                .values(_bound(t, "b", values))
            )
        return statement

    def _delete(self, table: str, key: tuple[str, ...]) -> Any:
        shape = ("delete", table, key)
        statement = self._statements.get(shape)
        if statement is None:
            t = self._tables[table]
            statement = self._statements[shape] = sa.delete(t).where(
                *[t.c[name] == sa.bindparam(f"k_{name}") for name in key]
            )
        return statement

    def _upsert(
        self, conn: AsyncConnection, table: str, columns: tuple[str, ...], conflict: tuple[str, ...]
    ) -> Any:
        shape = ("upsert", conn.dialect.name, table, columns, conflict)
        statement = self._statements.get(shape)
        if statement is None:
            t = self._tables[table]
            insert = upsert(conn, t).values(_bound(t, "b", columns))
            statement = self._statements[shape] = insert.on_conflict_do_update(
                index_elements=list(conflict),
                set_={name: insert.excluded[name] for name in columns if name not in conflict},
            )
        return statement

    async def _post(self, conn: AsyncConnection, post: Post) -> None:
        """The journal's header and lines as the read model holds them (drafted by an earlier
        command or an earlier rebuild batch), copied into the ledger and added to the totals."""
        key = {"tenant_id": post.tenant_id, "journal_id": post.journal_id}
        header = dict((await conn.execute(self._select_header, key)).mappings().one())
        lines = [dict(line) for line in (await conn.execute(self._select_lines, key)).mappings()]
        entries = ledger_rows(post.tenant_id, post.journal_id, post.posted_at, header, lines)
        await self._insert(conn, "ledger_entries", entries)
        sums: dict[str, list[int]] = {}
        for entry in entries:
            total = sums.setdefault(entry["account_id"], [0, 0])
            total[0] += entry["debit"]
            total[1] += entry["credit"]
        if not sums:
            return
        # Sorted by id: the same order in which the command locked these rows.
        per_account = [
            {"b_tenant_id": post.tenant_id, "b_account_id": account, "b_debit": d, "b_credit": c}
            for account, (d, c) in sorted(sums.items())
        ]
        await conn.execute(self._add_to_account_totals, per_account)
        month = month_key(header["date"])
        await conn.execute(
            self._upsert_month(conn), [{**row, "b_month": month} for row in per_account]
        )

    def _upsert_month(self, conn: AsyncConnection) -> Any:
        """INSERT … ON CONFLICT DO UPDATE adding to the month's row."""
        shape = ("add to month", conn.dialect.name)
        statement = self._statements.get(shape)
        if statement is None:
            apt = self.t.account_period_totals
            names = ("tenant_id", "account_id", "month", "debit", "credit")
            insert = upsert(conn, apt).values(_bound(apt, "b", names))
            statement = self._statements[shape] = insert.on_conflict_do_update(
                index_elements=["tenant_id", "account_id", "month"],
                set_={
                    "debit": apt.c.debit + insert.excluded.debit,
                    "credit": apt.c.credit + insert.excluded.credit,
                },
            )
        return statement
