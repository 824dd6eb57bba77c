"""Receivables (SALES) and payables (PURCHASE) aging per counterparty."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from vextrus_finance.api.commands import dump, respond
from vextrus_finance.api.context import ContainerDep, ContextDep
from vextrus_finance.api.permissions import API
from vextrus_finance.api.schemas.invoices import AgingOut
from vextrus_finance.application.aging import aging_report
from vextrus_finance.domain.invoices import InvoiceKind

router = APIRouter(prefix=f"{API}/reports", tags=["reports"])


@router.get("/aging", response_model=AgingOut)
async def aging(
    ctx: ContextDep,
    container: ContainerDep,
    kind: InvoiceKind = InvoiceKind.SALES,
    as_of: date | None = None,
) -> JSONResponse:
    """What was owed at the end of `as_of` (default today) on invoices dated by then — payable
    total less the payments dated by then, counting cancellations and payment reversals only
    from their own dates — bucketed by days past due as of `as_of`."""
    day = as_of or container.settings.today()
    async with container.invoice_reader(ctx.tenant_id) as reader:
        items = await reader.open_items(kind, day)
    return respond(dump(AgingOut, aging_report(kind, day, items)))
