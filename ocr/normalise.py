"""Page geometry: phone-photo perspective, quarter turns, deskew; and the grey copy OCR reads.

Every function takes an image (and quads) and returns new ones; the original colour page is
warped with exactly the same transforms so that boxes found on the OCR copy are valid on it.
"""

from __future__ import annotations

import itertools
import math

import cv2
import numpy as np

from ocr import rulings

PAPER_MIN_AREA = 0.25   # a page quad must cover this share of a photo ...
PAPER_MAX_AREA = 0.93   # ... and leave a visible background (else it is a flat scan)
MIN_SKEW = 0.15         # degrees; below this the page is left alone


def stretch_washed_out(image_bgr: np.ndarray, min_range: float = 150.0) -> np.ndarray:
    """A washed-out scan (over-exposed, or a scanner's "lighter" setting) keeps its print and seal
    only in the top few grey levels, below every absolute ink threshold: stretch its range to
    full (all channels alike, so hues stay). Scans with a normal range are returned as they are."""
    lo, hi = (float(v) for v in np.percentile(image_bgr[::4, ::4], [0.5, 99.5]))
    if hi - lo >= min_range or hi - lo < 8:
        return image_bgr
    out = (image_bgr.astype(np.float32) - lo) * (255.0 / (hi - lo))
    return np.clip(out, 0, 255).astype(np.uint8)


def ocr_copy(bgr: np.ndarray) -> np.ndarray:
    """Grey image for OCR: the red channel, in which red seal ink nearly vanishes but the
    black digits under it stay dark (painting red pixels white would erase those digits).
    On a grey scan all channels are equal, so this is simply the grey image."""
    red = bgr[:, :, 2] if bgr.ndim == 3 else bgr
    return cv2.cvtColor(red, cv2.COLOR_GRAY2BGR)


def find_page_quad(bgr: np.ndarray) -> np.ndarray | None:
    """Corners (tl, tr, br, bl) of a sheet of paper lying on a darker background, or None."""
    return find_sheet(bgr)[0]


