"""A page read again only where the document's seal was taken out (ocr.seal_reread), on a crop of
one real grey-scanned form (seed 53): the 计量单位 column and the 数值 column under the unit's seal."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr import seal_reread, seal_template
from ocr.engines import rapid
from ocr.model import OcrLine
from ocr.recognise import aabb

PHOTOS = Path(__file__).parent / "photos"
BOXES = {1: (60, 40, 232, 230), 2: (60, 40, 237, 237), 3: (60, 40, 230, 227), 4: (60, 40, 235, 235)}
VALUE = (150.0, 350.0)  # the 数值 column, right of the rule at x 148
ZERO_UNDER_LETTERING = (202, 77, 311, 115)  # a printed "0" crossed by "技术": read as nothing at first


def _lines(bgr: np.ndarray) -> list[OcrLine]:
    quads = rapid.detect(bgr, 1.0)
    read = rapid.recognise([rapid.crop(bgr, q) for q in quads])
    return [OcrLine(t.strip(), s, aabb(q), "rapidocr") for q, (t, s) in zip(quads, read, strict=True) if t.strip()]


def _in(box: tuple[int, int, int, int], area: tuple[int, int, int, int]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return area[0] <= cx <= area[2] and area[1] <= cy <= area[3]


@pytest.fixture(scope="module")
def page3() -> tuple[np.ndarray, np.ndarray, list[OcrLine]]:
    greys = {n: cv2.imread(str(PHOTOS / f"one-seal-page-{n}-of-4-grey.png"), cv2.IMREAD_GRAYSCALE) for n in BOXES}
    seal = seal_template.learn({n: (greys[n], BOXES[n], 0.9 + n / 100) for n in greys})
    assert seal is not None
    clean = seal_template.take_out(greys[3], seal, 3)
    assert clean is not None
    return greys[3], clean, _lines(cv2.cvtColor(greys[3], cv2.COLOR_GRAY2BGR))


def test_the_figure_under_the_lettering_is_found_and_read_once_the_seal_is_out(page3) -> None:
    grey, clean, first = page3
    assert not any(_in(ln.box, ZERO_UNDER_LETTERING) and ln.text == "0" for ln in first)
    again = seal_reread.lines_again(cv2.cvtColor(clean, cv2.COLOR_GRAY2BGR), clean != grey, first, VALUE)
    found = [ln for ln in again if _in(ln.box, ZERO_UNDER_LETTERING)]
    assert [ln.text for ln in found] == ["0"] and found[0].score >= 0.85


def test_only_figures_the_cleaning_touched_are_read_again(page3) -> None:
    """Units (left of the 数值 column) keep their first reading even where the seal crossed them;
    a figure line is read again only where it reaches what the cleaning changed (the "0" above
    the seal stays the first reading's own line)."""
    grey, clean, first = page3
    changed = clean != grey
    again = seal_reread.lines_again(cv2.cvtColor(clean, cv2.COLOR_GRAY2BGR), changed, first, VALUE)
    outside = [ln for ln in first if not VALUE[0] <= ln.cx <= VALUE[1]]
    assert outside and all(any(ln is a for a in again) for ln in outside)
    assert any(ln is a and ln.box[3] < 20 for ln in first for a in again)  # the "0" at the top
    new = [a for a in again if not any(a is ln for ln in first)]
    assert len(new) >= 2 and all(VALUE[0] <= a.cx <= VALUE[1] and seal_reread._touched(changed, a.box) for a in new)


def test_nothing_taken_out_nothing_read_again(page3) -> None:
    grey, _, first = page3
    bgr = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    assert seal_reread.lines_again(bgr, np.zeros(grey.shape, bool), first, VALUE) == first
