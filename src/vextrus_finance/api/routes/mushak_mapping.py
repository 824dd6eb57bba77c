"""From an approved sales invoice and the tenant's company profile to its Mushak-6.3 document,
the dataclass the renderer prints and the store's digest covers."""

from __future__ import annotations

from vextrus_finance.application.invoicing.views import (
    CompanyProfileView,
    CounterpartyView,
    InvoiceLineView,
    InvoiceView,
)
from vextrus_finance.documents.mushak63 import Mushak63Document, Mushak63Line, Party
from vextrus_finance.domain.calendar import BusinessCalendar
from vextrus_finance.domain.errors import InvalidState
from vextrus_finance.domain.invoices import InvoiceKind, InvoiceStatus
from vextrus_finance.domain.money import to_minor

ISSUED = (InvoiceStatus.APPROVED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)


def _party(party: CompanyProfileView | CounterpartyView) -> Party:
    """The seller (the tenant's company profile) or the buyer (the invoice's counterparty)."""
    return Party(name=party.name, address=party.address, bin=party.bin, tin=party.tin)


def _line(line: InvoiceLineView) -> Mushak63Line:
    return Mushak63Line(
        description=line.description,
        hs_code=line.hs_code,
        unit=line.unit,
        quantity=line.quantity,
        unit_price_paisa=to_minor(line.unit_price),
        amount_paisa=to_minor(line.amount),
        sd_rate=line.sd_rate,
        sd_paisa=to_minor(line.sd_amount),
        vat_rate=line.vat_rate_percent,
        vat_paisa=to_minor(line.vat_amount),
        total_paisa=to_minor(line.total),
    )


def mushak63_document(
    invoice: InvoiceView, company: CompanyProfileView | None, calendar: BusinessCalendar
) -> Mushak63Document:
    """Refuses (409) what is not a tax invoice: purchases (the supplier issues theirs),
    drafts (also when cancelled as drafts), and a tenant with no company profile (no seller
    BIN). A cancelled invoice that was issued is reprinted for the auditor, marked CANCELLED.

    The time of issue is given in the business time zone, as printed: the zone is then part of
    the document, and so of the digest its stored renderings are kept under."""
    if invoice.kind is not InvoiceKind.SALES:
        raise InvalidState(
            f"{invoice.number} is a purchase invoice: its Mushak-6.3 is the supplier's",
            code="mushak_not_issued",
        )
    cancelled = invoice.status is InvoiceStatus.CANCELLED
    if (
        (invoice.status not in ISSUED and not cancelled)
        or invoice.mushak_number is None
        or invoice.issued_at is None
    ):
        raise InvalidState(
            f"invoice {invoice.number} is {invoice.status}: a Mushak-6.3 exists only for an "
            "approved sales invoice",
            code="mushak_not_issued",
        )
    if company is None:
        raise InvalidState(
            "the tenant has no company profile (name, address, BIN): PUT "
            "/api/v1/company-profile before printing tax invoices",
            code="company_profile_missing",
        )
    return Mushak63Document(
        mushak_number=invoice.mushak_number,
        issued_at=calendar.local_time(invoice.issued_at),
        invoice_number=invoice.number,
        invoice_date=invoice.invoice_date,
        seller=_party(company),
        buyer=_party(invoice.counterparty),
        lines=tuple(_line(line) for line in invoice.lines),
        subtotal_paisa=to_minor(invoice.subtotal),
        sd_total_paisa=to_minor(invoice.sd_total),
        vat_total_paisa=to_minor(invoice.vat_total),
        grand_total_paisa=to_minor(invoice.grand_total),
        ait_paisa=to_minor(invoice.ait_total),
        payable_paisa=to_minor(invoice.payable_total),
        currency=invoice.currency,
        destination=invoice.destination,
        vehicle_type=invoice.vehicle_type,
        vehicle_number=invoice.vehicle_number,
        cancelled=cancelled,
    )
