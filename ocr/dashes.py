"""A dash ("-", no value) seen only by the shape of its ink gets a second, independent sign here.

One sign (a small flat mark) is enough to confirm "no value" against an empty online figure, not
to claim a difference against a figure online (decide.DASH_DIFFERS_MIN). The second sign is either
- the page's own dashes: the form prints every "-" in one font at one place of the 数值 column, so
  a mark that is the only ink in its cell and has the size and position of this page's other dash
  marks is a printed dash, not a fragment of a figure or of a seal; or
- the recogniser reading the mark on its own as a dash with high confidence.

A mark that is not alone in its cell (seal ink or seal fragments beside it) may be what is left of
a digit: the base of a "2" or a "0", the top bar of a "7" under a seal stood in the dash column
with a dash's size. It is confirmed by the page's dashes only when it is also `apart` (at the ink
level of its neighbourhood it does not join other ink into a larger shape: the 7's bar joins its
stem) and the recogniser, reading its crop, sees no digit there (it read the "2" at 0.996).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from ocr import layout
from ocr.confidence import CONFIRMED, DIGIT_SEEN, RECOGNISED_MIN, UNLIKE
from ocr.model import Box, FigureReading

MIN_PAGE_DASHES = 2      # other dash marks needed to know what a dash looks like on this page
MIN_FOR_CONTRADICTION = 3
SIZE_TOLERANCE = 0.35    # of the page's median width / height (at least 2 px: a 150 dpi dash is 5 px)
POSITION_TOLERANCE = 0.12  # of a text height, from the page's dash column: printed dashes measured
                           # within 0.03 on 99 % and 0.08 on 99.9 % (4,500 in two worlds); a seal
                           # stroke beside a "0" on a grey scan stood 0.23 off, other fragments 0.5 to 5
OFF_COLUMN = 0.3         # of a text height: further off, the mark is not where this page prints "-"
TOO_TALL = 0.12          # of a text height above the page's dash height (dashes: <= 2 px over on 99 %)
DASH_LOOKALIKE_DIGIT = "1"  # a lone dash (with a ruling beside it) is often read as "1", "-1": no veto
OFF_ROW_MIDDLE = 0.25    # of a text height from where this page's dashes stand in their rows: printed
                         # dashes measured within 0.24 of the row's middle on 99.9 % (5,400 in two
                         # worlds); digit strokes read as a dash under a seal 0.28 to 0.39. A font can
                         # print "-" below its labels' middle (0.21-0.28 on every dash of a seed 293
                         # phone photo): the page's own dashes say where the middle is


@dataclass(frozen=True)
class DashMark:
    code: str
    ink: Box          # the mark itself
    crop: Box         # around it, for the recogniser
    alone: bool       # the only ink in its cell (not picked out among seal fragments)
    apart: bool = False  # not alone, yet a stroke of its own at its neighbourhood's ink level
    offset: float | None = None  # its centre below (+) its row's middle, in text heights
    in_cell: bool = False  # seen by its ink's shape alone (no recognised "-" stands for it)


def _mid(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _fits(value: float, typical: float, tolerance: float) -> bool:
    return abs(value - typical) <= max(2.0, tolerance * typical)


def _column_offset(mark: DashMark, others: list[Box]) -> float:
    """How far (px) the mark's centre stands from the column of the other dashes: from their
    median, or from a Theil–Sen line x = a + b·y through them when the column leans (a photo's
    residual tilt), whichever is nearer (a few dashes and one stray fragment tilt a line badly)."""
    xs, ys = zip(*(_mid(b) for b in others), strict=True)
    x, y = _mid(mark.ink)
    off = abs(x - statistics.median(xs))
    if len(others) >= MIN_FOR_CONTRADICTION:
        b, a = layout.theil_sen(list(xs), list(ys), 1.0)
        off = min(off, abs(x - (a + b * y)))
    return off


def row_offset(mark: Box, row_cy: float, text_h: float) -> float:
    """How far the mark's centre stands below (+) or above the row's middle, in text heights."""
    return ((mark[1] + mark[3]) / 2 - row_cy) / text_h


def off_row_middle(marks: list[DashMark]) -> list[DashMark]:
    """The marks seen in a cell alone whose height in their row is not where this page prints its
    dashes: a flat stroke at a row's top or foot is a digit's (the base of a 2, the foot of a 0,
    its rest gone into a seal), not enough to confirm "no value". Where this page prints them is
    the median of its marks' offsets (all of them, recognised or not), from MIN_FOR_CONTRADICTION
    marks; with fewer, the row's middle."""
    offsets = [m.offset for m in marks if m.offset is not None]
    typical = statistics.median(offsets) if len(offsets) >= MIN_FOR_CONTRADICTION else 0.0
    return [m for m in marks if m.in_cell and m.offset is not None and abs(m.offset - typical) > OFF_ROW_MIDDLE]


