"""Are the three signatures (单位负责人 / 统计负责人 / 填表人) on the signature page?

The OCR reader finds the printed labels; here we look for handwriting-like ink in the space
to the right of each label, after removing printed rules/underlines (straight lines) and
red seal ink. Sizes are relative to the label's text height, so dpi does not matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from rapidfuzz import fuzz

from ocr.seal import ABSENT, PRESENT, UNCERTAIN, detect_seal
from ocr.seal_masks import as_bgr, is_colour, line_mask, loose_red_mask, red_ink_mask

SIGNATURE_ROLES = ("单位负责人", "统计负责人", "填表人")

# Other printed words of the signature block: OCR lines holding them are print, not ink to count.
PRINTED_WORDS = ("联系电话", "报出日期", "单位盖章", "打印时间", "签字", "签名", "盖章")

XYWH = tuple[int, int, int, int]

# Region to the right of a label, in label heights (lh).
GAP_AFTER_LABEL = 0.15
MAX_WIDTH = 14.0
FIELD_PITCH_SHARE = 0.95  # of the distance from the previous label on the line
ABOVE = 1.8  # signatures sit on the line and rise well above the label's top
BELOW = 0.9

# Evidence thresholds, in label-height units.
PRESENT_INK_AREA = 0.6  # ink pixels / lh^2: two or three handwritten characters give 2-6
UNCERTAIN_INK_AREA = 0.12
MIN_SPAN = 0.9


@dataclass(frozen=True)
class SignatureResult:
    status: str  # "present" | "absent" | "uncertain"
    score: float  # 0..1; absent < 0.3 <= uncertain < 0.6 <= present
    box: XYWH | None  # the ink found (x, y, w, h) in image pixels, else the searched region
    reason: str  # shown to staff (Chinese)


def find_signature_labels(ocr_lines: Iterable[Any], min_score: float = 0.0) -> dict[str, XYWH]:
    """Label boxes (x, y, w, h) of 单位负责人 / 统计负责人 / 填表人 from OCR lines.

    `ocr_lines` items are objects with `.text` and `.box`, or `(text, box)` pairs; a box is
    (x0, y0, x1, y1) as in `ocr.model.Box`, or a 4-point polygon as engines return it.
    When OCR merged the label with what follows ("填表人：张三"), the box is cut after the label.
    `min_score` (0..100) overrides the per-label fuzzy threshold.
    """
    found: dict[str, tuple[float, float, XYWH]] = {}
    for text, box in (_text_and_box(line) for line in ocr_lines):
        compact = "".join(text.split())
        for role, start, end, score in _roles_in_line(compact, min_score):
            label_box = _cut_to_label(box, len(compact), start, end)
            previous = found.get(role)
            # Best match wins; on a tie the lower one (the signature block is at the bottom).
            if previous is None or (score, label_box[1]) > previous[:2]:
                found[role] = (score, label_box[1], label_box)
    return {role: entry[2] for role, entry in found.items()}


def _roles_in_line(compact: str, min_score: float) -> list[tuple[str, int, int, float]]:
    """Roles named in one OCR line as (role, start, end, score); one OCR error allowed.

    Spans may not overlap: "统计负责人" also contains 2 of the 3 characters of 填表人 and of
    负责人 in 单位负责人, so the better match claims the characters first.
    """
    matches = []
    for role in SIGNATURE_ROLES:
        if len(compact) < len(role) - 1:
            continue
        threshold = min_score or (100 - 100 / len(role) - 1)
        alignment = fuzz.partial_ratio_alignment(role, compact)
        # the role's own characters must be matched (all but one): "人次" shares one 人 with 填表人
        if (alignment is not None and alignment.score >= threshold
                and alignment.src_end - alignment.src_start >= len(role) - 1):
            matches.append((role, alignment.dest_start, alignment.dest_end, alignment.score))
    accepted: list[tuple[str, int, int, float]] = []
    for match in sorted(matches, key=lambda m: -m[3]):
        if all(match[2] <= a[1] or match[1] >= a[2] for a in accepted):
            accepted.append(match)
    return accepted


def detect_signatures(
    image_bgr: np.ndarray,
    label_boxes: Mapping[str, XYWH] | Sequence[Any],
    *,
    seal_box: XYWH | None = None,
    obstacle_boxes: Iterable[XYWH] = (),
) -> dict[str, SignatureResult]:
    """Judge each signature field. `label_boxes`: {role: (x, y, w, h)} or the page's OCR lines.

    The page must be upright (the reader's normaliser runs first): the signature is looked
    for to the right of its label, up to the next label on the same line.

    `obstacle_boxes` are printed text boxes (x, y, w, h) to ignore inside the regions.
    `seal_box` matters on grey scans only (the seal cannot be told from pen ink there); when
    not given on a grey scan, the seal is looked for here.
    """
    image = as_bgr(image_bgr)
    obstacles = list(obstacle_boxes)
    if isinstance(label_boxes, Mapping):
        labels = dict(label_boxes)
    else:
        lines = list(label_boxes)
        labels = find_signature_labels(lines)
        obstacles += _printed_word_boxes(lines)
    colour = is_colour(image)
    if not colour and seal_box is None and labels:
        seal = detect_seal(image)
        seal_box = seal.box if seal.status != ABSENT else None

    results: dict[str, SignatureResult] = {}
    for role in SIGNATURE_ROLES:
        box = labels.get(role)
        if box is None:
            results[role] = SignatureResult(UNCERTAIN, 0.3, None, f"未找到“{role}”栏，无法判断是否签字，请人工核对")
            continue
        region = _region_right_of(box, labels.values(), image.shape)
        if region is None:
            results[role] = SignatureResult(UNCERTAIN, 0.3, None, f"“{role}”右侧没有可签字的空间，请人工核对")
            continue
        # The other labels are print: never count them as a signature.
        others = [b for r, b in labels.items() if r != role]
        results[role] = _judge_region(image, colour, role, box, region, seal_box, obstacles + others)
    return results


# --- regions ----------------------------------------------------------------------------------


def _region_right_of(label: XYWH, all_labels: Iterable[XYWH], shape: tuple[int, ...]) -> XYWH | None:
    x, y, w, h = label
    lh = max(h, 4)
    x0 = x + w + int(GAP_AFTER_LABEL * lh)
    x1 = x0 + int(MAX_WIDTH * lh)
    y0 = y - int(ABOVE * lh)
    y1 = y + h + int(BELOW * lh)
    before = []
    after = False
    for ox, oy, ow, oh in all_labels:
        if (ox, oy, ow, oh) == label:
            continue
        # Same line: centres within a label height (tolerates some skew left after deskew).
        if abs((oy + oh / 2) - (y + h / 2)) < lh and ox > x:
            x1 = min(x1, ox - int(0.3 * lh))  # the next label on the same line
            after = True
        elif abs((oy + oh / 2) - (y + h / 2)) < lh:
            before.append(ox)
        elif oy > y + 0.5 * h and min(x1, ox + ow) > max(x0, ox):
            y1 = min(y1, oy - int(0.1 * lh))  # a label on a line below
    if before and not after:
        # no next label read (a seal over it): a field is no wider than the one before it on
        # this line, else the next field's signature would count for this one
        x1 = min(x1, x + int(FIELD_PITCH_SHARE * (x - max(before))))
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(shape[1], x1), min(shape[0], y1)
    if x1 - x0 < lh or y1 - y0 < lh:
        return None
    return x0, y0, x1 - x0, y1 - y0


def _judge_region(
    image: np.ndarray,
    colour: bool,
    role: str,
    label: XYWH,
    region: XYWH,
    seal_box: XYWH | None,
    obstacles: list[XYWH],
) -> SignatureResult:
    lh = max(label[3], 4)
    rx, ry, rw, rh = region
    ink = _ink_mask(image[ry : ry + rh, rx : rx + rw], colour, lh, label[1] - ry)
    for ox, oy, ow, oh in obstacles:
        ink[max(0, oy - ry) : max(0, oy - ry + oh), max(0, ox - rx) : max(0, ox - rx + ow)] = 0

    seal_disc = None
    if not colour and seal_box is not None and _overlaps(region, seal_box):
        # Grey scan: seal ink looks like pen ink. Judge the ink outside the seal's disc too.
        seal_disc = np.zeros_like(ink)
        sx, sy, sw, sh = seal_box
        cv2.ellipse(seal_disc, ((sx - rx + sw / 2, sy - ry + sh / 2), (sw * 1.05, sh * 1.05), 0), 255, -1)

    total = _measure(ink, lh)
    status, score, reason = _classify(total, role)
    if status == PRESENT and not _reaches_signing_line(ink, label, region):
        # People sign on the line next to the label; ink only well above it is something else
        # (a mark on the table above, a stamp's edge).
        status, score = UNCERTAIN, 0.4
        reason = f"“{role}”旁的笔迹不在签字线上，请人工核对"
    if seal_disc is not None and total.area > 0:
        outside = _measure(cv2.bitwise_and(ink, cv2.bitwise_not(seal_disc)), lh)
        out_status, out_score, _ = _classify(outside, role)
        if out_status == PRESENT:
            reason += "（灰度扫描件，印章与签字处部分重叠）"
        elif status == PRESENT:
            status, score = UNCERTAIN, 0.45
            reason = f"“{role}”签字处与印章重叠，灰度扫描件上无法区分印章和笔迹，请人工核对"
        elif out_status == ABSENT:
            status, score = ABSENT, out_score
            reason = f"“{role}”处未签字（该处只有印章的笔迹）"
    ink_box = None
    if total.box is not None:
        bx, by, bw, bh = total.box
        ink_box = (rx + bx, ry + by, bw, bh)
    return SignatureResult(status, round(score, 3), ink_box if status != ABSENT else region, reason)


def _reaches_signing_line(ink: np.ndarray, label: XYWH, region: XYWH) -> bool:
    """Some ink lies in the label's own row (from its top to just below its baseline)."""
    lh = max(label[3], 4)
    top = max(0, label[1] - region[1] - int(0.2 * lh))
    bottom = max(top + 1, label[1] + label[3] - region[1] + int(0.8 * lh))
    return bool(np.count_nonzero(ink[top:bottom]) >= 0.05 * lh * lh)


@dataclass(frozen=True)
class InkMeasure:
    area: float  # ink pixels / lh^2
    span: float  # longer side of the ink's bounding box / lh
    box: XYWH | None  # in region pixels


def _measure(ink: np.ndarray, lh: int) -> InkMeasure:
    ink_px = int(np.count_nonzero(ink))
    if not ink_px:
        return InkMeasure(0.0, 0.0, None)
    ys, xs = np.nonzero(ink)
    box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min()) + 1, int(ys.max() - ys.min()) + 1)
    return InkMeasure(ink_px / (lh * lh), max(box[2], box[3]) / lh, box)


