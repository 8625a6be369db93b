"""Ring geometry for the seal detector: circle candidates, ellipse fit, evidence.

All coordinates are pixels of the working image (the page resized so its short side is
WORK_SHORT_SIDE); the caller maps boxes back to the original image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

ANGLE_BINS = 180
LONG_ARC_BINS = 8  # 16 degrees: longer than any character a circle may cross


@dataclass(frozen=True)
class RingEvidence:
    """One verified ring candidate, in working-image pixels."""

    ellipse: tuple[tuple[float, float], tuple[float, float], float]  # cv2 RotatedRect
    coverage: float  # share of the circumference (angle bins) carrying ring ink
    outside: float  # same share on a band just outside the ring (should be low)
    interior: float  # ink share inside the ring (star and text)
    centre: float  # ink share in the central disc (the star)
    text_band: float = 0.0  # share of angles with ink in the arc-text band (0.55-0.88 r)
    star: bool = False  # a solid, star-sized blob sits at the centre
    arcs: float = 0.0  # share of the circumference in long unbroken arcs (>= LONG_ARC_BINS)

    @property
    def radius(self) -> float:
        return (self.ellipse[1][0] + self.ellipse[1][1]) / 4

    @property
    def aspect(self) -> float:
        return min(self.ellipse[1]) / max(1e-6, max(self.ellipse[1]))

    @property
    def ring_strength(self) -> float:
        return max(0.0, self.coverage - 0.6 * self.outside)


def best_ring(
    ring_source: np.ndarray,
    ink: np.ndarray,
    r_min: float,
    r_max: float,
    rank: Callable[[RingEvidence], int] = lambda ring: 0,
    raw_ink: np.ndarray | None = None,
) -> RingEvidence | None:
    """Propose circles, refine each to the ink, keep the best verified one.

    `rank` orders candidates before their score (the caller's verdict: a seal beats a mere
    ring), so a bold red loop cannot hide a paler real seal on the same page. `raw_ink` (ink
    before the rules were removed) is a second place to look for the star.
    """
    candidates = _circle_candidates(ring_source, r_min, r_max)
    best: RingEvidence | None = None
    best_key = (-1, -1.0)
    for cx, cy, r in candidates:
        ring = _verify(ring_source, ink, cx, cy, r, r_min, r_max, raw_ink)
        if ring is None:
            continue
        key = (rank(ring), ring_score(ring))
        if key > best_key:
            best, best_key = ring, key
    return best


def _circle_candidates(ring_source: np.ndarray, r_min: float, r_max: float) -> list[tuple[float, float, float]]:
    candidates: list[tuple[float, float, float]] = []
    if not np.any(ring_source):
        return candidates
    # Hough at half resolution: its cost grows with edge pixels times the radius range.
    half = cv2.resize(ring_source, (ring_source.shape[1] // 2, ring_source.shape[0] // 2), interpolation=cv2.INTER_AREA)
    circles = cv2.HoughCircles(
        cv2.GaussianBlur(half, (3, 3), 1.0),
        cv2.HOUGH_GRADIENT,
        dp=1.5,
        minDist=r_min / 2,
        param1=100,
        param2=18,
        minRadius=int(r_min / 2),
        maxRadius=int(r_max / 2),
    )
    if circles is not None:
        rows = circles.reshape(-1, circles.shape[-1])[:12, :3]
        candidates.extend((2 * float(x), 2 * float(y), 2 * float(r)) for x, y, r in rows)
    # Large components fitted directly: catches rings Hough misses (ovals, partial arcs).
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ring_source, connectivity=8)
    order = np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:8] + 1
    for i in order:
        x, y, w, h = stats[i, :4]
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        if len(xs) < 20:
            continue
        xs, ys = xs + x, ys + y
        fit = _fit_circle(xs.astype(np.float64), ys.astype(np.float64))
        if fit is not None and r_min * 0.8 <= fit[2] <= r_max * 1.2:
            candidates.append(fit)
        (ex, ey), er = cv2.minEnclosingCircle(np.column_stack([xs, ys]).astype(np.float32))
        if r_min * 0.8 <= er <= r_max * 1.2:
            candidates.append((float(ex), float(ey), float(er)))
    return _dedupe(candidates)


def _dedupe(candidates: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Drop candidates that are nearly the same circle as an earlier (stronger) one."""
    kept: list[tuple[float, float, float]] = []
    for cx, cy, r in candidates:
        if all(np.hypot(cx - kx, cy - ky) > 0.15 * kr or abs(r - kr) > 0.15 * kr for kx, ky, kr in kept):
            kept.append((cx, cy, r))
    return kept


