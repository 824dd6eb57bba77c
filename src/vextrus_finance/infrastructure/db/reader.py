"""The query steps every tenant-scoped read model repeats: one row by its key, one value, the
child rows of a page of parents, and a keyset page; and the step from a row to its view. Each
reader states its own filters and views; only the statement shapes live here, so the SQL they
send is the same for all."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.db.cursor import decode_date_cursor, encode_cursor

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

V = TypeVar("V")
D = TypeVar("D", bound="DataclassInstance")


def row_view(view: type[D], row: Mapping[Any, Any], **converted: Any) -> D:
    """The dataclass `view` of `row`: a field named like one of the row's columns holds that
    column's value as stored; `converted` gives the others (typed, computed or renamed). A
    field in neither keeps its default."""
    names = (field.name for field in dataclasses.fields(view))
    stored = {name: row[name] for name in names if name not in converted and name in row}
    return view(**stored, **converted)


def within(
    column: sa.Column[Any], date_from: date | None, date_to: date | None
) -> list[sa.ColumnElement[bool]]:
    """The conditions keeping `column` from `date_from` to `date_to`, both days included; a
    bound not given sets no condition. Every list and ledger filters its dates this way."""
    bounds: list[sa.ColumnElement[bool]] = []
    if date_from is not None:
        bounds.append(column >= date_from)
    if date_to is not None:
        bounds.append(column <= date_to)
    return bounds


class TenantReader:
    def __init__(self, conn: AsyncConnection, tenant_id: str) -> None:
        self._conn = conn
        self._tenant = tenant_id

    async def _row(self, table: sa.Table, *where: sa.ColumnElement[bool]) -> sa.RowMapping | None:
        """The first row of the tenant's `table` matching `where` (a key: at most one)."""
        query = sa.select(table).where(table.c.tenant_id == self._tenant, *where)
        return (await self._conn.execute(query)).mappings().first()

    async def _text(
        self, column: sa.Column[Any], *where: sa.ColumnElement[bool], first: bool = False
    ) -> str | None:
        """`column` of the tenant's one row matching `where`, as text; `first`: of the first
        row when several may match."""
        query = sa.select(column).where(column.table.c.tenant_id == self._tenant, *where)
        result = await self._conn.execute(query.limit(1) if first else query)
        found = result.scalar_one_or_none()
        return str(found) if found is not None else None

    async def _children(
        self,
        parent: sa.Column[Any],
        order: sa.Column[Any],
        ids: list[str],
        view: Callable[[Any], V],
    ) -> dict[str, list[V]]:
        """The rows whose `parent` is one of `ids` (one statement for a whole page), as views
        grouped by parent in `order`; every id gets a list, empty when it has no rows."""
        found: dict[str, list[V]] = {i: [] for i in ids}
        if not ids:
            return found
        table = parent.table
        result = await self._conn.execute(
            sa.select(table)
            .where(table.c.tenant_id == self._tenant, parent.in_(ids))
            .order_by(parent, order)
        )
        for row in result.mappings():
            found[row[parent.name]].append(view(row))
        return found

    async def _keyset_page(
        self, query: sa.Select[Any], order: Sequence[Any], limit: int
    ) -> tuple[Sequence[sa.RowMapping], bool]:
        """The first `limit` rows of `query` in `order` and whether more follow (one row more
        is read to tell)."""
        rows = (await self._conn.execute(query.order_by(*order).limit(limit + 1))).mappings().all()
        return rows[:limit], len(rows) > limit

    async def _newest_first(
        self,
        query: sa.Select[Any],
        day: sa.Column[Any],
        number: sa.Column[Any],
        cursor: str | None,
        limit: int,
    ) -> tuple[Sequence[sa.RowMapping], str | None]:
        """A page of `query` newest first by (`day`, `number`) — a document list — after
        `cursor`, and the cursor of the page after it (None on the last page)."""
        if cursor:
            key_date, key_number = decode_date_cursor(cursor)
            query = query.where(sa.tuple_(day, number) < sa.tuple_(key_date, key_number))
        page, more = await self._keyset_page(query, [day.desc(), number.desc()], limit)
        if not (more and page):
            return page, None
        last = page[-1]
        return page, encode_cursor([last[day.name].isoformat(), last[number.name]])
