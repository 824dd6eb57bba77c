"""GET /api/v1/invoices/{id}/mushak-6.3: the tax invoice of an approved sales invoice as a
printable HTML page or a PDF, in English or Bengali (renderer: `documents/mushak63.py`)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from vextrus_finance.api.context import ContainerDep, ContextDep
from vextrus_finance.api.permissions import API
from vextrus_finance.api.routes.mushak_mapping import DocumentFields, mushak63_fields
from vextrus_finance.documents.mushak63 import (
    CONTENT_SECURITY_POLICY,
    Mushak63Document,
    Mushak63Line,
    Party,
    render_html,
    render_pdf,
)
from vextrus_finance.domain.errors import NotFound

router = APIRouter(prefix=f"{API}/invoices", tags=["invoices"])


def build_document(fields: DocumentFields) -> Mushak63Document:
    return Mushak63Document(
        mushak_number=fields["mushak_number"],
        issued_at=fields["issued_at"],
        invoice_number=fields["invoice_number"],
        invoice_date=fields["invoice_date"],
        seller=Party(**fields["seller"]),
        buyer=Party(**fields["buyer"]),
        lines=tuple(Mushak63Line(**line) for line in fields["lines"]),
        subtotal_paisa=fields["subtotal_paisa"],
        sd_total_paisa=fields["sd_total_paisa"],
        vat_total_paisa=fields["vat_total_paisa"],
        grand_total_paisa=fields["grand_total_paisa"],
        ait_paisa=fields["ait_paisa"],
        payable_paisa=fields["payable_paisa"],
        currency=fields["currency"],
        destination=fields["destination"],
        vehicle_type=fields["vehicle_type"],
        vehicle_number=fields["vehicle_number"],
        cancelled=fields["cancelled"],
    )


@router.get("/{invoice_id}/mushak-6.3", response_class=Response)
async def mushak63(
    invoice_id: str,
    ctx: ContextDep,
    container: ContainerDep,
    output: Annotated[Literal["html", "pdf"], Query(alias="format")] = "html",
    lang: Literal["en", "bn"] = "en",
) -> Response:
    async with container.invoice_reader(ctx.tenant_id) as reader:
        invoice = await reader.invoice(invoice_id, today=container.settings.today())
        company = await reader.company_profile()
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}", code="invoice_not_found")
    document = build_document(mushak63_fields(invoice, company))
    if output == "pdf":
        # WeasyPrint is CPU-bound: keep it off the event loop.
        pdf: bytes = await asyncio.to_thread(render_pdf, document, lang)
        name = f"mushak-6.3-{document.mushak_number}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )
    html: str = render_html(document, lang)
    # The page's one inline stylesheet, allowed by its hash; no script, no fetches.
    return HTMLResponse(html, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})
