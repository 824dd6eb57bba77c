"""Functions the render pool tests run in worker processes (importable by a spawned child)."""

from __future__ import annotations

import os
import time

from vextrus_finance.documents.mushak63 import Mushak63Document, render_pdf
from vextrus_finance.documents.numerals import Lang


def echo(value: str) -> tuple[str, int]:
    return value, os.getpid()


def slow(seconds: float) -> str:
    """A render that takes too long: plain CPU-free sleep, which only a kill can stop."""
    time.sleep(seconds)
    return "finished"


def start_slowly() -> None:
    """An initializer that takes a moment, as loading fonts does."""
    time.sleep(0.3)


def fail() -> None:
    raise ValueError("no such page")


def die() -> None:
    os._exit(3)


SLOW_BUYER = "Slow Render Buyer Ltd."


def pdf_slow_for_one_buyer(document: Mushak63Document, lang: Lang) -> bytes:
    """The real renderer, except that one buyer's invoice renders for an hour: a stand-in for
    a document too big to render in time, which only a kill stops."""
    if document.buyer.name == SLOW_BUYER:
        time.sleep(3600)
    return render_pdf(document, lang)


def big(size: int) -> bytes:
    """A reply larger than one read from the pipe (a 100-page PDF is ~400 kB)."""
    return b"%" * size
