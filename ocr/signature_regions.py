"""Where a name may be written: the space to the right of a label and the space below it.

Both are bounded by the other labels, the block's printed words (obstacles) and the rulings
printed around the block (cell edges; an underline right under a label does not end the space
below it, it is where the name goes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from ocr import signature_params as P

XYWH = tuple[int, int, int, int]


@dataclass(frozen=True)
class Rulings:
    horizontal: list[tuple[int, int, int]]  # (y, x0, x1)
    vertical: list[tuple[int, int, int]]  # (x, y0, y1)


def find_rulings(ink: np.ndarray, lh: float) -> Rulings:
    """Straight horizontal and vertical runs longer than RULING_MIN_LENGTH text heights."""
    length = max(8, int(P.RULING_MIN_LENGTH * lh))
    out = []
    for kernel in ((length, 1), (1, length)):
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        # scans are a little skewed: join pieces of one rule
        mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
        _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        segs = []
        for x, y, w, h, _ in stats[1:]:
            if kernel[1] == 1 and w >= length:
                segs.append((int(y + h // 2), int(x), int(x + w)))
            elif kernel[0] == 1 and h >= length:
                segs.append((int(x + w // 2), int(y), int(y + h)))
        out.append(segs)
    return Rulings(out[0], out[1])


def is_cell_edge(vertical: tuple[int, int, int], y0: float, y1: float, rulings: Rulings, lh: float) -> bool:
    """A vertical run bounds the space y0..y1 as a cell edge: each end meets a horizontal rule (a
    box's corner, a divider's joint) or lies well beyond the space (a rule running on). A long pen
    stroke ends in the air: a name's 丨 running down from the box's top edge ends in the middle
    of the box; a name's first stroke standing on the signing line ends just above the space."""
    vx, vy0, vy1 = vertical
    near = P.CORNER_REACH * lh
    beyond = P.EDGE_BEYOND * lh

    def at_rule(vy: float) -> bool:
        return any(abs(ry - vy) <= near and rx0 - near <= vx <= rx1 + near for ry, rx0, rx1 in rulings.horizontal)

    return (at_rule(vy0) or vy0 <= y0 - beyond) and (at_rule(vy1) or vy1 >= y1 + beyond)


def right_region(label: XYWH, lh: float, others: Iterable[XYWH], obstacles: Iterable[XYWH], rulings: Rulings,
                 shape: tuple[int, ...], rows: Iterable[XYWH] = (), above: float = P.ABOVE) -> XYWH | None:
    x, y, w, h = label
    cy = y + h / 2
    x0 = x + w + int(P.GAP_AFTER_LABEL * lh)
    x1 = x0 + int(P.MAX_WIDTH * lh)
    y0, y1 = y - int(above * lh), y + h + int(P.BELOW * lh)
    before, after = [], False
    others = list(others)
    for ox, oy, _ow, oh in others:
        if abs(oy + oh / 2 - cy) < lh:
            if ox > x:
                x1, after = min(x1, ox - int(0.3 * lh)), True
            else:
                before.append(ox)
    if before and not after:
        # no next label read: a field is no wider than the one before it on this row, else the
        # next field's signature would count for this one
        x1 = min(x1, x + int(P.FIELD_PITCH_SHARE * (x - max(before))))
    for vx, vy0, vy1 in rulings.vertical:  # a cell edge right of the label, across its row
        if x0 < vx < x1 and vy0 <= cy <= vy1 and is_cell_edge((vx, vy0, vy1), y0, y1, rulings, lh):
            x1 = vx - 2
    for ox, oy, _ow, oh in obstacles:
        if oy < cy < oy + oh and ox >= x + w:  # printed words further along the row
            x1 = min(x1, ox - int(P.OBSTACLE_PAD * lh))
    others, obstacles = list(others), list(obstacles)
    for ox, oy, ow, oh in [*others, *obstacles, *rows]:
        if min(x1, ox + ow) - max(x0, ox) > 0:
            if oy + oh <= y and oy + oh > y0:  # print above the field
                y0 = oy + oh + int(P.OBSTACLE_PAD * lh)
            elif oy >= y + 0.5 * h and oy < y1:  # a line of print below
                y1 = oy - int(0.1 * lh)
    for ry, rx0, rx1 in rulings.horizontal:
        if min(x1, rx1) - max(x0, rx0) >= P.RULING_SPAN_SHARE * (x1 - x0):
            if y0 < ry < y - 0.1 * lh:  # a rule above the label (a table's bottom border)
                y0 = ry + 2
            elif y + h + P.UNDERLINE_ZONE * lh < ry < y1:
                y1 = ry - 2
    return _clip((x0, y0, x1, y1), lh, shape)


