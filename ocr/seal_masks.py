"""Pixel masks shared by the seal and signature checks.

All sizes are relative to the page so 150–300 dpi scans and phone photos behave the same.
"""

from __future__ import annotations

import cv2
import numpy as np

# Working size: the short side of the page is resized to this many pixels before analysis.
# A 4 cm seal ring (~1 mm thick) is then ~4-5 px thick, enough to see it whole.
WORK_SHORT_SIDE = 1000


def as_bgr(image: np.ndarray) -> np.ndarray:
    """Accept grey (H, W), BGR or BGRA arrays; return BGR uint8."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def resize_to_work(image_bgr: np.ndarray, short_side: int = WORK_SHORT_SIDE) -> tuple[np.ndarray, float]:
    """Downscale (never upscale much) so the short side is `short_side`; return image and scale."""
    h, w = image_bgr.shape[:2]
    scale = short_side / min(h, w)
    if abs(scale - 1.0) < 0.02:
        return image_bgr, 1.0
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(image_bgr, (round(w * scale), round(h * scale)), interpolation=interp), scale


def is_colour(image_bgr: np.ndarray) -> bool:
    """True when the scan carries colour information (a grey scan saved as RGB has none)."""
    small = cv2.resize(image_bgr, (0, 0), fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    spread = small.max(axis=2).astype(np.int16) - small.min(axis=2).astype(np.int16)
    # JPEG chroma noise gives a few tinted pixels on grey scans; real colour gives many.
    return float((spread > 40).mean()) > 0.0005


def red_ink_mask(image_bgr: np.ndarray) -> np.ndarray:
    """Seal-ink mask: orange-red through purple-red, including faded (pinkish) impressions.

    Two hue ranges (OpenCV hue is 0..180 and red wraps around 0) plus a "red clearly above
    green and blue" test, which keeps dark JPEG fringes of black text out.
    """
    hsv = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2HSV)
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    hue_red = (hue <= 14) | (hue >= 140)
    b, g, r = (image_bgr[..., i].astype(np.int16) for i in range(3))
    # Red well above green; above blue too, so blue-black pen and purple-blue stay out.
    # Green close to blue: seal inks are red/vermilion/magenta, while brown desks, wood and
    # skin in phone photos have green clearly above blue.
    mask = (
        hue_red & (sat >= 45) & (val >= 70) & (r - g >= 35) & (r - b >= 8) & (r - g >= 2 * (g - b))
    )
    return mask.astype(np.uint8) * 255


def dark_ink_mask(grey: np.ndarray) -> np.ndarray:
    """Any ink darker than its neighbourhood: copes with uneven light of phone photos."""
    short = min(grey.shape[:2])
    block = max(15, (short // 30) | 1)
    mask = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    # Drop isolated speckles (scanner dust, JPEG noise).
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def line_mask(ink: np.ndarray, min_length: int, thickness: int | None = None) -> np.ndarray:
    """Long straight strokes at any angle: table rules, underlines, page and photo edges.

    Probabilistic Hough rather than a horizontal/vertical opening, because skewed scans and
    phone photos tilt the rules. A seal ring has no straight run this long (its sagitta over
    `min_length` is several ring thicknesses), so it is not taken. Lines are searched at half
    resolution (4x cheaper; rules are long) and drawn back at full resolution.
    """
    lines = np.zeros_like(ink)
    half = min_length >= 40
    source = cv2.resize(ink, (ink.shape[1] // 2, ink.shape[0] // 2), interpolation=cv2.INTER_AREA) if half else ink
    if half:
        source = (source > 64).astype(np.uint8) * 255
    factor = 2 if half else 1
    length = min_length // factor
    segments = cv2.HoughLinesP(
        source, rho=1, theta=np.pi / 360, threshold=int(0.6 * length), minLineLength=length, maxLineGap=1
    )
    if segments is None:
        return lines
    thickness = thickness or max(5, min_length // 20)
    for x1, y1, x2, y2 in segments.reshape(-1, 4).astype(np.float64) * factor:  # OpenCV 4: (N,1,4), 5: (N,4)
        # Extend each segment: where a rule runs into a seal or a character, Hough stops short
        # and the leftover stub would stay glued to the ring.
        length = max(1.0, float(np.hypot(x2 - x1, y2 - y1)))
        dx, dy = (x2 - x1) / length * min_length * 0.5, (y2 - y1) / length * min_length * 0.5
        start, end = (round(x1 - dx), round(y1 - dy)), (round(x2 + dx), round(y2 + dy))
        cv2.line(lines, start, end, 255, thickness)
    return cv2.bitwise_and(lines, ink)


def loose_red_mask(image_bgr: np.ndarray) -> np.ndarray:
    """Weakly reddish pixels: tells a faded red seal from a black photocopy of one."""
    b, g, r = (image_bgr[..., i].astype(np.int16) for i in range(3))
    return ((r - g >= 15) & (r - b >= 5) & (r - g >= 2 * (g - b))).astype(np.uint8) * 255


def large_components(mask: np.ndarray, min_extent: int) -> np.ndarray:
    """Keep connected components whose bounding box is at least `min_extent` on its long side.

    Printed characters, ticks and digits are small; a seal ring (or a long arc of a faded
    one) is large. This removes almost all page text before looking for circles.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros(count, dtype=bool)
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep[1:] = extent[1:] >= min_extent
    return (keep[labels]).astype(np.uint8) * 255


def is_bilevel(image: np.ndarray) -> bool:
    """True for a black-and-white (thresholded) scan: ink is pure black, nothing in between.

    Such a scan drops pale red ink entirely, so a seal that is not visible on it may still be
    on the paper. Grey scans and photos have soft edges: a good share of their ink pixels are
    mid-grey. Checked on the caller's image, before any resizing blurs the edges.
    """
    channel = image if image.ndim == 2 else image[..., 0]
    sample = channel[::2, ::2]  # every other pixel: enough, and 4x cheaper on 300 dpi pages
    ink = np.count_nonzero(sample < 200)
    if ink < 1e-3 * sample.size:
        return False  # (nearly) blank: nothing to judge the edges by
    mid = np.count_nonzero((sample >= 40) & (sample < 200))
    # JPEG ringing around bi-level edges stays below 10 % down to quality ~45; scanned grey
    # pages are far above 50 %, crisp digital pages with unsmoothed rules about 15 %.
    return mid <= 0.1 * ink


def solid_ink_mask(grey: np.ndarray, min_contrast: int = 20) -> np.ndarray:
    """Ink darker than the paper around it, solid areas included.

    The adaptive threshold of dark_ink_mask compares with a window smaller than a seal's star,
    so a pale star keeps only its outline. Here the paper is estimated by a grey closing wider
    than the star (at half size: a tenth of the cost), so the whole star is kept.
    """
    short = min(grey.shape[:2])
    half = cv2.resize(grey, (grey.shape[1] // 2, grey.shape[0] // 2), interpolation=cv2.INTER_AREA)
    size = max(9, int(0.04 * short)) | 1  # at half size: 8 % of the short side, wider than a star
    paper = cv2.morphologyEx(half, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    paper = cv2.resize(paper, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    return ((paper.astype(np.int16) - grey.astype(np.int16)) >= min_contrast).astype(np.uint8) * 255


def crop_padded(mask: np.ndarray, x0: int, y0: int, size: int) -> np.ndarray:
    """Square crop that may reach past the image; the outside is zero."""
    out = np.zeros((size, size), mask.dtype)
    h, w = mask.shape
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(w, x0 + size), min(h, y0 + size)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = mask[sy0:sy1, sx0:sx1]
    return out
