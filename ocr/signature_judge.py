"""Judging one signature field: is there a name in this region of the page?

Handwriting-like ink after removing rules, print and the unit seal (by colour, and on grey scans
by shape: ocr.signature_ink), or a red personal name seal (人名章). Thresholds:
ocr.signature_params; sizes are in the block's glyph heights (`SignPage.lh`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocr import signature_params as P
from ocr.seal import ABSENT, PRESENT, UNCERTAIN, detect_seal
from ocr.signature_ink import (
    Circle,
    InkMeasure,
    ink_mask,
    measure,
    name_seal,
    seal_circle,
    seal_ink_level,
    without_seal,
)
from ocr.signature_regions import Rulings

XYWH = tuple[int, int, int, int]


@dataclass(frozen=True)
class SignatureResult:
    status: str  # "present" | "absent" | "uncertain"
    score: float  # 0..1; absent < 0.3 <= uncertain < 0.6 <= present
    box: XYWH | None  # the ink found (x, y, w, h) in image pixels, else the searched region
    reason: str  # shown to staff (Chinese)


@dataclass
class SignPage:
    """What every field of one signature page is judged against."""
    image: np.ndarray
    grey: np.ndarray
    colour: bool
    lh: int
    circle: Circle | None
    seal_box: XYWH | None
    rulings: Rulings
    rows: list[XYWH]  # printed rows found in the image
    table_cells: list[XYWH]  # the table's figures, where the caller knows them
    seal_level: float | None = None  # grey level of the seal's ink, once measured
    seal_looked_for: bool = False


def judge_region(page: SignPage, role: str, label: XYWH, region: XYWH, obstacles: list[XYWH],
                  signing_row: bool, row_above: float = P.ROW_ABOVE) -> SignatureResult:
    lh = page.lh
    rx, ry, rw, rh = region
    if page.colour:
        pad = int(P.NAME_SEAL_CONTEXT * lh)
        cx0, cy0 = max(0, rx - pad), max(0, ry - pad)
        context = page.image[cy0: ry + rh + pad, cx0: rx + rw + pad]
        stamp = name_seal(context, (cx0, cy0), region, lh, page.circle)
        if stamp is not None and page.seal_box is None and not page.seal_looked_for:
            # a red square could be a piece of the round seal's lettering: find that seal first
            page.seal_looked_for = True
            seal = detect_seal(page.image)
            circle = seal_circle(page.grey, seal.box) if seal.status != ABSENT and seal.box else None
            if circle is not None and circle.r >= P.ROUND_SEAL_OVER_NAME_SEAL * max(stamp[2], stamp[3]) / 2:
                page.seal_box, page.circle, page.seal_level = seal.box, circle, None
                stamp = name_seal(context, (cx0, cy0), region, lh, page.circle)
        if stamp is not None:
            return SignatureResult(PRESENT, 0.9, stamp, f"“{role}”处盖有人名章")
    # ink is found on a wider crop: rules and dust cut by the region's edge are then still whole
    ex, ey = max(0, rx - lh), max(0, ry - lh)
    wide = page.image[ey: ry + rh + lh, ex: rx + rw + lh]
    ink = ink_mask(wide, page.colour, lh, label[1] - ey if signing_row else 0)[ry - ey: ry - ey + rh, rx - ex: rx - ex + rw]
    for ox, oy, ow, oh in obstacles:
        ink[max(0, oy - ry): max(0, oy - ry + oh), max(0, ox - rx): max(0, ox - rx + ow)] = 0
    _without_rulings(ink, region, page.rulings, lh)
    seal_ink = pen_like = 0
    if page.circle is not None and overlaps_disc(region, page.circle):
        if page.seal_level is None:
            page.seal_level = seal_ink_level(page.grey, page.circle)
        grey = page.grey[ry: ry + rh, rx: rx + rw]
        ink, seal_ink, pen_like = without_seal(ink, grey, (rx, ry), page.circle, page.seal_level)
    total = measure(ink, lh)
    status, score, reason = classify(total, role, lh)
    if status == PRESENT and signing_row and not reaches_signing_row(ink, label, region, row_above):
        # People sign on the line next to the label; ink only well above it is something else
        # (a mark on the table above, a stamp's edge).
        status, score = UNCERTAIN, 0.4
        reason = f"“{role}”旁的笔迹不在签字线上，请人工核对"
    if (status == PRESENT and not signing_row and total.box is not None
            and total.box[3] < P.BELOW_FLAT * lh and total.box[2] >= P.PRINTED_ROW_RUN * lh):
        # under a label, one flat line of ink the height of print: a row of print OCR did not
        # report (or blurred beyond the printed-row test), not a name
        status, score = UNCERTAIN, 0.4
        reason = f"“{role}”下方只有一行像印刷文字的笔迹，请人工核对"
    if status == ABSENT and pen_like / (lh * lh) >= P.UNCERTAIN_INK_AREA:
        status, score = UNCERTAIN, 0.35
        reason = f"“{role}”签字处与印章重叠，印章笔画中有较深的笔迹，可能有签字，请人工核对"
    elif seal_ink > 0 and status == ABSENT and seal_ink / (lh * lh) >= P.UNCERTAIN_INK_AREA:
        reason = f"“{role}”处未签字（该处只有印章的印迹）"
    elif seal_ink > 0 and status == UNCERTAIN:
        reason = f"“{role}”签字处与印章重叠，除印章外笔迹很少，请人工核对"
    elif seal_ink > 0 and status == PRESENT:
        reason += "（与印章部分重叠）"
    box = region
    if total.box is not None and status != ABSENT:
        bx, by, bw, bh = total.box
        box = (rx + bx, ry + by, bw, bh)
    return SignatureResult(status, round(score, 3), box, reason)


def _without_rulings(ink: np.ndarray, region: XYWH, rulings: Rulings, lh: int) -> None:
    """Clear the rules that run out of the region, found whole across the block
    (ocr.signature_regions.find_rulings), from its ink: the region's own line finder sees only the
    pieces it cuts (seed 409: the top edge of the box under an unsigned 统计负责人 was "笔迹很少").
    Only rules longer than a name seal's frame; straight strokes inside the region (a name seal's
    frame, a name's long flat stroke) are left to that finder, as before."""
    rx, ry, rw, rh = region
    half, long = max(2, int(P.RULE_BAND * lh)), P.RULE_LONG * lh
    for y, x0, x1 in rulings.horizontal:
        if (ry - half <= y < ry + rh + half and x1 > rx and x0 < rx + rw and (x0 < rx or x1 > rx + rw)
                and x1 - x0 >= long):
            ink[max(0, y - half - ry): max(0, y + half + 1 - ry), max(0, x0 - rx): max(0, x1 - rx)] = 0
    for x, y0, y1 in rulings.vertical:
        if (rx - half <= x < rx + rw + half and y1 > ry and y0 < ry + rh and (y0 < ry or y1 > ry + rh)
                and y1 - y0 >= long):
            ink[max(0, y0 - ry): max(0, y1 - ry), max(0, x - half - rx): max(0, x + half + 1 - rx)] = 0


