"""Tenant-scoped queries over the invoice, payment and profile read models."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from vextrus_finance.application.invoicing.queries import InvoiceFilter, PaymentFilter
from vextrus_finance.application.invoicing.views import (
    CompanyProfileView,
    CounterpartyView,
    InvoiceLineView,
    InvoiceView,
    OpenItem,
    PaymentView,
    PostingProfileView,
    ProfileAccountView,
    WalletView,
)
from vextrus_finance.application.ledger.views import Page
from vextrus_finance.domain.invoices import OPEN_STATUSES, InvoiceKind, InvoiceStatus
from vextrus_finance.domain.money import from_minor
from vextrus_finance.domain.payments import (
    Direction,
    PaymentMethod,
    PaymentStatus,
    WalletProvider,
)
from vextrus_finance.domain.posting_profiles import PostingRole
from vextrus_finance.domain.vat import VatRate
from vextrus_finance.infrastructure.db.reader import TenantReader, row_view, within
from vextrus_finance.infrastructure.db.schema import (
    accounts,
    company_profiles,
    counterparties,
    invoice_lines,
    invoices,
    journal_lines,
    journals,
    ledger_entries,
    payments,
    posting_profile_accounts,
)
from vextrus_finance.infrastructure.ledger.control_accounts import control_accounts as control_query

_OPEN = [s.value for s in OPEN_STATUSES]
# Payments that moved money at some point (a reversed one until its reversal's date).
_SETTLED = [
    PaymentStatus.COMPLETED.value,
    PaymentStatus.RECONCILED.value,
    PaymentStatus.REVERSED.value,
]


def _line_view(m: Any) -> InvoiceLineView:
    rate = VatRate(m["vat_rate"])
    return row_view(
        InvoiceLineView,
        m,
        quantity=Decimal(m["quantity"]),
        unit_price=from_minor(m["unit_price"]),
        vat_rate=rate,
        vat_rate_percent=rate.percent,
        sd_rate=Decimal(m["sd_rate"]),
        ait_rate=Decimal(m["ait_rate"]),
        amount=from_minor(m["amount"]),
        sd_amount=from_minor(m["sd_amount"]),
        vat_amount=from_minor(m["vat_amount"]),
        ait_amount=from_minor(m["ait_amount"]),
    )


def _invoice_view(m: Any, lines: list[InvoiceLineView], today: date) -> InvoiceView:
    status = InvoiceStatus(m["status"])
    # A cancelled invoice is owed by nobody, whatever was paid on it before.
    balance = 0 if status is InvoiceStatus.CANCELLED else m["payable_total"] - m["paid_amount"]
    late = (today - m["due_date"]).days
    overdue = status in OPEN_STATUSES and balance > 0 and late > 0
    return row_view(
        InvoiceView,
        m,
        kind=InvoiceKind(m["kind"]),
        status=status,
        overdue=overdue,
        days_overdue=late if overdue else 0,
        counterparty=CounterpartyView(
            id=m["counterparty_id"],
            name=m["counterparty_name"],
            address=m["counterparty_address"],
            bin=m["counterparty_bin"],
            tin=m["counterparty_tin"],
        ),
        lines=lines,
        subtotal=from_minor(m["subtotal"]),
        sd_total=from_minor(m["sd_total"]),
        vat_total=from_minor(m["vat_total"]),
        ait_total=from_minor(m["ait_total"]),
        grand_total=from_minor(m["grand_total"]),
        payable_total=from_minor(m["payable_total"]),
        paid_amount=from_minor(m["paid_amount"]),
        balance_due=from_minor(balance),
    )


def _payment_view(m: Any) -> PaymentView:
    wallet = None
    if m["wallet_provider"]:
        wallet = WalletView(
            WalletProvider(m["wallet_provider"]),
            m["wallet_mobile_number"],
            m["wallet_transaction_id"],
        )
    return row_view(
        PaymentView,
        m,
        direction=Direction(m["direction"]),
        amount=from_minor(m["amount"]),
        method=PaymentMethod(m["method"]),
        status=PaymentStatus(m["status"]),
        wallet=wallet,
    )


class SqlInvoiceReader(TenantReader):
    # --- invoices ------------------------------------------------------------------

    async def _lines_of(self, ids: list[str]) -> dict[str, list[InvoiceLineView]]:
        il = invoice_lines
        return await self._children(il.c.invoice_id, il.c.line_no, ids, _line_view)

    async def invoice(self, invoice_id: str, *, today: date) -> InvoiceView | None:
        row = await self._row(invoices, invoices.c.id == invoice_id)
        if row is None:
            return None
        return _invoice_view(row, (await self._lines_of([invoice_id]))[invoice_id], today)

    async def invoices(
        self, where: InvoiceFilter, *, today: date, limit: int, cursor: str | None
    ) -> Page[InvoiceView]:
        i = invoices
        query = sa.select(i).where(i.c.tenant_id == self._tenant)
        if where.kind is not None:
            query = query.where(i.c.kind == where.kind.value)
        if where.status is not None:
            query = query.where(i.c.status == where.status.value)
        if where.counterparty_id is not None:
            query = query.where(i.c.counterparty_id == where.counterparty_id)
        query = query.where(*within(i.c.invoice_date, where.date_from, where.date_to))
        late = sa.and_(
            i.c.status.in_(_OPEN), i.c.due_date < today, i.c.payable_total > i.c.paid_amount
        )
        if where.overdue is True:
            query = query.where(late)
        elif where.overdue is False:
            query = query.where(sa.not_(late))
        page, next_cursor = await self._newest_first(
            query, i.c.invoice_date, i.c.number, cursor, limit
        )
        lines = await self._lines_of([r["id"] for r in page])
        return Page([_invoice_view(r, lines[r["id"]], today) for r in page], next_cursor)

    async def open_items(self, kind: InvoiceKind, as_of: date) -> list[OpenItem]:
        """What was owed on each invoice at the end of `as_of`, not today: invoices dated by
        then and not yet cancelled then, less payments dated by then and not yet reversed then
        (cancellations and reversals count from their journals' dates)."""
        i, p, j = invoices, payments, journals

        def journal_date(tenant: Any, journal_id: Any) -> Any:
            query = sa.select(j.c.date).where(j.c.tenant_id == tenant, j.c.id == journal_id)
            return query.scalar_subquery()

        paid = (
            sa.select(sa.func.coalesce(sa.func.sum(p.c.amount), 0))
            .where(
                p.c.tenant_id == i.c.tenant_id,
                p.c.invoice_id == i.c.id,
                p.c.status.in_(_SETTLED),
                p.c.payment_date <= as_of,
                sa.or_(
                    p.c.reversal_journal_id.is_(None),
                    journal_date(p.c.tenant_id, p.c.reversal_journal_id) > as_of,
                ),
            )
            .scalar_subquery()
        )
        balance = (i.c.payable_total - paid).label("balance")
        c = counterparties
        # The record's name today (it may have been corrected since); by name without one.
        current_name = (
            sa.select(c.c.name)
            .where(c.c.tenant_id == i.c.tenant_id, c.c.id == i.c.counterparty_id)
            .scalar_subquery()
        )
        name = sa.func.coalesce(current_name, i.c.counterparty_name)
        result = await self._conn.execute(
            sa.select(i.c.counterparty_id, name, i.c.due_date, balance)
            .where(
                i.c.tenant_id == self._tenant,
                i.c.kind == kind.value,
                i.c.status != InvoiceStatus.DRAFT.value,
                i.c.invoice_date <= as_of,
                # Cancelled after `as_of` it was still owed then; a draft cancelled before
                # approval (no cancellation journal) was never owed.
                sa.or_(
                    sa.and_(
                        i.c.cancellation_journal_id.is_(None),
                        i.c.status != InvoiceStatus.CANCELLED.value,
                    ),
                    journal_date(i.c.tenant_id, i.c.cancellation_journal_id) > as_of,
                ),
            )
            .order_by(i.c.counterparty_name, i.c.due_date)
        )
        return [
            OpenItem(row[0], row[1], row[2], from_minor(int(row[3])))
            for row in result
            if int(row[3]) > 0
        ]

    async def manual_items(
        self, account_ids: list[str], as_of: date, *, debit_side: bool
    ) -> list[OpenItem]:
        """What manual lines naming a counterparty put on the control accounts `account_ids`
        by the end of `as_of` (reversals count from their own dates), one item per party and
        day, due the day it was entered. `debit_side`: receivables grow by debits.

        Read from the posted ledger by account (its index), each entry's counterparty from
        its journal line by primary key."""
        le, jl, c = ledger_entries, journal_lines, counterparties
        day = le.c.entry_date
        net = sa.func.sum(le.c.debit - le.c.credit)
        line_of = sa.and_(
            jl.c.tenant_id == le.c.tenant_id,
            jl.c.journal_id == le.c.journal_id,
            jl.c.line_no == le.c.line_no,
        )
        result = await self._conn.execute(
            sa.select(jl.c.counterparty_id, sa.func.max(c.c.name), day, net)
            .select_from(
                le.join(jl, line_of).outerjoin(
                    c, sa.and_(c.c.tenant_id == jl.c.tenant_id, c.c.id == jl.c.counterparty_id)
                )
            )
            .where(
                le.c.tenant_id == self._tenant,
                le.c.account_id.in_(account_ids),
                day <= as_of,
                jl.c.counterparty_id.is_not(None),
            )
            .group_by(jl.c.counterparty_id, day)
        )
        sign = 1 if debit_side else -1
        return [
            OpenItem(row[0], row[1] or row[0], row[2], from_minor(sign * int(row[3])), False)
            for row in result
            if int(row[3]) != 0
        ]

    async def control_accounts(self, kind: InvoiceKind) -> list[tuple[str, str]]:
        """The tenant's control accounts of `kind` as (id, code), by code: the profile's role
        account and every account an invoice of that kind names (`control_accounts.py`)."""
        result = await self._conn.execute(control_query(self._tenant, [kind]))
        return [(row[0], row[1]) for row in result]

    async def net_debit_as_of(self, account_ids: list[str], as_of: date) -> int:
        """Debits less credits posted to `account_ids` dated by `as_of`, in paisa: the control
        accounts' side of the aging's tie-out (a report, so a plain sum over the entries)."""
        le = ledger_entries
        result = await self._conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(le.c.debit - le.c.credit), 0)).where(
                le.c.tenant_id == self._tenant,
                le.c.account_id.in_(account_ids),
                le.c.entry_date <= as_of,
            )
        )
        return int(result.scalar_one())

    # --- payments ------------------------------------------------------------------

    async def payment(self, payment_id: str) -> PaymentView | None:
        row = await self._row(payments, payments.c.id == payment_id)
        return _payment_view(row) if row else None

    async def payments(
        self, where: PaymentFilter, *, limit: int, cursor: str | None
    ) -> Page[PaymentView]:
        p = payments
        query = sa.select(p).where(p.c.tenant_id == self._tenant)
        if where.invoice_id is not None:
            query = query.where(p.c.invoice_id == where.invoice_id)
        if where.status is not None:
            query = query.where(p.c.status == where.status.value)
        if where.method is not None:
            query = query.where(p.c.method == where.method.value)
        if where.direction is not None:
            query = query.where(p.c.direction == where.direction.value)
        query = query.where(*within(p.c.payment_date, where.date_from, where.date_to))
        page, next_cursor = await self._newest_first(
            query, p.c.payment_date, p.c.number, cursor, limit
        )
        return Page([_payment_view(r) for r in page], next_cursor)

    async def invoice_id_by_number(self, number: str) -> str | None:
        return await self._text(invoices.c.id, invoices.c.number == number)

    async def payment_id_by_number(self, number: str) -> str | None:
        return await self._text(payments.c.id, payments.c.number == number)

    async def payment_with_bank_transaction(self, bank_transaction_id: str) -> str | None:
        p = payments
        return await self._text(p.c.id, p.c.bank_transaction_id == bank_transaction_id)

    async def bill_with_supplier_number(
        self, number: str, *, supplier_bin: str | None, supplier_name: str, other_than: str
    ) -> str | None:
        i = invoices
        same_supplier = (
            i.c.counterparty_bin == supplier_bin
            if supplier_bin is not None
            else sa.and_(
                i.c.counterparty_bin.is_(None),
                sa.func.lower(i.c.counterparty_name) == supplier_name.lower(),
            )
        )
        return await self._text(
            i.c.number,
            i.c.supplier_invoice_number == number,
            i.c.kind == InvoiceKind.PURCHASE.value,
            i.c.status != InvoiceStatus.CANCELLED.value,
            i.c.id != other_than,
            same_supplier,
            first=True,
        )

    async def payment_with_wallet_transaction(
        self, provider: str, transaction_id: str, *, other_than: str
    ) -> str | None:
        p = payments
        return await self._text(
            p.c.number,
            p.c.wallet_provider == provider,
            p.c.wallet_transaction_id == transaction_id,
            p.c.status.in_([PaymentStatus.COMPLETED.value, PaymentStatus.RECONCILED.value]),
            p.c.id != other_than,
            first=True,
        )

    # --- profiles ------------------------------------------------------------------

    async def posting_profile(self) -> PostingProfileView:
        """The stored profile with its accounts; never set: the standard chart's accounts
        that exist (what postings would use), marked `is_default`."""
        ppa, a = posting_profile_accounts, accounts
        rows = (
            await self._conn.execute(
                sa.select(ppa.c.role, ppa.c.version, a.c.id, a.c.code, a.c.name, a.c.type)
                .select_from(
                    ppa.join(
                        a, sa.and_(a.c.tenant_id == ppa.c.tenant_id, a.c.id == ppa.c.account_id)
                    )
                )
                .where(ppa.c.tenant_id == self._tenant)
            )
        ).all()
        if rows:
            version = max(r.version for r in rows)
            found: dict[PostingRole, Any] = {PostingRole(r.role): r for r in rows}
        else:
            version = 0
            by_code = {
                r.code: r
                for r in (
                    await self._conn.execute(
                        sa.select(a.c.id, a.c.code, a.c.name, a.c.type).where(
                            a.c.tenant_id == self._tenant,
                            a.c.code.in_([role.default_code for role in PostingRole]),
                        )
                    )
                ).all()
            }
            found = {
                role: by_code[role.default_code]
                for role in PostingRole
                if role.default_code in by_code
            }
        return PostingProfileView(
            accounts=[
                ProfileAccountView(role.value, r.id, r.code, r.name, r.type)
                for role, r in ((role, found[role]) for role in PostingRole if role in found)
            ],
            is_default=not rows,
            version=version,
        )

    async def company_profile(self) -> CompanyProfileView | None:
        row = await self._row(company_profiles)
        return row_view(CompanyProfileView, row) if row else None
