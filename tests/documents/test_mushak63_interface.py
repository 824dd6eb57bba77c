"""The published interface other modules code against (the invoice route builds these)."""

from __future__ import annotations

import inspect
from dataclasses import FrozenInstanceError, fields
from typing import Literal, get_type_hints

import pytest

from tests.documents.factory import make_document
from vextrus_finance.documents import mushak63
from vextrus_finance.documents.mushak63 import Mushak63Document, Mushak63Line, Party

# Names and order are the published interface; positional construction relies on the order.
INTERFACE = {
    Party: "name address bin tin",
    Mushak63Line: (
        "description hs_code unit quantity unit_price_paisa amount_paisa sd_rate sd_paisa"
        " vat_rate vat_paisa total_paisa"
    ),
    Mushak63Document: (
        "mushak_number issued_at invoice_number invoice_date seller buyer lines subtotal_paisa"
        " sd_total_paisa vat_total_paisa grand_total_paisa ait_paisa payable_paisa currency"
        # Optional, after the agreed ones, so positional construction still works.
        " destination vehicle_type vehicle_number cancelled"
    ),
}


@pytest.mark.parametrize("cls", list(INTERFACE))
def test_fields_and_their_order(cls: type) -> None:
    assert [f.name for f in fields(cls)] == INTERFACE[cls].split()


def test_documents_are_immutable() -> None:
    doc = make_document()
    with pytest.raises(FrozenInstanceError):
        doc.currency = "USD"  # type: ignore[misc]


def test_render_functions() -> None:
    for name, returns in (("render_html", str), ("render_pdf", bytes)):
        function = getattr(mushak63, name)
        assert list(inspect.signature(function).parameters) == ["doc", "lang"]
        hints = get_type_hints(function)
        assert hints == {"doc": Mushak63Document, "lang": Literal["en", "bn"], "return": returns}
