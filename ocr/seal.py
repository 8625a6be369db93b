"""Is the unit's round official seal (公章) on this page?

Colour scans: red-ink mask (orange-red to purple-red), then a ring of plausible size.
Grey scans: the seal is a grey ring with a star; printed text and table rules are removed
first (small components, long straight lines), then circles are looked for and verified by
how much of their circumference carries ink. Weak evidence gives "uncertain" (a human
looks), never a silent "present".

Everything is measured relative to the page's short side, so dpi and photo size do not matter
and the result does not depend on page orientation (rings are rotation invariant).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.seal_masks import (
    as_bgr,
    dark_ink_mask,
    is_colour,
    large_components,
    line_mask,
    loose_red_mask,
    red_ink_mask,
    resize_to_work,
)

PRESENT, ABSENT, UNCERTAIN = "present", "absent", "uncertain"

# Seal diameter relative to the page's short side: 4.0-4.5 cm on A4 is 19-21 %; allow
# 9-32 % so phone photos (page smaller than the frame) and unusual seals still fit.
MIN_DIAMETER_SHARE = 0.09
MAX_DIAMETER_SHARE = 0.32

ANGLE_BINS = 180


@dataclass(frozen=True)
class SealResult:
    status: str  # "present" | "absent" | "uncertain"
    score: float  # 0..1, how strongly the page shows a seal
    box: tuple[int, int, int, int] | None  # (x, y, w, h) in the caller's image pixels
    reason: str  # shown to staff (Chinese)
    method: str  # "colour" | "grey" | "colour+grey"


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

    @property
    def radius(self) -> float:
        return (self.ellipse[1][0] + self.ellipse[1][1]) / 4

    @property
    def ring_strength(self) -> float:
        return max(0.0, self.coverage - 0.6 * self.outside)


def detect_seal(image_bgr: np.ndarray) -> SealResult:
    """Look for the official seal anywhere on a page image (colour or grey)."""
    original = as_bgr(image_bgr)
    work, scale = resize_to_work(original)
    short = min(work.shape[:2])
    r_min = MIN_DIAMETER_SHARE * short / 2
    r_max = MAX_DIAMETER_SHARE * short / 2
    grey = cv2.cvtColor(work, cv2.COLOR_BGR2GRAY)

    if is_colour(work):
        colour_result = _judge_colour(red_ink_mask(work), r_min, r_max, scale)
        if colour_result.status == PRESENT:
            return colour_result
        # No clear red ring: look at the shapes as on a grey scan. A ring there is either a
        # faint red seal (too pale for the red mask) or a black photocopy of a seal.
        grey_ring = _best_grey_ring(grey, r_min, r_max)
        grey_status = ABSENT if grey_ring is None else _grey_status(grey_ring)
        if grey_ring is None or grey_status == ABSENT:
            return colour_result
        box = _box(grey_ring, scale, work.shape)
        if _ring_red_share(work, grey_ring) >= 0.3 and _red_inside(work, grey_ring):
            reason = (
                f"发现较淡的红色圆形印章（环线完整度 {grey_ring.coverage:.0%}）"
                if grey_status == PRESENT
                else f"疑似有较淡的红色印章，环线不完整（{grey_ring.coverage:.0%}），请人工核对"
            )
            return SealResult(grey_status, _banded(grey_status, _score(grey_ring)), box, reason, "colour+grey")
        if grey_status == PRESENT:
            return SealResult(
                UNCERTAIN,
                _banded(UNCERTAIN, _score(grey_ring)),
                box,
                "彩色扫描件上有圆形印章轮廓，但不是红色印泥（可能是复印的印章），请人工核对",
                "colour+grey",
            )
        return colour_result

    ring = _best_grey_ring(grey, r_min, r_max)
    status = ABSENT if ring is None else _grey_status(ring)
    if ring is None or status == ABSENT:
        raw = 0.0 if ring is None else _score(ring)
        return SealResult(ABSENT, _banded(ABSENT, raw), None, "页面上未发现印章（没有红色印迹，也看不到圆形印章轮廓）", "grey")
    if status == PRESENT:
        reason = f"灰度扫描件上发现圆形印章（环线完整度 {ring.coverage:.0%}）"
    else:
        reason = f"灰度扫描件上疑似有印章，但环线不完整（{ring.coverage:.0%}），请人工核对"
    return SealResult(status, _banded(status, _score(ring)), _box(ring, scale, work.shape), reason, "grey")


def _ring_red_share(work: np.ndarray, ring: RingEvidence) -> float:
    """Share of the dark pixels on the ring's outline that are (weakly) red."""
    band = np.zeros(work.shape[:2], np.uint8)
    cv2.ellipse(band, ring.ellipse, 255, thickness=max(3, int(0.08 * ring.radius)))
    ink = cv2.bitwise_and(dark_ink_mask(cv2.cvtColor(work, cv2.COLOR_BGR2GRAY)), band)
    total = np.count_nonzero(ink)
    if total == 0:
        return 0.0
    return float(np.count_nonzero(cv2.bitwise_and(loose_red_mask(work), ink))) / total


