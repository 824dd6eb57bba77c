"""Mushak-6.3 in a real browser: headless Chromium (Debian package `chromium`) renders the page.

Screenshots go to pytest's tmp_path, never into git. Set MUSHAK_SCREENSHOT_DIR to keep copies
(e.g. the gitignored artifacts/ folder, or a CI artifact directory) to look at them."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.documents.factory import make_document, require_binary
from vextrus_finance.documents.mushak63 import render_html

WINDOW = (1240, 1754)  # A4 proportions at 150 dpi


def screenshot(html: str, tmp_path: Path, name: str, window: tuple[int, int] = WINDOW) -> Path:
    chromium = require_binary("chromium")
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    png = tmp_path / f"{name}.png"
    profile = tmp_path / f"{name}-profile"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={window[0]},{window[1]}",
            page.as_uri(),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    keep = os.environ.get("MUSHAK_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)
    return png


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def ink(image: Image.Image) -> float:
    """Share of dark pixels (text and rules): 0 for a blank page."""
    grey = image.convert("L")
    dark = sum(grey.histogram()[:128])
    return dark / (grey.width * grey.height)


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_the_page_renders_in_chromium(lang: str, tmp_path: Path) -> None:
    png = screenshot(render_html(make_document(), lang), tmp_path, f"mushak63-{lang}")  # type: ignore[arg-type]
    assert png_size(png) == WINDOW
    assert png.stat().st_size > 40_000  # a page of text, not an empty or error page
    with Image.open(png) as image:
        # The screen stylesheet's grey backdrop: the page's own CSP let its inline CSS apply
        # (a wrong hash would leave the page unstyled, on white).
        assert image.convert("RGB").getpixel((5, 5)) == (232, 232, 232)
        share = ink(image)
        assert 0.008 < share < 0.25, share
        # Text runs down most of the page: the header, the parties, the table, the signatures.
        grey = image.convert("L")
        rows_with_text = sum(
            1
            for y in range(0, grey.height, 10)
            if grey.crop((0, y, grey.width, y + 10)).getextrema()[0] < 128
        )
        assert rows_with_text > 60, rows_with_text


def test_english_and_bengali_pages_differ(tmp_path: Path) -> None:
    doc = make_document()
    en = screenshot(render_html(doc, "en"), tmp_path, "en")
    bn = screenshot(render_html(doc, "bn"), tmp_path, "bn")
    with Image.open(en) as a, Image.open(bn) as b:
        assert ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is not None


# Rows of a probe page, 100 px each, in the Bengali page's own font stack. Rows 1 and 2 hold
# different real letters; rows 3 and 4 hold different *unassigned* Bengali-block code points,
# which no font has, so they show the same empty box (tofu) eight times. If Chromium could not
# draw Bengali, rows 1 and 2 would look as alike as rows 3 and 4.
_PROBE = """<!DOCTYPE html><html lang="bn"><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; color: #000; }}
div {{ height: 100px; line-height: 100px; font-size: 60px; white-space: nowrap;
      overflow: hidden; padding-left: 20px;
      font-family: "Noto Sans Bengali", "Noto Sans", "DejaVu Sans", sans-serif; }}
</style></head><body>{rows}</body></html>"""
_ROWS = [
    "কখগঘঙচছজ",
    "চছজঝঞটঠড",
    "\u09e4" * 8,
    "\u09e5\u09ba\u09bb\u09c5\u09c6\u09c9\u09ca\u09cf",
]


def _differing_pixels(a: Image.Image, b: Image.Image) -> int:
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0)
    return sum(diff.histogram()[255:])


def test_bengali_letters_are_drawn_not_tofu(tmp_path: Path) -> None:
    html = _PROBE.format(rows="".join(f"<div>{row}</div>" for row in _ROWS))
    png = screenshot(html, tmp_path, "probe", window=(1240, 400))
    with Image.open(png) as image:
        grey = image.convert("L")
        rows = [grey.crop((0, 100 * i, grey.width, 100 * (i + 1))) for i in range(4)]
    assert all(ink(row) > 0.005 for row in rows)  # every row drew something
    tofu_difference = _differing_pixels(rows[2], rows[3])
    letter_difference = _differing_pixels(rows[0], rows[1])
    assert tofu_difference < 50, tofu_difference  # the method: tofu boxes are all alike
    assert letter_difference > 2_000, letter_difference  # real glyphs are not
