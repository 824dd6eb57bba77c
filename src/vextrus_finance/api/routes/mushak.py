"""GET /api/v1/invoices/{id}/mushak-6.3: the tax invoice of an approved sales invoice as a
printable HTML page or a PDF, in English or Bengali (renderer: `documents/mushak63.py`).

A tax invoice does not change once issued, so each rendering is stored (`rendered_documents`)
and later requests are served the stored bytes. PDFs render in the bounded, killable worker
pool (`documents/render_pool.py`, ADR 0031): a full pool answers 503, a tenant over its share
429, a render over its time limit 503, each with Retry-After."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from vextrus_finance.api.context import ContainerDep, ContextDep
from vextrus_finance.api.disconnect import ClientGone, unless_disconnected
from vextrus_finance.api.permissions import API
from vextrus_finance.api.problems import MEDIA_TYPE, problem
from vextrus_finance.api.routes.mushak_mapping import mushak63_document
from vextrus_finance.api.services import services
from vextrus_finance.documents.mushak63 import (
    CONTENT_SECURITY_POLICY,
    Mushak63Document,
    render_html,
)
from vextrus_finance.documents.numerals import Lang
from vextrus_finance.documents.render_pool import (
    RenderFailed,
    RenderRefused,
    TenantBusy,
)
from vextrus_finance.documents.rendering import source_digest
from vextrus_finance.domain.errors import NotFound
from vextrus_finance.infrastructure.invoicing.document_store import (
    DocumentKey,
    store_document,
    stored_document,
)
from vextrus_finance.observability import metrics

router = APIRouter(prefix=f"{API}/invoices", tags=["invoices"])


async def _render_pdf(
    request: Request, tenant_id: str, document: Mushak63Document, lang: Lang
) -> bytes:
    app_services = services(request)
    pool = app_services.render_pool
    started = time.perf_counter()
    outcome = "failed"
    try:
        pdf: bytes = await unless_disconnected(
            request, pool.run(tenant_id, app_services.pdf_renderer, document, lang)
        )
        outcome = "ok"
        return pdf
    except RenderFailed as failed:
        outcome = "timeout" if failed.timed_out else "failed"
        raise
    except ClientGone:
        outcome = "abandoned"
        raise
    finally:
        metrics.document_render_duration.labels("pdf", outcome).observe(
            time.perf_counter() - started
        )


_PROBLEM: dict[str, Any] = {"content": {MEDIA_TYPE: {}}}


@router.get(
    "/{invoice_id}/mushak-6.3",
    response_class=Response,
    responses={
        200: {
            "description": "The tax invoice",
            "content": {"text/html": {}, "application/pdf": {}},
        },
        404: {"description": "No such invoice", **_PROBLEM},
        409: {"description": "Not an issued sales invoice (`mushak_not_issued`)", **_PROBLEM},
        422: {"description": "Invalid format or lang", **_PROBLEM},
        429: {
            "description": "This tenant already has its share of PDFs rendering "
            "(`document_render_tenant_busy`); see Retry-After",
            **_PROBLEM,
        },
        503: {
            "description": "Every renderer is busy (`document_render_busy`), or the render ran "
            "past its time limit (`document_render_timeout`) or failed "
            "(`document_render_failed`); see Retry-After",
            **_PROBLEM,
        },
    },
)
async def mushak63(
    invoice_id: str,
    request: Request,
    ctx: ContextDep,
    container: ContainerDep,
    output: Annotated[Literal["html", "pdf"], Query(alias="format")] = "html",
    lang: Literal["en", "bn"] = "en",
) -> Response:
    async with container.invoice_reader(ctx.tenant_id) as reader:
        invoice = await reader.invoice(invoice_id, today=container.calendar.today())
        company = await reader.company_profile()
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}", code="invoice_not_found")
    document = mushak63_document(invoice, company, container.calendar)
    key = DocumentKey(
        ctx.tenant_id, invoice_id, output, lang, source_digest(document, output, lang)
    )
    async with container.db.read() as conn:
        content = await stored_document(conn, key)
    source = "stored"
    if content is None:
        source = "rendered"
        if output == "pdf":
            try:
                content = await _render_pdf(request, ctx.tenant_id, document, lang)
            except RenderRefused as refused:
                reason = "tenant_busy" if isinstance(refused, TenantBusy) else "pool_full"
                metrics.document_renders_rejected.labels(reason).inc()
                status, code = (
                    (429, "document_render_tenant_busy")
                    if isinstance(refused, TenantBusy)
                    else (503, "document_render_busy")
                )
                headers = {"Retry-After": str(refused.retry_after_s)}
                return problem(request, status, code, str(refused), headers=headers)
            except RenderFailed as failed:
                code = "document_render_timeout" if failed.timed_out else "document_render_failed"
                headers = {"Retry-After": str(max(1, failed.retry_after_s))}
                return problem(request, 503, code, str(failed), headers=headers)
            except ClientGone:
                # Nobody reads this answer; it only closes the request in logs and metrics.
                detail = "the client went away; the render was stopped"
                return problem(request, 503, "client_disconnected", detail)
        else:
            # Jinja only: milliseconds even for hundreds of lines, so it stays in-process.
            content = render_html(document, lang).encode("utf-8")
        async with container.db.write() as conn:
            await store_document(conn, key, invoice_version=invoice.version, content=content)
    metrics.document_served.labels(output, source).inc()
    if output == "pdf":
        name = f"mushak-6.3-{document.mushak_number}.pdf"
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )
    # The page's one inline stylesheet, allowed by its hash; no script, no fetches.
    return HTMLResponse(content, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})
