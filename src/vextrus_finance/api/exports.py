"""`format` and `lang` for every exportable report, and the export answer (ADR 0049).

A report route takes `report: ReportDep` (the request context, the container and the export
options) and, after building its JSON document, answers

    return await report.answer(document, some_table)

the JSON document itself (orjson), or the file `some_table(document)` rendered in `format`.
A route that must know before reading (the ledger pages differently) takes `export: ExportDep`
and calls `export.response` itself.

`ExportDep` validates `format` (json|csv|xlsx|pdf, 422 naming `format`) and `lang` (en|bn, 422
naming `lang`) and, for any format but json, requires `report:export` on top of the route's
own permission from `ROUTE_PERMISSIONS` (403 otherwise) — one table maps a route to one
permission, so the second one is checked here, the way posting while creating is.

CSV is written in-process (a string join). XLSX and PDF are seconds of CPU for a large report
and run in the render pool Mushak PDFs use (per-tenant share, time limit, killed when the
client goes away): 429 / 503 with Retry-After exactly as for Mushak-6.3."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, Query, Request
from fastapi.responses import Response

from vextrus_finance.api.context import ContainerDep, ContextDep, require_also
from vextrus_finance.api.disconnect import ClientGone, unless_disconnected
from vextrus_finance.api.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from vextrus_finance.api.problems import problem
from vextrus_finance.api.services import services
from vextrus_finance.application.context import RequestContext
from vextrus_finance.bootstrap import Container
from vextrus_finance.documents.numerals import Lang
from vextrus_finance.documents.render_pool import RenderFailed, RenderRefused, TenantBusy
from vextrus_finance.documents.reports import csv, pdf, xlsx
from vextrus_finance.documents.reports.model import ExportHeader, PrintableReport
from vextrus_finance.observability import metrics

ExportFormat = Literal["json", "csv", "xlsx", "pdf"]
EXPORT_PERMISSION = "report:export"
MEDIA_TYPES: dict[str, str] = {
    "csv": csv.MEDIA_TYPE,
    "xlsx": xlsx.MEDIA_TYPE,
    "pdf": pdf.MEDIA_TYPE,
}

_PROBLEM: dict[str, Any] = {"content": {PROBLEM_MEDIA_TYPE: {}}}
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report: JSON (default), or with `format` a CSV, XLSX or PDF file "
        "(Content-Disposition: attachment)",
        "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
    },
    403: {"description": "Missing the route's permission, or `report:export` for a file",
          **_PROBLEM},
    422: {"description": "Invalid parameter (`format`, `lang`, …)", **_PROBLEM},
    429: {
        "description": "XLSX/PDF: this tenant already has its share of documents rendering "
        "(`document_render_tenant_busy`); see Retry-After",
        **_PROBLEM,
    },
    503: {
        "description": "XLSX/PDF: every renderer is busy (`document_render_busy`), or the render "
        "ran past its time limit (`document_render_timeout`) or failed "
        "(`document_render_failed`); see Retry-After",
        **_PROBLEM,
    },
}  # fmt: skip

FormatQuery = Annotated[
    ExportFormat,
    Query(
        alias="format",
        description="json (default); csv, xlsx or pdf answer a file and need `report:export`. "
        "CSV: UTF-8, no BOM, a header row, amounts as plain 2-place numbers. XLSX: numbers as "
        "numbers ('#,##0.00'), dates as dates, a header block (company, BIN, period, "
        "generation time). PDF: A4, labels in `lang`, Bengali digits when `lang=bn`.",
    ),
]
LangQuery = Annotated[
    Lang,
    Query(
        description="Labels of csv/xlsx/pdf: en (default) or bn; only the PDF prints Bengali "
        "digits, CSV and XLSX keep machine numbers. Ignored for json."
    ),
]


@dataclass(frozen=True)
class Export:
    format: ExportFormat
    lang: Lang
    request: Request

    @property
    def wanted(self) -> bool:
        """A file, not the JSON document."""
        return self.format != "json"

    async def response(
        self, ctx: RequestContext, container: Container, report: PrintableReport
    ) -> Response:
        header = await export_header(ctx, container)
        filename = f"{report.name}.{self.format}"
        if self.format == "csv":
            content = csv.render_csv(report, self.lang)
        else:
            renderer = xlsx.render_xlsx if self.format == "xlsx" else pdf.render_report_pdf
            rendered = await self._render(ctx.tenant_id, renderer, report, header)
            if isinstance(rendered, Response):
                return rendered
            content = rendered
        metrics.document_served.labels(self.format, "rendered").inc()
        return Response(
            content,
            media_type=MEDIA_TYPES[self.format],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    async def _render(
        self, tenant_id: str, renderer: Any, report: PrintableReport, header: ExportHeader
    ) -> bytes | Response:
        """The bytes from the render pool, or the problem answer when it cannot give them."""
        request = self.request
        pool = services(request).render_pool
        started = time.perf_counter()
        outcome = "failed"
        try:
            content: bytes = await unless_disconnected(
                request, pool.run(tenant_id, renderer, report, header, self.lang)
            )
            outcome = "ok"
            return content
        except RenderRefused as refused:
            busy = isinstance(refused, TenantBusy)
            metrics.document_renders_rejected.labels("tenant_busy" if busy else "pool_full").inc()
            status, code = (
                (429, "document_render_tenant_busy") if busy else (503, "document_render_busy")
            )
            headers = {"Retry-After": str(refused.retry_after_s)}
            return problem(request, status, code, str(refused), headers=headers)
        except RenderFailed as failed:
            outcome = "timeout" if failed.timed_out else "failed"
            code = "document_render_timeout" if failed.timed_out else "document_render_failed"
            headers = {"Retry-After": str(max(1, failed.retry_after_s))}
            return problem(request, 503, code, str(failed), headers=headers)
        except ClientGone:
            outcome = "abandoned"
            detail = "the client went away; the render was stopped"
            return problem(request, 503, "client_disconnected", detail)
        finally:
            metrics.document_render_duration.labels(self.format, outcome).observe(
                time.perf_counter() - started
            )


async def export_options(
    request: Request, output: FormatQuery = "json", lang: LangQuery = "en"
) -> Export:
    if output != "json":
        require_also(request, EXPORT_PERMISSION)
    return Export(output, lang, request)


ExportDep = Annotated[Export, Depends(export_options)]


@dataclass(frozen=True)
class ReportRequest:
    """What every exportable report route needs: who asks, the container, the export options."""

    ctx: RequestContext
    container: Container
    export: Export

    async def answer(
        self, document: dict[str, Any], table: Callable[[dict[str, Any]], PrintableReport]
    ) -> Response:
        """The JSON document (orjson: large reports' bodies), or the file of `table(document)`."""
        if self.export.wanted:
            return await self.export.response(self.ctx, self.container, table(document))
        return Response(orjson.dumps(document), media_type="application/json")


async def report_request(
    ctx: ContextDep, container: ContainerDep, export: ExportDep
) -> ReportRequest:
    return ReportRequest(ctx, container, export)


ReportDep = Annotated[ReportRequest, Depends(report_request)]


async def export_header(ctx: RequestContext, container: Container) -> ExportHeader:
    """The company (name, BIN) from the tenant's company profile, and now in business time."""
    async with container.invoice_reader(ctx.tenant_id) as reader:
        company = await reader.company_profile()
    calendar = container.calendar
    return ExportHeader(
        company_name=company.name if company else None,
        company_bin=company.bin if company else None,
        generated_at=calendar.local_time(calendar.now()),
    )
