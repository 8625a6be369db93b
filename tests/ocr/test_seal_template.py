"""The document's seal learned from its pages and taken out of a grey scan (ocr.seal_template),
on crops of one real grey-scanned form (seed 53, four pages, each with the unit's seal)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr import seal_template
from ocr.engines import rapid

PHOTOS = Path(__file__).parent / "photos"
BOXES = {1: (60, 40, 232, 230), 2: (60, 40, 237, 237), 3: (60, 40, 230, 227), 4: (60, 40, 235, 235)}
# page 3: a printed "0" crossed by the seal's lettering (A10, its whole 数值 cell) and by its ring
# (A13, where the page's figures stand): read as nothing and as "b" with the seal there
CELLS = {"A10": (202, 77, 311, 115), "A13": (232, 217, 283, 255)}


def _pages() -> dict[int, np.ndarray]:
    return {n: cv2.imread(str(PHOTOS / f"one-seal-page-{n}-of-4-grey.png"), cv2.IMREAD_GRAYSCALE) for n in BOXES}


def _read(grey: np.ndarray, box: tuple[int, int, int, int]) -> tuple[str, float]:
    x0, y0, x1, y1 = box
    return rapid.recognise([cv2.cvtColor(grey[y0:y1, x0:x1], cv2.COLOR_GRAY2BGR)])[0]


@pytest.fixture(scope="module")
def learned() -> tuple[dict[int, np.ndarray], seal_template.DocumentSeal]:
    pages = _pages()
    seal = seal_template.learn({n: (pages[n], BOXES[n], 0.9 + n / 100) for n in pages})
    assert seal is not None
    return pages, seal


def test_every_page_shows_the_same_stamp(learned) -> None:
    _, seal = learned
    assert set(seal.placements) == {1, 2, 3, 4}
    assert all(p.fit >= seal_template.SAME_STAMP for p in seal.placements.values())


def test_figures_under_the_seal_read_once_it_is_taken_out(learned) -> None:
    pages, seal = learned
    for code, box in CELLS.items():
        assert _read(pages[3], box)[0] != "0", code  # with the seal: nothing, or "%" / "b"
    clean = seal_template.take_out(pages[3], seal, 3)
    assert clean is not None
    for code, box in CELLS.items():
        text, score = _read(clean, box)
        assert (text, score >= 0.85) == ("0", True), (code, text, score)


def test_print_away_from_the_seal_is_untouched(learned) -> None:
    pages, seal = learned
    clean = seal_template.take_out(pages[3], seal, 3)
    assert clean is not None
    changed = clean != pages[3]
    ys, xs = np.nonzero(changed)
    x, y, w, h = BOXES[3]
    r = max(w, h) / 2
    dist = np.hypot(xs - (x + w / 2), ys - (y + h / 2))
    assert changed.any() and dist.max() <= 1.15 * r


def test_a_seal_as_dark_as_the_print_is_not_taken_out() -> None:
    """A black-and-white scan: seal and print are one black; taking one out would take both."""
    pages = {n: np.where(g < 200, 0, 255).astype(np.uint8) for n, g in _pages().items()}
    seal = seal_template.learn({n: (pages[n], BOXES[n], 0.9 + n / 100) for n in pages})
    assert seal is not None
    assert seal_template.take_out(pages[3], seal, 3) is None


def test_one_impression_is_not_a_learned_seal() -> None:
    pages = _pages()
    assert seal_template.learn({3: (pages[3], BOXES[3], 0.95)}) is None
