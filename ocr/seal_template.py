"""The document's own seal, learned from its pages, taken out of a grey scan.

A unit stamps every page of its form with the same seal. On a grey scan the seal cannot be told
from print by colour, and its strokes crossing a figure make the recogniser read another figure or
nothing. But each page shows the same stamp over different print: aligned on each other (the
ring's centre and the turn that best matches the lettering and star), the pixel-wise median of the
impressions is the seal alone. Where that seal has ink, a page pixel no darker than the seal is
the seal's and becomes paper; print under a seal is darker than the seal alone (inks darken each
other), so it stays. Only pixels the learned seal explains are touched: print edges elsewhere keep
their grey, which a global "darkest ink only" threshold loses (session 16: 1 of 17 cells read).

Not used where the seal is as dark as the print (a black-and-white scan): there nothing tells them
apart, and taking the seal out would take print with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Stamp = tuple[int, int, int, int]  # a page's seal box (x, y, w, h), as ocr.seal.SealResult.box

# Margins, in grey levels of an 8-bit page. Set by looking at seed 53's grey seal pages (the
# alignment fits are measured there and on seed 67), then held by the six-world evaluation
# (docs/benchmarks.md, automation, session 17); no sweep of them has been run yet.
RADIUS_AGREE = 0.08    # impressions of one stamp: radii within 8 % (same scan resolution)
SAME_STAMP = 0.3       # aligned impressions correlate at least this much (same stamp: 0.3-0.75)
SEAL_INK = 25          # the learned seal has ink where it is this much darker than paper
PRINT_BELOW = 35       # a pixel this much darker than the seal alone there holds print too
SEAL_UNDER_PRINT = 0.7  # the seal's ink at most this share of the print's darkness, or no cleaning
GAIN_LIMITS = (0.7, 1.6)  # one impression's ink against the learned seal (pressure varies)
RING_MARGIN = 1.12     # the patch's half side, in ring radii: the ring's outer edge and a margin
DISC = 1.06            # the ring's outer edge, in ring radii (the box is fitted to its middle)
_ANGLES = 720          # polar resolution for the turn between impressions (0.5 degree)


@dataclass(frozen=True)
class Placement:
    centre: tuple[float, float]  # the seal's centre on the page
    angle: float                 # degrees turning the page's impression onto the learned seal
    scale: float                 # and its size onto the learned seal's (pages scanned at other sizes)
    fit: float                   # correlation of the aligned impression with the reference
    stands_out: float = 0.0      # found by search (ocr.seal_search): its fit over the best elsewhere


@dataclass
class DocumentSeal:
    patch: np.ndarray            # float32 (2R, 2R): the learned seal, paper ~255
    radius: int                  # half the patch side
    placements: dict[int, Placement]  # by the caller's page key
    reference: int               # the key of the impression the others were aligned on (the clearest)


def patch_at(grey: np.ndarray, centre: tuple[float, float], radius: int, angle: float,
             scale: float = 1.0, *, border: int = 255, flags: int = cv2.INTER_LINEAR) -> np.ndarray:
    """The square of side 2*radius round `centre`, turned by `angle` and scaled onto the learned
    seal's frame; what lies off the page is `border` (paper)."""
    m = cv2.getRotationMatrix2D(centre, angle, scale)
    m[0, 2] += radius - centre[0]
    m[1, 2] += radius - centre[1]
    return cv2.warpAffine(grey, m, (2 * radius, 2 * radius), flags=flags, borderValue=border)


def _polar_turn(ref: np.ndarray, other: np.ndarray, radius: int) -> float:
    """The turn (degrees) that best lays `other` on `ref`, from their unrolled ink (lettering and
    star; the ring itself is the same at every angle)."""
    def unroll(p: np.ndarray) -> np.ndarray:
        pol = cv2.warpPolar(255 - p.astype(np.float32), (radius, _ANGLES), (radius, radius), radius,
                            cv2.WARP_POLAR_LINEAR | cv2.WARP_FILL_OUTLIERS)
        band = pol[:, int(0.25 * radius):int(0.95 * radius)]
        return band - band.mean()
    a, b = unroll(ref), unroll(other)
    corr = np.real(np.fft.ifft(np.fft.fft(a, axis=0) * np.conj(np.fft.fft(b, axis=0)), axis=0)).sum(axis=1)
    return float(np.argmax(corr)) * 360.0 / _ANGLES


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two patches' ink (255 - grey)."""
    x, y = (255 - a).ravel().astype(np.float64), (255 - b).ravel().astype(np.float64)
    x, y = x - x.mean(), y - y.mean()
    d = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum() / d) if d else 0.0


