"""The Jinja2 environment of printed documents: package templates, autoescaping always on.

Names, addresses and descriptions come from users; autoescaping (for every template, whatever
its file name) is what keeps a counterparty called `<script>` from becoming markup.

The stylesheet is inlined into each page so the page is one self-contained file (a browser, a
saved copy and WeasyPrint all see the same thing). The page carries its own Content Security
Policy allowing exactly that stylesheet by hash and nothing else, so an HTTP route can also send
`CONTENT_SECURITY_POLICY` as a header without loosening the service-wide policy."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

_PACKAGE = "vextrus_finance.documents"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader(_PACKAGE, "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt field fails the render instead of printing ""
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def stylesheet() -> str:
    return files(_PACKAGE).joinpath("templates", "mushak63.css").read_text(encoding="utf-8")


def _csp() -> str:
    digest = hashlib.sha256(stylesheet().encode("utf-8")).digest()
    style_hash = base64.b64encode(digest).decode("ascii")
    return (
        f"default-src 'none'; style-src 'sha256-{style_hash}'; base-uri 'none'; form-action 'none'"
    )


CONTENT_SECURITY_POLICY = _csp()


def render_template(name: str, context: dict[str, Any]) -> str:
    # The stylesheet is ours (package data), not user input: Markup keeps it verbatim, which is
    # also what makes the CSP hash match.
    css = Markup(stylesheet())  # noqa: S704 - our package file, never user input
    return (
        _environment()
        .get_template(name)
        .render(**context, stylesheet=css, content_security_policy=CONTENT_SECURITY_POLICY)
    )