def _fit_circle(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float] | None:
    """Algebraic (Kasa) least-squares circle: works on partial arcs too."""
    a = np.column_stack([xs, ys, np.ones_like(xs)])
    b = xs**2 + ys**2
    try:
        sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    except np.linalg.LinAlgError:
        return None
    cx, cy = sol[0] / 2, sol[1] / 2
    r2 = sol[2] + cx**2 + cy**2
    if r2 <= 0:
        return None
    return float(cx), float(cy), float(np.sqrt(r2))


def _verify(
    ring_source: np.ndarray,
    ink: np.ndarray,
    cx: float,
    cy: float,
    r: float,
    r_min: float,
    r_max: float,
    raw_ink: np.ndarray | None = None,
) -> RingEvidence | None:
    """Snap a candidate circle to the ring ink, fit an ellipse, and measure the evidence.

    Works in polar coordinates around the candidate: there the ring is a (nearly) straight
    run of ink at one radius across all angles, while text and rules are not.
    """
    pad = int(1.6 * r) + 4
    x0, y0 = int(cx) - pad, int(cy) - pad
    src = crop_padded(ring_source, x0, y0, 2 * pad)
    full = crop_padded(ink, x0, y0, 2 * pad)
    valid = crop_padded(np.full_like(ring_source, 255), x0, y0, 2 * pad)
    centre = (cx - x0, cy - y0)
    max_radius = 1.5 * r
    polar = to_polar(src, centre, max_radius)
    polar_valid = to_polar(valid, centre, max_radius) > 0
    radii = np.arange(polar.shape[1]) * max_radius / polar.shape[1]
    profile = _coverage_profile(polar, polar_valid)
    window = (radii >= max(0.7 * r, 0.8 * r_min)) & (radii <= min(1.3 * r, 1.2 * r_max))
    if not window.any():
        return None
    # The ring is the outermost strong circle: prefer it to the arc text just inside it.
    in_window = profile[window]
    strong = np.flatnonzero(in_window >= 0.85 * in_window.max())
    ring_radius = float(radii[window][strong[-1]])

    expected = np.full(polar.shape[0], ring_radius)
    ellipse = None
    for _ in range(3):
        points = _ring_points(polar, expected, max_radius, centre, tolerance=0.12 * ring_radius)
        if len(points) < 12:
            return None
        ellipse = cv2.fitEllipse(points)
        (ex, ey), (ew, eh), _ = ellipse
        if min(ew, eh) < 0.55 * max(ew, eh) or not (0.8 * r_min <= (ew + eh) / 4 <= 1.2 * r_max):
            return None
        # Re-centre on the fitted ellipse and predict its radius per angle.
        centre = (ex, ey)
        polar = to_polar(src, centre, max_radius)
        polar_valid = to_polar(valid, centre, max_radius) > 0
        expected = ellipse_radius(ellipse, polar.shape[0])
    assert ellipse is not None
    mean_r = (ellipse[1][0] + ellipse[1][1]) / 4
    tol = max(2.0, 0.035 * mean_r)
    visible = polar_valid[np.arange(polar.shape[0]), np.clip((expected / max_radius * polar.shape[1]).astype(int), 0, polar.shape[1] - 1)]
    if visible.mean() < 0.45:
        return None  # mostly off the page: too little left to judge
    # Polish the size: fitted points mix the ring's inner and outer edge (and some text), so
    # the ellipse can be a few per cent small or large, enough to slip off a thin ring.
    best_factor, hits = 1.0, angle_hits(polar, expected, tol, max_radius)
    for factor in (0.95, 0.97, 1.03, 1.05):
        trial = angle_hits(polar, expected * factor, tol, max_radius)
        if (trial & visible).sum() > (hits & visible).sum():
            best_factor, hits = factor, trial
    if best_factor != 1.0:
        expected = expected * best_factor
        ellipse = (ellipse[0], (ellipse[1][0] * best_factor, ellipse[1][1] * best_factor), ellipse[2])
    coverage = float((hits & visible).sum()) / max(1, int(visible.sum()))
    arcs = long_arc_share(hits, visible, LONG_ARC_BINS)
    outside = angle_coverage(polar, expected * 1.18, tol, max_radius, visible)
    raw = None if raw_ink is None else crop_padded(raw_ink, x0, y0, 2 * pad)
    interior, centre_share, text_band, star = inside_evidence(full, ellipse, tol, valid, visible, raw)
    (ex, ey), axes, angle = ellipse
    full_ellipse = ((ex + x0, ey + y0), axes, angle)
    return RingEvidence(full_ellipse, coverage, outside, interior, centre_share, text_band, star, arcs)


