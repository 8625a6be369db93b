"""The recognise stage reads less than every detected line, never a figure or code less."""

from __future__ import annotations

import random
from datetime import datetime

import cv2
import numpy as np
import pytest

from ocr import recognise
from ocr.engines import rapid
from ocr.model import OcrLine
from ocr.page import upright
from ocr.tokens import looks_numeric, parse_code
from registry.template import default_template
from synth import demo_unit, demo_values, make_pages

T = default_template()


def _box(cx: int, y: int, w: int = 20, h: int = 20) -> tuple[int, int, int, int]:
    return (cx - w // 2, y, cx + w // 2, y + h)


def test_only_the_inside_of_a_column_of_unit_names_is_spared() -> None:
    """A figure column close to the units (right-aligned figures of every width, on a few rows:
    the rest are dashes) joins the units' column of short lines; only unit names are spared."""
    units = [_box(600, 100 + 40 * k) for k in range(20)]                      # centred 人 / 个
    figures = [(640 - w, 100 + 40 * k, 640, 120 + 40 * k)
               for k, w in zip(range(0, 20, 4), (12, 24, 36, 48, 12), strict=True)]
    page_no = [_box(600, 1000, w=24)]                                         # under the unit column
    boxes = units + figures + page_no
    short = list(range(len(boxes)))
    samples = recognise._column_samples(boxes, short)
    assert len(samples) == 1                                                  # one column of short lines
    texts = ["人"] * 20 + ["7"] * len(figures) + ["第1页"]
    done = {i: OcrLine(texts[i], 0.99, boxes[i], "t") for pick in samples for i in pick}
    spared = recognise._spared_units(samples, boxes, short, done, T)
    assert spared and spared <= set(range(20))                                # no figure, not the page number
    assert not spared & {i for pick in samples for i in pick}


def test_a_column_whose_sample_is_not_units_is_read_whole() -> None:
    codes = [_box(600, 100 + 40 * k, w=40) for k in range(20)]
    samples = recognise._column_samples(codes, list(range(20)))
    done = {i: OcrLine(f"A{i + 1:02d}", 0.99, codes[i], "t") for pick in samples for i in pick}
    assert recognise._spared_units(samples, codes, list(range(20)), done, T) == set()


@pytest.mark.parametrize(("layout", "page"), [("A", 1), ("F", 2), ("D", 1)])
def test_every_figure_and_code_a_full_reading_sees_is_still_read(layout: str, page: int) -> None:
    """Against recognising every detected line: the same figures and codes, fewer crops."""
    unit = demo_unit()
    values = demo_values(unit, random.Random(3))
    sp = make_pages(unit, values, random.Random(3), layout=layout, print_time=datetime(2025, 6, 18, 9, 30),
                    dpi=150, profile="grey", faults={"seal_over_figures": False})[page - 1]
    img = cv2.cvtColor(np.asarray(sp.image.convert("RGB")), cv2.COLOR_RGB2BGR)
    _, grey, quads, _, _ = upright(img)
    full = [(t, recognise.aabb(q)) for (t, _), q in zip(rapid.recognise([rapid.crop(grey, q) for q in quads]),
                                                         quads, strict=True)]
    needed = {ln.box: ln.text for ln in recognise.recognise_needed(grey, quads, T)}
    codes = set(T.codes)
    wanted = [(t, b) for t, b in full if looks_numeric(t) or t.strip() == "-" or parse_code(t, codes)]
    assert wanted
    assert [(t, b) for t, b in wanted if b not in needed] == []
    assert len(needed) <= 0.8 * len(full)


def test_crops_read_together_read_as_each_alone() -> None:
    """rapid.recognise batches crops of one padded width; a crop's text and score must not depend on
    which other crops were read with it (a batch padded to its widest changed weak readings)."""
    from pathlib import Path
    img = cv2.imread(str(Path(__file__).parent / "photos" / "signatures-touching-labels.jpg"))
    _, grey, quads, _, _ = upright(img)
    crops = [rapid.crop(grey, q) for q in quads]
    widths = {int(48 * max(2.0, c.shape[1] / c.shape[0])) for c in crops}
    assert len(crops) >= 30 and len(widths) >= 8            # short and long lines, many paddings
    together = rapid.recognise(crops)
    alone = [rapid.recognise([c])[0] for c in crops]
    assert together == alone
    assert rapid.recognise(list(reversed(crops))) == list(reversed(alone))