def below_region(label: XYWH, lh: float, others: Iterable[XYWH], obstacles: Iterable[XYWH], rulings: Rulings,
                 shape: tuple[int, ...], rows: Iterable[XYWH] = ()) -> XYWH | None:
    x, y, w, h = label
    cx, cy = x + w / 2, y + h / 2
    y0 = y + h + int(P.BELOW_GAP * lh)
    y1 = y0 + int(P.BELOW_DEPTH * lh)
    others = list(others)
    row = [o for o in others if abs(o[1] + o[3] / 2 - cy) < lh]
    prev_right = max((o[0] + o[2] for o in row if o[0] < x), default=None)
    next_left = min((o[0] for o in row if o[0] > x), default=None)
    # under a label with a neighbour on its left, that neighbour's name may dip below its line:
    # start at the label; else the name may be centred under it
    x0 = x - P.BELOW_LEFT * lh if prev_right is not None else cx - P.BELOW_WIDTH / 2 * lh
    x1 = x + max(w, P.BELOW_WIDTH * lh)
    if next_left is not None:
        x1 = min(x1, next_left - 0.3 * lh)
    # a ruled cell under the label: its edges bound the space, wherever they are
    crossing = [vx for vx, vy0, vy1 in rulings.vertical
                if vy0 <= y0 + lh and vy1 >= y0 and is_cell_edge((vx, vy0, vy1), y0, y1, rulings, lh)]
    lefts = [vx for vx in crossing if (prev_right if prev_right is not None else -1) < vx < cx]
    rights = [vx for vx in crossing if cx < vx < (next_left if next_left is not None else shape[1])]
    if lefts:
        x0 = max(lefts) + 2
    if rights:
        x1 = min(rights) - 2
    for ox, oy, ow, _oh in others:
        # a label further down: its own name rises up to ABOVE text heights over it
        if oy > y + 0.5 * h and min(x1, ox + ow + P.MAX_WIDTH * lh) > max(x0, ox):
            y1 = min(y1, oy - int(P.ABOVE * lh))
    reach = 4 * lh  # print this close beside the space ends it too (the next row of the block)
    for ox, oy, ow, _oh in [*obstacles, *rows]:
        if oy > y + 0.5 * h and oy < y1 and min(x1 + reach, ox + ow) > max(x0 - reach, ox):
            y1 = oy - int(P.OBSTACLE_PAD * lh)
    for ry, rx0, rx1 in sorted(rulings.horizontal):
        span = min(x1, rx1) - max(x0, rx0)
        if span >= P.RULING_SPAN_SHARE * (x1 - x0) and y + h + P.UNDERLINE_ZONE * lh < ry < y1:
            y1 = bottom_at_rule(ry, lh)
            break
    return _clip((x0, y0, x1, y1), lh, shape)


def bottom_at_rule(ry: int, lh: float) -> int:
    """Where a space under a label ends at the rule at height `ry`: names sit on a signing line,
    so its neighbourhood is kept."""
    return ry + int(0.3 * lh)


def printed_rows(ink: np.ndarray, lh: float) -> list[XYWH]:
    """Runs of print: bands one text height tall (the block's, or a larger font's) with ink in
    most columns over several characters and blank strips just above and below. Names are
    taller than print and cross such strips, so they are not taken."""
    rows: list[XYWH] = []
    for scale in P.PRINTED_ROW_SCALES:
        rows += _rows_of_height(ink, lh * scale, lh)
    return rows