def inside_evidence(
    ink: np.ndarray,
    ellipse,
    tol: float,
    valid: np.ndarray,
    visible: np.ndarray,
    raw_ink: np.ndarray | None = None,
) -> tuple[float, float, float, bool]:
    """(interior share, centre share, arc-text band coverage) of ink *detached* from the ring.

    A seal's star and characters are separate marks inside the ring; a hand-drawn loop has
    nothing inside but its own stroke, which is attached to the "ring" and so not counted.
    """
    band = np.zeros_like(ink)
    cv2.ellipse(band, ellipse, 255, thickness=max(3, int(round(2 * tol)) + 2))
    _, labels = cv2.connectedComponents(ink, connectivity=8)
    attached = np.unique(labels[(band > 0) & (ink > 0)])
    detached = ink.copy()
    detached[np.isin(labels, attached[attached > 0])] = 0
    interior = disc_share(detached, ellipse, 0.8, valid)
    centre = disc_share(detached, ellipse, 0.22, valid)
    # The unit name runs along the inside of the ring: ink at most angles of that band.
    max_radius = 0.75 * (ellipse[1][0] + ellipse[1][1]) / 2
    polar = to_polar(detached, ellipse[0], max_radius)
    expected = ellipse_radius(ellipse, polar.shape[0])
    text_band = angle_coverage(polar, expected * 0.715, expected * 0.165, max_radius, visible)
    star = _has_star(ink, band, ellipse, raw_ink)
    return interior, centre, text_band, star


def _has_star(ink: np.ndarray, band: np.ndarray, ellipse, raw_ink: np.ndarray | None = None) -> bool:
    """A solid blob of star size at the centre: the five-pointed star of an official seal.

    Looked for after closing and one erosion, which cuts thin print (rule stubs, strokes of
    characters under the seal) away from the solid star. Characters are much smaller than the star;
    strokes and loops are not solid.
    """
    # Closing first: where a removed table rule crossed the star, it left a cut through it.
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11)))
    if _star_at_centre(cv2.erode(closed, np.ones((3, 3), np.uint8)), band, ellipse):
        return True
    if raw_ink is None:
        return False
    # A pale star on a table: the closing above glues it to the print around it. Opening the
    # ink with a disc wider than any rule or character stroke leaves only solid marks.
    r = (ellipse[1][0] + ellipse[1][1]) / 4
    size = max(5, int(0.07 * r)) | 1
    opened = cv2.morphologyEx(
        cv2.morphologyEx(raw_ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)),
        cv2.MORPH_OPEN,
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)),
    )
    return _star_at_centre(opened, band, ellipse)


def _star_at_centre(solid: np.ndarray, band: np.ndarray, ellipse) -> bool:
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
        # A seal's star is about 0.3-0.7 r across, depending on the maker.
        if not (0.22 * r <= max(bw, bh) <= 0.85 * r and min(bw, bh) >= 0.6 * max(bw, bh)):
            continue
        blob = (labels[by : by + bh, bx : bx + bw] == i).astype(np.uint8)
        if _star_shaped(blob, area):
            return True
    return False


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


def crop_padded(mask: np.ndarray, x0: int, y0: int, size: int) -> np.ndarray:
    """Square crop that may reach past the image; the outside is zero."""
    out = np.zeros((size, size), mask.dtype)
    h, w = mask.shape
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(w, x0 + size), min(h, y0 + size)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = mask[sy0:sy1, sx0:sx1]
    return out


def to_polar(mask: np.ndarray, centre: tuple[float, float], max_radius: float) -> np.ndarray:
    """Rows = ANGLE_BINS angles, columns = radius 0..max_radius (one pixel per column)."""
    size = (max(8, int(max_radius)), ANGLE_BINS)
    return cv2.warpPolar(mask, size, centre, max_radius, cv2.WARP_POLAR_LINEAR | cv2.INTER_NEAREST)


