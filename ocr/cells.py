"""Ink inside a table cell: blank, a dash ("-", no value) or something else.

OCR detectors often miss a lone dash, or read it as "1"; the shape of the ink decides.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from ocr.confidence import DASH_AMONG_MARKS, DASH_BENEATH_SEAL
from ocr.model import Box

SPECK = 0.1             # of a text height: smaller marks are specks (seal edges, noise), not print
DARKEST_SHARE = 0.35    # of the way from the darkest ink to the paper: a grey seal's strokes lie above
SEAL_COVER = 0.25       # share of a cell under ink from which it is taken as covered by a seal (a
                        # figure covers less of its cell)


def clip_box(box: Box, shape: tuple[int, ...]) -> Box:
    h, w = shape[:2]
    x0, y0, x1, y1 = box
    return max(0, int(x0)), max(0, int(y0)), min(w, int(x1)), min(h, int(y1))


def sideways_pad(box: Box) -> int:
    """Room beside a figure's box for a second reading: sideways only, since above and below it lie
    the table's rulings (a ruling in the crop silenced Tesseract on 61 % of figures, 16 % with the
    box's own height)."""
    return max(3, int(0.25 * (box[3] - box[1])))


def _paper_and_clear_ink(cell: np.ndarray) -> tuple[float, float]:
    """(paper level, grey level below which ink is clearly darker than the paper): 30 grey
    levels of contrast, or more on a noisy photo (5 sigma of the noise)."""
    paper = float(np.percentile(cell, 90))
    return paper, _clearly_darker(paper, _spread(cell))


def _spread(values: np.ndarray) -> float:
    """Sigma of `values` from their median absolute deviation."""
    v = values.astype(np.float32)
    return 1.4826 * float(np.median(np.abs(v - np.median(v))))


CLEAR_CONTRAST = 30.0   # grey levels below the paper: clearly ink (or 5 sigma of a noisy photo's grain)


def _clear_contrast(sigma: float) -> float:
    """How much darker than the paper ink clearly is: CLEAR_CONTRAST, or 5 sigma of the noise on
    a noisy photo."""
    return max(CLEAR_CONTRAST, 5.0 * sigma)


def _clearly_darker(paper: float, sigma: float) -> float:
    return paper - _clear_contrast(sigma)


def _paper_noise(cell: np.ndarray) -> float:
    """Sigma of the paper's own grain: from the pixels brighter than the paper's commonest level
    (nothing printed or stamped is lighter than the paper), so seal ink does not count."""
    hist = np.convolve(np.bincount(cell.ravel(), minlength=256), np.ones(5), "same")
    floor = int(np.median(cell))
    mode = floor + int(np.argmax(hist[floor:]))
    above = cell[cell > mode].astype(np.float32) - mode
    return 1.4826 * float(np.median(above)) if above.size >= 20 else 0.0


def _beneath_seal_level(cell: np.ndarray, paper: float, tried: float) -> float | None:
    """The ink level for a cell mostly covered by a grey seal's strokes: print is the ink near the
    darkest (the seal's strokes lie above it), as long as that stands out of the paper's own
    noise. None in a cell with less seal ink, or when the level is the one already `tried`.

    Needed because the usual levels fail there both ways: half seal, half paper, the cell's
    spread sets the level below a dash under the seal; all seal, half-way to the darkest takes in
    the strokes the dash touches, and the merged blob crosses the cell like a ruling."""
    paper_noise = _clearly_darker(paper, _paper_noise(cell))
    dark = cell < paper_noise
    # the table's rulings are not seal: around a small figure they fill a quarter of a tight box
    # (a "2" in a 42x39 box: 29 %, and a dot of its stroke was then taken for a dash)
    if float(np.mean(dark & ~_rulings(dark))) < SEAL_COVER:
        return None
    darkest = float(cell.min())
    level = min(paper_noise, darkest + DARKEST_SHARE * (paper - darkest))
    return level if abs(level - tried) > 1 else None


RULING_RUN = 0.8   # of a cell's width or height: a straight run of ink that long is a ruling