def _rows_of_height(ink: np.ndarray, th: float, lh: float) -> list[XYWH]:
    h, w = ink.shape
    lhi = max(4, int(round(th)))
    margin, reach = max(1, int(0.15 * th)), max(2, int(0.5 * th))
    cum = np.vstack([np.zeros((1, w), np.int32), np.cumsum(ink > 0, axis=0, dtype=np.int32)])

    def any_ink(y0: int, y1: int) -> np.ndarray:
        y0, y1 = max(0, y0), min(h, y1)
        return (cum[y1] - cum[y0]) > 0 if y1 > y0 else np.zeros(w, bool)

    rows: list[XYWH] = []
    gap = np.ones((1, max(2, int(P.PRINTED_ROW_GAP * th))), np.uint8)
    for y in range(0, max(1, h - lhi + 1), max(1, lhi // 4)):
        inside = any_ink(y + int(0.1 * th), y + lhi - int(0.1 * th))
        above, below = ~any_ink(y - reach, y - margin), ~any_ink(y + lhi + margin, y + lhi + reach)
        # blank on both sides; or on one side only (something touches the row), then with
        # more strokes than any name measured
        # a band taller than the block's text (blurred print) must be as busy as one-sided print
        both = P.PRINTED_ROW_STROKES if th <= lh else P.PRINTED_ROW_STROKES_ONE_SIDE
        for clear, min_strokes in ((above & below, both), (above | below, P.PRINTED_ROW_STROKES_ONE_SIDE)):
            closed = cv2.morphologyEx((inside & clear).astype(np.uint8)[None, :], cv2.MORPH_CLOSE, gap)
            count, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=4)
            for x, _, rw, _, _ in stats[1:count]:
                if rw < P.PRINTED_ROW_RUN * lh:
                    continue
                cells = ink[y: y + lhi, x: x + rw] > 0
                # strokes met along each pixel row, per text height: print crosses many short
                # strokes, a pen line running along the band few
                strokes = np.count_nonzero(cells[:, 1:] & ~cells[:, :-1]) / max(1, lhi) / (rw / th)
                if cells.mean() >= P.PRINTED_ROW_DENSITY and strokes >= min_strokes:
                    rows.append((int(x), y, int(rw), lhi))
    return rows


def _clip(box: tuple[float, float, float, float], lh: float, shape: tuple[int, ...]) -> XYWH | None:
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(shape[1], int(box[2])), min(shape[0], int(box[3]))
    if x1 - x0 < lh or y1 - y0 < lh:
        return None
    return x0, y0, x1 - x0, y1 - y0


def row_slope(label_boxes: Iterable[XYWH], box_h: float) -> float:
    """dy/dx of the labels' row (a scan's residual skew), 0 when they are not on one row."""
    boxes = sorted(label_boxes, key=lambda b: b[0])
    pairs = [(a, b) for a, b in zip(boxes, boxes[1:], strict=False)
             if abs(a[1] + a[3] / 2 - b[1] - b[3] / 2) < box_h and b[0] - a[0] > 4 * box_h]
    if not pairs:
        return 0.0
    return float(np.median([((b[1] + b[3] / 2) - (a[1] + a[3] / 2)) / (b[0] - a[0]) for a, b in pairs]))


def rows_along(ink: np.ndarray, lh: int, slope: float) -> list[XYWH]:
    """Printed rows on a slightly skewed page: found on the ink sheared level, boxed back."""
    if abs(slope) < P.LEVEL_SLOPE:
        return printed_rows(ink, lh)
    h, w = ink.shape
    xc = w / 2
    level = cv2.warpAffine(ink, np.float32([[1, 0, 0], [-slope, 1, slope * xc]]), (w, h), flags=cv2.INTER_NEAREST)
    out = []
    for x, y, rw, rh in printed_rows(level, lh):
        y_mid = y + slope * (x + rw / 2 - xc)
        spread = abs(slope) * rw / 2
        out.append((x, int(y_mid - spread), rw, int(rh + 2 * spread)))
    return out
