"""Perspective left on a page, measured on the form's own rulings.

A phone photo is flattened from the sheet's outline (normalise.find_sheet). When that outline
is wrong (a corner lost in shadow and cut off by the polygon fit, a sheet running out of the
frame) the page comes out still in perspective: rows stay level but the table's columns fan out,
and a figure lands beside another row's label. The table's rulings are straight lines on the
paper: the long near-horizontal ones meet in one vanishing point, the near-vertical ones in
another. A homography that sends both points to infinity makes every ruling level or upright
again, whatever the outline was. Flat scans have both points at infinity already and are left
alone.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

WORK_SIDE = 1200          # px, longer side of the copy the rulings are found on
MIN_LENGTH = 0.06         # of the longer side: table rulings, not strokes of text
PIECE = 0.015             # of the longer side: shorter pieces are not linked into a ruling
MAX_GAP = 0.03            # of the longer side: a break in a ruling (a crossing, faded ink)
LINK_OFF = 2.0            # px on the reduced copy: a piece this far off a chain's line is another line
FAMILY_ANGLE = 25.0       # degrees from the image axes: a ruling of one family or the other
MIN_SEGMENTS = 4          # per family, after outliers are dropped
MIN_SPAN = 0.3            # of the image: the rulings of a family must spread across the page
INLIER_DEG = 0.6          # a segment further off the direction to the vanishing point is not a ruling
MIN_CORRECTION_DEG = 0.4  # below this fan-out (or shear) the page is left as it is
MAX_GROWTH = 1.6          # the corrected page may take in what a wrong outline cut off, not more
MAX_VP_NEAR = 1.5         # a vanishing point nearer than this many image sizes is not a photo of paper


def ruling_segments(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Long straight lines as segments (x1, y1, x2, y2), near-horizontal and near-vertical, in
    the image's coordinates. The line detector breaks a column's ruling at every row's ruling
    that crosses it, so collinear pieces are linked back into one line first."""
    g = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, WORK_SIDE / max(g.shape[:2]))
    if scale < 1.0:
        g = cv2.resize(g, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    side = max(g.shape[:2])
    found = cv2.createLineSegmentDetector().detect(g)[0]
    if found is None:
        return np.zeros((0, 4)), np.zeros((0, 4))
    segs = found.reshape(-1, 4).astype(np.float64)
    segs = segs[np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]) >= PIECE * side]
    angles = _angles(segs)
    out = []
    for axis, family in ((0, np.minimum(angles, 180.0 - angles) <= FAMILY_ANGLE),
                         (1, np.abs(angles - 90.0) <= FAMILY_ANGLE)):
        lines = _link(segs[family], axis, MAX_GAP * side)
        long = np.hypot(lines[:, 2] - lines[:, 0], lines[:, 3] - lines[:, 1]) >= MIN_LENGTH * side
        out.append(lines[long] / scale)
    return out[0], out[1]


Segment = tuple[float, float, float, float]
ROW_RULING = 0.3          # of the page's width: a row ruling across the table
MIN_ROWS_ENDING = 5       # row rulings ending within ENDS_TOGETHER of each other: the table's edge
ENDS_TOGETHER = 0.01      # of the page's width
TABLE_RULING = 0.2        # of the page's height: an upright ruling this long is the table's, not a stroke


def upright_rulings(grey: np.ndarray) -> list[Segment]:
    """The page's long upright rulings (a table's column edges) as (x0, y0, x1, y1), left to
    right, and the table's outer edges where its row rulings end though no upright line was drawn
    there (a form ruled across only); none on a form printed without rulings."""
    horizontal, vertical = ruling_segments(grey)
    out = [tuple(map(float, v)) for v in vertical if abs(v[3] - v[1]) >= TABLE_RULING * grey.shape[0]]
    rows = horizontal[np.abs(horizontal[:, 2] - horizontal[:, 0]) >= ROW_RULING * grey.shape[1]] if len(horizontal) else horizontal
    for end in (0, 2):   # the rows' left ends, then their right ends
        if (edge := _rows_end(rows, end, grey.shape[1])) is not None:
            out.append(edge)
    return sorted(out, key=lambda v: v[0] + v[2])


