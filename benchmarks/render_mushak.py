"""Mushak-6.3 PDF render time by size (reported, no target).

    python -m benchmarks.render_mushak                      # this tree's stylesheet
    python -m benchmarks.render_mushak --css-from 5ea7234   # a revision's stylesheet, same code

Each case renders in this process after a one-line warm-up (fonts loaded), and reports CPU
seconds (stable on a shared machine) and wall seconds."""

from __future__ import annotations

import argparse
import io
import subprocess
import time

from pypdf import PdfReader
from tests.documents.factory import make_document, make_line

from vextrus_finance.documents import mushak63, templating

CSS = "src/vextrus_finance/documents/templates/mushak63.css"
WORDS = ("Portland cement bag delivered to site " * 14)[:500]
CASES = (
    ("1 line", 1, "Construction work"),
    ("200 lines, short descriptions", 200, "Construction work"),
    ("10 lines, 500-character descriptions", 10, WORDS),
    ("50 lines, 500-character descriptions", 50, WORDS),
    ("200 lines, 500-character descriptions", 200, WORDS),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--css-from", help="git revision whose stylesheet to use")
    parser.add_argument("--max-lines", type=int, default=200)
    parser.add_argument("--lang", choices=("en", "bn"), default="en")
    args = parser.parse_args()
    if args.css_from:
        css = subprocess.run(
            ["git", "show", f"{args.css_from}:{CSS}"], capture_output=True, text=True, check=True
        ).stdout
        templating.stylesheet = lambda: css  # type: ignore[method-assign]
    warm = make_document((make_line("warm-up", "1", 100),))
    mushak63.render_pdf(warm, args.lang)
    print("| case | pages | CPU s | wall s |\n|---|---:|---:|---:|")
    for name, count, description in CASES:
        if count > args.max_lines:
            continue
        lines = tuple(make_line(f"{n} {description}", "12", 55_000 + n) for n in range(count))
        doc = make_document(lines)
        cpu, wall = time.process_time(), time.perf_counter()
        pdf = mushak63.render_pdf(doc, args.lang)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"| {name} | {pages} | {cpu:.2f} | {wall:.2f} |", flush=True)


if __name__ == "__main__":
    main()
