"""The five-pointed star at the centre of an official seal: the strongest sign that a ring is a seal.

The finders return the star's centre (in the pixels of the masks given), or None.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.seal_masks import crop_padded

Point = tuple[float, float]


def find_star(ink: np.ndarray, band: np.ndarray, ellipse, raw_ink: np.ndarray | None = None) -> Point | None:
    """A solid blob of star size at the centre: the five-pointed star of an official seal.

    Looked for after closing and one erosion, which cuts thin print (rule stubs, strokes of
    characters under the seal) away from the solid star. Characters are much smaller than the star;
    strokes and loops are not solid. Then on the solid ink, opened; then round the thickest ink
    at the centre, for a star joined to print.
    """
    # Closing first: where a removed table rule crossed the star, it left a cut through it.
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11)))
    if (star := _star_at_centre(cv2.erode(closed, np.ones((3, 3), np.uint8)), band, ellipse)) is not None:
        return star
    if raw_ink is None:
        return None
    # A pale star on a table: the closing above glues it to the print around it. Opening the
    # ink with a disc wider than any rule or character stroke leaves only solid marks.
    r = (ellipse[1][0] + ellipse[1][1]) / 4
    size = max(5, int(0.07 * r)) | 1
    opened = cv2.morphologyEx(
        cv2.morphologyEx(raw_ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)),
        cv2.MORPH_OPEN,
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)),
    )
    if (star := _star_at_centre(opened, band, ellipse)) is not None:
        return star
    return _star_around_core(raw_ink, ellipse)


# A star's solid core is far thicker than any stroke of print: at least this share of the seal's
# radius from its centre to the nearest paper. A regular star 0.4 r across (the small end of real
# seals; 14 mm in a 42 mm seal is 0.67 r) has a core of 0.06 r; a character stroke ~0.01 r.
STAR_CORE_MIN = 0.06
# A five-pointed star covers 36 % of its circumscribed disc; a clipped or blurred one more.
# Text clusters and the corners of shaded cells cover far less of the disc round them.
STAR_DISC_FILL_MIN = 0.25
# ... and at least twice the thickest print around the centre (95th percentile): without this, bold
# characters inside a red loop at low resolution passed (bench_seal seed 2, page 163, reported present).
STAR_CORE_OVER_STROKE = 2.0


def _star_around_core(raw_ink: np.ndarray, ellipse) -> Point | None:
    """The star where print touches it (the form's 单位盖章 label under the seal, a signature):
    every mask above joins them into one blob. The star's solid core is the thickest ink near
    the centre; what lies within a star's radius of it is judged on its own, at the sizes a
    star may have (the range of _star_at_centre), the smallest first."""
    (cx, cy), (w, h), _ = ellipse
    r = (w + h) / 4
    x0, y0, size = int(cx - 0.5 * r), int(cy - 0.5 * r), int(r)
    solid = cv2.morphologyEx(crop_padded(raw_ink, x0, y0, size), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    solid[[0, -1], :] = 0  # a crop all ink would have no paper to measure the depth from
    solid[:, [0, -1]] = 0
    depth = cv2.distanceTransform(solid, cv2.DIST_L2, 5)
    near = np.zeros_like(solid)
    cv2.circle(near, (size // 2, size // 2), int(0.25 * r), 255, thickness=-1)
    # The thickest print around the centre (characters, rules, a signature): the star's core
    # must be far thicker, or a cluster of bold characters at low resolution passes for one.
    around = depth[(near == 0) & (solid > 0)]
    stroke = float(np.percentile(around, 95)) if around.size else 1.0
    depth[near == 0] = 0
    _, core, _, (px, py) = cv2.minMaxLoc(depth)
    if core < STAR_CORE_MIN * r or core < STAR_CORE_OVER_STROKE * stroke:
        return None
    for share in (0.15, 0.22, 0.3, 0.43):
        disc = np.zeros_like(solid)
        cv2.circle(disc, (px, py), max(int(core) + 2, int(share * r)), 255, thickness=-1)
        _, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_and(solid, disc), connectivity=8)
        bx, by, bw, bh, area = stats[labels[py, px]]
        if not _star_sized(bw, bh, r):
            continue
        if area < STAR_DISC_FILL_MIN * np.pi * (max(bw, bh) / 2) ** 2:
            continue
        if _star_shaped((labels[by : by + bh, bx : bx + bw] == labels[py, px]).astype(np.uint8), int(area)):
            return float(px + x0), float(py + y0)
    return None


def _star_at_centre(solid: np.ndarray, band: np.ndarray, ellipse) -> Point | None:
    """A star-shaped blob of star size near the ellipse centre, not part of the ring."""
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(solid, connectivity=8)
    attached = set(np.unique(labels[(band > 0) & (solid > 0)]).tolist())
    (cx, cy), (w, h), _ = ellipse
    r = (w + h) / 4
    for i in range(1, count):
        if i in attached:
            continue
        bx, by, bw, bh, area = stats[i]
        if np.hypot(centroids[i][0] - cx, centroids[i][1] - cy) > 0.25 * r:
            continue
        if not _star_sized(bw, bh, r):
            continue
        blob = (labels[by : by + bh, bx : bx + bw] == i).astype(np.uint8)
        if _star_shaped(blob, area):
            return float(centroids[i][0]), float(centroids[i][1])
    return None


def _star_sized(bw: int, bh: int, r: float) -> bool:
    """About as wide as high, and 0.3-0.7 r across as a seal's star is, depending on the maker."""
    return 0.22 * r <= max(bw, bh) <= 0.85 * r and min(bw, bh) >= 0.6 * max(bw, bh)


def _star_shaped(blob: np.ndarray, area: int) -> bool:
    """Fills a fair part of its hull (~47 % for a five-pointed star; strokes far less) and has
    several deep notches between points (a tick or a dot has at most one or two)."""
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return False
    contour = max(contours, key=cv2.contourArea)
    hull_area = cv2.contourArea(cv2.convexHull(contour))
    if hull_area <= 0 or area / hull_area < 0.33:
        return False
    hull = cv2.convexHull(contour, returnPoints=False)
    if hull is None or len(hull) < 4:
        return False
    try:
        defects = cv2.convexityDefects(contour, np.sort(hull, axis=0))
    except cv2.error:  # self-intersecting hull order on tiny, ragged blobs
        return False
    if defects is None:
        return False
    size = max(blob.shape)
    notches = int(np.count_nonzero(defects.reshape(-1, 4)[:, 3] / 256.0 >= 0.08 * size))
    return notches >= 3