def find_sheet(bgr: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The sheet's corners (as find_page_quad) and the outline of the paper seen (convex hull,
    full-size coordinates; None when no sheet stands out from a background)."""
    h, w = bgr.shape[:2]
    scale = 900 / max(h, w)
    small = cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (7, 7), 0)
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None, None
    biggest = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(biggest) / (small.shape[0] * small.shape[1])
    if not PAPER_MIN_AREA <= share <= PAPER_MAX_AREA:
        return None, None
    hull = cv2.convexHull(biggest)
    outline = hull.reshape(-1, 2).astype(np.float32) / scale
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(approx) == 4:
        quad = _order_corners(approx.astype(np.float32) / scale)
        return (quad if _plausible(quad) else None), outline
    # a corner in shadow (or under a thumb) falls outside the paper mask and the outline gets an
    # extra side, the cut: the sheet's own four sides, extended, still meet at its corners
    quad = quad_from_sides(cv2.approxPolyDP(hull, 0.01 * cv2.arcLength(hull, True), True).reshape(-1, 2))
    area = cv2.contourArea(hull)
    if quad is None or not _inside(quad, small.shape[:2]) \
            or not QUAD_MIN_SHARE * area <= cv2.contourArea(quad) <= QUAD_MAX_GROWTH * area:
        return None, outline
    quad = _order_corners(quad / scale)
    return (quad if _plausible(quad) else None), outline


QUAD_MAX_GROWTH = 1.25  # the rebuilt sheet may add the cut-off corners, not more
QUAD_MIN_SHARE = 0.95   # nor lose more than a slightly bowed edge's sliver of the outline
SIDES_SHARE = 0.6       # of the outline's length: the sheet's four sides are most of it
OPPOSITE_MIN = 0.5      # shorter / longer of two opposite sides of a photographed sheet, at least
                        # (a shadow cutting the paper mask diagonally made a 312 px "right side"
                        # against a 2,306 px left one, and the warp lost the whole page)


def _plausible(quad: np.ndarray) -> bool:
    """A sheet seen in perspective: a convex quad whose opposite sides are of comparable length."""
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    return bool(cv2.isContourConvex(quad.reshape(-1, 1, 2).astype(np.float32))) and min(sides) > 0 \
        and min(sides[0], sides[2]) >= OPPOSITE_MIN * max(sides[0], sides[2]) \
        and min(sides[1], sides[3]) >= OPPOSITE_MIN * max(sides[1], sides[3])


def _meet(a1: np.ndarray, d1: np.ndarray, a2: np.ndarray, d2: np.ndarray) -> np.ndarray | None:
    """Where line a1 + t·d1 meets line a2 + s·d2 (None when nearly parallel)."""
    den = float(d1[0] * d2[1] - d1[1] * d2[0])
    if abs(den) < 1e-3 * float(np.linalg.norm(d1) * np.linalg.norm(d2)):
        return None
    t = float((a2[0] - a1[0]) * d2[1] - (a2[1] - a1[1]) * d2[0]) / den
    return a1 + t * d1


def _corners(lines: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray | None:
    corners = [_meet(*lines[k], *lines[(k + 1) % 4]) for k in range(4)]
    return None if any(c is None for c in corners) else np.array(corners, np.float32)


def quad_from_sides(poly: np.ndarray) -> np.ndarray | None:
    """Four corners where four sides of a convex outline (5 to 8 vertices) meet when extended:
    of all choices of four sides, the smallest quad that still holds the whole outline (a side
    left out for a cut corner must not cut the sheet), or None when no choice is a plausible sheet."""
    n = len(poly)
    if not 5 <= n <= 8:
        return None
    pts = poly.astype(np.float64)
    ends = [(pts[i], pts[(i + 1) % n] - pts[i]) for i in range(n)]
    lengths = [float(np.linalg.norm(d)) for _, d in ends]
    best, best_area = None, float("inf")
    for sides in itertools.combinations(range(n), 4):
        if sum(lengths[i] for i in sides) < SIDES_SHARE * sum(lengths):
            continue
        quad = _corners([ends[i] for i in sides])
        if quad is None:
            continue
        contour = quad.reshape(-1, 1, 2)
        if not cv2.isContourConvex(contour) \
                or any(cv2.pointPolygonTest(contour, (float(x), float(y)), True) < -2.0 for x, y in pts):
            continue
        area = cv2.contourArea(quad)
        if area < best_area:
            best, best_area = quad, area
    return best


def _inside(quad: np.ndarray, shape: tuple[int, ...]) -> bool:
    h, w = shape[:2]
    return bool((quad[:, 0] >= -0.05 * w).all() and (quad[:, 0] <= 1.05 * w).all()
                and (quad[:, 1] >= -0.05 * h).all() and (quad[:, 1] <= 1.05 * h).all())


def _order_corners(pts: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl: clockwise around the centre from the corner nearest the origin (extremes of
    x+y and y-x give the same point twice for a skewed shape)."""
    c = pts.mean(axis=0)
    p = pts[np.argsort(np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0]))]
    return np.roll(p, -int(np.argmin(p.sum(axis=1))), axis=0).astype(np.float32)


