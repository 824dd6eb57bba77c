"""The Jinja2 environment of printed documents: package templates, autoescaping always on.

Names, addresses and descriptions come from users; autoescaping (for every template, whatever
its file name) is what keeps a counterparty called `<script>` from becoming markup.

The stylesheet is inlined into each page so the page is one self-contained file (a browser, a
saved copy and WeasyPrint all see the same thing). The page carries its own Content Security
Policy allowing exactly that stylesheet by hash and nothing else, so an HTTP route can also send
`CONTENT_SECURITY_POLICY` as a header without loosening the service-wide policy.

Templates take the document's dataclass as it is; the filters print its numbers, dates and
amounts in the page's language (`lang` in the render context), so no field is copied into a
pre-formatted dict first."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from vextrus_finance.documents.numerals import (
    Lang,
    format_decimal,
    format_paisa,
    format_rate,
    localise_digits,
)
from vextrus_finance.documents.words_bn import amount_in_words_bn
from vextrus_finance.documents.words_en import amount_in_words_en

_PACKAGE = "vextrus_finance.documents"


def _day(day: date, lang: Lang) -> str:
    return localise_digits(day.strftime("%d/%m/%Y"), lang)


def _time(at: datetime, lang: Lang) -> str:
    return localise_digits(at.strftime("%H:%M:%S"), lang)


def _number(n: int, lang: Lang) -> str:
    return localise_digits(str(n), lang)


def _words(paisa: int, lang: Lang) -> str:
    return amount_in_words_bn(paisa) if lang == "bn" else amount_in_words_en(paisa)


# Each prints one value in the language of the page being rendered.
_FORMATS: dict[str, Callable[[Any, Lang], str]] = {
    "paisa": format_paisa,
    "quantity": format_decimal,
    "rate": format_rate,
    "number": _number,
    "day": _day,
    "time": _time,
    "words": _words,
}


def _in_page_language(format_value: Callable[[Any, Lang], str]) -> Callable[..., str]:
    @pass_context
    def format_filter(context: Context, value: Any) -> str:
        return format_value(value, context["lang"])

    return format_filter


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader(_PACKAGE, "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt field fails the render instead of printing ""
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update({n: _in_page_language(f) for n, f in _FORMATS.items()})
    return environment


_BASE_CSS = "printed.css"


@cache
def stylesheet(name: str = "mushak63.css") -> str:
    """The shared page rules (`printed.css`) followed by the document's own sheet `name`."""
    folder = files(_PACKAGE).joinpath("templates")
    return "\n".join(folder.joinpath(n).read_text(encoding="utf-8") for n in (_BASE_CSS, name))


@cache
def _csp(css: str = "mushak63.css") -> str:
    digest = hashlib.sha256(stylesheet(css).encode("utf-8")).digest()
    style_hash = base64.b64encode(digest).decode("ascii")
    return (
        f"default-src 'none'; style-src 'sha256-{style_hash}'; base-uri 'none'; form-action 'none'"
    )


CONTENT_SECURITY_POLICY = _csp()


def render_template(name: str, *, css: str = "mushak63.css", **context: Any) -> str:
    """`name` with the stylesheet `css` (a file beside it) inlined and allowed by its hash."""
    # The stylesheet is ours (package data), not user input: Markup keeps it verbatim, which is
    # also what makes the CSP hash match.
    sheet = Markup(stylesheet(css))  # noqa: S704 - our package file, never user input
    return (
        _environment()
        .get_template(name)
        .render(**context, stylesheet=sheet, content_security_policy=_csp(css))
    )
