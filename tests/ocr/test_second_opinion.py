"""Tesseract's second opinion on a figure: real Tesseract on a rendered table row."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ocr.page import _tesseract_opinion
from synth.fonts import pil_font


def _row(text: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 数值 cell at 200 dpi: rulings a few px above and below the figure's detected box."""
    img = Image.new("L", (400, 80), 245)
    draw = ImageDraw.Draw(img)
    draw.line((0, 21, 399, 21), fill=40, width=2)       # the row's upper ruling
    draw.line((0, 58, 399, 58), fill=40, width=2)       # and the lower one
    draw.text((300, 22), text, fill=30, font=pil_font("wqy", 30))
    grey = np.asarray(img)
    ys, xs = np.nonzero(grey[24:57] < 128)
    box = (int(xs.min()) - 4, int(ys.min()) + 24 - 4, int(xs.max()) + 5, int(ys.max()) + 24 + 2)
    return np.dstack([grey] * 3), box


def test_tesseract_reads_a_single_digit_between_the_rows_rulings() -> None:
    """With the rulings inside its crop Tesseract said nothing on most single digits."""
    for digit in "0147":
        grey, box = _row(digit)
        assert _tesseract_opinion(grey)(box)[0] == digit


def test_tesseract_reads_a_figure_with_decimals() -> None:
    grey, box = _row("12.50")
    assert _tesseract_opinion(grey)(box)[0] == "12.50"