def _align(grey: np.ndarray, centre: tuple[float, float], radius: int, ref: np.ndarray,
           scale: float) -> Placement:
    """Coarse turn from the unrolled seal, then a small search of turn, centre and size (the
    ring's centre and radius are found to a pixel or two; the polar turn's sign depends on the
    unroll's direction)."""
    turn = _polar_turn(ref, patch_at(grey, centre, radius, 0.0, scale), radius)
    best = Placement(centre, 0.0, scale, -1.0)
    for angle in {turn, -turn}:
        for dx in (-4, -2, 0, 2, 4):
            for dy in (-4, -2, 0, 2, 4):
                c = (centre[0] + dx, centre[1] + dy)
                f = correlation(patch_at(grey, c, radius, angle, scale), ref)
                if f > best.fit:
                    best = Placement(c, angle, scale, f)
    for _ in range(2):  # a pixel, half a degree and 1 % of size at a time, twice
        coarse = best
        for da in (-0.5, 0.0, 0.5):
            for ds in (-0.01, 0.0, 0.01):
                for dx in (-1, 0, 1):
                    for dy in (-1, 0, 1):
                        c = (coarse.centre[0] + dx, coarse.centre[1] + dy)
                        f = correlation(patch_at(grey, c, radius, coarse.angle + da, coarse.scale + ds), ref)
                        if f > best.fit:
                            best = Placement(c, coarse.angle + da, coarse.scale + ds, f)
        if best == coarse:
            break
    return best


def _centre(box: Stamp, radius: float, width: int, height: int) -> tuple[float, float]:
    """The seal's centre from its box, which the page's edge may have cut on one side."""
    x, y, w, h = box
    def along(start: int, size: int, limit: int) -> float:
        if size >= 2 * radius - 4:
            return start + size / 2
        return start + size - radius if start <= 1 else start + radius if start + size >= limit - 2 else start + size / 2
    return (along(x, w, width), along(y, h, height))


def learn(stamps: dict[int, tuple[np.ndarray, Stamp, float]]) -> DocumentSeal | None:
    """The seal common to the pages `stamps` (key -> (grey page, seal box, seal score)), or None
    when fewer than two impressions agree on one stamp."""
    if len(stamps) < 2:
        return None
    radii = {k: max(b[2], b[3]) / 2 for k, (_, b, _) in stamps.items()}  # a box cut by the page's edge
    ref_key = max(stamps, key=lambda k: stamps[k][2])
    similar = {k for k, r in radii.items() if abs(r - radii[ref_key]) <= RADIUS_AGREE * radii[ref_key]}
    if len(similar) < 2:
        return None
    radius = int(max(radii[k] for k in similar) * RING_MARGIN)
    def centre(k: int) -> tuple[float, float]:
        grey, box, _ = stamps[k]
        return _centre(box, radii[k], grey.shape[1], grey.shape[0])
    ref = patch_at(stamps[ref_key][0], centre(ref_key), radius, 0.0)
    placements = {ref_key: Placement(centre(ref_key), 0.0, 1.0, 1.0)}
    for k in sorted(similar - {ref_key}):
        p = _align(stamps[k][0], centre(k), radius, ref, radii[ref_key] / radii[k])
        if p.fit >= SAME_STAMP:
            placements[k] = p
    if len(placements) < 2:
        return None
    aligned = np.stack([patch_at(stamps[k][0], p.centre, radius, p.angle, p.scale) for k, p in placements.items()])
    ordered = np.sort(aligned.astype(np.float32), axis=0)
    n = len(placements)
    # two impressions: the lighter of each pixel (print lies under one only); more: the median,
    # which also drops a pale or partial impression's gaps
    seal = ordered[-1] if n == 2 else ordered[n // 2]
    yy, xx = np.mgrid[0:2 * radius, 0:2 * radius]
    seal[np.hypot(xx - radius, yy - radius) > DISC * radii[ref_key]] = 255  # a seal is round: print beyond
    return DocumentSeal(seal, radius, placements, ref_key)


def take_out(grey: np.ndarray, seal: DocumentSeal, key: int) -> np.ndarray | None:
    """`grey` with the learned seal's ink made paper at the page's impression `key`; None when
    this page's seal is not clearly lighter than its print (nothing tells them apart)."""
    place = seal.placements.get(key)
    if place is None:
        return None
    r = seal.radius
    m = cv2.getRotationMatrix2D((r, r), -place.angle, 1.0 / place.scale)
    m[0, 2] += place.centre[0] - r
    m[1, 2] += place.centre[1] - r
    learned = cv2.warpAffine(seal.patch, m, (grey.shape[1], grey.shape[0]), flags=cv2.INTER_LINEAR,
                             borderValue=255)
    paper = float(np.percentile(grey, 90))
    has_seal = learned < paper - SEAL_INK
    if has_seal.sum() < 50:
        return None
    page = grey.astype(np.float32)
    # this impression's pressure against the learned seal's (print under it is the minority)
    depth_page, depth_seal = paper - page[has_seal], np.maximum(paper - learned[has_seal], 1.0)
    gain = float(np.clip(np.median(depth_page / depth_seal), *GAIN_LIMITS))
    seal_depth = float(np.median(depth_seal)) * gain
    print_depth = paper - float(np.percentile(grey[~has_seal], 0.1))  # print's core: a few % of a page
    if seal_depth > SEAL_UNDER_PRINT * print_depth:
        return None
    darkest_seal = cv2.erode(learned, np.ones((3, 3), np.uint8))  # a pixel of misalignment
    expected = paper - gain * (paper - darkest_seal)
    near_seal = cv2.dilate(has_seal.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    out = grey.copy()
    # never below halfway between the seal's and the print's own darkness: a thin stroke of print
    # under dark seal ink is no darker than the seal where the scan took the darker of the two
    floor = paper - (seal_depth + print_depth) / 2
    out[near_seal & (page > np.maximum(expected - PRINT_BELOW, floor))] = int(paper)
    return out
