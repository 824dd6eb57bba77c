"""Words shared by every exported report (the header block, totals, account types, the
statements' lines), kept as data in `templates/report.labels.toml`: `labels.TOTAL` is the
`[words]` entry TOTAL; the dictionaries below map an API value (an account type) to its word."""

from __future__ import annotations

import tomllib
from importlib.resources import files

from vextrus_finance.documents.reports.model import Label


def _load() -> dict[str, dict[str, Label]]:
    text = files("vextrus_finance.documents").joinpath("templates", "report.labels.toml")
    tables = tomllib.loads(text.read_text(encoding="utf-8"))
    return {
        table: {name: Label(*pair) for name, pair in entries.items()}
        for table, entries in tables.items()
    }


_TABLES = _load()
_WORDS = _TABLES["words"]
# Account types as printed; the key is the API's value.
ACCOUNT_TYPES: dict[str, Label] = _TABLES["account_types"]
# A financial statement's section heading, and the label of its subtotal row.
SECTIONS: dict[str, Label] = _TABLES["sections"]
SECTION_TOTALS: dict[str, Label] = _TABLES["section_totals"]


def __getattr__(name: str) -> Label:
    """`labels.COMPANY` …: a word of the [words] table."""
    try:
        return _WORDS[name]
    except KeyError:
        raise AttributeError(f"no report label {name!r}") from None


def account_type(value: str) -> Label:
    return ACCOUNT_TYPES.get(value, Label(value, value))
