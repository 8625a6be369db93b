"""Is the unit's round official seal (公章) on this page?

Colour scans: red-ink mask (orange-red to purple-red), then a ring of plausible size.
Grey scans: the seal is a grey ring with a star; printed text and table rules are removed
first (small components, long straight lines), then circles are looked for and verified by
how much of their circumference carries ink. Weak evidence gives "uncertain" (a human
looks), never a silent "present"; weak but real evidence (half a pale ring with a star or arc
text) never a silent "absent". A black-and-white (thresholded) scan drops pale red ink, so
"no seal seen" on it is "uncertain" too.

Everything is measured relative to the page's short side, so dpi and photo size do not matter
and the result does not depend on page orientation (rings are rotation invariant).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ocr import seal_text
from ocr.normalise import stretch_washed_out
from ocr.seal_masks import (
    as_bgr,
    crop_padded,
    dark_ink_mask,
    is_bilevel,
    is_colour,
    large_components,
    line_mask,
    loose_red_mask,
    red_ink_mask,
    resize_to_work,
    solid_ink_mask,
)
from ocr.seal_polar import ANGLE_BINS
from ocr.seal_rings import (
    RingEvidence,
    best_ring,
    inside_evidence,
    ring_score,
)

PRESENT, ABSENT, UNCERTAIN = "present", "absent", "uncertain"
_RANK = {ABSENT: 0, UNCERTAIN: 1, PRESENT: 2}

# Seal diameter relative to the page's short side: 4.0-4.5 cm on A4 is 19-21 %; allow
# 9-32 % so phone photos (page smaller than the frame) and unusual seals still fit.
MIN_DIAMETER_SHARE = 0.09
MAX_DIAMETER_SHARE = 0.32
# A grey ring this complete round a star is worth a human look, not "no seal". Tried 0.33 (a light
# seal pressed half onto seed 67's table rules measured 38 %): on bench_seal pages without a seal
# (seeds 2 and 3), rings of print round a "star" of print at 36-37 % then came out uncertain too,
# which the same-stamp rule (matching.evaluate) could take for the document's seal. Kept at 0.4.
STAR_RING_UNCERTAIN = 0.4

@dataclass(frozen=True)
class SealResult:
    status: str  # "present" | "absent" | "uncertain"
    score: float  # 0..1, how strongly the page shows a seal
    box: tuple[int, int, int, int] | None  # (x, y, w, h) in the caller's image pixels
    reason: str  # shown to staff (Chinese)
    method: str  # "colour" | "grey" | "colour+grey"
    same_stamp_as: int | None = None  # the page (number) whose stamp was found here (ocr.document_seal)
    searched: bool = False            # suspected only: found by searching the page for that stamp's
                                      # pattern, not surely (seal_search.sure), no ring of its own seen


def detect_seal(image_bgr: np.ndarray, bilevel: bool | None = None, unit_name: str | None = None,
                print_lines: Sequence[tuple[str, tuple[int, int, int, int]]] = (),
                form_words: Sequence[str] = ()) -> SealResult:
    """Look for the official seal anywhere on a page image (colour or grey). `bilevel`: whether
    the scan as received was black-and-white; straightening a page blurs its edges to grey, so
    the caller that still has the received image says so (default: judged on `image_bgr`).
    `unit_name` (as printed on the page) lets a seal too incomplete to pass on its ring pass on
    the name along its arc, unless the page's `print_lines` (text, x0 y0 x1 y1) inside the ring or
    the `form_words` every form prints could have spelled what was read there."""
    naming = seal_text.Naming(unit_name, tuple(print_lines), tuple(form_words)) if unit_name else None
    work, scale = resize_to_work(as_bgr(image_bgr))
    work = stretch_washed_out(work)
    short = min(work.shape[:2])
    r_min = MIN_DIAMETER_SHARE * short / 2
    r_max = MAX_DIAMETER_SHARE * short / 2
    if is_colour(work):
        return _colour_page(work, r_min, r_max, scale, naming)
    result = _grey_page(work, r_min, r_max, scale, naming)
    if result.status == ABSENT and (is_bilevel(image_bgr) if bilevel is None else bilevel):
        return _bilevel_unproven()
    return result


def _bilevel_unproven() -> SealResult:
    """No seal seen on a black-and-white scan: thresholding drops pale red ink, so the page
    may well be stamped. Not proof of a missing seal; a human looks (or asks for colour)."""
    reason = "黑白扫描件上未见印章；黑白扫描会丢掉颜色较浅的红章，不能据此判定未盖章，请人工核对或要求提供彩色扫描件"
    return SealResult(UNCERTAIN, _banded(UNCERTAIN, 0.0), None, reason, "grey")


def _colour_page(work: np.ndarray, r_min: float, r_max: float, scale: float,
                 naming: seal_text.Naming | None = None) -> SealResult:
    seen: list[RingEvidence] = []
    colour_result = _judge_colour(red_ink_mask(work), r_min, r_max, scale, seen)
    if colour_result.status == PRESENT:
        return colour_result
    if naming and (named := seal_text.named_ring(work, seen, naming, scale, red_only=True)):
        ring, name = named
        reason = f"红色印章环线不完整或较淡（{ring.coverage:.0%}），但环上文字“{name}”与单位名称一致"
        return SealResult(PRESENT, _banded(PRESENT, ring_score(ring)), _box(ring, scale, work.shape), reason, "colour")
    # No clear red ring: look at the shapes as on a grey scan. A ring there is either a
    # faint red seal (too pale for the red mask) or a black photocopy of a seal.
    ring = _best_grey_ring(cv2.cvtColor(work, cv2.COLOR_BGR2GRAY), r_min, r_max)
    status = ABSENT if ring is None else _grey_status(ring)
    if ring is None or status == ABSENT:
        return colour_result
    box = _box(ring, scale, work.shape)
    red_ring = _ring_red_share(work, ring) >= 0.3
    if red_ring and not _red_inside(work, ring):
        return colour_result  # a red loop drawn around print: nothing red inside it
    if red_ring:
        reason = (
            f"发现较淡的红色圆形印章（环线完整度 {ring.coverage:.0%}）"
            if status == PRESENT
            else f"疑似有较淡的红色印章，环线不完整（{ring.coverage:.0%}），请人工核对"
        )
        return SealResult(status, _banded(status, ring_score(ring)), box, reason, "colour+grey")
    if status == PRESENT:
        reason = "彩色扫描件上有圆形印章轮廓，但不是红色印泥（可能是复印的印章），请人工核对"
        return SealResult(UNCERTAIN, _banded(UNCERTAIN, ring_score(ring)), box, reason, "colour+grey")
    return colour_result


def _grey_page(work: np.ndarray, r_min: float, r_max: float, scale: float,
               naming: seal_text.Naming | None = None) -> SealResult:
    seen: list[RingEvidence] = []
    ring = _best_grey_ring(cv2.cvtColor(work, cv2.COLOR_BGR2GRAY), r_min, r_max, seen)
    status = ABSENT if ring is None else _grey_status(ring)
    if status != PRESENT and naming:
        named = seal_text.named_ring(work, seen, naming, scale)
        if named is not None:
            ring, name = named
            reason = f"灰度扫描件上的印章环线不完整（{ring.coverage:.0%}），但印章中心有五角星，环上文字“{name}”与单位名称一致"
            return SealResult(PRESENT, _banded(PRESENT, ring_score(ring)), _box(ring, scale, work.shape), reason, "grey")
    if ring is None or status == ABSENT:
        raw = 0.0 if ring is None else ring_score(ring)
        reason = "页面上未发现印章（没有红色印迹，也看不到圆形印章轮廓）"
        return SealResult(ABSENT, _banded(ABSENT, raw), None, reason, "grey")
    if status == PRESENT:
        reason = f"灰度扫描件上发现圆形印章（环线完整度 {ring.coverage:.0%}）"
    else:
        reason = f"灰度扫描件上疑似有印章，但环线不完整（{ring.coverage:.0%}），请人工核对"
    return SealResult(status, _banded(status, ring_score(ring)), _box(ring, scale, work.shape), reason, "grey")


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
    red = crop_padded(loose_red_mask(work), x0, y0, 2 * pad)
    valid = crop_padded(np.full(work.shape[:2], 255, np.uint8), x0, y0, 2 * pad)
    ellipse = ((cx - x0, cy - y0), ring.ellipse[1], ring.ellipse[2])
    visible = np.ones(ANGLE_BINS, dtype=bool)
    _, centre, text_band, star = inside_evidence(red, ellipse, max(2.0, 0.035 * ring.radius), valid, visible)
    return star is not None or centre >= 0.12 or text_band >= 0.3


def _banded(status: str, raw: float) -> float:
    """Map the raw evidence into a band per status, so score and status never disagree:
    absent < 0.3 <= uncertain < 0.6 <= present."""
    low, high = {ABSENT: (0.0, 0.29), UNCERTAIN: (0.3, 0.59), PRESENT: (0.6, 1.0)}[status]
    return round(low + (high - low) * float(np.clip(raw, 0.0, 1.0)), 3)


# --- colour -----------------------------------------------------------------------------------


def _judge_colour(red: np.ndarray, r_min: float, r_max: float, scale: float,
                  seen: list[RingEvidence] | None = None) -> SealResult:
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
    ring = best_ring(ring_source, red_no_lines, r_min, r_max, rank=lambda ring: _RANK[_colour_status(ring)], seen=seen)
    status = ABSENT if ring is None else _colour_status(ring)
    if ring is not None and status == PRESENT:
        reason = f"发现红色圆形印章（环线完整度 {ring.coverage:.0%}）"
        return SealResult(PRESENT, _banded(PRESENT, ring_score(ring)), _box(ring, scale, shape), reason, "colour")
    if ring is not None and status == UNCERTAIN:
        reason = f"有红色圆弧，但印章不完整或过淡（环线 {ring.coverage:.0%}），请人工核对"
        return SealResult(UNCERTAIN, _banded(UNCERTAIN, ring_score(ring)), _box(ring, scale, shape), reason, "colour")

    # No ring: is there a seal-sized mass of red ink anyway (smudged, heavily faded seal)?
    blob = _seal_sized_red_blob(red_closed, r_min, r_max)
    if blob is not None:
        box = tuple(round(v / scale) for v in blob)
        return SealResult(
            UNCERTAIN, 0.3, box, "有一片红色印迹，但看不出圆形印章，请人工核对", "colour"  # type: ignore[arg-type]
        )
    raw = 0.0 if ring is None else ring_score(ring)
    return SealResult(
        ABSENT, _banded(ABSENT, raw), None, "未发现红色圆形印章（仅有红色笔迹或文字）", "colour"
    )


def _colour_status(ring: RingEvidence) -> str:
    # Red ink inside the ring (the star in the centre, the arc text) separates a seal from a
    # hand-drawn red loop around a figure, whose inside holds no red at all. Flat loops are
    # hand-drawn marks (oval seals are about 2:3).
    if ring.aspect < 0.62:
        return ABSENT
    star = ring.star or ring.centre >= 0.12
    text = ring.text_band >= 0.3
    if ring.coverage >= 0.55 and ring.outside <= 0.4 and (star or text) and ring.interior >= 0.03:
        return PRESENT
    if ring.coverage >= 0.4 and ring.outside <= 0.3 and star and text:
        return PRESENT  # partial impression (page edge, uneven pressure)
    if _star_in_clean_arcs(ring):
        return PRESENT
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
        # A smudged seal is a mass of ink; a red loop or a few ticks leave the box mostly empty.
        ink = np.count_nonzero(red[y : y + h, x : x + w])
        if ink >= 0.25 * w * h:
            return int(x), int(y), int(w), int(h)
    return None


# --- grey -------------------------------------------------------------------------------------


def _best_grey_ring(grey: np.ndarray, r_min: float, r_max: float,
                    seen: list[RingEvidence] | None = None) -> RingEvidence | None:
    short = min(grey.shape)
    ink = dark_ink_mask(grey)
    lines = line_mask(ink, max(20, int(0.1 * short)))
    ink_no_lines = cv2.bitwise_and(ink, cv2.bitwise_not(lines))
    # Size filter before removing the rules: a ring crossed by many table rules would
    # otherwise fall apart into short arcs and be dropped together with the text.
    big = large_components(ink, max(8, int(0.6 * r_min)))
    ring_source = large_components(cv2.bitwise_and(big, ink_no_lines), max(4, int(0.1 * r_min)))
    rank = lambda ring: _RANK[_grey_status(ring)]  # noqa: E731
    # The star is looked for on solid ink too: a pale star is only an outline in `ink`.
    return best_ring(ring_source, ink_no_lines, r_min, r_max, rank=rank, raw_ink=solid_ink_mask(grey), seen=seen)


def _grey_status(ring: RingEvidence) -> str:
    # Grey pages are full of dark print, so a ring needs more of its circumference here; the
    # star (a solid blob at the centre) is strong extra evidence. Flat loops are hand-drawn
    # marks (oval seals are about 2:3, phone perspective adds a little).
    if ring.aspect < 0.62:
        return ABSENT
    # Inside a seal: the star at the centre, the name along the ring. A hand-drawn loop
    # around print has neither in that arrangement.
    seal_inside = ring.star or ring.centre >= 0.2 or ring.text_band >= 0.35
    if ring.coverage >= 0.7 and ring.outside <= 0.3 and ring.interior >= 0.03 and seal_inside:
        return PRESENT
    if ring.coverage >= 0.5 and ring.outside <= 0.25 and ring.star:
        return PRESENT  # partial ring, but the star is there
    if ring.outside > 0.4 or ring.interior < 0.02:
        return ABSENT
    if ring.coverage >= 0.6 or (ring.coverage >= STAR_RING_UNCERTAIN and ring.star):
        return UNCERTAIN
    if ring.coverage >= 0.45 and ring.centre >= 0.4:
        return UNCERTAIN  # dense ink at the centre: a star merged with the print under it
    if _faded_seal_parts(ring):
        return UNCERTAIN
    return ABSENT


def _star_in_clean_arcs(ring: RingEvidence) -> bool:
    """A red star at the centre of long, clean red arcs over a third of a circle: a seal pressed
    lightly on one side or running off the page. Red ink only: among the red decoys of 78 colour
    pages without a seal (bench_seal seeds 1-3) no ring had a star. Not on grey scans: there a
    cluster of print passes the star test on one page in seven, inside rings of up to 43 %
    coverage in clean arcs, as strong as this rule's seals."""
    return ring.star and ring.coverage >= 0.35 and ring.arcs >= 0.25 and ring.outside <= 0.1


def _faded_seal_parts(ring: RingEvidence) -> bool:
    """Half a clean ring with ink at its centre and along the text band: the parts of a seal
    pressed lightly on one side. Print crossed by a circle leaves ink just outside it too."""
    return (
        ring.coverage >= 0.45
        and ring.outside <= 0.06
        and ring.centre >= 0.15
        and ring.text_band >= 0.25
        and ring.interior >= 0.03
    )


def _box(ring: RingEvidence, scale: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    (cx, cy), (w, h), angle = ring.ellipse
    outline = cv2.ellipse2Poly((round(cx), round(cy)), (round(w / 2), round(h / 2)), round(angle), 0, 360, 5)
    x, y, bw, bh = cv2.boundingRect(outline)
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(shape[1], x + bw), min(shape[0], y + bh)
    return round(x0 / scale), round(y0 / scale), round((x1 - x0) / scale), round((y1 - y0) / scale)


def seal_text_matches(image_bgr: np.ndarray, box: tuple[int, int, int, int], unit_name: str) -> float:
    """0..1: how well the unit name read along the seal's arc matches `unit_name` (ocr.seal_text)."""
    return seal_text.seal_text_matches(image_bgr, box, unit_name)