def _rows_end(rows: np.ndarray, end: int, width: int) -> Segment | None:
    """The upright line through the ends of the row rulings that end together (a table's edge),
    or None when fewer than MIN_ROWS_ENDING do."""
    xs = np.where(rows[:, 0] <= rows[:, 2], rows[:, end], rows[:, 2 - end]) if len(rows) else np.zeros(0)
    ys = (rows[:, 1] + rows[:, 3]) / 2 if len(rows) else np.zeros(0)
    if len(xs) < MIN_ROWS_ENDING:
        return None
    together = np.abs(xs - np.median(xs)) <= ENDS_TOGETHER * width
    if together.sum() < MIN_ROWS_ENDING:
        return None
    slope, at = np.polyfit(ys[together], xs[together], 1)
    y0, y1 = float(ys[together].min()), float(ys[together].max())
    return (float(at + slope * y0), y0, float(at + slope * y1), y1)


def x_at(ruling: Segment, y: float) -> float:
    """Where an upright ruling stands at height y (a page may keep a little lean)."""
    x0, y0, x1, y1 = ruling
    return x0 if y1 == y0 else x0 + (x1 - x0) * (y - y0) / (y1 - y0)


def _link(segs: np.ndarray, axis: int, max_gap: float) -> np.ndarray:
    """Chains of pieces that continue one another along `axis` (0: x, 1: y): each next piece
    starts at most `max_gap` after the chain ends and lies within LINK_OFF px of its line."""
    if len(segs) == 0:
        return np.zeros((0, 4))
    flip = segs[:, axis] > segs[:, axis + 2]
    segs = np.where(flip[:, None], segs[:, [2, 3, 0, 1]], segs)
    segs = segs[np.argsort(segs[:, axis])]
    starts = np.zeros((len(segs), 2))
    ends = np.zeros((len(segs), 2))
    n = 0
    for x1, y1, x2, y2 in segs.tolist():
        p1, p2 = np.array([x1, y1]), np.array([x2, y2])
        if n:
            gap = p1[axis] - ends[:n, axis]
            d = ends[:n] - starts[:n]
            norm = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)
            off = np.maximum(np.abs(_cross2(d, p1 - starts[:n])), np.abs(_cross2(d, p2 - starts[:n]))) / norm
            ok = (gap >= -LINK_OFF) & (gap <= max_gap) & (off <= LINK_OFF)
            if ok.any():
                k = int(np.argmin(np.where(ok, off, np.inf)))
                if p2[axis] > ends[k, axis]:
                    ends[k] = p2
                continue
        starts[n], ends[n] = p1, p2
        n += 1
    return np.hstack([starts[:n], ends[:n]])


def _cross2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _angles(segs: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(segs[:, 3] - segs[:, 1], segs[:, 2] - segs[:, 0])) % 180.0


def _deviation(segs: np.ndarray, vp: np.ndarray) -> np.ndarray:
    """Degrees between each segment and the line from its middle to the vanishing point."""
    mx, my = (segs[:, 0] + segs[:, 2]) / 2, (segs[:, 1] + segs[:, 3]) / 2
    dx, dy = vp[0] - vp[2] * mx, vp[1] - vp[2] * my
    toward = np.degrees(np.arctan2(dy, dx)) % 180.0
    diff = np.abs(toward - _angles(segs))
    return np.minimum(diff, 180.0 - diff)


def vanishing_point(segs: np.ndarray, centre: np.ndarray, size: float) -> np.ndarray | None:
    """Homogeneous point (x, y, w) where the segments' lines meet (w ~ 0: parallel), fitted by
    length-weighted least squares in normalised coordinates, refitted without outliers."""
    keep = np.ones(len(segs), bool)
    vp = None
    for attempt in range(3):
        if keep.sum() < MIN_SEGMENTS:
            return None
        s = segs[keep]
        p1 = np.column_stack([(s[:, :2] - centre) / size, np.ones(len(s))])
        p2 = np.column_stack([(s[:, 2:] - centre) / size, np.ones(len(s))])
        lines = np.cross(p1, p2)
        lines /= np.linalg.norm(lines[:, :2], axis=1, keepdims=True)
        weight = np.hypot(s[:, 2] - s[:, 0], s[:, 3] - s[:, 1])
        vt = np.linalg.svd(lines * np.sqrt(weight)[:, None])[2]
        v = vt[-1]
        # back to pixel coordinates: x = size * x' + centre * w
        vp = np.array([size * v[0] + centre[0] * v[2], size * v[1] + centre[1] * v[2], v[2]])
        keep = _deviation(segs, vp) <= (3 * INLIER_DEG if attempt == 0 else INLIER_DEG)
    return vp if keep.sum() >= MIN_SEGMENTS else None