def _red_inside(work: np.ndarray, ring: RingEvidence) -> bool:
    """A red ring with a red star or red arc text inside: a seal, not a red loop around print."""
    (cx, cy), _, _ = ring.ellipse
    pad = int(1.6 * ring.radius) + 4
    x0, y0 = int(cx) - pad, int(cy) - pad
    red = _crop_padded(loose_red_mask(work), x0, y0, 2 * pad)
    valid = _crop_padded(np.full(work.shape[:2], 255, np.uint8), x0, y0, 2 * pad)
    ellipse = ((cx - x0, cy - y0), ring.ellipse[1], ring.ellipse[2])
    visible = np.ones(ANGLE_BINS, dtype=bool)
    _, centre, text_band, star = _inside_evidence(red, ellipse, max(2.0, 0.035 * ring.radius), valid, visible)
    return star or centre >= 0.12 or text_band >= 0.3


def _banded(status: str, raw: float) -> float:
    """Map the raw evidence into a band per status, so score and status never disagree:
    absent < 0.3 <= uncertain < 0.6 <= present."""
    low, high = {ABSENT: (0.0, 0.29), UNCERTAIN: (0.3, 0.59), PRESENT: (0.6, 1.0)}[status]
    return round(low + (high - low) * float(np.clip(raw, 0.0, 1.0)), 3)


# --- colour -----------------------------------------------------------------------------------


