"""A report as HTML and as an A4 PDF through the Mushak-6.3 pipeline: the package's Jinja
environment (autoescaped), a stylesheet inlined under its own CSP, WeasyPrint with every fetch
refused. Labels in English or Bengali; with `lang="bn"` every amount, date and count is
printed in Bengali digits (amounts with lakh grouping, as on Mushak-6.3).

`render_report_pdf` is CPU-bound and not interruptible: the API runs it in the render pool."""

from __future__ import annotations

from vextrus_finance.documents.numerals import Lang, format_paisa, localise_digits
from vextrus_finance.documents.reports import labels
from vextrus_finance.documents.reports.model import CellText, ExportHeader, PrintableReport
from vextrus_finance.documents.templating import render_template

MEDIA_TYPE = "application/pdf"
# More columns than this print on a landscape page.
_PORTRAIT_COLUMNS = 6


def _cells(lang: Lang) -> CellText:
    """Amounts with lakh grouping, dates dd/mm/yyyy, counts; Bengali digits for bn."""
    return CellText(
        text=str,
        day=lambda day: localise_digits(day.strftime("%d/%m/%Y"), lang),
        money=lambda amount: format_paisa(amount, lang),
        count=lambda count: localise_digits(str(count), lang),
    )


def render_report_html(report: PrintableReport, header: ExportHeader, lang: Lang) -> str:
    cells = _cells(lang)
    return render_template(
        "report.html.j2",
        css="report.css",
        lang=lang,
        report=report,
        header=header,
        labels=labels,
        not_set=labels.NOT_SET,
        wide=len(report.columns) > _PORTRAIT_COLUMNS,
        text=lambda label: label(lang),
        cell=lambda kind, value: cells.write(kind, value, lang),
    )


def render_report_pdf(report: PrintableReport, header: ExportHeader, lang: Lang) -> bytes:
    # Imported here: WeasyPrint loads Pango at import time, which only PDF requests need.
    from weasyprint import HTML  # type: ignore[import-untyped]

    from vextrus_finance.documents.mushak63 import no_fetch_url_fetcher

    html = render_report_html(report, header, lang)
    pdf: bytes = HTML(string=html, url_fetcher=no_fetch_url_fetcher()).write_pdf()
    return pdf
