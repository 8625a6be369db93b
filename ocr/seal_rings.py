"""Ring geometry for the seal detector: circle candidates, ellipse fit, evidence.

All coordinates are pixels of the working image (the page resized so its short side is
WORK_SHORT_SIDE); the caller maps boxes back to the original image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ocr.seal_masks import crop_padded
from ocr.seal_polar import (
    angle_coverage,
    angle_hits,
    coverage_profile,
    disc_share,
    ellipse_radius,
    long_arc_share,
    ring_points,
    to_polar,
)
from ocr.seal_star import find_star

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
    seen: list[RingEvidence] | None = None,
) -> RingEvidence | None:
    """Propose circles, refine each to the ink, keep the best verified one (every verified one
    is added to `seen` when given).

    `rank` orders candidates before their score (the caller's verdict: a seal beats a mere
    ring), so a bold red loop cannot hide a paler real seal on the same page. `raw_ink` (ink
    before the rules were removed) is a second place to look for the star.
    """
    candidates = _circle_candidates(ring_source, r_min, r_max)
    best: RingEvidence | None = None
    best_key = (-1, -1.0)
    for cx, cy, r in candidates:
        for ring in _verify(ring_source, ink, cx, cy, r, r_min, r_max, raw_ink):
            if seen is not None:
                seen.append(ring)
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
) -> list[RingEvidence]:
    """Snap a candidate circle to the ring ink and measure the evidence, as an ellipse and as a circle.

    Works in polar coordinates around the candidate: there the ring is a (nearly) straight
    run of ink at one radius across all angles, while text and rules are not. A free ellipse
    fits oval seals, but on half a ring (one side pressed lightly) it can swing off onto the
    print beside it; a round seal's circle, with two parameters fewer, stays on the arc. Both
    are measured; the caller keeps the better.
    """
    pad = int(1.6 * r) + 4
    x0, y0 = int(cx) - pad, int(cy) - pad
    crop = _Crop(
        crop_padded(ring_source, x0, y0, 2 * pad),
        crop_padded(ink, x0, y0, 2 * pad),
        crop_padded(np.full_like(ring_source, 255), x0, y0, 2 * pad),
        None if raw_ink is None else crop_padded(raw_ink, x0, y0, 2 * pad),
        (x0, y0),
        1.5 * r,
    )
    centre = (cx - x0, cy - y0)
    ring_radius = _ring_radius(crop, centre, r, r_min, r_max)
    if ring_radius is None:
        return []
    found: list[RingEvidence] = []
    star_at = None
    for round_only in (False, True):
        ellipse = _snap(crop, centre, ring_radius, r_min, r_max, round_only)
        if ellipse is None:
            break  # no ring here (a flat loop is not made round by fitting it a circle)
        if (measured := _evidence(crop, ellipse)) is not None:
            found.append(measured[0])
            star_at = star_at or measured[1]
        if _aspect(ellipse) >= ROUND_ENOUGH:
            break  # the free fit is a circle already
    # A seal's star is its centre. Where the fits put the centre beside the star (half a ring,
    # a seal running off the page), the circle around the star is measured too.
    if star_at is not None and all(np.hypot(star_at[0] - e.ellipse[0][0] + x0, star_at[1] - e.ellipse[0][1] + y0)
                                   > STAR_OFF_CENTRE * e.radius for e in found):
        radius = _ring_radius(crop, star_at, r, r_min, r_max)
        if radius is not None and (measured := _evidence(crop, (star_at, (2 * radius, 2 * radius), 0.0))) is not None:
            found.append(measured[0])
    return found


STAR_OFF_CENTRE = 0.06  # star this far (share of the radius) from the fitted centre: fit again round it


def _ring_radius(crop: _Crop, centre: tuple[float, float], r: float, r_min: float, r_max: float) -> float | None:
    """The ring's radius around `centre`: the outermost strong circle of ink near `r` (the arc
    text just inside it is strong too, and must not be taken for the ring)."""
    polar = to_polar(crop.src, centre, crop.max_radius)
    polar_valid = to_polar(crop.valid, centre, crop.max_radius) > 0
    radii = np.arange(polar.shape[1]) * crop.max_radius / polar.shape[1]
    profile = coverage_profile(polar, polar_valid)
    window = (radii >= max(0.7 * r, 0.8 * r_min)) & (radii <= min(1.3 * r, 1.2 * r_max))
    if not window.any():
        return None
    in_window = profile[window]
    strong = np.flatnonzero(in_window >= 0.85 * in_window.max())
    return float(radii[window][strong[-1]])


ROUND_ENOUGH = 0.92  # a fitted ellipse this round is the circle fit, measured twice for nothing


@dataclass(frozen=True)
class _Crop:
    """The square around one candidate, in every mask the evidence needs."""

    src: np.ndarray  # ring source (print and rules removed)
    full: np.ndarray  # all ink but the rules
    valid: np.ndarray  # inside the page
    raw: np.ndarray | None  # ink before the rules were removed (for the star)
    origin: tuple[int, int]
    max_radius: float


def _aspect(ellipse) -> float:
    return min(ellipse[1]) / max(1e-6, max(ellipse[1]))


def _snap(crop: _Crop, centre: tuple[float, float], ring_radius: float, r_min: float, r_max: float,
          round_only: bool) -> tuple | None:
    """Fit the ring's outline three times, re-centring each time: an ellipse, or a circle."""
    ellipse = None
    for _ in range(3):
        polar = to_polar(crop.src, centre, crop.max_radius)
        # the first time a circle of the ring's radius, then the last fit's radius per angle
        expected = np.full(polar.shape[0], ring_radius) if ellipse is None else ellipse_radius(ellipse, polar.shape[0])
        points = ring_points(polar, expected, crop.max_radius, centre, tolerance=0.12 * ring_radius)
        if len(points) < 12:
            return None
        if round_only:
            fit = _fit_circle(points[:, 0].astype(np.float64), points[:, 1].astype(np.float64))
            if fit is None:
                return None
            ellipse = ((fit[0], fit[1]), (2 * fit[2], 2 * fit[2]), 0.0)
        else:
            ellipse = cv2.fitEllipse(points)
        (ex, ey), (ew, eh), _ = ellipse
        if _aspect(ellipse) < 0.55 or not (0.8 * r_min <= (ew + eh) / 4 <= 1.2 * r_max):
            return None
        centre = (ex, ey)  # re-centre on the fit
    return ellipse


