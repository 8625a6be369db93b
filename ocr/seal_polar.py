"""Polar views of a ring candidate: per angle, is there ink where the ring (or the text inside it)
should be? Rows are ANGLE_BINS angles, columns the radius in pixels."""

from __future__ import annotations

import cv2
import numpy as np

ANGLE_BINS = 180


def to_polar(mask: np.ndarray, centre: tuple[float, float], max_radius: float) -> np.ndarray:
    """Rows = ANGLE_BINS angles, columns = radius 0..max_radius (one pixel per column). Where the
    circle reaches past the mask the view is 0 (no ink): without WARP_FILL_OUTLIERS warpPolar leaves
    those pixels as it found the memory, and a seal's score changed with PYTHONHASHSEED."""
    size = (max(8, int(max_radius)), ANGLE_BINS)
    return cv2.warpPolar(mask, size, centre, max_radius, cv2.WARP_POLAR_LINEAR | cv2.INTER_NEAREST | cv2.WARP_FILL_OUTLIERS)


def coverage_profile(polar: np.ndarray, polar_valid: np.ndarray) -> np.ndarray:
    """Per radius: share of visible angles carrying ink within +-2 px of that radius."""
    grown = cv2.dilate(polar, np.ones((1, 5), np.uint8)) > 0
    seen = np.maximum(polar_valid.sum(axis=0), 1)
    return (grown & polar_valid).sum(axis=0) / seen


def ring_points(
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