def _coverage_profile(polar: np.ndarray, polar_valid: np.ndarray) -> np.ndarray:
    """Per radius: share of visible angles carrying ink within +-2 px of that radius."""
    grown = cv2.dilate(polar, np.ones((1, 5), np.uint8)) > 0
    seen = np.maximum(polar_valid.sum(axis=0), 1)
    return (grown & polar_valid).sum(axis=0) / seen


def _ring_points(
    polar: np.ndarray, expected: np.ndarray, max_radius: float, centre: tuple[float, float], tolerance: float
) -> np.ndarray:
    """Per angle, the ink pixel nearest the expected ring radius, back in crop pixels."""
    step = max_radius / polar.shape[1]
    cols = np.arange(polar.shape[1]) * step
    dist = np.where(polar > 0, np.abs(cols[None, :] - expected[:, None]), np.inf)
    nearest = np.argmin(dist, axis=1)
    rows = np.flatnonzero(dist[np.arange(polar.shape[0]), nearest] <= tolerance)
    theta = 2 * np.pi * rows / polar.shape[0]
    rho = cols[nearest[rows]]
    return np.column_stack([centre[0] + rho * np.cos(theta), centre[1] + rho * np.sin(theta)]).astype(np.float32)


def ellipse_radius(ellipse, n_angles: int) -> np.ndarray:
    """Distance from the ellipse centre to its outline, per polar angle row."""
    (_, _), (w, h), angle = ellipse
    a, b = w / 2, h / 2
    theta = 2 * np.pi * np.arange(n_angles) / n_angles - np.deg2rad(angle)
    return a * b / np.sqrt((b * np.cos(theta)) ** 2 + (a * np.sin(theta)) ** 2)


def angle_hits(polar: np.ndarray, expected: np.ndarray, tol: float | np.ndarray, max_radius: float) -> np.ndarray:
    """Per angle: is there ink within +-tol of the expected radius?"""
    step = max_radius / polar.shape[1]
    lo = np.clip(((expected - tol) / step).astype(int), 0, polar.shape[1] - 1)
    hi = np.clip(((expected + tol) / step).astype(int) + 1, 1, polar.shape[1])
    cumulative = np.concatenate([np.zeros((polar.shape[0], 1), np.int32), np.cumsum(polar > 0, axis=1)], axis=1)
    rows = np.arange(polar.shape[0])
    return (cumulative[rows, hi] - cumulative[rows, lo]) > 0


def angle_coverage(
    polar: np.ndarray, expected: np.ndarray, tol: float | np.ndarray, max_radius: float, visible: np.ndarray
) -> float:
    """Share of visible angles with ink within +-tol of the expected radius."""
    hit = angle_hits(polar, expected, tol, max_radius)
    return float((hit & visible).sum()) / max(1, int(visible.sum()))


def long_arc_share(hit: np.ndarray, visible: np.ndarray, min_run: int) -> float:
    """Share of visible angles covered by runs of at least `min_run` consecutive hits.

    A ring, even a pale or broken one, is drawn in long arcs; print that a circle happens to
    cross gives short, scattered hits (a character spans only a few degrees).
    """
    if hit.all():
        return float(visible.mean() > 0)
    start = int(np.flatnonzero(~hit)[0])  # rotate so no run wraps around the end
    rolled = np.roll(hit, -start)
    long_run = np.zeros_like(rolled)
    run_start = None
    for i, h in enumerate(np.append(rolled, False)):
        if h and run_start is None:
            run_start = i
        elif not h and run_start is not None:
            if i - run_start >= min_run:
                long_run[run_start:i] = True
            run_start = None
    long_run = np.roll(long_run, start)
    return float((long_run & visible).sum()) / max(1, int(visible.sum()))


def disc_share(mask: np.ndarray, ellipse, factor: float, valid: np.ndarray) -> float:
    (cx, cy), (w, h), angle = ellipse
    disc = np.zeros_like(mask)
    cv2.ellipse(disc, ((cx, cy), (w * factor, h * factor), angle), 255, thickness=-1)
    disc = cv2.bitwise_and(disc, valid)
    area = np.count_nonzero(disc)
    if area == 0:
        return 0.0
    return float(np.count_nonzero(cv2.bitwise_and(mask, disc))) / area


def ring_score(ring: RingEvidence) -> float:
    interior = min(1.0, ring.interior / 0.08)
    return float(np.clip(0.75 * ring.ring_strength + 0.25 * interior, 0.0, 1.0))