def _rulings(dark: np.ndarray) -> np.ndarray:
    """The pixels of straight horizontal or vertical runs crossing most of the cell (a seal's
    ring and lettering curve or break well before that)."""
    h, w = dark.shape
    mask = dark.astype(np.uint8)
    across = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, max(3, int(RULING_RUN * w))), np.uint8))
    down = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((max(3, int(RULING_RUN * h)), 1), np.uint8))
    return (across | down).astype(bool)


def ink_components_at_levels(grey: np.ndarray, box: Box, text_height: float = 0.0
                             ) -> Iterator[tuple[bool, list[Box]]]:
    """(beneath a seal?, dark blobs in `box` (page coords), rulings removed) at up to three grey
    levels, lazily (each is only computed when the caller asks for it).

    Print is black; a grey scan's seal is a lighter grey: only the darker half of the cell's ink
    counts. Halfway from the darkest pixel (often a black ruling) keeps out faint seal strokes and
    photo noise, but also a faint hairline dash; halfway from the darkest mark keeps that dash. The
    second level is given only when it differs; the third only where a seal covers most of the
    cell (_beneath_seal_level)."""
    x0, y0, x1, y1 = clip_box(box, grey.shape)
    if x1 - x0 < 3 or y1 - y0 < 3:
        yield False, []
        return
    cell = grey[y0:y1, x0:x1]
    if cell.ndim == 3:
        cell = cv2.cvtColor(cell, cv2.COLOR_BGR2GRAY)
    paper, clear = _paper_and_clear_ink(cell)

    def at(level: float) -> list[Box]:
        return [(int(x0 + x), int(y0 + y), int(x0 + x + w), int(y0 + y + h))
                for x, y, w, h in _marks(cell < level, text_height)]

    def halfway(darkest: float) -> float:
        return min(clear, darkest + 0.6 * (paper - darkest))
    darkest = float(cell.min())
    yield False, at(halfway(darkest))
    darkest_mark = _darkest_mark(cell, clear, text_height)
    if darkest_mark is not None and darkest_mark > darkest + 1:
        yield False, at(halfway(darkest_mark))
    beneath = _beneath_seal_level(cell, paper, halfway(darkest))
    if beneath is not None:
        yield True, at(beneath)


def _marks(dark: np.ndarray, text_height: float) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of the blobs of a cell's dark mask that are not scan noise or rulings."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    ch, cw = dark.shape
    out = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area >= 3 and not _is_ruling(x, y, w, h, cw, ch, text_height):  # < 3 px: scan noise
            out.append((x, y, w, h))
    return out


def _darkest_mark(cell: np.ndarray, clear: float, text_height: float) -> float | None:
    """The darkest grey level of the marks clearly darker than the paper, rulings left out."""
    dark = cell < clear
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    ch, cw = cell.shape
    keep = [i for i in range(1, n) if stats[i][4] >= 3
            and not _is_ruling(*(int(v) for v in stats[i][:4]), cw, ch, text_height)]
    if not keep:
        return None
    return float(cell[np.isin(labels, keep)].min())


def _is_ruling(x: int, y: int, w: int, h: int, cw: int, ch: int, text_height: float) -> bool:
    if w > 0.8 * cw or h > 0.8 * ch or (w > 0.5 * cw and h <= 3):
        return True  # a ruling line crossing the cell
    if text_height and ((w > 2 * text_height and h < 0.3 * text_height)
                        or (h > 2 * text_height and w < 0.3 * text_height)):
        return True  # a piece of a ruling (photos break lines into pieces)
    if (x == 0 or y == 0 or x + w == cw or y + h == ch) and (h > 0.5 * ch or w > 0.5 * cw):
        return True  # the stub of a ruling at the cell's edge
    # a thin ruling grazing the cell's border (a dash sits in the middle)
    return ((y == 0 or y + h == ch) and h <= max(3, 0.15 * ch)) or ((x == 0 or x + w == cw) and w <= 3)


