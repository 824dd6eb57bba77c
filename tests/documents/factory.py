"""A Mushak-6.3 document built the way the invoice aggregate computes it (VAT on value + SD)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from vextrus_finance.documents.mushak63 import Mushak63Document, Mushak63Line, Party

HOSTILE_NAME = '<script>alert("x")</script> & <img src=x onerror=alert(1)> Ltd'
SELLER_BIN = "0012345678901"
BUYER_BIN = "0098765432109"
MUSHAK_NUMBER = "M63-2026-2027-000031"


def _paisa(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def make_line(
    description: str,
    quantity: str,
    unit_price_paisa: int,
    *,
    sd_rate: str = "0",
    vat_rate: str | None = "15",
    hs_code: str | None = "2523.29.00",
    unit: str | None = "bag",
) -> Mushak63Line:
    amount = _paisa(Decimal(quantity) * unit_price_paisa)
    sd = _paisa(amount * Decimal(sd_rate) / 100)
    vat = 0 if vat_rate is None else _paisa((amount + sd) * Decimal(vat_rate) / 100)
    return Mushak63Line(
        description=description,
        hs_code=hs_code,
        unit=unit,
        quantity=Decimal(quantity),
        unit_price_paisa=unit_price_paisa,
        amount_paisa=amount,
        sd_rate=Decimal(sd_rate),
        sd_paisa=sd,
        vat_rate=None if vat_rate is None else Decimal(vat_rate),
        vat_paisa=vat,
        total_paisa=amount + sd + vat,
    )


def make_document(
    lines: tuple[Mushak63Line, ...] | None = None,
    *,
    ait_percent: str = "5",
    buyer_name: str = "Rupayan Housing Estate Ltd.",
    issued_at: datetime = datetime(2026, 11, 27, 8, 5, 9, tzinfo=UTC),
) -> Mushak63Document:
    if lines is None:
        lines = (
            # 1,200 bags × 550.00 = 6,60,000.00; VAT 15 % = 99,000.00
            make_line("Portland cement, 50 kg bag", "1200", 55_000),
            # 12.5 t × 95,500.00 = 11,93,750.00; VAT 7.5 % = 89,531.25
            make_line(
                "Deformed steel bar",
                "12.5",
                9_550_000,
                vat_rate="7.5",
                unit="tonne",
                hs_code="7214.20.00",
            ),
            # exempt: 5,000 cft × 60.00 = 3,00,000.00
            make_line("Sand", "5000", 6_000, vat_rate=None, hs_code=None, unit="cft"),
            # 850 × 1,200.00 = 10,20,000.00; SD 20 % = 2,04,000.00; VAT 15 % of 12,24,000 = 1,83,600
            make_line(
                "Ceramic floor tiles",
                "850",
                120_000,
                sd_rate="20",
                unit="sqm",
                hs_code="6907.21.00",
            ),
        )
    subtotal = sum(line.amount_paisa for line in lines)
    sd = sum(line.sd_paisa for line in lines)
    vat = sum(line.vat_paisa for line in lines)
    grand = subtotal + sd + vat
    ait = _paisa(subtotal * Decimal(ait_percent) / 100)
    return Mushak63Document(
        mushak_number=MUSHAK_NUMBER,
        issued_at=issued_at,
        invoice_number="INV-2026-11-27-000042",
        invoice_date=date(2026, 11, 27),
        seller=Party(
            name="Vextrus Construction Ltd.",
            address="House 12, Road 5, Gulshan-1, Dhaka 1212",
            bin=SELLER_BIN,
            tin="123456789012",
        ),
        buyer=Party(
            name=buyer_name,
            address="Plot 31, Sector 99, Uttara, Dhaka 1230",
            bin=BUYER_BIN,
            tin=None,
        ),
        lines=lines,
        subtotal_paisa=subtotal,
        sd_total_paisa=sd,
        vat_total_paisa=vat,
        grand_total_paisa=grand,
        ait_paisa=ait,
        payable_paisa=grand - ait,
        currency="BDT",
    )


# The default document's figures, computed by hand (see the comments in make_document).
SUBTOTAL = "31,73,750.00"
SD_TOTAL = "2,04,000.00"
VAT_TOTAL = "3,72,131.25"  # 99,000 + 89,531.25 + 0 + 1,83,600
GRAND_TOTAL = "37,49,881.25"
AIT = "1,58,687.50"  # 5 % of 31,73,750.00
PAYABLE = "35,91,193.75"


def require_binary(name: str) -> str:
    """The path of a system tool; in CI a missing tool fails the test, elsewhere it skips."""
    path = shutil.which(name) or (
        f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None
    )
    if path is None:
        reason = f"{name} is not installed (Debian package: see the test module's docstring)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path
