from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from vextrus_finance.api.commands import Answer, dump, found, invoicing, respond, view
from vextrus_finance.api.context import (
    ContainerDep,
    ContextDep,
    RevisionDep,
    VersionedWriteDep,
    WriteDep,
)
from vextrus_finance.api.openapi_errors import problem_responses
from vextrus_finance.api.permissions import API
from vextrus_finance.api.query_params import From, Limit, To, check_dates
from vextrus_finance.api.schemas.common import ListOf
from vextrus_finance.api.schemas.invoices import (
    CounterpartyIn,
    InvoiceCancelIn,
    InvoiceDetailsIn,
    InvoiceIn,
    InvoiceLineIn,
    InvoiceOut,
    InvoicePatch,
)
from vextrus_finance.application.invoicing import invoices as commands
from vextrus_finance.application.invoicing.queries import InvoiceFilter, InvoiceReader
from vextrus_finance.application.invoicing.views import InvoiceView
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.invoices import InvoiceDetails, InvoiceKind, InvoiceStatus, LineSpec

router = APIRouter(prefix=f"{API}/invoices", tags=["invoices"])
OVERDUE = "OVERDUE"  # not a stored state: a filter on open invoices past their due date
DUPLICATE_BILL: dict[int | str, dict[str, str]] = {
    409: {
        "description": "Problem document: `duplicate_supplier_invoice` (the supplier's bill is "
        "already entered) or `invoice_status` (not a draft)"
    }
}


def _lines(lines: list[InvoiceLineIn]) -> tuple[LineSpec, ...]:
    return tuple(
        LineSpec(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            unit=line.unit,
            hs_code=line.hs_code,
            sd_rate=line.sd_rate if line.sd_rate is not None else "0",
            ait_rate=line.ait_rate if line.ait_rate is not None else "0",
            account_code=line.account_code,
        )
        for line in lines
    )


_DETAILS = tuple(InvoiceDetailsIn.model_fields)


def _details(body: InvoiceDetailsIn) -> InvoiceDetails:
    return InvoiceDetails(**{name: getattr(body, name) for name in _DETAILS})


def _party(body: CounterpartyIn) -> commands.CounterpartySpec:
    return commands.CounterpartySpec(body.name or "", body.id, body.address, body.bin, body.tin)


def _read_invoice(
    container: Container,
) -> Callable[[InvoiceReader, str], Awaitable[InvoiceView | None]]:
    today = container.settings.today()

    async def read(reader: InvoiceReader, invoice_id: str) -> InvoiceView | None:
        return await reader.invoice(invoice_id, today=today)

    return read


def _answer(container: Container) -> Answer[str]:
    return view(InvoiceOut, _read_invoice(container), invoicing)


def _location(invoice_id: str) -> str:
    return f"{API}/invoices/{invoice_id}"


@router.post("", status_code=201, response_model=InvoiceOut, responses=DUPLICATE_BILL)
async def create_invoice(body: InvoiceIn, write: WriteDep) -> JSONResponse:
    command = commands.CreateInvoice(
        kind=body.kind,
        counterparty=_party(body.counterparty),
        invoice_date=body.invoice_date,
        due_date=body.due_date,
        lines=_lines(body.lines),
        currency=body.currency,
        details=_details(body),
    )
    return await write.create(
        lambda uow: commands.create_invoice(uow, command), _answer(write.container), _location
    )