def quad_homography(quad: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """Matrix taking the sheet inside `quad` to a flat rectangle (sides as long as the longer
    measured side), and that rectangle's (width, height)."""
    tl, tr, br, bl = quad
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    return cv2.getPerspectiveTransform(quad.astype(np.float32), dst), (width, height)


def warp(bgr: np.ndarray, m: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.warpPerspective(bgr, m, size, flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))


def flatten(bgr: np.ndarray) -> np.ndarray:
    """A photo's sheet as a flat page: warped from its outline when one is found, then corrected
    by the perspective its table's rulings still show (an outline with a corner lost in shadow or
    a sheet running out of the frame flattens wrong). One warp of the original either way."""
    quad, outline = find_sheet(bgr)
    if quad is None:
        fix = rulings.rectifying_homography(bgr)
        return bgr if fix is None else warp(bgr, *fix)
    m, size = quad_homography(quad)
    flat = warp(bgr, m, size)
    # the paper seen, not only the quad: a wrong quad cut some of it off
    seen = quad if outline is None else np.vstack([outline, quad])
    paper = cv2.perspectiveTransform(seen.reshape(1, -1, 2), m)[0]
    margin = np.array(size, np.float32) * HOLD_MARGIN
    paper = np.clip(paper, -margin, np.array(size, np.float32) + margin)
    fix = rulings.rectifying_homography(flat, paper)
    if fix is None:
        return flat
    m2, size2 = fix
    out = warp(bgr, m2 @ m, size2)
    # the desk around the sheet comes in with it: as white as the border, so no cell reaches ink there
    hull = cv2.convexHull(cv2.perspectiveTransform(paper.reshape(1, -1, 2), m2)[0]).astype(np.int32)
    keep = np.zeros(out.shape[:2], np.uint8)
    cv2.fillConvexPoly(keep, hull, 255)
    # paper in shadow falls out of the paper mask too (a photo's darker corner, as dark as the
    # desk): as far as the table's rulings reach it is the sheet, whatever the mask says
    ruled = _ruled_extent(out)
    if ruled is not None:
        cv2.rectangle(keep, ruled[:2], ruled[2:], 255, -1)
    out[keep == 0] = 255
    return out


def _ruled_extent(image: np.ndarray) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1) of the long ruling lines of both directions, or None."""
    horizontal, vertical = rulings.ruling_segments(image)
    if len(horizontal) < 2 or len(vertical) < 2:
        return None
    pts = np.vstack([horizontal.reshape(-1, 2), vertical.reshape(-1, 2)])
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    return int(x0), int(y0), int(math.ceil(x1)), int(math.ceil(y1))


HOLD_MARGIN = 0.15  # of the flattened page on each side: a wrong quad cut this much off at most


def rotate_quarter(img: np.ndarray, degrees_cw: int) -> np.ndarray:
    code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return img if degrees_cw % 360 == 0 else cv2.rotate(img, code[degrees_cw % 360])


def rotate_quads_quarter(quads: np.ndarray, degrees_cw: int, size: tuple[int, int]) -> np.ndarray:
    """Map points of an image of `size` (w, h) through the same quarter turn as rotate_quarter."""
    w, h = size
    q = quads.copy()
    x, y = quads[..., 0], quads[..., 1]
    deg = degrees_cw % 360
    if deg == 90:
        q[..., 0], q[..., 1] = h - 1 - y, x
    elif deg == 180:
        q[..., 0], q[..., 1] = w - 1 - x, h - 1 - y
    elif deg == 270:
        q[..., 0], q[..., 1] = y, w - 1 - x
    return q


def is_sideways(quads: np.ndarray) -> bool:
    """Text lines standing upright instead of lying: the page is turned by a quarter."""
    if len(quads) == 0:
        return False
    w = np.linalg.norm(quads[:, 1] - quads[:, 0], axis=1)
    h = np.linalg.norm(quads[:, 3] - quads[:, 0], axis=1)
    tall = int(np.sum(h > 1.5 * w))
    wide = int(np.sum(w > 1.5 * h))
    return tall > wide


def skew_angle(quads: np.ndarray) -> float:
    """Median slope (degrees, positive = text rises to the right... in image y-down terms
    negative) of the long text lines' top edges."""
    if len(quads) == 0:
        return 0.0
    vec = quads[:, 1] - quads[:, 0]
    length = np.linalg.norm(vec, axis=1)
    h = np.linalg.norm(quads[:, 3] - quads[:, 0], axis=1)
    keep = (length > 3 * h) & (length > 60)
    if keep.sum() < 3:
        return 0.0
    angles = np.degrees(np.arctan2(vec[keep, 1], vec[keep, 0]))
    return float(np.median(angles))


def deskew(img: np.ndarray, quads: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate image and quads so that text lines with `angle` become horizontal."""
    if abs(angle) < MIN_SKEW:
        return img, quads
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    return out, transform_points(quads, m)


def rotation_matrix(size: tuple[int, int], angle: float) -> np.ndarray:
    w, h = size
    return cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)


def transform_points(points: np.ndarray, m: np.ndarray) -> np.ndarray:
    flat = points.reshape(-1, 2)
    out = flat @ m[:, :2].T + m[:, 2]
    return out.reshape(points.shape).astype(np.float32)


def angle_is_sane(angle: float) -> bool:
    return math.isfinite(angle) and abs(angle) < 20
