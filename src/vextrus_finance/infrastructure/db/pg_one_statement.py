"""A command's whole projection as one PostgreSQL statement (ADR 0026).

On PostgreSQL every statement is a network round trip, and a create-and-post writes five
tables: the journal, its lines, its ledger entries, the account totals and the month totals.
Here they go as one statement of data-modifying CTEs, each table's rows passed as one JSON
array (`jsonb_to_recordset` with the table's column types): one round trip instead of five, and
one parameter per table for the driver to encode instead of an array per column. PostgreSQL runs
every part of the statement; foreign keys between the parts are checked when it ends.

Only for rows that no other part of the same statement has to see: the parts share one
snapshot, so an UPDATE cannot see a row that a sibling part inserts. The caller therefore
sends no opened accounts this way (their totals could not be updated in the same statement).

The rows are the projection's own dicts, written by orjson (`json_rows`): dates and timestamps
with their offset as ISO text, amounts as integer paisa — what the column types parse back
exactly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Dialect

from vextrus_finance.infrastructure.db.driver import Driver, InsertMany, json_rows

# The text of one part, given the number of its parameter.
_Part = Callable[[int], str]


def recordset(n: int, columns: Sequence[tuple[str, str]], alias: str = "r") -> str:
    """Parameter `$n`, one JSON array of row objects, as a table `alias` of typed columns."""
    defined = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
    return f"jsonb_to_recordset(${n}::jsonb) AS {alias}({defined})"


def _insert_part(insert: InsertMany, dialect: Dialect) -> _Part:
    columns = insert.columns(dialect)
    names = ", ".join(f'"{name}"' for name, _ in columns)
    table = insert.table
    return lambda n: (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {recordset(n, columns)}"  # noqa: S608
    )


_TOTALS = [("tenant_id", "text"), ("id", "text"), ("debit", "bigint"), ("credit", "bigint")]
_MONTHS = [
    ("tenant_id", "text"),
    ("account_id", "text"),
    ("month", "integer"),
    ("debit", "bigint"),
    ("credit", "bigint"),
]


def _totals_part(table: str) -> _Part:
    return lambda n: (
        f"UPDATE {table} AS a SET debit_total = a.debit_total + r.debit, "  # noqa: S608
        f"credit_total = a.credit_total + r.credit FROM {recordset(n, _TOTALS)} "
        "WHERE a.tenant_id = r.tenant_id AND a.id = r.id"
    )


def _months_part(table: str) -> _Part:
    return lambda n: (
        f"INSERT INTO {table} AS m (tenant_id, account_id, month, debit, credit) "  # noqa: S608
        f"SELECT tenant_id, account_id, month, debit, credit FROM {recordset(n, _MONTHS)} "
        "ON CONFLICT (tenant_id, account_id, month) DO UPDATE SET "
        "debit = m.debit + excluded.debit, credit = m.credit + excluded.credit"
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
        self._parts: dict[str, _Part] = {}
        self._texts: dict[tuple[str, ...], str] = {}

    def _part(self, key: str, dialect: Dialect) -> _Part:
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
            parts = [self._part(key, dialect)(n) for n, key in enumerate(keys, start=1)]
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
        params: list[str] = []
        for key in self._inserts:
            table_rows = rows.get(key)
            if table_rows:
                keys.append(key)
                params.append(json_rows(table_rows))
        for key, sums, columns in (("totals", totals, _TOTALS), ("months", months, _MONTHS)):
            if sums:
                keys.append(key)
                names = [name for name, _ in columns]
                objects = [dict(zip(names, s, strict=True)) for s in sums]
                params.append(json_rows(objects))
        if keys:
            await db.execute(self._text(tuple(keys), dialect), params)
