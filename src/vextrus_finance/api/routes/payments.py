from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from vextrus_finance.api.commands import dump, found, invoicing, respond, view
from vextrus_finance.api.context import ContainerDep, ContextDep, VersionedWriteDep, WriteDep
from vextrus_finance.api.openapi_errors import problem_responses
from vextrus_finance.api.permissions import API
from vextrus_finance.api.query_params import From, Limit, To, check_dates
from vextrus_finance.api.schemas.common import ListOf
from vextrus_finance.api.schemas.invoices import CounterpartyIn
from vextrus_finance.api.schemas.payments import (
    CompleteIn,
    FailIn,
    PaymentIn,
    PaymentOut,
    PaymentReverseIn,
    ReconcileIn,
)
from vextrus_finance.application.invoicing import payments as commands
from vextrus_finance.application.invoicing.queries import InvoiceReader, PaymentFilter
from vextrus_finance.application.invoicing.views import PaymentView
from vextrus_finance.domain.invoices import Counterparty
from vextrus_finance.domain.payments import Direction, PaymentMethod, PaymentStatus

router = APIRouter(prefix=f"{API}/payments", tags=["payments"])


async def _payment(reader: InvoiceReader, payment_id: str) -> PaymentView | None:
    return await reader.payment(payment_id)


def _party(body: CounterpartyIn | None) -> Counterparty | None:
    if body is None:
        return None
    return Counterparty(body.name or "", body.id, body.address, body.bin, body.tin)


_ANSWER = view(PaymentOut, _payment, invoicing)


def _location(payment_id: str) -> str:
    return f"{API}/payments/{payment_id}"


@router.post(
    "",
    status_code=201,
    response_model=PaymentOut,
    responses={
        409: {
            "description": "Problem document: `duplicate_wallet_transaction` (the wallet "
            "transaction id already completed another payment of the provider)"
        }
    },
)
async def create_payment(body: PaymentIn, write: WriteDep) -> JSONResponse:
    wallet = None
    if body.wallet is not None:
        wallet = commands.WalletSpec(
            body.wallet.provider, body.wallet.mobile_number, body.wallet.transaction_id
        )
    command = commands.CreatePayment(
        amount=body.amount,
        method=body.method,
        payment_date=body.payment_date,
        invoice_id=body.invoice_id,
        direction=body.direction,
        currency=body.currency,
        reference=body.reference,
        bank_account_id=body.bank_account_id,
        bank_account_code=body.bank_account_code,
        check_number=body.check_number,
        wallet=wallet,
        counterparty=_party(body.counterparty),
    )
    return await write.create(lambda uow: commands.create_payment(uow, command), _ANSWER, _location)


@router.get("", response_model=ListOf[PaymentOut])
async def list_payments(
    ctx: ContextDep,
    container: ContainerDep,
    invoice_id: str | None = None,
    status: PaymentStatus | None = None,
    method: PaymentMethod | None = None,
    direction: Direction | None = None,
    date_from: From = None,
    date_to: To = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> JSONResponse:
    check_dates(date_from, date_to)
    where = PaymentFilter(invoice_id, status, method, direction, date_from, date_to)
    async with container.invoice_reader(ctx.tenant_id) as reader:
        page = await reader.payments(where, limit=limit, cursor=cursor)
    return respond(dump(ListOf[PaymentOut], page))


@router.get("/by-number/{number}", response_model=PaymentOut, responses=problem_responses(404, 422))
async def get_payment_by_number(
    number: str, ctx: ContextDep, container: ContainerDep
) -> JSONResponse:
    async with container.invoice_reader(ctx.tenant_id) as reader:
        payment_id = await reader.payment_id_by_number(number)
        view = await reader.payment(payment_id) if payment_id else None
    return found(PaymentOut, view, f"no payment numbered {number}", "payment_not_found")


@router.get("/{payment_id}", response_model=PaymentOut)
async def get_payment(payment_id: str, ctx: ContextDep, container: ContainerDep) -> JSONResponse:
    async with container.invoice_reader(ctx.tenant_id) as reader:
        view = await reader.payment(payment_id)
    return found(PaymentOut, view, f"no payment {payment_id}", "payment_not_found")


@router.post(
    "/{payment_id}/complete",
    response_model=PaymentOut,
    responses={
        409: {
            "description": "Problem document: `duplicate_wallet_transaction` (the wallet "
            "transaction id already completed another payment of the provider) or the payment's "
            "state"
        }
    },
)
async def complete_payment(
    payment_id: str, body: CompleteIn, write: VersionedWriteDep
) -> JSONResponse:
    command = commands.CompletePayment(
        payment_id, body.transaction_reference, expected_version=write.expected
    )
    return await write.change(lambda uow: commands.complete_payment(uow, command), _ANSWER)


@router.post("/{payment_id}/fail", response_model=PaymentOut)
async def fail_payment(payment_id: str, body: FailIn, write: VersionedWriteDep) -> JSONResponse:
    command = commands.FailPayment(payment_id, body.reason, expected_version=write.expected)
    return await write.change(lambda uow: commands.fail_payment(uow, command), _ANSWER)


@router.post("/{payment_id}/reconcile", response_model=PaymentOut)
async def reconcile_payment(
    payment_id: str, body: ReconcileIn, write: VersionedWriteDep
) -> JSONResponse:
    command = commands.ReconcilePayment(
        payment_id, body.bank_transaction_id, expected_version=write.expected
    )
    return await write.change(lambda uow: commands.reconcile_payment(uow, command), _ANSWER)


@router.post("/{payment_id}/reverse", response_model=PaymentOut)
async def reverse_payment(
    payment_id: str, body: PaymentReverseIn, write: VersionedWriteDep
) -> JSONResponse:
    command = commands.ReversePayment(
        payment_id, body.reason, date=body.date, expected_version=write.expected
    )
    return await write.change(lambda uow: commands.reverse_payment(uow, command), _ANSWER)