def _classify(ink: InkMeasure, role: str) -> tuple[str, float, str]:
    if ink.area >= PRESENT_INK_AREA and ink.span >= MIN_SPAN:
        return PRESENT, 0.6 + 0.4 * min(1.0, ink.area / (4 * PRESENT_INK_AREA)), f"“{role}”处有手写签名笔迹"
    if ink.area >= UNCERTAIN_INK_AREA:
        score = 0.3 + 0.29 * min(1.0, ink.area / PRESENT_INK_AREA)
        return UNCERTAIN, score, f"“{role}”处笔迹很少，可能未签字，请人工核对"
    return ABSENT, 0.29 * min(1.0, ink.area / UNCERTAIN_INK_AREA), f"“{role}”处未签字"


def _ink_mask(crop: np.ndarray, colour: bool, lh: int, label_top: int) -> np.ndarray:
    """Pen ink in the region without rules, underlines, seal ink, print above a rule or speckles."""
    # In the red channel, red seal ink is nearly as light as paper; blue/black pen is dark.
    grey = crop[..., 2] if colour else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    block = max(15, (2 * lh) | 1)
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    # Rules are blurred and a little skewed in scans: take a generous band around each.
    # (Before the seal ink goes: a seal over the underline would cut it into short pieces.)
    lines = line_mask(ink, max(12, 3 * lh), thickness=max(3, lh // 5))
    ink = cv2.bitwise_and(ink, cv2.bitwise_not(lines))
    _clear_above_rule(ink, lines, label_top)
    if colour:
        # Under dim or tinted light (phone photos) seal ink still shows in the red channel:
        # drop every reddish pixel and its fringe. Pale seal ink is only weakly red.
        red = cv2.bitwise_or(red_ink_mask(crop), loose_red_mask(crop))
        ink = cv2.bitwise_and(ink, cv2.bitwise_not(cv2.dilate(red, np.ones((5, 5), np.uint8))))
    # Speckles, and slivers left along removed rules (long and flat), are not handwriting.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    thin, long = np.minimum(widths, heights), np.maximum(widths, heights)
    sliver = (thin <= max(2, lh // 3)) & (long >= np.maximum(lh, 8 * thin))
    keep = (stats[:, cv2.CC_STAT_AREA] >= max(4, int(0.01 * lh * lh))) & ~sliver
    keep[0] = False
    return keep[labels].astype(np.uint8) * 255


def _clear_above_rule(ink: np.ndarray, lines: np.ndarray, label_top: int) -> None:
    """A rule across the region above the label (a table's bottom border) ends the signature
    space: the printed rows beyond it are not a signature. Underlines sit lower, at the
    label's baseline, so they are not taken for such a rule."""
    if label_top <= 0:
        return
    row_share = (lines[:label_top] > 0).mean(axis=1)
    rule_rows = np.flatnonzero(row_share >= 0.6)
    if rule_rows.size:
        ink[: rule_rows.max() + 1] = 0


def _overlaps(a: XYWH, b: XYWH) -> bool:
    return min(a[0] + a[2], b[0] + b[2]) > max(a[0], b[0]) and min(a[1] + a[3], b[1] + b[3]) > max(a[1], b[1])


# --- OCR line plumbing ------------------------------------------------------------------------


def _text_and_box(line: Any) -> tuple[str, XYWH]:
    if hasattr(line, "text") and hasattr(line, "box"):
        text, box = line.text, line.box
    else:
        text, box = line
    return str(text), _to_xywh(box)


def _to_xywh(box: Any) -> XYWH:
    arr = np.asarray(box, dtype=np.float64)
    if arr.ndim == 2:  # polygon [[x, y], ...]
        x0, y0 = arr.min(axis=0)
        x1, y1 = arr.max(axis=0)
    else:  # (x0, y0, x1, y1)
        x0, y0, x1, y1 = arr[:4]
    return int(round(x0)), int(round(y0)), int(round(x1 - x0)), int(round(y1 - y0))


def _cut_to_label(box: XYWH, n_chars: int, start: int, end: int) -> XYWH:
    """Part of a line box covering characters [start, end), assuming even character widths.
    A following colon stays with the label (it is print, not signature)."""
    x, y, w, h = box
    if n_chars <= 0 or (start == 0 and end >= n_chars):
        return box
    per_char = w / n_chars
    end = min(n_chars, end + 1)  # the "：" after the label
    return int(round(x + start * per_char)), y, max(1, int(round((end - start) * per_char))), h


def _printed_word_boxes(lines: Sequence[Any]) -> list[XYWH]:
    boxes = []
    for line in lines:
        text, box = _text_and_box(line)
        if any(word in text for word in PRINTED_WORDS) and not any(role in text for role in SIGNATURE_ROLES):
            boxes.append(box)
    return boxes