def like_page_dashes(mark: DashMark, marks: list[DashMark], text_height: float) -> bool:
    """The mark is alone in its cell and agrees in width, height and column position with the
    page's other dash marks (a stray fragment does not share all three)."""
    return mark.alone and fits_page_dashes(mark, marks, text_height)


def fits_page_dashes(mark: DashMark, marks: list[DashMark], text_height: float) -> bool:
    """The mark agrees in width, height and column position with the page's other dash marks."""
    others = [m.ink for m in marks if m is not mark]
    if len(others) < MIN_PAGE_DASHES:
        return False
    w, h = mark.ink[2] - mark.ink[0], mark.ink[3] - mark.ink[1]
    return (_fits(w, statistics.median(b[2] - b[0] for b in others), SIZE_TOLERANCE)
            and _fits(h, statistics.median(b[3] - b[1] for b in others), SIZE_TOLERANCE)
            and _column_offset(mark, others) <= POSITION_TOLERANCE * text_height)


def unlike_page_dashes(mark: DashMark, marks: list[DashMark], text_height: float) -> bool:
    """The page's dashes say this mark is not one: it stands off their column, or is clearly
    taller (a fragment of a "0" under a seal, picked up as a flat mark)."""
    others = [m.ink for m in marks if m is not mark]
    if len(others) < MIN_FOR_CONTRADICTION:
        return False
    taller = (mark.ink[3] - mark.ink[1]) - statistics.median(b[3] - b[1] for b in others)
    return _column_offset(mark, others) > OFF_COLUMN * text_height or taller >= TOO_TALL * text_height


def confirm_dashes(figures: dict[str, FigureReading], marks: list[DashMark], text_height: float,
                   reader: Callable[[Box], tuple[str, float]] | None,
                   is_dash: Callable[[str], bool]) -> list[tuple[DashMark, str, float]]:
    """Raise the confidence of dash readings that have a second sign (page's dashes, recogniser);
    lower it below a match for those the page's dashes contradict. Returns what the recogniser
    read in the crop of each mark it was asked about (the unconfirmed and the contradicted ones):
    a digit there may be the figure itself."""
    rest, unlike = [], []
    for mark in marks:
        fig = figures[mark.code]
        if like_page_dashes(mark, marks, text_height):
            fig.confidence = max(fig.confidence, CONFIRMED)
            fig.engine += "+page-dashes"
        elif unlike_page_dashes(mark, marks, text_height):
            fig.confidence = min(fig.confidence, UNLIKE)
            fig.engine += "+unlike-page-dashes"
            unlike.append(mark)
        else:
            rest.append(mark)
    if not (rest or unlike) or reader is None:
        return []
    many = getattr(reader, "many", None)
    asked = rest + unlike
    results = many([m.crop for m in asked]) if many else [reader(m.crop) for m in asked]
    for mark, (text, score) in zip(rest, results[:len(rest)], strict=True):
        fig = figures[mark.code]
        if is_dash(text) and score >= RECOGNISED_MIN:
            fig.confidence = max(fig.confidence, min(score, CONFIRMED))
        elif not mark.alone and mark.apart and fits_page_dashes(mark, marks, text_height) \
                and not digit_seen(text, score):
            fig.confidence = max(fig.confidence, CONFIRMED)
            fig.engine += "+page-dashes+no-digit"
    return [(mark, text, score) for mark, (text, score) in zip(asked, results, strict=True)]


def digit_seen(text: str, score: float) -> bool:
    """The recogniser saw a digit in a dash mark's crop: what is left of a figure under a seal."""
    return score >= DIGIT_SEEN and any(ch.isdigit() and ch != DASH_LOOKALIKE_DIGIT for ch in text)
