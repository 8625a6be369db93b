"""What ink in a signature region counts: pen strokes, not rules, print, dust or the unit's seal;
and a red personal name seal (人名章), which counts as signed.

The unit's round seal is told apart from handwriting by shape where colour cannot (grey scans):
its ring is an arc at the seal's radius, its lettering glyph-sized pieces in the band along
the ring, its star a blob at the centre. Ink explained that way is the seal's; the rest counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr import signature_params as P
from ocr.print_ink import paper_level
from ocr.seal_masks import line_mask, loose_red_mask, red_ink_mask

XYWH = tuple[int, int, int, int]


@dataclass(frozen=True)
class InkMeasure:
    area: float  # ink pixels / lh^2
    span: float  # longer side of the ink's bounding box / lh
    box: XYWH | None  # in region pixels
    length: float = 0.0  # total stroke length / lh (half the outlines' length: pen-width free)


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float


def ink_mask(crop: np.ndarray, colour: bool, lh: int, label_top: int) -> np.ndarray:
    """Pen ink in the region without rules, underlines, red seal ink, print above a rule or dust."""
    # In the red channel, red seal ink is nearly as light as paper; blue/black pen is dark.
    grey = crop[..., 2] if colour else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    block = max(15, (2 * lh) | 1)
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    # Rules are blurred and a little skewed in scans: take a generous band around each.
    # (Before the seal ink goes: a seal over the underline would cut it into short pieces.)
    lines = line_mask(ink, max(12, 3 * lh), thickness=max(3, lh // 5))
    ink = cv2.bitwise_and(ink, cv2.bitwise_not(lines))
    _clear_above_rule(ink, lines, label_top)
    if colour:
        # Under dim or tinted light (phone photos) seal ink still shows in the red channel:
        # drop every reddish pixel and its fringe. Pale seal ink is only weakly red.
        # Pen stays: dark in the red channel, on the seal's strokes or beside them.
        red = cv2.bitwise_or(red_ink_mask(crop), loose_red_mask(crop))
        fringe = cv2.dilate(red, np.ones((5, 5), np.uint8)) > 0
        pen = grey.astype(np.float32) < P.PEN_IN_RED * paper_level(grey).astype(np.float32)
        ink[fringe & ~pen] = 0
    # Speckles, and slivers left along removed rules (long and flat), are not handwriting.
    return _drop_dust(ink, lh)


def _drop_dust(ink: np.ndarray, lh: int) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    thin, long = np.minimum(widths, heights), np.maximum(widths, heights)
    sliver = (thin <= max(2, lh // 3)) & (long >= np.maximum(lh, 8 * thin))
    keep = (stats[:, cv2.CC_STAT_AREA] >= max(4, int(P.SPECKLE_AREA * lh * lh))) & ~sliver
    keep[0] = False
    return keep[labels].astype(np.uint8) * 255


def _clear_above_rule(ink: np.ndarray, lines: np.ndarray, label_top: int) -> None:
    """A rule across the region above the label (a table's bottom border) ends the signature
    space: the printed rows beyond it are not a signature."""
    if label_top <= 0:
        return
    row_share = (lines[:label_top] > 0).mean(axis=1)
    rule_rows = np.flatnonzero(row_share >= 0.6)
    if rule_rows.size:
        ink[: rule_rows.max() + 1] = 0


# --- the unit's seal by shape -------------------------------------------------------------------


def seal_circle(grey: np.ndarray, seal_box: XYWH) -> Circle | None:
    """The seal's ring (centre, radius) from its box, refined on the dark pixels near the ring."""
    sx, sy, sw, sh = seal_box
    r0 = (sw + sh) / 4
    if r0 < 8:
        return None
    cx, cy, r = sx + sw / 2, sy + sh / 2, r0
    pad = int(0.2 * r0)
    x0, y0 = max(0, int(sx - pad)), max(0, int(sy - pad))
    crop = grey[y0: int(sy + sh + pad), x0: int(sx + sw + pad)]
    if crop.size == 0:
        return None
    dark = cv2.adaptiveThreshold(crop, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 max(15, int(0.15 * r0) | 1), 10)
    ys, xs = np.nonzero(dark)
    xs, ys = xs.astype(np.float64) + x0, ys.astype(np.float64) + y0
    for band in (P.RING_FIT_BAND, P.RING_FIT_BAND / 2):
        d = np.hypot(xs - cx, ys - cy)
        near = np.abs(d - r) < band * r
        if near.sum() < 20:
            break
        fit = _fit_circle(xs[near], ys[near])
        if fit is None:
            break
        if np.hypot(fit[0] - sx - sw / 2, fit[1] - sy - sh / 2) > P.RING_FIT_MOVE * r0 or abs(fit[2] - r0) > 0.2 * r0:
            break
        cx, cy, r = fit
    return Circle(cx, cy, r)


def _fit_circle(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float] | None:
    a = np.column_stack([xs, ys, np.ones_like(xs)])
    b = -(xs**2 + ys**2)
    try:
        (d, e, f), *_ = np.linalg.lstsq(a, b, rcond=None)
    except np.linalg.LinAlgError:
        return None
    cx, cy = -d / 2, -e / 2
    r2 = cx * cx + cy * cy - f
    return (float(cx), float(cy), float(np.sqrt(r2))) if r2 > 0 else None


def seal_ink_level(grey: np.ndarray, circle: Circle) -> float:
    """Grey level of the seal's own ink: the median of the dark pixels on its ring."""
    r = circle.r
    x0, y0 = max(0, int(circle.cx - 1.1 * r)), max(0, int(circle.cy - 1.1 * r))
    crop = grey[y0: int(circle.cy + 1.1 * r), x0: int(circle.cx + 1.1 * r)]
    if crop.size == 0:
        return 0.0
    dark = cv2.adaptiveThreshold(crop, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 max(15, int(0.15 * r) | 1), 10) > 0
    yy, xx = np.mgrid[0: crop.shape[0], 0: crop.shape[1]]
    ring = np.abs(np.hypot(xx + x0 - circle.cx, yy + y0 - circle.cy) / r - 1) < P.RING_BAND / 2
    values = crop[dark & ring]
    # the ring's core (its lower quartile): blur and speckle lighten the rest
    return float(np.percentile(values, 25)) if values.size else 0.0


def without_seal(ink: np.ndarray, grey: np.ndarray, origin: tuple[int, int], circle: Circle,
                 seal_level: float) -> tuple[np.ndarray, int, int]:
    """Ink not explained by the seal's shape, how many pixels the seal explained, and how many
    of those are as dark as pen ink.

    Seal-shaped ink clearly darker than the seal's own ink (pen over a pale seal) is not the
    seal's: shape decides, the ink level only keeps pen strokes that happen to be seal-shaped."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w]
    rho = np.hypot(xx + origin[0] - circle.cx, yy + origin[1] - circle.cy) / circle.r
    pen = grey.astype(np.float32) < seal_level - P.SEAL_DARKER
    kept = ink.copy()
    kept[(np.abs(rho - 1) < P.RING_BAND) & ~pen] = 0  # the ring
    # the star, whatever its shade (solid, it prints darker than the thin ring); a name
    # crossing it still counts by the rest of its strokes
    kept[rho < P.STAR_OUTER] = 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(kept, connectivity=8)
    explained = np.zeros(count, bool)
    theta = np.arctan2(yy + origin[1] - circle.cy, xx + origin[0] - circle.cx)
    for k in range(1, count):
        sel = labels == k
        rk = rho[sel]
        if rk.min() > 1 + P.RING_BAND * 2 or np.percentile(grey[sel], 10) < seal_level - P.SEAL_DARKER:
            continue  # outside the disc, or pen ink (its core is darker than any seal stroke)
        radial = rk.max() - rk.min()
        if radial <= P.ARC_MAX_RADIAL and rk.min() > 0.75:
            explained[k] = True  # ring residue, an inner ring
        elif rk.min() >= P.TEXT_INNER and rk.max() <= P.TEXT_OUTER and radial <= P.TEXT_MAX_RADIAL:
            angles = np.sort(theta[sel])
            gaps = np.diff(angles)
            spread = float(angles[-1] - angles[0])
            if gaps.size and gaps.max() > np.pi:  # the piece straddles the +-pi cut
                spread = 2 * np.pi - float(gaps.max())
            if spread * float(rk.mean()) <= P.TEXT_MAX_TANGENTIAL:
                explained[k] = True  # one (or two touching) glyph(s) of the lettering
    seal_px = explained[labels] & (kept > 0)
    kept[seal_px] = 0
    taken = (ink > 0) & (kept == 0)
    # pen-dark ink taken as the seal's outside the star (a name squeezed into its lettering)
    doubt = int(np.count_nonzero(taken & pen & (rho >= P.STAR_OUTER)))
    return kept, int(np.count_nonzero(taken)), doubt


# --- personal name seal -----------------------------------------------------------------------


def name_seal(context: np.ndarray, origin: tuple[int, int], field: XYWH, lh: int,
              circle: Circle | None) -> XYWH | None:
    """A red square/rectangular seal with a frame (or a red ground) in the field, as a page box.

    `context` is a crop around the field (`origin`: its top-left on the page), wide enough to
    tell a small seal from a piece of the unit's round seal, whose red runs on beyond it."""
    red = cv2.bitwise_or(red_ink_mask(context), loose_red_mask(context))
    if not red.any():
        return None
    joined = cv2.morphologyEx(red, cv2.MORPH_CLOSE, np.ones((max(3, lh // 5),) * 2, np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    fx, fy, fw, fh = field[0] - origin[0], field[1] - origin[1], field[2], field[3]
    for k in range(1, count):
        x, y, w, h, _ = stats[k]
        long, short = max(w, h), min(w, h)
        if not (P.NAME_SEAL_MIN_SIDE * lh <= long <= P.NAME_SEAL_MAX_SIDE * lh and short >= 0.6 * P.NAME_SEAL_MIN_SIDE * lh):
            continue  # too small (a tick, a dot) or too large (the round seal's ring)
        if long / max(1, short) > P.NAME_SEAL_MAX_ASPECT:
            continue
        if min(x + w, fx + fw) - max(x, fx) < 0.5 * w or min(y + h, fy + fh) - max(y, fy) < 0.5 * h:
            continue  # mostly outside this field
        if circle is not None and circle.r >= P.ROUND_SEAL_OVER_NAME_SEAL * long / 2:
            rho = np.hypot(x + w / 2 + origin[0] - circle.cx, y + h / 2 + origin[1] - circle.cy) / circle.r
            if rho < 1.0:
                continue  # inside the round seal: its lettering or star
        blob = (labels[y: y + h, x: x + w] == k).astype(np.uint8)
        contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        rect = cv2.minAreaRect(max(contours, key=cv2.contourArea))
        rw, rh = rect[1]
        if rw * rh <= 0:
            continue
        ink_k = red[y: y + h, x: x + w] > 0
        if ink_k.sum() / (rw * rh) < P.NAME_SEAL_FILL:
            continue
        solid = cv2.contourArea(max(contours, key=cv2.contourArea)) / (rw * rh)
        # a frame (朱文), or a red ground with the characters left blank (白文)
        if _frame_share(ink_k, rect, lh) >= P.NAME_SEAL_FRAME or (
                ink_k.sum() / (rw * rh) >= P.NAME_SEAL_GROUND and solid >= P.NAME_SEAL_SOLID):
            return int(x + origin[0]), int(y + origin[1]), int(w), int(h)
    return None


def _frame_share(ink: np.ndarray, rect, lh: int) -> float:
    """Share of points along the rectangle's outline with red ink within a small distance."""
    pts = cv2.boxPoints(rect)
    near = cv2.dilate(ink.astype(np.uint8), np.ones((max(3, lh // 4),) * 2, np.uint8))
    hits = total = 0
    for a, b in zip(pts, np.roll(pts, -1, axis=0), strict=True):
        for t in np.linspace(0.1, 0.9, 9):
            px, py = a + (b - a) * t
            xi, yi = int(round(px)), int(round(py))
            total += 1
            if 0 <= yi < near.shape[0] and 0 <= xi < near.shape[1] and near[yi, xi]:
                hits += 1
    return hits / max(1, total)


# --- measuring ---------------------------------------------------------------------------------


def measure(ink: np.ndarray, lh: int) -> InkMeasure:
    ink_px = int(np.count_nonzero(ink))
    if not ink_px:
        return InkMeasure(0.0, 0.0, None)
    ys, xs = np.nonzero(ink)
    box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min()) + 1, int(ys.max() - ys.min()) + 1)
    contours, _ = cv2.findContours((ink > 0).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    length = sum(cv2.arcLength(c, True) for c in contours) / 2
    return InkMeasure(ink_px / (lh * lh), max(box[2], box[3]) / lh, box, length / lh)