@router.get("", response_model=ListOf[InvoiceOut])
async def list_invoices(
    ctx: ContextDep,
    container: ContainerDep,
    kind: InvoiceKind | None = None,
    status: Annotated[
        str | None, Query(json_schema_extra={"enum": [*InvoiceStatus, OVERDUE]})
    ] = None,
    counterparty_id: str | None = None,
    date_from: From = None,
    date_to: To = None,
    overdue: bool | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> JSONResponse:
    check_dates(date_from, date_to)
    state: InvoiceStatus | None = None
    if status == OVERDUE:
        overdue = True
    elif status is not None:
        try:
            state = InvoiceStatus(status)
        except ValueError:
            allowed = ", ".join([*InvoiceStatus, OVERDUE])
            raise InvalidInput(f"must be one of {allowed}", field="status") from None
    where = InvoiceFilter(kind, state, counterparty_id, date_from, date_to, overdue)
    async with container.invoice_reader(ctx.tenant_id) as reader:
        page = await reader.invoices(
            where, today=container.settings.today(), limit=limit, cursor=cursor
        )
    return respond(dump(ListOf[InvoiceOut], page))


@router.get("/by-number/{number}", response_model=InvoiceOut, responses=problem_responses(404, 422))
async def get_invoice_by_number(
    number: str, ctx: ContextDep, container: ContainerDep
) -> JSONResponse:
    async with container.invoice_reader(ctx.tenant_id) as reader:
        invoice_id = await reader.invoice_id_by_number(number)
        today = container.settings.today()
        view = await reader.invoice(invoice_id, today=today) if invoice_id else None
    return found(InvoiceOut, view, f"no invoice numbered {number}", "invoice_not_found")


@router.get("/{invoice_id}", response_model=InvoiceOut)
async def get_invoice(invoice_id: str, ctx: ContextDep, container: ContainerDep) -> JSONResponse:
    async with container.invoice_reader(ctx.tenant_id) as reader:
        view = await reader.invoice(invoice_id, today=container.settings.today())
    return found(InvoiceOut, view, f"no invoice {invoice_id}", "invoice_not_found")


@router.patch("/{invoice_id}", response_model=InvoiceOut, responses=DUPLICATE_BILL)
async def revise_invoice(invoice_id: str, body: InvoicePatch, write: RevisionDep) -> JSONResponse:
    for name in ("counterparty", "invoice_date", "due_date", "lines"):
        if name in body.model_fields_set and getattr(body, name) is None:
            raise InvalidInput(f"{name} cannot be removed", field=name)
    command = commands.ReviseInvoice(
        invoice_id=invoice_id,
        counterparty=_party(body.counterparty) if body.counterparty else None,
        invoice_date=body.invoice_date,
        due_date=body.due_date,
        lines=_lines(body.lines) if body.lines is not None else None,
        details={name: getattr(body, name) for name in _DETAILS if name in body.model_fields_set},
        expected_version=write.expected,
    )
    return await write.change(
        lambda uow: commands.revise_invoice(uow, command), _answer(write.container)
    )


@router.post(
    "/{invoice_id}/approve",
    response_model=InvoiceOut,
    responses=DUPLICATE_BILL,
    description=(
        "Approve a DRAFT and post its journal. A SALES invoice is a tax invoice, issued at the "
        "time of supply and never backdated: its `invoice_date` becomes the business day of issue "
        "(the due date keeps its terms), which governs the Mushak-6.3 serial's "
        "fiscal year, the journal's date and period and the printed document. A draft dated "
        "in a closed period is refused (422 `period_closed` naming `invoice_date`). PURCHASE "
        "bills keep the supplier's date."
    ),
)
async def approve_invoice(invoice_id: str, write: VersionedWriteDep) -> JSONResponse:
    command = commands.ApproveInvoice(invoice_id, expected_version=write.expected)
    return await write.change(
        lambda uow: commands.approve_invoice(uow, command), _answer(write.container)
    )


@router.post(
    "/{invoice_id}/cancel",
    response_model=InvoiceOut,
    description=(
        "Cancel a DRAFT or APPROVED invoice. An approved invoice's journal is reversed on "
        "`date`, by default the invoice's own date; when that period is closed `date` is "
        "required (422 `period_closed` naming `date`)."
    ),
)
async def cancel_invoice(
    invoice_id: str, body: InvoiceCancelIn, write: VersionedWriteDep
) -> JSONResponse:
    command = commands.CancelInvoice(
        invoice_id, body.reason, date=body.date, expected_version=write.expected
    )
    return await write.change(
        lambda uow: commands.cancel_invoice(uow, command), _answer(write.container)
    )
