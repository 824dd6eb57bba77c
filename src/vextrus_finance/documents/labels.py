"""Printed labels of Mushak-6.3 in English and Bengali.

The Bengali wording follows the form in the schedule of the VAT and SD Rules 2016 (মূসক-৬.৩,
কর চালানপত্র); the English is its translation. The wording is data
(`templates/mushak63.labels.toml`); the dataclass names every label, so a language that
lacks one, or has one too many, fails at import rather than printing a blank."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files

from vextrus_finance.documents.numerals import Lang


@dataclass(frozen=True)
class Labels:
    lang: Lang
    government: str
    board: str
    title: str
    form: str
    rule: str
    seller_name: str
    seller_bin: str
    seller_address: str
    tin: str
    buyer_name: str
    buyer_bin: str
    buyer_address: str
    destination: str
    vehicle: str
    challan_number: str
    invoice_number: str
    invoice_date: str
    issue_date: str
    issue_time: str
    time_zone: str
    serial: str
    description: str
    hs_code: str
    unit: str
    quantity: str
    unit_price: str
    amount: str
    sd_rate: str
    sd_amount: str
    vat_rate: str
    vat_amount: str
    line_total: str
    total: str
    in_words: str
    exempt: str
    authorised_name: str
    designation: str
    signature: str
    seal: str
    footnote: str
    currency_note: str
    cancelled: str
    cancelled_note: str


def _load() -> dict[Lang, Labels]:
    text = files(__package__ or "vextrus_finance.documents").joinpath(
        "templates", "mushak63.labels.toml"
    )
    tables = tomllib.loads(text.read_text(encoding="utf-8"))
    return {"en": Labels(lang="en", **tables["en"]), "bn": Labels(lang="bn", **tables["bn"])}


LABELS: dict[Lang, Labels] = _load()
EN = LABELS["en"]
BN = LABELS["bn"]