def isolated_marks(grey: np.ndarray, box: Box, min_size: float = 0.0, darkest_only: bool = False) -> list[Box]:
    """Marks clearly darker than the paper that lie wholly inside `box` (page coords).

    Labelled on a window larger than the cell, so anything crossing the cell's border (a ruling,
    a seal's ring, star or arc text, the neighbouring row) is left out whatever its darkness:
    on a grey scan seal ink can be darker than a hairline dash. Darkness is taken against the
    cell's paper; where that finds nothing at all, against the paper beside each pixel
    (_darker_than_paper_beside)."""
    x0, y0, x1, y1 = clip_box(box, grey.shape)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    m = max(3, (y1 - y0) // 2)
    wx0, wy0, wx1, wy1 = clip_box((x0 - m, y0 - m, x1 + m, y1 + m), grey.shape)
    win = grey[wy0:wy1, wx0:wx1]
    if win.ndim == 3:
        win = cv2.cvtColor(win, cv2.COLOR_BGR2GRAY)
    inner = (slice(y0 - wy0, y1 - wy0), slice(x0 - wx0, x1 - wx0))
    cell = win[inner]
    paper, clear = _paper_and_clear_ink(cell)
    if darkest_only:  # print is black, a grey scan's seal lighter: only ink near the darkest counts
        clear = min(clear, float(cell.min()) + DARKEST_SHARE * (paper - float(cell.min())))
    def inside(dark: np.ndarray) -> list[Box]:
        n, _, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
        out: list[Box] = []
        for i in range(1, n):
            x, y, w, h, area = stats[i]
            bx = (int(wx0 + x), int(wy0 + y), int(wx0 + x + w), int(wy0 + y + h))
            if area >= 3 and max(w, h) >= min_size and bx[0] > x0 and bx[1] > y0 and bx[2] < x1 and bx[3] < y1:
                out.append(bx)
        return out
    found = inside(win < clear)
    if found or darkest_only:
        return found
    return inside(_darker_than_paper_beside(win, inner, y1 - y0))


def _darker_than_paper_beside(win: np.ndarray, inner: tuple[slice, slice], cell_height: int) -> np.ndarray:
    """Pixels clearly darker than the brightest paper a few pixels round them. A phone photo's
    shading drifts across a wide cell by as much as a faint dash's contrast, and the cell's
    spread, set by that drift and the rulings' edges, put one level for the cell under the
    dash's core (seed 97: 20 printed dashes of a page, 40 grey levels below the paper beside
    them, all blank). Only where the cell's level finds nothing: against a local maximum, paper
    grain stands out a little more (on seed 53 a lone dash then had a speck beside it)."""
    side = 2 * max(3, cell_height // 6) + 1   # wider than a dash's or a stroke's thickness
    depth = cv2.dilate(win, np.ones((side, side), np.uint8)).astype(np.int16) - win.astype(np.int16)
    return depth > _clear_contrast(_spread(depth[inner]))


INKED_SHARE = 0.03   # of a box's pixels clearly darker than its paper: more than specks


def has_ink(grey: np.ndarray, box: Box) -> bool:
    """Ink in `box`, whatever its shape or where it runs (a figure merged with seal strokes)."""
    x0, y0, x1, y1 = clip_box(box, grey.shape)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return False
    cell = grey[y0:y1, x0:x1]
    if cell.ndim == 3:
        cell = cv2.cvtColor(cell, cv2.COLOR_BGR2GRAY)
    # the paper's own grain, not the cell's spread: a cell full of ink has a spread wider than
    # the contrast of the ink itself
    paper = float(np.percentile(cell, 90))
    return _share_below(cell, _clearly_darker(paper, _paper_noise(cell))) >= INKED_SHARE


def _share_below(cell: np.ndarray, level: float) -> float:
    return float(np.mean(cell < level))


def classify_cell(grey: np.ndarray, box: Box, text_height: float, darkest_pass: bool = False
                  ) -> tuple[str, Box | None, float]:
    """("blank" | "dash" | "one" | "ink", ink bounding box, confidence of a dash).

    A dash is one flat mark, far lower than a digit; at 150 dpi in black-and-white it may shrink
    to a dot, which is still a dash (no figure is a lone dot) but with less confidence.
    `darkest_pass`: among several marks, look again at only the darkest ink (for a box as narrow
    as a figure: in a wide cell the darkest mark may as well be a fragment of the seal).
    """
    kind, bx, conf = "blank", None, 0.0
    for k, (beneath_seal, comps) in enumerate(ink_components_at_levels(grey, box, text_height)):
        shape = _shape(comps, text_height) if comps else ("blank", None, 0.0)
        if shape[0] == "dash" and beneath_seal:
            return "dash", shape[1], DASH_BENEATH_SEAL
        if shape[0] in ("dash", "one"):
            return shape
        if k == 0:
            kind, bx, conf = shape
    # a faint hairline dash, or a dash among seal fragments: only a clearly flat mark counts,
    # never a dot (it could be the decimal point of a figure whose digits merged into the seal)
    marks = isolated_marks(grey, box, SPECK * text_height)
    darker = isolated_marks(grey, box, SPECK * text_height, darkest_only=True) if darkest_pass and len(marks) > 1 else []
    for found in (marks, darker):
        if len(found) == 1:
            mx0, my0, mx1, my1 = found[0]
            w, h = mx1 - mx0, my1 - my0
            if w >= 1.5 * h and h <= 0.3 * text_height and w <= 1.5 * text_height:
                return "dash", found[0], DASH_AMONG_MARKS
    if kind == "blank" and marks:
        bx = (min(c[0] for c in marks), min(c[1] for c in marks), max(c[2] for c in marks), max(c[3] for c in marks))
        return "ink", bx, 0.0
    return kind, bx, conf


def _shape(comps: list[Box], text_height: float) -> tuple[str, Box, float]:
    bx = (min(c[0] for c in comps), min(c[1] for c in comps), max(c[2] for c in comps), max(c[3] for c in comps))
    w, h = bx[2] - bx[0], bx[3] - bx[1]
    if len(comps) == 1 and h <= 0.3 * text_height and w <= 1.5 * text_height and w >= h:
        # shape alone never reaches decide.DASH_DIFFERS_MIN: it can confirm "no value", not claim a difference
        return "dash", bx, 0.8 if w >= 1.8 * h and w >= 0.15 * text_height else 0.65
    if len(comps) == 1 and h >= 2.5 * w and h >= 0.3 * text_height:
        return "one", bx, 0.0
    return "ink", bx, 0.0


APART_GROWTH = 2.0  # times the mark's width or height: more, and the mark is part of a larger shape
APART_REACH = 0.6   # of a text height around the mark: where the rest of a digit would be


def stands_apart(grey: np.ndarray, mark: Box, text_height: float) -> bool:
    """At the ink level of its neighbourhood, the mark's ink is a stroke of its own: it does not
    join other ink into a shape over APART_GROWTH times its width or height. The top bar of a
    "7" under a seal, picked out as a dash at the darkest level, joins the 7's stem here. False
    when the mark is not ink at that level (nothing to judge by)."""
    pad = int(APART_REACH * text_height)
    x0, y0, x1, y1 = clip_box((mark[0] - pad, mark[1] - pad, mark[2] + pad, mark[3] + pad), grey.shape)
    region = grey[y0:y1, x0:x1]
    if region.size == 0:  # before the conversion: cvtColor rejects an empty image
        return False
    if region.ndim == 3:
        region = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY)
    _, clear = _paper_and_clear_ink(region)
    _, labels, stats, _ = cv2.connectedComponentsWithStats((region < clear).astype(np.uint8), connectivity=8)
    ids = np.unique(labels[mark[1] - y0:mark[3] - y0, mark[0] - x0:mark[2] - x0])
    ids = ids[ids > 0]
    if ids.size == 0:
        return False
    left, top = stats[ids, 0].min(), stats[ids, 1].min()
    width = (stats[ids, 0] + stats[ids, 2]).max() - left
    height = (stats[ids, 1] + stats[ids, 3]).max() - top
    return bool(width <= APART_GROWTH * max(1, mark[2] - mark[0]) and height <= APART_GROWTH * max(1, mark[3] - mark[1]))
