"""Tenant-scoped queries over the read models: accounts, journals, balances as of a date
(from stored per-period totals), the general ledger and fiscal periods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from vextrus_finance.application.ledger.queries import JournalFilter
from vextrus_finance.application.ledger.views import (
    AccountView,
    BalanceRow,
    FiscalYearsSeen,
    JournalLineView,
    JournalView,
    LedgerLineView,
    LedgerPage,
    NetBalanceRow,
    Page,
    PeriodView,
)
from vextrus_finance.domain.accounts import (
    ACCOUNT_TYPE_BY_VALUE,
    AccountType,
    BalanceLimit,
    CashFlowClass,
    signed_balance,
)
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.fiscal import FiscalYear, PeriodStatus, month_key, period_of
from vextrus_finance.domain.journals import JournalStatus, JournalType
from vextrus_finance.domain.money import ZERO, from_minor
from vextrus_finance.infrastructure.db.cursor import (
    decode_cursor,
    encode_cursor,
)
from vextrus_finance.infrastructure.db.driver import SelectRows
from vextrus_finance.infrastructure.db.reader import row_view, within
from vextrus_finance.infrastructure.db.schema import (
    account_period_totals,
    accounts,
    fiscal_periods,
    journal_lines,
    journals,
    ledger_entries,
)
from vextrus_finance.infrastructure.ledger.fiscal_years import fiscal_years_seen
from vextrus_finance.infrastructure.ledger.net_balances import NetBalanceQuery, plan_for
from vextrus_finance.infrastructure.ledger.statement_queries import StatementQueries

_NET_BALANCES = NetBalanceQuery()


def account_view(m: Any) -> AccountView:
    account_type = AccountType(m["type"])
    debit, credit = from_minor(m["debit_total"]), from_minor(m["credit_total"])
    return row_view(
        AccountView,
        m,
        type=account_type,
        balance_limit=BalanceLimit(m["balance_limit"]) if m["balance_limit"] else None,
        debit_total=debit,
        credit_total=credit,
        balance=signed_balance(account_type, debit, credit),
        cash_flow_class=CashFlowClass(m["cash_flow_class"]),
    )


def _line_view(m: Any) -> JournalLineView:
    return row_view(
        JournalLineView, m, debit=from_minor(m["debit"]), credit=from_minor(m["credit"])
    )


def _journal_view(m: Any, lines: list[JournalLineView]) -> JournalView:
    return row_view(
        JournalView,
        m,
        type=JournalType(m["type"]),
        status=JournalStatus(m["status"]),
        lines=lines,
        total_debit=from_minor(m["total_debit"]),
        total_credit=from_minor(m["total_credit"]),
    )


def _month_end(day: date) -> date:
    return period_of(day).end


_JOURNAL = SelectRows(
    journals,
    journals.c.tenant_id == sa.bindparam("tenant_id"),
    journals.c.id == sa.bindparam("id"),
)
_JOURNAL_LINES = SelectRows(
    journal_lines,
    journal_lines.c.tenant_id == sa.bindparam("tenant_id"),
    journal_lines.c.journal_id == sa.bindparam("journal_id"),
    order_by=journal_lines.c.line_no,
)


class SqlLedgerReader(StatementQueries):  # a TenantReader, with the statements' reads
    # --- accounts ------------------------------------------------------------------

    async def _one_account(self, match: sa.ColumnElement[bool]) -> AccountView | None:
        row = await self._row(accounts, match)
        return account_view(row) if row else None

    async def account(self, account_id: str) -> AccountView | None:
        return await self._one_account(accounts.c.id == account_id)

    async def account_by_code(self, code: str) -> AccountView | None:
        return await self._one_account(accounts.c.code == code)

    async def accounts(
        self,
        *,
        account_type: AccountType | None,
        active: bool | None,
        limit: int,
        cursor: str | None,
    ) -> Page[AccountView]:
        query = sa.select(accounts).where(accounts.c.tenant_id == self._tenant)
        if account_type is not None:
            query = query.where(accounts.c.type == account_type.value)
        if active is not None:
            query = query.where(accounts.c.is_active.is_(active))
        if cursor:
            (after,) = decode_cursor(cursor, 1)
            query = query.where(accounts.c.code > str(after))
        page, more = await self._keyset_page(query, [accounts.c.code], limit)
        items = [account_view(r) for r in page]
        return Page(items, encode_cursor([items[-1].code]) if more else None)

    # --- journals ------------------------------------------------------------------

    async def _lines_of(self, journal_ids: list[str]) -> dict[str, list[JournalLineView]]:
        jl = journal_lines
        return await self._children(jl.c.journal_id, jl.c.line_no, journal_ids, _line_view)

    async def journal(self, journal_id: str) -> JournalView | None:
        # Every POST /journals reads its journal back for the response: two prebuilt point
        # reads through the driver (ADR 0026), not two statements built per call.
        rows = await _JOURNAL(self._conn, tenant_id=self._tenant, id=journal_id)
        if not rows:
            return None
        lines = await _JOURNAL_LINES(self._conn, tenant_id=self._tenant, journal_id=journal_id)
        return _journal_view(rows[0], [_line_view(line) for line in lines])

    async def journal_by_number(self, number: str) -> JournalView | None:
        journal_id = await self._text(journals.c.id, journals.c.number == number)
        return await self.journal(journal_id) if journal_id is not None else None

    async def journals_by_ids(self, journal_ids: Sequence[str]) -> list[JournalView]:
        if not journal_ids:
            return []
        result = await self._conn.execute(
            sa.select(journals).where(
                journals.c.tenant_id == self._tenant, journals.c.id.in_(list(journal_ids))
            )
        )
        rows = {row["id"]: row for row in result.mappings()}
        found = [jid for jid in journal_ids if jid in rows]
        lines = await self._lines_of(found)
        return [_journal_view(rows[jid], lines[jid]) for jid in found]

    async def journals(
        self, where: JournalFilter, *, limit: int, cursor: str | None
    ) -> Page[JournalView]:
        j = journals
        query = sa.select(j).where(j.c.tenant_id == self._tenant)
        if where.status is not None:
            query = query.where(j.c.status == where.status.value)
        if where.type is not None:
            query = query.where(j.c.type == where.type.value)
        if where.period is not None:
            query = query.where(j.c.fiscal_period == where.period)
        query = query.where(*within(j.c.date, where.date_from, where.date_to))
        if where.reference is not None:
            query = query.where(j.c.reference == where.reference)
        if where.account_id is not None or where.account_code is not None:
            jl = journal_lines
            on_account = jl.c.account_id == where.account_id
            if where.account_id is None:
                on_account = jl.c.account_code == where.account_code
            query = query.where(
                sa.exists().where(
                    jl.c.tenant_id == j.c.tenant_id, jl.c.journal_id == j.c.id, on_account
                )
            )
        page, next_cursor = await self._newest_first(query, j.c.date, j.c.number, cursor, limit)
        lines = await self._lines_of([r["id"] for r in page])
        return Page([_journal_view(r, lines[r["id"]]) for r in page], next_cursor)

    # --- balances ------------------------------------------------------------------

    async def _month_range(self) -> tuple[int | None, int | None]:
        """The first and last months with stored totals. Two scalar subqueries, not
        `SELECT min(month), max(month)`: SQLite answers a lone `min` or `max` from the index's
        end but scans the tenant's whole index range for both at once."""
        apt = account_period_totals
        mine = apt.c.tenant_id == self._tenant
        row = (
            await self._conn.execute(
                sa.select(
                    sa.select(sa.func.min(apt.c.month)).where(mine).scalar_subquery(),
                    sa.select(sa.func.max(apt.c.month)).where(mine).scalar_subquery(),
                )
            )
        ).one()
        return row[0], row[1]

    async def _sides(
        self, as_of: date
    ) -> tuple[bool, sa.ColumnElement[bool], sa.ColumnElement[bool]]:
        """Which way to walk from `as_of` and what to walk: the stored months and the days of
        `as_of`'s own month to add to zero (forward) or to subtract from the all-time totals
        (backward) to get balances at the end of `as_of`. Walks whichever side of `as_of`
        holds fewer stored months: 'today' costs almost nothing, a date years back the same."""
        first, last = await self._month_range()
        month = month_key(as_of)

        def index(key: int) -> int:  # YYYYMM → months since year 0
            return key // 100 * 12 + key % 100

        backward = (
            last is None
            or first is None
            or index(last) - index(month) <= index(month) - index(first)
        )
        apt, le = account_period_totals, ledger_entries
        if backward:
            months = apt.c.month > month
            days = sa.and_(le.c.entry_date > as_of, le.c.entry_date <= _month_end(as_of))
        else:
            months = apt.c.month < month
            days = sa.and_(le.c.entry_date >= as_of.replace(day=1), le.c.entry_date <= as_of)
        return backward, months, days

    async def _movements(
        self, as_of: date, account_id: str | Sequence[str] | None
    ) -> tuple[bool, Any]:
        """The movements of `_sides` as one (account_id, debit, credit) row per account (of
        one account, of a list, or of all)."""
        backward, months, days = await self._sides(as_of)
        apt, le = account_period_totals, ledger_entries
        from_periods = sa.select(apt.c.account_id, apt.c.debit, apt.c.credit).where(
            apt.c.tenant_id == self._tenant, months
        )
        from_days = sa.select(le.c.account_id, le.c.debit, le.c.credit).where(
            le.c.tenant_id == self._tenant, days
        )
        if isinstance(account_id, str):
            from_periods = from_periods.where(apt.c.account_id == account_id)
            from_days = from_days.where(le.c.account_id == account_id)
        elif account_id is not None:
            from_periods = from_periods.where(apt.c.account_id.in_(account_id))
            from_days = from_days.where(le.c.account_id.in_(account_id))
        union = sa.union_all(from_periods, from_days).subquery()
        moved = (
            sa.select(
                union.c.account_id,
                sa.func.sum(union.c.debit).label("debit"),
                sa.func.sum(union.c.credit).label("credit"),
            )
            .group_by(union.c.account_id)
            .subquery()
        )
        return backward, moved

    async def balances_as_of(self, as_of: date, currency: str) -> list[BalanceRow]:
        backward, moved = await self._movements(as_of, None)
        a = accounts
        moved_debit = sa.func.coalesce(moved.c.debit, 0)
        moved_credit = sa.func.coalesce(moved.c.credit, 0)
        debit = a.c.debit_total - moved_debit if backward else moved_debit
        credit = a.c.credit_total - moved_credit if backward else moved_credit
        result = await self._conn.execute(
            sa.select(
                a.c.id,
                a.c.code,
                a.c.name,
                a.c.type,
                a.c.is_active,
                debit.label("debit"),
                credit.label("credit"),
            )
            .select_from(a.outerjoin(moved, moved.c.account_id == a.c.id))
            .where(a.c.tenant_id == self._tenant, a.c.currency == currency)
            .order_by(a.c.code)
        )
        # One row per account, for every account: rows unpacked, enum members from a dict and
        # paisa → Decimal by scaling rather than through the general helpers.
        types = ACCOUNT_TYPE_BY_VALUE
        return [
            BalanceRow(
                account_id=account_id,
                code=code,
                name=name,
                type=types[account_type],
                is_active=bool(is_active),
                debit_total=Decimal(int(debit)).scaleb(-2),
                credit_total=Decimal(int(credit)).scaleb(-2),
            )
            for account_id, code, name, account_type, is_active, debit, credit in result
        ]

    async def net_balances_as_of(self, as_of: date, currency: str) -> list[NetBalanceRow]:
        """The trial balance's rows: debits minus credits per account in integer paisa, summed
        by the database, in no particular order (the caller sorts by code). `net_balances`
        picks the fewest stored rows that give the exact balances (ADR 0025); the month range
        read here first, through SQLAlchemy, also begins the reader's transaction."""
        first, last = await self._month_range()
        return await _NET_BALANCES.rows(
            self._conn, self._tenant, currency, plan_for(as_of, first, last)
        )

    async def _account_balance_as_of(self, account: AccountView, as_of: date) -> Decimal:
        backward, moved = await self._movements(as_of, account.id)
        row = (await self._conn.execute(sa.select(moved.c.debit, moved.c.credit))).first()
        debit = from_minor(int(row.debit)) if row and row.debit is not None else ZERO
        credit = from_minor(int(row.credit)) if row and row.credit is not None else ZERO
        if backward:
            debit, credit = account.debit_total - debit, account.credit_total - credit
        return signed_balance(account.type, debit, credit)

    async def _balance_before(self, account: AccountView, day: date) -> Decimal:
        """The balance at the end of the day before `day`; nothing is before the calendar's
        first day (whose day before does not exist)."""
        if day == date.min:
            return ZERO
        return await self._account_balance_as_of(account, day - timedelta(days=1))

    async def accounts_as_of(self, views: Sequence[AccountView], as_of: date) -> list[AccountView]:
        """The views with their totals and balance at the end of `as_of`: one statement for
        the lot, walking the stored months from whichever side is nearer (as the trial
        balance does)."""
        if not views:
            return []
        backward, moved = await self._movements(as_of, [v.id for v in views])
        rows = await self._conn.execute(
            sa.select(moved.c.account_id, moved.c.debit, moved.c.credit)
        )
        sums = {r.account_id: (from_minor(int(r.debit)), from_minor(int(r.credit))) for r in rows}
        result = []
        for view in views:
            debit, credit = sums.get(view.id, (ZERO, ZERO))
            if backward:
                debit, credit = view.debit_total - debit, view.credit_total - credit
            result.append(
                replace(
                    view,
                    debit_total=debit,
                    credit_total=credit,
                    balance=signed_balance(view.type, debit, credit),
                    balance_as_of=as_of,
                )
            )
        return result

    # --- general ledger ------------------------------------------------------------

    async def ledger(
        self,
        account: AccountView,
        *,
        date_from: date | None,
        date_to: date | None,
        limit: int,
        cursor: str | None,
    ) -> LedgerPage:
        le = ledger_entries
        order = (le.c.entry_date, le.c.posted_at, le.c.journal_id, le.c.line_no)
        query = sa.select(le).where(le.c.tenant_id == self._tenant, le.c.account_id == account.id)
        query = query.where(*within(le.c.entry_date, date_from, date_to))
        if cursor:
            raw = decode_cursor(cursor, 4)
            try:
                posted_at = datetime.fromisoformat(str(raw[1]))
                if posted_at.tzinfo is None:
                    raise ValueError("cursors carry UTC times")
                key = (
                    date.fromisoformat(str(raw[0])),
                    posted_at.astimezone(UTC),  # OverflowError at the ends of the calendar
                    str(raw[2]),
                    int(raw[3]),
                )
            except (TypeError, ValueError, OverflowError):
                raise InvalidInput("not a cursor this list gave out", field="cursor") from None
            query = query.where(
                sa.tuple_(*order)
                > sa.tuple_(*[sa.literal(v, c.type) for v, c in zip(key, order, strict=True)])
            )
            # Opening = end of the previous day + that day's entries up to the cursor.
            opening = await self._balance_before(account, key[0])
            same_day = (
                await self._conn.execute(
                    sa.select(
                        sa.func.coalesce(sa.func.sum(le.c.debit), 0),
                        sa.func.coalesce(sa.func.sum(le.c.credit), 0),
                    ).where(
                        le.c.tenant_id == self._tenant,
                        le.c.account_id == account.id,
                        le.c.entry_date == key[0],
                        sa.tuple_(*order)
                        <= sa.tuple_(
                            *[sa.literal(v, c.type) for v, c in zip(key, order, strict=True)]
                        ),
                    )
                )
            ).one()
            opening += signed_balance(
                account.type, from_minor(int(same_day[0])), from_minor(int(same_day[1]))
            )
        elif date_from is not None:
            opening = await self._balance_before(account, date_from)
        else:
            opening = ZERO
        page, more = await self._keyset_page(query, order, limit)
        items: list[LedgerLineView] = []
        running = opening
        for row in page:
            debit, credit = from_minor(row["debit"]), from_minor(row["credit"])
            running += signed_balance(account.type, debit, credit)
            items.append(
                row_view(
                    LedgerLineView,
                    row,
                    date=row["entry_date"],
                    journal_type=JournalType(row["journal_type"]),
                    debit=debit,
                    credit=credit,
                    balance=running,
                )
            )
        next_cursor = None
        if more:
            last = page[-1]
            next_cursor = encode_cursor(
                [
                    last["entry_date"].isoformat(),
                    last["posted_at"].isoformat(),
                    last["journal_id"],
                    last["line_no"],
                ]
            )
        return LedgerPage(account, opening, items, next_cursor)

    # --- fiscal periods and years ---------------------------------------------------

    async def fiscal_years_seen(self) -> FiscalYearsSeen:
        first, _ = await self._month_range()
        return await fiscal_years_seen(self._conn, self._tenant, first)

    async def closed_or_reopened_periods(self, fiscal_year: FiscalYear) -> list[PeriodView]:
        fp = fiscal_periods
        result = await self._conn.execute(
            sa.select(fp)
            .where(fp.c.tenant_id == self._tenant, fp.c.fiscal_year == fiscal_year.label)
            .order_by(fp.c.code)
        )
        return [
            row_view(
                PeriodView,
                m,
                start=m["start_date"],
                end=m["end_date"],
                status=PeriodStatus(m["status"]),
            )
            for m in result.mappings()
        ]
