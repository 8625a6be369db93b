"""Read the unit name along a seal's arc and compare it with the expected unit name.

`named_ring` is the seal detector's last word on a ring too incomplete to pass on its shape.

The arc text is unrolled with a polar transform (cv2.warpPolar) into a straight strip:
starting at the bottom of the seal and going clockwise, which is the reading order of the
name on Chinese official seals, with the outer edge on top so the characters stand upright.
The strip is read by RapidOCR and compared with rapidfuzz.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import cv2
import numpy as np
from rapidfuzz import fuzz

from ocr.seal_masks import as_bgr, is_colour, red_ink_mask
from ocr.seal_rings import RingEvidence, ring_score

# Radial band of the arc text, as a share of the seal radius (ring outside, star inside).
TEXT_INNER = 0.5
TEXT_OUTER = 0.93
STRIP_HEIGHT = 64  # px the strip is scaled to: the size the recogniser reads best
# Characters of the unit's name read along the arc (in a row on a grey scan, in order in red ink)
# that make a ring a seal. Measured on four 60-unit worlds: partial grey seals read 4-7
# ("市河西区", "南开区育才学校"); rings round a star on planted seal-less pages read at most 1.
NAME_ON_ARC_MIN = 4
# The arc is read on the fitted ring and on one a tenth wider: a fit on the inner edge of the
# ring cuts the tops of the characters (one seal: "洋市河西区" vs "津市河西区").
ARC_FACTORS = (1.0, 1.1)
NAMED_RINGS_TRIED = 3  # rings round a star read along their arc (a page has 0-8; reading one: ~0.2 s)
# A third of a grey ring, at least, must show: the partial seals that passed on their name showed
# 36-47 %; a ring of print round a star of print on a bench page showed 26 % and read "科学技术"
# (a form word, rejected anyway). Red rings are read in red ink only and need no minimum.
NAMED_GREY_MIN_COVERAGE = 0.3


@dataclass(frozen=True)
class Naming:
    """What a seal's arc is checked against: the unit's name as printed on the page, and what print
    could spell along an arc instead: the page's text lines (text, x0 y0 x1 y1 in page pixels) and
    the words every form prints (labels, headers: a ring of print crossing 科学技术类博物馆 reads
    "科学技术", which is in 天津市和平区科学技术协会 too)."""

    unit_name: str
    print_lines: tuple[tuple[str, tuple[int, int, int, int]], ...] = ()
    form_words: tuple[str, ...] = ()


def named_ring(work: np.ndarray, rings: list[RingEvidence], naming: Naming, scale: float,
               red_only: bool = False) -> tuple[RingEvidence, str] | None:
    """The first of the best-scored rings (round a star, unless `red_only`) whose arc reads part of the
    unit's name that no print around could have spelled (`rings` and `work` at `scale` of the page):
    print crossing a circle does not line up into the name, and planted seal-less pages had no
    ring round a star reading any (docs/benchmarks.md). `red_only`: the rings are red and their arc
    is read in red ink alone (a colour page), where print cannot spell anything: no star is needed,
    and the name's characters count in order (a faded one may be missing), not only in a row."""
    starred = sorted((r for r in rings if red_only or (r.star and r.coverage >= NAMED_GREY_MIN_COVERAGE)),
                     key=ring_score, reverse=True)[:NAMED_RINGS_TRIED]
    for ring in starred:
        (cx, cy), axes, _ = ring.ellipse
        r = (axes[0] + axes[1]) / 4 / scale  # the ring in page pixels
        inside = [t for t, (x0, y0, x1, y1) in naming.print_lines
                  if x1 > (cx / scale) - r and x0 < (cx / scale) + r and y1 > (cy / scale) - r and y0 < (cy / scale) + r]
        name = name_on_arc(work, (cx, cy), r * scale, naming.unit_name, [*inside, *naming.form_words],
                           in_a_row=not red_only)
        if name is not None:
            return ring, name
    return None