def _evidence(crop: _Crop, ellipse) -> tuple[RingEvidence, tuple[float, float] | None] | None:
    """How much of the fitted outline carries ink, what lies inside and just outside it, and where
    the star is (crop pixels)."""
    max_radius = crop.max_radius
    polar = to_polar(crop.src, ellipse[0], max_radius)
    polar_valid = to_polar(crop.valid, ellipse[0], max_radius) > 0
    expected = ellipse_radius(ellipse, polar.shape[0])
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
    interior, centre_share, text_band, star = inside_evidence(crop.full, ellipse, tol, crop.valid, visible, crop.raw)
    (ex, ey), axes, angle = ellipse
    x0, y0 = crop.origin
    full_ellipse = ((ex + x0, ey + y0), axes, angle)
    return RingEvidence(full_ellipse, coverage, outside, interior, centre_share, text_band, star is not None, arcs), star


def inside_evidence(
    ink: np.ndarray,
    ellipse,
    tol: float,
    valid: np.ndarray,
    visible: np.ndarray,
    raw_ink: np.ndarray | None = None,
) -> tuple[float, float, float, tuple[float, float] | None]:
    """(interior share, centre share, arc-text band coverage) of ink *detached* from the ring, and
    where the star is (None: no star).

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
    star = find_star(ink, band, ellipse, raw_ink)
    return interior, centre, text_band, star


def ring_score(ring: RingEvidence) -> float:
    interior = min(1.0, ring.interior / 0.08)
    return float(np.clip(0.75 * ring.ring_strength + 0.25 * interior, 0.0, 1.0))
