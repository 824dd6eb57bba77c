"""A command's whole projection as one PostgreSQL statement (ADR 0026).

On PostgreSQL every statement is a network round trip, and a create-and-post writes five
tables: the journal, its lines, its ledger entries, the account totals and the month totals.
Here they go as one statement of data-modifying CTEs, each table's rows passed as one array
per column and expanded with `unnest`: one round trip instead of five. PostgreSQL runs every
part of the statement; foreign keys between the parts are checked when the statement ends.

Only for rows that no other part of the same statement has to see: the parts share one
snapshot, so an UPDATE cannot see a row that a sibling part inserts. The caller therefore
sends no opened accounts this way (their totals could not be updated in the same statement)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Dialect

from vextrus_finance.infrastructure.driver_sql import Driver, InsertMany

# (text of one part, given the number of its first parameter) by the part's key
_Part = Callable[[int], str]


def _arrays(first: int, types: Sequence[str]) -> str:
    return ", ".join(f"${first + i}::{t}[]" for i, t in enumerate(types))


def _insert_part(insert: InsertMany, dialect: Dialect) -> tuple[int, _Part]:
    columns = insert.columns(dialect)
    names = ", ".join(name for name, _ in columns)
    types = [sql_type for _, sql_type in columns]
    table = insert.table
    return (
        len(types),
        lambda first: (
            f"INSERT INTO {table} ({names}) SELECT * FROM unnest({_arrays(first, types)})"  # noqa: S608
        ),
    )


def _totals_part(table: str) -> tuple[int, _Part]:
    types = ["text", "text", "bigint", "bigint"]
    return (
        len(types),
        lambda first: (
            f"UPDATE {table} AS a SET debit_total = a.debit_total + u.debit, "  # noqa: S608
            "credit_total = a.credit_total + u.credit "
            f"FROM unnest({_arrays(first, types)}) AS u(tenant_id, id, debit, credit) "
            "WHERE a.tenant_id = u.tenant_id AND a.id = u.id"
        ),
    )


def _months_part(table: str) -> tuple[int, _Part]:
    types = ["text", "text", "integer", "bigint", "bigint"]
    return (
        len(types),
        lambda first: (
            f"INSERT INTO {table} AS m (tenant_id, account_id, month, debit, credit) "  # noqa: S608
            f"SELECT * FROM unnest({_arrays(first, types)}) "
            "ON CONFLICT (tenant_id, account_id, month) DO UPDATE SET "
            "debit = m.debit + excluded.debit, credit = m.credit + excluded.credit"
        ),
    )


class OneStatementWriter:
    """The statement's text for each combination of parts, built once per combination."""

    def __init__(
        self,
        journals: InsertMany,
        lines: InsertMany,
        ledger: InsertMany,
        *,
        accounts: str,
        months: str,
    ) -> None:
        self._inserts = {"journals": journals, "lines": lines, "ledger": ledger}
        self._accounts, self._months = accounts, months
        self._parts: dict[str, tuple[int, _Part]] = {}
        self._texts: dict[tuple[str, ...], str] = {}

    def _part(self, key: str, dialect: Dialect) -> tuple[int, _Part]:
        part = self._parts.get(key)
        if part is None:
            if key in self._inserts:
                part = _insert_part(self._inserts[key], dialect)
            elif key == "totals":
                part = _totals_part(self._accounts)
            else:
                part = _months_part(self._months)
            self._parts[key] = part
        return part

    def _text(self, keys: tuple[str, ...], dialect: Dialect) -> str:
        text = self._texts.get(keys)
        if text is None:
            parts, first = [], 1
            for key in keys:
                count, render = self._part(key, dialect)
                parts.append(render(first))
                first += count
            *ctes, last = parts
            named = ", ".join(f"p{n} AS ({part})" for n, part in enumerate(ctes))
            text = self._texts[keys] = f"WITH {named} {last}" if ctes else last
        return text

    async def write(
        self,
        db: Driver,
        dialect: Dialect,
        rows: dict[str, Sequence[dict[str, Any]]],
        totals: Sequence[tuple[str, str, int, int]],
        months: Sequence[tuple[str, str, int, int, int]],
    ) -> None:
        """`rows` by insert ("journals", "lines", "ledger"); `totals` (tenant, account, debit,
        credit) and `months` (tenant, account, month, debit, credit) added to the stored ones."""
        keys: list[str] = []
        params: list[list[Any]] = []
        for key, insert in self._inserts.items():
            table_rows = rows.get(key)
            if table_rows:
                keys.append(key)
                params.extend(map(list, zip(*insert.tuples(dialect, table_rows), strict=True)))
        for key, sums in (("totals", totals), ("months", months)):
            if sums:
                keys.append(key)
                params.extend(map(list, zip(*sums, strict=True)))
        if keys:
            await db.execute(self._text(tuple(keys), dialect), params)