def _spans(segs: np.ndarray, across: int, extent: float) -> bool:
    mids = (segs[:, across] + segs[:, across + 2]) / 2
    return float(mids.max() - mids.min()) >= MIN_SPAN * extent


def _direction(vp: np.ndarray, x: float, y: float) -> float:
    return math.degrees(math.atan2(vp[1] - vp[2] * y, vp[0] - vp[2] * x)) % 180.0


def _angle_between(a: float, b: float) -> float:
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def _line_through(vp: np.ndarray, x: float, y: float) -> np.ndarray:
    return np.cross(np.array([x, y, 1.0]), vp)


def rectifying_homography(bgr: np.ndarray, hold: np.ndarray | None = None
                          ) -> tuple[np.ndarray, tuple[int, int]] | None:
    """3x3 matrix that makes the page's rulings level and upright, and the (width, height) of an
    output that holds the points `hold` (default: the image's corners); None when there is
    nothing to correct or the rulings do not tell."""
    h, w = bgr.shape[:2]
    horizontal, vertical = ruling_segments(bgr)
    if len(horizontal) < MIN_SEGMENTS or len(vertical) < MIN_SEGMENTS \
            or not _spans(horizontal, 1, h) or not _spans(vertical, 0, w):
        return None
    centre, size = np.array([w / 2, h / 2]), max(h, w) / 2
    vp_h = vanishing_point(horizontal, centre, size)
    vp_v = vanishing_point(vertical, centre, size)
    if vp_h is None or vp_v is None:
        return None
    for vp in (vp_h, vp_v):
        if abs(vp[2]) > 1e-12 and np.hypot(vp[0] / vp[2] - w / 2, vp[1] / vp[2] - h / 2) < MAX_VP_NEAR * max(h, w):
            return None
    fan_h = _angle_between(_direction(vp_h, w / 2, 0), _direction(vp_h, w / 2, h))
    fan_v = _angle_between(_direction(vp_v, 0, h / 2), _direction(vp_v, w, h / 2))
    shear = abs(90.0 - _angle_between(_direction(vp_h, w / 2, h / 2), _direction(vp_v, w / 2, h / 2)))
    if max(fan_h, fan_v, shear) < MIN_CORRECTION_DEG:
        return None
    corners = np.array([(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]) if hold is None else hold.reshape(-1, 2)
    return _homography(vp_h, vp_v, corners, w, h)


def _homography(vp_h: np.ndarray, vp_v: np.ndarray, corners: np.ndarray, w: int, h: int
                ) -> tuple[np.ndarray, tuple[int, int]] | None:
    """Quad bounded by the lines through each vanishing point that just hold `corners`, mapped
    onto a rectangle of its mean side lengths (about the image's own size, or it is refused)."""

    def extremes(vp: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
        # where each corner's line through vp crosses the middle of the other axis
        cut = np.array([1.0, 0.0, -w / 2]) if axis == 1 else np.array([0.0, 1.0, -h / 2])
        pos = []
        for x, y in corners.tolist():
            line = _line_through(vp, x, y)
            p = np.cross(line, cut)
            pos.append((p[axis] / p[2], line))
        pos.sort(key=lambda t: t[0])
        return pos[0][1], pos[-1][1]

    top, bottom = extremes(vp_h, 1)
    left, right = extremes(vp_v, 0)
    quad = []
    for a, b in ((top, left), (top, right), (bottom, right), (bottom, left)):
        p = np.cross(a, b)
        if abs(p[2]) < 1e-9:
            return None
        quad.append(p[:2] / p[2])
    q = np.array(quad, np.float32)
    width = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    height = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    if not (0.7 * w <= width <= MAX_GROWTH * w and 0.7 * h <= height <= MAX_GROWTH * h):
        return None
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    return cv2.getPerspectiveTransform(q, dst), (round(width), round(height))