def _judge_colour(red: np.ndarray, r_min: float, r_max: float, scale: float) -> SealResult:
    shape = red.shape
    short = min(shape)
    # Bridge the gaps of faded, speckled impressions before looking at shapes.
    red_closed = cv2.morphologyEx(red, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    if np.count_nonzero(red_closed) < 1e-4 * red_closed.size:
        return SealResult(ABSENT, 0.0, None, "未发现红色印章（页面上几乎没有红色）", "colour")

    # Red rules and underlines are straight; a seal ring is not.
    red_lines = line_mask(red_closed, max(20, int(0.1 * short)))
    red_no_lines = cv2.bitwise_and(red_closed, cv2.bitwise_not(red_lines))
    ring_source = large_components(red_no_lines, max(8, int(0.5 * r_min)))
    ring = _best_ring(ring_source, red_no_lines, r_min, r_max)
    status = ABSENT if ring is None else _colour_status(ring)
    if ring is not None and status == PRESENT:
        reason = f"发现红色圆形印章（环线完整度 {ring.coverage:.0%}）"
        return SealResult(PRESENT, _banded(PRESENT, _score(ring)), _box(ring, scale, shape), reason, "colour")
    if ring is not None and status == UNCERTAIN:
        reason = f"有红色圆弧，但印章不完整或过淡（环线 {ring.coverage:.0%}），请人工核对"
        return SealResult(UNCERTAIN, _banded(UNCERTAIN, _score(ring)), _box(ring, scale, shape), reason, "colour")

    # No ring: is there a seal-sized mass of red ink anyway (smudged, heavily faded seal)?
    blob = _seal_sized_red_blob(red_closed, r_min, r_max)
    if blob is not None:
        box = tuple(round(v / scale) for v in blob)
        return SealResult(
            UNCERTAIN, 0.3, box, "有一片红色印迹，但看不出圆形印章，请人工核对", "colour"  # type: ignore[arg-type]
        )
    raw = 0.0 if ring is None else _score(ring)
    return SealResult(
        ABSENT, _banded(ABSENT, raw), None, "未发现红色圆形印章（仅有红色笔迹或文字）", "colour"
    )


def _colour_status(ring: RingEvidence) -> str:
    # Red ink inside the ring (the star in the centre, the arc text) separates a seal from a
    # hand-drawn red loop around a figure, whose inside holds no red at all.
    star = ring.star or ring.centre >= 0.12
    text = ring.text_band >= 0.3
    if ring.coverage >= 0.55 and ring.outside <= 0.4 and (star or text) and ring.interior >= 0.03:
        return PRESENT
    if ring.coverage >= 0.4 and ring.outside <= 0.3 and star and text:
        return PRESENT  # partial impression (page edge, uneven pressure)
    if (
        ring.coverage >= 0.3
        and ring.outside <= 0.5 * ring.coverage
        and (star or ring.text_band >= 0.2)
        and ring.interior >= 0.015
    ):
        return UNCERTAIN
    return ABSENT


def _seal_sized_red_blob(red: np.ndarray, r_min: float, r_max: float) -> tuple[int, int, int, int] | None:
    """A compact, roundish cluster of red ink about the size of a seal."""
    grow = max(3, int(0.15 * r_min))
    merged = cv2.dilate(red, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        long_side, short_side = max(w, h), min(w, h)
        if long_side < 1.4 * r_min or long_side > 2.4 * r_max:
            continue
        if short_side < 0.6 * long_side:
            continue  # a line of red text or an underline, not a seal
        ink = np.count_nonzero(red[y : y + h, x : x + w])
        if ink >= 0.06 * w * h:
            return int(x), int(y), int(w), int(h)
    return None


# --- grey -------------------------------------------------------------------------------------


def _best_grey_ring(grey: np.ndarray, r_min: float, r_max: float) -> RingEvidence | None:
    short = min(grey.shape)
    ink = dark_ink_mask(grey)
    lines = line_mask(ink, max(20, int(0.1 * short)))
    ink_no_lines = cv2.bitwise_and(ink, cv2.bitwise_not(lines))
    # Size filter before removing the rules: a ring crossed by many table rules would
    # otherwise fall apart into short arcs and be dropped together with the text.
    big = large_components(ink, max(8, int(0.6 * r_min)))
    ring_source = large_components(cv2.bitwise_and(big, ink_no_lines), max(4, int(0.1 * r_min)))
    return _best_ring(ring_source, ink_no_lines, r_min, r_max)


def _grey_status(ring: RingEvidence) -> str:
    # Grey pages are full of dark print, so a ring needs more of its circumference here; the
    # star (a solid blob at the centre) is strong extra evidence.
    if ring.coverage >= 0.7 and ring.outside <= 0.35 and ring.interior >= 0.03:
        return PRESENT
    if ring.coverage >= 0.5 and ring.outside <= 0.25 and ring.star:
        return PRESENT  # partial ring, but the star is there
    if ring.outside <= 0.4 and ring.interior >= 0.02 and (ring.coverage >= 0.6 or (ring.coverage >= 0.45 and ring.star)):
        return UNCERTAIN
    return ABSENT


# --- rings ------------------------------------------------------------------------------------


def _best_ring(ring_source: np.ndarray, ink: np.ndarray, r_min: float, r_max: float) -> RingEvidence | None:
    """Propose circles, refine each to the ink, keep the best verified one."""
    candidates = _circle_candidates(ring_source, r_min, r_max)
    best: RingEvidence | None = None
    for cx, cy, r in candidates:
        ring = _verify(ring_source, ink, cx, cy, r, r_min, r_max)
        if ring is not None and (best is None or _score(ring) > _score(best)):
            best = ring
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
    ring_source: np.ndarray, ink: np.ndarray, cx: float, cy: float, r: float, r_min: float, r_max: float
) -> RingEvidence | None:
    """Snap a candidate circle to the ring ink, fit an ellipse, and measure the evidence.

    Works in polar coordinates around the candidate: there the ring is a (nearly) straight
    run of ink at one radius across all angles, while text and rules are not.
    """
    pad = int(1.6 * r) + 4
    x0, y0 = int(cx) - pad, int(cy) - pad
    src = _crop_padded(ring_source, x0, y0, 2 * pad)
    full = _crop_padded(ink, x0, y0, 2 * pad)
    valid = _crop_padded(np.full_like(ring_source, 255), x0, y0, 2 * pad)
    centre = (cx - x0, cy - y0)
    max_radius = 1.5 * r
    polar = _polar(src, centre, max_radius)
    polar_valid = _polar(valid, centre, max_radius) > 0
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
        polar = _polar(src, centre, max_radius)
        polar_valid = _polar(valid, centre, max_radius) > 0
        expected = _ellipse_radius(ellipse, polar.shape[0])
    assert ellipse is not None
    mean_r = (ellipse[1][0] + ellipse[1][1]) / 4
    tol = max(2.0, 0.035 * mean_r)
    visible = polar_valid[np.arange(polar.shape[0]), np.clip((expected / max_radius * polar.shape[1]).astype(int), 0, polar.shape[1] - 1)]
    if visible.mean() < 0.45:
        return None  # mostly off the page: too little left to judge
    coverage = _angle_coverage(polar, expected, tol, max_radius, visible)
    outside = _angle_coverage(polar, expected * 1.18, tol, max_radius, visible)
    interior, centre_share, text_band, star = _inside_evidence(full, ellipse, tol, valid, visible)
    (ex, ey), axes, angle = ellipse
    full_ellipse = ((ex + x0, ey + y0), axes, angle)
    return RingEvidence(full_ellipse, coverage, outside, interior, centre_share, text_band, star)


def _inside_evidence(
    ink: np.ndarray, ellipse, tol: float, valid: np.ndarray, visible: np.ndarray
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
    interior = _disc_share(detached, ellipse, 0.8, valid)
    centre = _disc_share(detached, ellipse, 0.22, valid)
    # The unit name runs along the inside of the ring: ink at most angles of that band.
    max_radius = 0.75 * (ellipse[1][0] + ellipse[1][1]) / 2
    polar = _polar(detached, ellipse[0], max_radius)
    expected = _ellipse_radius(ellipse, polar.shape[0])
    text_band = _angle_coverage(polar, expected * 0.715, expected * 0.165, max_radius, visible)
    star = _has_star(ink, band, ellipse)
    return interior, centre, text_band, star


def _has_star(ink: np.ndarray, band: np.ndarray, ellipse) -> bool:
    """A solid blob of star size at the centre: the five-pointed star of an official seal.

    Looked for after closing and one erosion, which cuts thin print (rule stubs, strokes of
    characters under the seal) away from the solid star. Characters are much smaller than the star;
    strokes and loops are not solid.
    """
    # Closing first: where a removed table rule crossed the star, it left a cut through it.
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11)))
    solid = cv2.erode(closed, np.ones((3, 3), np.uint8))
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
        points = np.column_stack(np.nonzero(labels[by : by + bh, bx : bx + bw] == i)[::-1]).astype(np.int32)
        hull_area = cv2.contourArea(cv2.convexHull(points))
        # A five-pointed star fills ~47 % of its hull (less once eroded); strokes far less.
        if hull_area > 0 and area / hull_area >= 0.33:
            return True
    return False


