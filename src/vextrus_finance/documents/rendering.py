"""What a stored rendering depends on, and the warm-up of a render worker.

A stored document is served for as long as its source digest matches: the digest covers the
document's every field, the format and language, and the renderer itself (this package's code
and templates, WeasyPrint's version for PDFs). Whatever changes the bytes changes the digest,
so the store never needs invalidating."""

from __future__ import annotations

import hashlib
from contextlib import suppress
from functools import cache
from importlib import metadata
from importlib.resources import files

from vextrus_finance.documents.mushak63 import Mushak63Document

_PACKAGE = "vextrus_finance.documents"


@cache
def renderer_digest() -> str:
    digest = hashlib.sha256()
    root = files(_PACKAGE)
    entries = [*root.iterdir(), *root.joinpath("templates").iterdir()]
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith((".py", ".j2", ".css")):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    with suppress(metadata.PackageNotFoundError):  # HTML-only installs
        digest.update(metadata.version("weasyprint").encode())
    return digest.hexdigest()


def source_digest(doc: Mushak63Document, output: str, lang: str) -> str:
    # The dataclass repr lists every field (Decimals, aware datetimes) in a fixed order.
    text = f"{renderer_digest()}\n{output}\n{lang}\n{doc!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_pdf_renderer() -> None:
    """A render worker's warm-up: load WeasyPrint (Pango, fontconfig) before the first render."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    page = '<p style="font-family: Noto Sans">1</p><p style="font-family: Noto Sans Bengali">১</p>'
    HTML(string=page).write_pdf()
