"""Inline projections of invoices, payments and the tenant's profiles; registered with the
ledger's `Projector`, so commands and rebuilds apply them the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.domain.events import DomainEvent
from vextrus_finance.domain.invoices import (
    Counterparty,
    InvoiceApproved,
    InvoiceCancelled,
    InvoiceCreated,
    InvoiceDetails,
    InvoiceLine,
    InvoicePaymentRecorded,
    InvoicePaymentReversed,
    InvoiceRevised,
    InvoiceStatus,
    totals_of,
)
from vextrus_finance.domain.money import to_minor
from vextrus_finance.domain.payments import (
    PaymentCompleted,
    PaymentCreated,
    PaymentFailed,
    PaymentMethod,
    PaymentReconciled,
    PaymentReversed,
    PaymentStatus,
)
from vextrus_finance.domain.posting_profiles import CompanyProfileSet, PostingProfileSet
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.projections.tables import ReadModelTables

Handler = Callable[[AsyncConnection, EventEnvelope, Any], Awaitable[None]]


class ProjectionError(RuntimeError):
    """A row an event refers to is missing: never silently skip it."""


def _line_rows(tenant_id: str, invoice_id: str, lines: tuple[InvoiceLine, ...]) -> list[Any]:
    return [
        {
            "tenant_id": tenant_id,
            "invoice_id": invoice_id,
            "line_no": no,
            "description": line.description,
            "quantity": f"{line.quantity:f}",
            "unit": line.unit,
            "unit_price": to_minor(line.unit_price),
            "hs_code": line.hs_code,
            "vat_rate": line.vat_rate.value,
            "sd_rate": f"{line.sd_rate:f}",
            "ait_rate": f"{line.ait_rate:f}",
            "amount": to_minor(line.amount),
            "sd_amount": to_minor(line.sd_amount),
            "vat_amount": to_minor(line.vat_amount),
            "ait_amount": to_minor(line.ait_amount),
            "account_code": line.account_code,
        }
        for no, line in enumerate(lines, start=1)
    ]


def _content(
    counterparty: Counterparty, lines: tuple[InvoiceLine, ...], details: InvoiceDetails
) -> dict[str, Any]:
    t = totals_of(lines)
    return {
        "supplier_invoice_number": details.supplier_invoice_number,
        "supplier_invoice_date": details.supplier_invoice_date,
        "control_account_code": details.control_account_code,
        "destination": details.destination,
        "vehicle_type": details.vehicle_type,
        "vehicle_number": details.vehicle_number,
        "counterparty_id": counterparty.id,
        "counterparty_name": counterparty.name,
        "counterparty_address": counterparty.address,
        "counterparty_bin": counterparty.bin,
        "counterparty_tin": counterparty.tin,
        "subtotal": to_minor(t.subtotal),
        "sd_total": to_minor(t.sd_total),
        "vat_total": to_minor(t.vat_total),
        "ait_total": to_minor(t.ait_total),
        "grand_total": to_minor(t.grand_total),
        "payable_total": to_minor(t.payable_total),
    }


class InvoiceProjections:
    def __init__(self, tables: ReadModelTables) -> None:
        self.t = tables

    def handlers(self) -> dict[type[DomainEvent], Handler]:
        return {
            InvoiceCreated: self._invoice_created,
            InvoiceRevised: self._invoice_revised,
            InvoiceApproved: self._invoice_approved,
            InvoiceCancelled: self._invoice_cancelled,
            InvoicePaymentRecorded: self._invoice_paid,
            InvoicePaymentReversed: self._invoice_paid,
            PaymentCreated: self._payment_created,
            PaymentCompleted: self._payment_completed,
            PaymentFailed: self._payment_failed,
            PaymentReconciled: self._payment_reconciled,
            PaymentReversed: self._payment_reversed,
            PostingProfileSet: self._posting_profile_set,
            CompanyProfileSet: self._company_profile_set,
        }

    async def _one(self, conn: AsyncConnection, statement: Any, e: EventEnvelope) -> None:
        result = await conn.execute(statement)
        if result.rowcount != 1:
            raise ProjectionError(
                f"{e.event.event_type()} v{e.version} of {e.stream_type} {e.stream_id} "
                f"matched {result.rowcount} rows"
            )

    # --- invoices --------------------------------------------------------------------

    async def _invoice_created(
        self, conn: AsyncConnection, e: EventEnvelope, ev: InvoiceCreated
    ) -> None:
        await conn.execute(
            sa.insert(self.t.invoices).values(
                tenant_id=e.tenant_id,
                id=e.stream_id,
                number=ev.number,
                kind=ev.kind.value,
                status=InvoiceStatus.DRAFT.value,
                invoice_date=ev.invoice_date,
                due_date=ev.due_date,
                fiscal_year=ev.fiscal_year,
                currency=ev.currency,
                paid_amount=0,
                created_at=e.recorded_at,
                created_by=e.user_id,
                version=e.version,
                **_content(ev.counterparty, ev.lines, ev.details),
            )
        )
        await conn.execute(
            sa.insert(self.t.invoice_lines), _line_rows(e.tenant_id, e.stream_id, ev.lines)
        )

    async def _set_invoice(self, conn: AsyncConnection, e: EventEnvelope, **values: Any) -> None:
        i = self.t.invoices
        await self._one(
            conn,
            sa.update(i)
            .where(i.c.tenant_id == e.tenant_id, i.c.id == e.stream_id)
            .values(version=e.version, **values),
            e,
        )

    async def _invoice_revised(
        self, conn: AsyncConnection, e: EventEnvelope, ev: InvoiceRevised
    ) -> None:
        await self._set_invoice(
            conn,
            e,
            invoice_date=ev.invoice_date,
            due_date=ev.due_date,
            fiscal_year=ev.fiscal_year,
            **_content(ev.counterparty, ev.lines, ev.details),
        )
        il = self.t.invoice_lines
        await conn.execute(
            sa.delete(il).where(il.c.tenant_id == e.tenant_id, il.c.invoice_id == e.stream_id)
        )
        await conn.execute(sa.insert(il), _line_rows(e.tenant_id, e.stream_id, ev.lines))

    async def _invoice_approved(
        self, conn: AsyncConnection, e: EventEnvelope, ev: InvoiceApproved
    ) -> None:
        issued: dict[str, Any] = {}
        if ev.invoice_date is not None:
            issued = {
                "invoice_date": ev.invoice_date,
                "due_date": ev.due_date,
                "fiscal_year": ev.fiscal_year,
            }
        await self._set_invoice(
            conn,
            e,
            **issued,
            status=InvoiceStatus.APPROVED.value,
            journal_id=ev.journal_id,
            mushak_number=ev.mushak_number,
            issued_at=ev.issued_at,
            approved_at=ev.approved_at,
            approved_by=ev.approved_by,
        )

    async def _invoice_cancelled(
        self, conn: AsyncConnection, e: EventEnvelope, ev: InvoiceCancelled
    ) -> None:
        await self._set_invoice(
            conn,
            e,
            status=InvoiceStatus.CANCELLED.value,
            cancel_reason=ev.reason,
            cancellation_journal_id=ev.cancellation_journal_id,
        )

    async def _invoice_paid(
        self,
        conn: AsyncConnection,
        e: EventEnvelope,
        ev: InvoicePaymentRecorded | InvoicePaymentReversed,
    ) -> None:
        await self._set_invoice(
            conn, e, status=ev.status.value, paid_amount=to_minor(ev.paid_amount)
        )

    # --- payments --------------------------------------------------------------------

    async def _payment_created(
        self, conn: AsyncConnection, e: EventEnvelope, ev: PaymentCreated
    ) -> None:
        wallet = ev.details.wallet
        is_wallet = ev.details.method is PaymentMethod.MOBILE_WALLET
        await conn.execute(
            sa.insert(self.t.payments).values(
                tenant_id=e.tenant_id,
                id=e.stream_id,
                number=ev.number,
                invoice_id=ev.invoice_id,
                direction=ev.direction.value,
                amount=to_minor(ev.amount),
                currency=ev.currency,
                method=ev.details.method.value,
                status=(PaymentStatus.PROCESSING if is_wallet else PaymentStatus.PENDING).value,
                payment_date=ev.payment_date,
                reference=ev.reference,
                bank_account_id=ev.details.bank_account_id,
                account_id=ev.account_id,
                check_number=ev.details.check_number,
                wallet_provider=wallet.provider.value if wallet else None,
                wallet_mobile_number=wallet.mobile_number if wallet else None,
                wallet_transaction_id=wallet.transaction_id if wallet else None,
                counterparty_id=ev.counterparty_id,
                created_at=e.recorded_at,
                created_by=e.user_id,
                version=e.version,
            )
        )

    async def _set_payment(self, conn: AsyncConnection, e: EventEnvelope, **values: Any) -> None:
        p = self.t.payments
        await self._one(
            conn,
            sa.update(p)
            .where(p.c.tenant_id == e.tenant_id, p.c.id == e.stream_id)
            .values(version=e.version, **values),
            e,
        )

    async def _payment_completed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: PaymentCompleted
    ) -> None:
        wallet: dict[str, Any] = {}
        if ev.wallet_transaction_id is not None:
            wallet = {"wallet_transaction_id": ev.wallet_transaction_id}
        await self._set_payment(
            conn,
            e,
            **wallet,
            status=PaymentStatus.COMPLETED.value,
            transaction_reference=ev.transaction_reference,
            journal_id=ev.journal_id,
            completed_at=ev.completed_at,
        )

    async def _payment_failed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: PaymentFailed
    ) -> None:
        await self._set_payment(
            conn, e, status=PaymentStatus.FAILED.value, failure_reason=ev.reason
        )

    async def _payment_reconciled(
        self, conn: AsyncConnection, e: EventEnvelope, ev: PaymentReconciled
    ) -> None:
        await self._set_payment(
            conn,
            e,
            status=PaymentStatus.RECONCILED.value,
            bank_transaction_id=ev.bank_transaction_id,
            reconciled_at=ev.reconciled_at,
        )

    async def _payment_reversed(
        self, conn: AsyncConnection, e: EventEnvelope, ev: PaymentReversed
    ) -> None:
        await self._set_payment(
            conn,
            e,
            status=PaymentStatus.REVERSED.value,
            reversal_reason=ev.reason,
            reversal_journal_id=ev.reversal_journal_id,
        )

    # --- profiles --------------------------------------------------------------------

    async def _posting_profile_set(
        self, conn: AsyncConnection, e: EventEnvelope, ev: PostingProfileSet
    ) -> None:
        ppa = self.t.posting_profile_accounts
        await conn.execute(sa.delete(ppa).where(ppa.c.tenant_id == e.tenant_id))
        await conn.execute(
            sa.insert(ppa),
            [
                {
                    "tenant_id": e.tenant_id,
                    "role": role.value,
                    "account_id": account.id,
                    "account_code": account.code,
                    "version": e.version,
                }
                for role, account in sorted(ev.accounts.items())
            ],
        )

    async def _company_profile_set(
        self, conn: AsyncConnection, e: EventEnvelope, ev: CompanyProfileSet
    ) -> None:
        cp = self.t.company_profiles
        await conn.execute(sa.delete(cp).where(cp.c.tenant_id == e.tenant_id))
        await conn.execute(
            sa.insert(cp).values(
                tenant_id=e.tenant_id,
                name=ev.name,
                address=ev.address,
                bin=ev.bin,
                tin=ev.tin,
                phone=ev.phone,
                version=e.version,
            )
        )