def _crop_padded(mask: np.ndarray, x0: int, y0: int, size: int) -> np.ndarray:
    """Square crop that may reach past the image; the outside is zero."""
    out = np.zeros((size, size), mask.dtype)
    h, w = mask.shape
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(w, x0 + size), min(h, y0 + size)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = mask[sy0:sy1, sx0:sx1]
    return out


def _polar(mask: np.ndarray, centre: tuple[float, float], max_radius: float) -> np.ndarray:
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


def _ellipse_radius(ellipse, n_angles: int) -> np.ndarray:
    """Distance from the ellipse centre to its outline, per polar angle row."""
    (_, _), (w, h), angle = ellipse
    a, b = w / 2, h / 2
    theta = 2 * np.pi * np.arange(n_angles) / n_angles - np.deg2rad(angle)
    return a * b / np.sqrt((b * np.cos(theta)) ** 2 + (a * np.sin(theta)) ** 2)


def _angle_coverage(
    polar: np.ndarray, expected: np.ndarray, tol: float | np.ndarray, max_radius: float, visible: np.ndarray
) -> float:
    """Share of visible angles with ink within +-tol of the expected radius."""
    step = max_radius / polar.shape[1]
    lo = np.clip(((expected - tol) / step).astype(int), 0, polar.shape[1] - 1)
    hi = np.clip(((expected + tol) / step).astype(int) + 1, 1, polar.shape[1])
    cumulative = np.concatenate([np.zeros((polar.shape[0], 1), np.int32), np.cumsum(polar > 0, axis=1)], axis=1)
    rows = np.arange(polar.shape[0])
    hit = (cumulative[rows, hi] - cumulative[rows, lo]) > 0
    return float((hit & visible).sum()) / max(1, int(visible.sum()))


def _disc_share(mask: np.ndarray, ellipse, factor: float, valid: np.ndarray) -> float:
    (cx, cy), (w, h), angle = ellipse
    disc = np.zeros_like(mask)
    cv2.ellipse(disc, ((cx, cy), (w * factor, h * factor), angle), 255, thickness=-1)
    disc = cv2.bitwise_and(disc, valid)
    area = np.count_nonzero(disc)
    if area == 0:
        return 0.0
    return float(np.count_nonzero(cv2.bitwise_and(mask, disc))) / area


def _score(ring: RingEvidence) -> float:
    interior = min(1.0, ring.interior / 0.08)
    return float(np.clip(0.75 * ring.ring_strength + 0.25 * interior, 0.0, 1.0))


def _box(ring: RingEvidence, scale: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    (cx, cy), (w, h), angle = ring.ellipse
    outline = cv2.ellipse2Poly((round(cx), round(cy)), (round(w / 2), round(h / 2)), round(angle), 0, 360, 5)
    x, y, bw, bh = cv2.boundingRect(outline)
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(shape[1], x + bw), min(shape[0], y + bh)
    return round(x0 / scale), round(y0 / scale), round((x1 - x0) / scale), round((y1 - y0) / scale)


def seal_text_matches(image_bgr: np.ndarray, box: tuple[int, int, int, int], unit_name: str) -> float:
    """0..1: how well the unit name read along the seal's arc matches `unit_name`.

    Loads RapidOCR on first use (hence the late import); see ocr.seal_text.
    """
    from ocr.seal_text import seal_text_matches as match

    return match(image_bgr, box, unit_name)
