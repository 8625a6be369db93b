"""Does the figures' column lean? A rotation left over by deskew, or a phone photo's perspective,
tilts the rows as much as the column: a row's figure may then be another row's (ocr.figures)."""

from __future__ import annotations

import itertools
import statistics

from ocr import layout
from ocr.model import OcrLine

ROWS_LEAN_PROBLEM = "页面倾斜或透视未能校正，数值所在行无法可靠对应，需人工核对"
MIN_LEAN_PAIRS = 4           # rows with a figure read that show how the column leans (Theil-Sen: one
                             # stray of four is outvoted); a phone photo of mostly dashes had five (seed 151)
LEAN_SEEN = 0.15             # of a row pitch: glyph boxes' right edges in one column differ by up to 3 px
                             # (a "0" against "1191", 0.09 of a 33 px row; seed 163), a phone photo's
                             # lean of 0.15 moved its column by several rows
MAX_ROW_DRIFT = 0.6          # of a row pitch, label to figure: a row's window reaches 0.45; deskewed
                             # pages measured up to 0.28, the two misread phone photos 1.2 and 4.8
ROW_JUMP = 0.5               # of a row pitch, between neighbouring rows' drifts: 258 pages of two worlds
                             # (every layout and scan) measured up to 0.18 between codes and 0.36
                             # between labels (a wrapped one); seed 349's photo 0.81 and 0.95
NEIGHBOURS = 3               # row pitches apart at most: rows this near drift alike


def rows_unreliable(anchors: list[tuple[str, OcrLine, str]], tokens: dict[str, OcrLine | None],
                     pitch: float, align: str | None = None) -> bool:
    """A leaning figure column means the rows lean as much (a rotation left over by deskew, or a
    photo's perspective): over the distance from label to figure a row then drifts by tilt x
    distance, and beyond MAX_ROW_DRIFT of a row the figure read may belong to the row above or below.
    A lean is seen only where it moves the column by LEAN_SEEN of a row between its highest and
    lowest figure: less is the jitter of glyph boxes' edges."""
    pairs = [(a, t) for c, a, _ in anchors if (t := tokens[c]) is not None]
    if len(pairs) < MIN_LEAN_PAIRS:
        return False
    reach = statistics.median(abs(t.cx - a.cx) for a, t in pairs)
    by_code = [(a, t) for c, a, how in anchors if how == "code" and (t := tokens[c]) is not None]
    # a code is one line; a wrapped label's first line stands above its row's middle (0.36 of a row)
    if drift_jumps(by_code if len(by_code) >= MIN_LEAN_PAIRS else pairs, reach, pitch):
        return True
    tilt = column_tilt([t for _, t in pairs], align)
    height = max(t.cy for _, t in pairs) - min(t.cy for _, t in pairs)
    if abs(tilt) * height < LEAN_SEEN * pitch:
        return False
    return abs(tilt) * reach > MAX_ROW_DRIFT * pitch


def drift_jumps(pairs: list[tuple[OcrLine, OcrLine]], reach: float, pitch: float) -> bool:
    """Two neighbouring rows whose figures stand at drifts from their anchors (code or label) that
    differ by ROW_JUMP of a row or more, over the page's label-to-figure distance (`reach`): a
    photo's perspective or a page's lean drifts rows smoothly, a pixel or two from one row to the
    next, so one of the two took a neighbour's figure. Seed 349, a phone photo whose upper rows
    drifted by most of a row: the figures of three rows were read one row up, and the neighbours'
    drifts jumped by 0.95 of a row where the rows read right met those read wrong."""
    rows = sorted(pairs, key=lambda p: p[0].cy)

    def drift(a: OcrLine, t: OcrLine) -> float:   # per pixel across
        return (t.cy - a.cy) / max(1.0, abs(t.cx - a.cx))
    return any(b.cy - a.cy <= NEIGHBOURS * pitch and abs(drift(a, t) - drift(b, u)) * reach >= ROW_JUMP * pitch
               for (a, t), (b, u) in itertools.pairwise(rows))


def column_tilt(tokens: list[OcrLine], align: str | None = None) -> float:
    """How the figures' column leans (dx per dy; Theil–Sen, so a few stray tokens do not count),
    on the edge or centre the page's figures share (`align`, from figure_column: all of the page's
    figures tell it better than the few that measure the lean), else whichever lines up better."""
    if len(tokens) < MIN_LEAN_PAIRS:
        return 0.0
    ys = [t.cy for t in tokens]

    def fit(xs: list[float]) -> tuple[float, float]:
        b, a = layout.theil_sen(xs, ys, 1e-6)
        return b, statistics.median(abs(x - b * y - a) for x, y in zip(xs, ys, strict=True))
    edges = {"right": [float(t.box[2]) for t in tokens], "left": [float(t.box[0]) for t in tokens],
             "centre": [t.cx for t in tokens]}
    if align in edges:
        return fit(edges[align])[0]
    right, centre = fit(edges["right"]), fit(edges["centre"])
    return right[0] if right[1] <= centre[1] else centre[0]