def classify(ink: InkMeasure, role: str, lh: float) -> tuple[str, float, str]:
    if ink.box is not None and min(ink.box[2], ink.box[3]) < P.RULE_RESIDUE * lh:
        return ABSENT, 0.1, f"“{role}”处未签字"
    if ink.area >= P.PRESENT_INK_AREA and ink.span >= P.MIN_SPAN:
        if ink.length < P.PRESENT_STROKE_LENGTH:
            return UNCERTAIN, 0.45, f"“{role}”处只有简单的记号（勾、点或短线），不像签名，请人工核对"
        return PRESENT, 0.6 + 0.4 * min(1.0, ink.area / (4 * P.PRESENT_INK_AREA)), f"“{role}”处有手写签名笔迹"
    if ink.area >= P.UNCERTAIN_INK_AREA:
        score = 0.3 + 0.29 * min(1.0, ink.area / P.PRESENT_INK_AREA)
        return UNCERTAIN, score, f"“{role}”处笔迹很少，可能未签字，请人工核对"
    return ABSENT, 0.29 * min(1.0, ink.area / P.UNCERTAIN_INK_AREA), f"“{role}”处未签字"


def reaches_signing_row(ink: np.ndarray, label: XYWH, region: XYWH, above: float = P.ROW_ABOVE) -> bool:
    """Some ink lies in the label's own row (from `above` label heights over its top to just below
    its baseline)."""
    lh = max(label[3], 4)
    top = max(0, label[1] - region[1] - int(above * lh))
    bottom = max(top + 1, label[1] + label[3] - region[1] + int(0.8 * lh))
    return bool(np.count_nonzero(ink[top:bottom]) >= P.REACH_ROW_INK * lh * lh)


def overlaps_disc(region: XYWH, circle: Circle) -> bool:
    x, y, w, h = region
    nx, ny = min(max(circle.cx, x), x + w), min(max(circle.cy, y), y + h)
    return (nx - circle.cx) ** 2 + (ny - circle.cy) ** 2 <= (circle.r * (1 + 2 * P.RING_BAND)) ** 2


def overlaps(a: XYWH, b: XYWH) -> bool:
    return min(a[0] + a[2], b[0] + b[2]) > max(a[0], b[0]) and min(a[1] + a[3], b[1] + b[3]) > max(a[1], b[1])