def name_on_arc(image_bgr: np.ndarray, centre: tuple[float, float], radius: float, unit_name: str,
                printed: Sequence[str] = (), in_a_row: bool = True) -> str | None:
    """The characters of the unit's name read along the arc of the ring at `centre` (`in_a_row`,
    else in order: a faded stretch of the arc drops a character, "市和平科学技" for
    天津市和平区科学技术协会), when they are at least NAME_ON_ARC_MIN and not also in order in a
    `printed` text (print the arc crosses could spell the name)."""
    name = _normalise(unit_name)
    for factor in ARC_FACTORS:
        r = radius * factor
        strip = unrolled_arc_text(image_bgr, (round(centre[0] - r), round(centre[1] - r), round(2 * r), round(2 * r)))
        if strip is None:
            continue
        text = read_strip(strip)
        read = longest_run(name, text) if in_a_row else in_order(name, text)
        if len(read) >= NAME_ON_ARC_MIN and not any(len(in_order(read, _normalise(p))) == len(read) for p in printed):
            return read
    return None


def longest_run(a: str, b: str) -> str:
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[m.a: m.a + m.size]


def in_order(a: str, b: str) -> str:
    """The characters of `a` found in `b` in the same order (SequenceMatcher's matching blocks)."""
    return "".join(a[m.a: m.a + m.size] for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())


def seal_text_matches(image_bgr: np.ndarray, box: tuple[int, int, int, int], unit_name: str) -> float:
    """0..1: how well the text read along the seal in `box` (x, y, w, h) matches `unit_name`."""
    strip = unrolled_arc_text(image_bgr, box)
    if strip is None or not unit_name:
        return 0.0
    text = read_strip(strip)
    if not text:
        return 0.0
    expected = _normalise(unit_name)
    # partial: the arc may hold extra words (专用章, a number) or lose a character to the gap.
    return max(fuzz.ratio(expected, text), fuzz.partial_ratio(expected, text)) / 100.0


def unrolled_arc_text(image_bgr: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray | None:
    """The seal's arc text as a horizontal strip (dark text on white), or None if off-image."""
    image = as_bgr(image_bgr)
    x, y, w, h = box
    if w < 16 or h < 16:
        return None
    cx, cy = x + w / 2, y + h / 2
    radius = max(w, h) / 2
    ink = _seal_ink(image)
    # Polar image: rows are angles (clockwise from +x in image coordinates), columns radius.
    angles = max(360, int(2 * np.pi * radius * 0.75))  # about 1 px per px of arc at the text
    # past the page's edge: no ink (without WARP_FILL_OUTLIERS those pixels are whatever the memory
    # held, and a seal running off the page read "市河西区" or "市河西区北" from run to run)
    polar = cv2.warpPolar(ink, (int(radius), angles), (cx, cy), radius,
                          cv2.WARP_POLAR_LINEAR | cv2.INTER_LINEAR | cv2.WARP_FILL_OUTLIERS)
    band = polar[:, int(TEXT_INNER * radius) : int(TEXT_OUTER * radius)]
    # Start at the bottom (90 degrees) and go once round clockwise: the name's reading order.
    start = angles // 4
    band = np.concatenate([band[start:], band[:start]], axis=0)
    # Rows = radius with the outer edge on top, columns = reading direction.
    strip = cv2.flip(band.T, 0)
    scale = STRIP_HEIGHT / max(1, strip.shape[0])
    strip = cv2.resize(strip, (max(1, int(strip.shape[1] * scale)), STRIP_HEIGHT), interpolation=cv2.INTER_CUBIC)
    return cv2.cvtColor(255 - strip, cv2.COLOR_GRAY2BGR)


def read_strip(strip: np.ndarray) -> str:
    """The strip read as one line (no detection: scaled up to its minimum side, a strip this
    flat cost seconds to detect)."""
    from ocr.engines import rapid
    return _normalise("".join(t for t, _ in rapid.recognise([strip])))


def _seal_ink(image: np.ndarray) -> np.ndarray:
    """Seal ink as bright on black: red ink on colour scans (print removed), dark ink on grey."""
    if is_colour(image):
        red = red_ink_mask(image)
        return cv2.GaussianBlur(red, (3, 3), 0)
    return 255 - cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _normalise(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())
