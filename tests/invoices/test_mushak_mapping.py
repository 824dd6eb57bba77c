"""The Mushak-6.3 document built from an approved sales invoice and the company profile: what the
renderer prints, and the consistency rules it enforces (lines add up to the totals)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.integration.helpers import run
from tests.invoices.helpers import new_invoice, seed_tenant
from vextrus_finance.api.routes.mushak_mapping import mushak63_document
from vextrus_finance.application.invoicing.posting_profiles import (
    SetCompanyProfile,
    set_company_profile,
)
from vextrus_finance.application.invoicing.views import CompanyProfileView, InvoiceView
from vextrus_finance.bootstrap import Container
from vextrus_finance.documents.mushak63 import Mushak63Document, Party
from vextrus_finance.domain.errors import InvalidState
from vextrus_finance.domain.invoices import InvoiceKind, LineSpec
from vextrus_finance.domain.vat import VatRate

COMPANY = SetCompanyProfile(
    "Vextrus Builders Ltd.", "Gulshan-1, Dhaka", "000123456-0101", "123456789012", "01711000000"
)


async def _read(
    container: Container, invoice_id: str
) -> tuple[InvoiceView, CompanyProfileView | None]:
    async with container.invoice_reader("t1") as reader:
        view = await reader.invoice(invoice_id, today=date(2025, 8, 10))
        company = await reader.company_profile()
    assert view is not None
    return view, company


def _consistent(doc: Mushak63Document) -> None:
    """The renderer's own checks (documents.mushak63), restated."""
    assert doc.issued_at.utcoffset() == timedelta(hours=6)
    assert doc.lines
    assert doc.currency == "BDT"
    for line in doc.lines:
        assert line.total_paisa == line.amount_paisa + line.sd_paisa + line.vat_paisa
        assert line.vat_rate is not None or line.vat_paisa == 0
    assert doc.subtotal_paisa == sum(line.amount_paisa for line in doc.lines)
    assert doc.sd_total_paisa == sum(line.sd_paisa for line in doc.lines)
    assert doc.vat_total_paisa == sum(line.vat_paisa for line in doc.lines)
    assert doc.grand_total_paisa == (doc.subtotal_paisa + doc.sd_total_paisa + doc.vat_total_paisa)
    assert doc.payable_paisa == doc.grand_total_paisa - doc.ait_paisa


async def test_fields_of_an_approved_sales_invoice(container: Container) -> None:
    await seed_tenant(container, "t1")
    await run(container, "t1", lambda uow: set_company_profile(uow, COMPANY))
    invoice_id = await new_invoice(
        container,
        "t1",
        LineSpec(
            "Tiles",
            "3",
            Decimal("33.33"),
            VatRate.STANDARD,
            "box",
            "6907.21.00",
            sd_rate="20",
            ait_rate="5",
        ),
        LineSpec("Consulting", "1", Decimal("1000"), VatRate.EXEMPT),
    )
    view, company = await _read(container, invoice_id)
    doc = mushak63_document(view, company, container.calendar)
    _consistent(doc)
    assert doc.mushak_number == "M63-2025-2026-000001"
    assert doc.invoice_number == view.number
    assert doc.seller == Party(
        name="Vextrus Builders Ltd.",
        address="Gulshan-1, Dhaka",
        bin="0001234560101",
        tin="123456789012",
    )
    assert doc.buyer.name == "Counterparty"
    tiles, consulting = doc.lines
    # 99.99; SD 20 % = 20.00 (19.998); VAT 15 % of 119.99 = 18.00 (17.9985); total 137.99.
    assert (tiles.amount_paisa, tiles.sd_paisa, tiles.vat_paisa) == (9999, 2000, 1800)
    assert tiles.total_paisa == 13799
    assert tiles.vat_rate == Decimal(15)
    assert tiles.sd_rate == Decimal(20)
    assert tiles.quantity == Decimal(3)
    assert tiles.hs_code == "6907.21.00"
    assert consulting.vat_rate is None  # exempt: no rate is printed
    assert doc.ait_paisa == 500  # 5 % of 99.99 = 4.9995 → 5.00
    assert doc.issued_at == view.issued_at


async def test_only_approved_sales_invoices_of_a_registered_seller(container: Container) -> None:
    await seed_tenant(container, "t1")
    draft = await new_invoice(
        container, "t1", LineSpec("x", "1", Decimal("10"), VatRate.STANDARD), approve=False
    )
    purchase = await new_invoice(
        container,
        "t1",
        LineSpec("x", "1", Decimal("10"), VatRate.STANDARD),
        kind=InvoiceKind.PURCHASE,
    )
    sale = await new_invoice(container, "t1", LineSpec("x", "1", Decimal("10"), VatRate.STANDARD))
    for invoice_id in (draft, purchase):
        view, _ = await _read(container, invoice_id)
        with pytest.raises(InvalidState) as caught:
            mushak63_document(
                view, CompanyProfileView("S", None, None, None, None, 1), container.calendar
            )
        assert caught.value.code == "mushak_not_issued"
    view, company = await _read(container, sale)
    assert company is None
    with pytest.raises(InvalidState) as missing:
        mushak63_document(view, company, container.calendar)
    assert missing.value.code == "company_profile_missing"
