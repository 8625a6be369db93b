"""Where the signature labels are: from OCR lines, corrected and completed by the block's geometry.

OCR boxes are not always the printed label: the detector merges a label with the handwriting
next to it (a box two or three times the text height, or far wider than its text), and a label
under a seal or a heavy signature may not be read at all. Here the text height of the block is
taken from its ordinary printed boxes, swollen label boxes are cut back to the printed label
inside them, and unread labels are placed from the other labels' row or column pitch.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from rapidfuzz import fuzz

from ocr import signature_params as P

SIGNATURE_ROLES = ("单位负责人", "统计负责人", "填表人")
# Other printed words of the signature block: OCR lines holding them are print, not ink to count.
PRINTED_WORDS = ("联系电话", "报出日期", "单位盖章", "打印时间", "签字", "签名", "盖章")  # items first, hints after
# Printed hints that may follow a label inside its OCR line: "单位负责人（签字）：".
LABEL_SUFFIXES = ("（签字）", "(签字)", "（签名）", "(签名)", "（签章）", "(签章)", "签字", "签名", "签章")

XYWH = tuple[int, int, int, int]


@dataclass(frozen=True)
class Label:
    role: str
    box: XYWH
    how: str  # "read" | "refined" (cut out of a swollen OCR box) | "placed" (by geometry)
    seen: bool = True  # a placed label: printed text was seen where it was placed


def find_signature_labels(ocr_lines: Iterable[Any], min_score: float = 0.0) -> dict[str, XYWH]:
    """Label boxes (x, y, w, h) of 单位负责人 / 统计负责人 / 填表人 from OCR lines.

    `ocr_lines` items are objects with `.text` and `.box`, or `(text, box)` pairs; a box is
    (x0, y0, x1, y1) as in `ocr.model.Box`, or a 4-point polygon as engines return it.
    When OCR merged the label with what follows ("填表人：张三"), the box is cut after the label
    (and after a printed hint such as （签字）). `min_score` (0..100) overrides the fuzzy threshold.
    """
    found: dict[str, tuple[float, float, XYWH]] = {}
    for text, box in (text_and_box(line) for line in ocr_lines):
        compact = "".join(text.split())
        for role, start, end, score in _roles_in_line(compact, min_score):
            label_box = _cut_to_label(box, compact, start, end)
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


def _cut_to_label(box: XYWH, compact: str, start: int, end: int) -> XYWH:
    """Part of a line box covering characters [start, end), assuming even character widths.
    A printed hint （签字） and the colon after the label stay with it (print, not signature)."""
    x, y, w, h = box
    n_chars = len(compact)
    for suffix in LABEL_SUFFIXES:
        if compact.startswith(suffix, end):
            end += len(suffix)
            break
    if end < n_chars and compact[end] in "：:":
        end += 1
    if n_chars <= 0 or (start == 0 and end >= n_chars):
        return box
    per_char = w / n_chars
    return int(round(x + start * per_char)), y, max(1, int(round((end - start) * per_char))), h


def printed_word_boxes(lines: Sequence[Any]) -> list[XYWH]:
    """Boxes of the block's other printed words; in a line that also holds a label, the part
    from the printed word on (even character widths)."""
    boxes = []
    read = [(text_and_box(ln), ln) for ln in lines]
    label_heights = [box[3] for (text, box), _ in read if _roles_in_line("".join(text.split()), 0.0)]
    print_h = statistics.median(label_heights) if label_heights else None
    for (text, (x, y, w, h)), line in read:
        compact = "".join(text.split())
        hits = [compact.find(word) for word in PRINTED_WORDS if word in compact]
        if not hits and len(compact) >= P.PRINT_LINE_CHARS and not _roles_in_line(compact, 0.0) \
                and not _handwriting_sized(line, h, print_h):
            boxes.append((x, y, w, h))  # a longer line of other print (or a note): not a name
            continue
        if not hits:
            continue
        if not any(role in compact for role in SIGNATURE_ROLES):
            boxes.append((x, y, w, h))
            continue
        # with a label in the line, only the block's other items (not its （签字） hint)
        hits = [compact.find(word) for word in PRINTED_WORDS[:4] if word in compact]
        if not hits:
            continue
        first = min(hits)
        if first > 0 and compact:
            x0 = x + int(w * first / len(compact))
            boxes.append((x0, y, x + w - x0, h))
    return boxes


def _handwriting_sized(line: Any, height: int, print_h: float | None) -> bool:
    """A line read unsurely and much taller than the labels' print is a name written large, not
    print (seed 139: a signature read "(+ V58)" at 0.58, twice the labels' height, had ended the
    field to its left)."""
    score = getattr(line, "score", 1.0)
    return print_h is not None and score < P.PRINT_LINE_SURE and height > P.HANDWRITING_TALL * print_h


def text_height(labels: Mapping[str, XYWH], printed: Sequence[XYWH]) -> float:
    """The block's printed text height: the median of boxes of one (the smallest) font size."""
    heights = sorted(b[3] for b in [*labels.values(), *printed] if b[3] > 3)
    if not heights:
        return 4.0
    same = [h for h in heights if h <= P.SAME_SIZE * heights[0]]
    return float(max(4.0, np.median(same)))


def label_width(role: str, char_w: float) -> int:
    return int(round((len(role) + 1) * char_w))


def is_swollen(role: str, box: XYWH, box_h: float, char_w: float) -> bool:
    return box[3] > P.SWOLLEN_HEIGHT * box_h or box[2] > P.SWOLLEN_WIDTH_PER_CHAR * label_width(role, char_w) + box_h


def settle_labels(ink: np.ndarray, raw: Mapping[str, XYWH], box_h: float) -> dict[str, Label]:
    """Read labels, swollen boxes cut back to the printed label, unread labels placed.

    `box_h` is the block's usual OCR box height; a character's width is measured on the
    ordinary label boxes (OCR pads boxes: 1.5-1.6x the glyph height, 1.0-1.1x its width)."""
    plain = {r: b for r, b in raw.items() if b[3] <= P.SWOLLEN_HEIGHT * box_h}
    widths = [b[2] / (len(r) + 1) for r, b in plain.items()]
    char_w = float(np.median(widths)) if widths else P.CHAR_WIDTH * box_h
    # a box much wider than its text held in the other boxes is swollen too
    if len(widths) >= 2:
        char_w = min(widths) if max(widths) > P.SWOLLEN_WIDTH_PER_CHAR * min(widths) else char_w
    labels: dict[str, Label] = {}
    good = {r: b for r, b in raw.items() if not is_swollen(r, b, box_h, char_w)}
    for role, box in raw.items():
        if role in good:
            labels[role] = Label(role, box, "read")
            continue
        x, y, w, h = box
        row = [b for b in good.values() if y <= b[1] + b[3] / 2 <= y + h]
        centre = float(np.median([b[1] + b[3] / 2 for b in row])) if row else None
        guess = _pitch_guess(role, good, box_h)
        window = _best_window(ink, role, box, box_h, char_w, centre, guess)
        labels[role] = Label(role, window, "refined")
    known = {r: lab.box for r, lab in labels.items()}
    for role in SIGNATURE_ROLES:
        if role in labels:
            continue
        guess = _pitch_guess(role, known, box_h)
        if guess is None:
            continue
        gx, gy = guess
        w = label_width(role, char_w)
        area = (int(gx - P.PLACE_SEARCH_X * char_w), int(gy - P.PLACE_SEARCH_Y * box_h),
                int(w + 2 * P.PLACE_SEARCH_X * char_w), int(box_h * (1 + 2 * P.PLACE_SEARCH_Y)))
        if area[0] < 0 or area[1] < 0 or area[0] + area[2] > ink.shape[1] or area[1] + area[3] > ink.shape[0]:
            continue
        box = _best_window(ink, role, area, box_h, char_w, gy + box_h / 2, guess)
        seen = _printed_score(ink, box, box_h) >= P.LABEL_SEEN
        # the place is known to a character or so: that margin is the label's, not the field's
        pad = int(P.PLACE_MARGIN * char_w)
        labels[role] = Label(role, (box[0] - pad, box[1], box[2] + 2 * pad, box[3]), "placed", seen)
    return labels


def glyph_height(ink: np.ndarray, boxes: Sequence[XYWH], box_h: float) -> float:
    """The printed glyphs' height (OCR boxes are padded): the median ink extent in the boxes."""
    heights = []
    for x, y, w, h in boxes:
        rows = np.flatnonzero((ink[max(0, y): y + h, max(0, x): x + w] > 0).sum(axis=1) >= 2)
        if rows.size:
            heights.append(rows[-1] - rows[0] + 1)
    if not heights:
        return box_h
    return float(min(box_h, max(4.0, np.median(heights))))


def _pitch_guess(role: str, known: Mapping[str, XYWH], lh: float) -> tuple[float, float] | None:
    """Top-left of `role`'s label from two others on one row (or in one column), printed in
    the order 单位负责人, 统计负责人, 填表人 at an even pitch."""
    index = SIGNATURE_ROLES.index(role)
    items = sorted((SIGNATURE_ROLES.index(r), b) for r, b in known.items() if r != role)
    for (i, a), (j, b) in ((p, q) for n, p in enumerate(items) for q in items[n + 1:]):
        if abs((a[1] + a[3] / 2) - (b[1] + b[3] / 2)) < P.SAME_ROW * lh and b[0] > a[0]:
            pitch = (b[0] - a[0]) / (j - i)
            return a[0] + (index - i) * pitch, (a[1] + b[1]) / 2
        if abs(a[0] - b[0]) < P.SAME_COLUMN * lh and b[1] > a[1]:
            pitch = (b[1] - a[1]) / (j - i)
            return (a[0] + b[0]) / 2, a[1] + (index - i) * pitch
    return None


def _best_window(ink: np.ndarray, role: str, area: XYWH, lh: float, char_w: float, centre_y: float | None,
                 guess: tuple[float, float] | None) -> XYWH:
    """The label-sized window in `area` that looks most like a printed row of text."""
    x, y, w, h = area
    lw, lhi = label_width(role, char_w), int(round(lh))
    ys = [int(round(centre_y - lh / 2))] if centre_y is not None else list(range(y, max(y + 1, y + h - lhi + 1), max(1, lhi // 4)))
    best, best_score = (x, ys[0], min(w, lw), lhi), -9.0
    for wy in ys:
        for wx in range(x, max(x + 1, x + w - lw + 1), max(1, lhi // 4)):
            box = (wx, wy, lw, lhi)
            score = _printed_score(ink, box, lh)
            if guess is not None:
                score -= P.PLACE_DISTANCE_COST * abs(wx - guess[0]) / lh
            if score > best_score:
                best, best_score = box, score
    return best


def _printed_score(ink: np.ndarray, box: XYWH, lh: float) -> float:
    """Share of columns with ink in the text band minus twice the share with ink just above or
    below it: printed text fills its band and leaves the strips around it blank."""
    x, y, w, h = box
    x0, x1 = max(0, x), min(ink.shape[1], x + w)
    if x1 <= x0:
        return -1.0
    margin, reach = int(0.15 * lh), int(0.7 * lh)
    band = ink[max(0, y + int(0.1 * lh)): max(0, y + h - int(0.1 * lh)), x0:x1]
    above = ink[max(0, y - reach): max(0, y - margin), x0:x1]
    below = ink[max(0, y + h + margin): max(0, y + h + reach), x0:x1]
    inside = float((band > 0).any(axis=0).mean()) if band.size else 0.0
    outside = np.zeros(x1 - x0, bool)
    for strip in (above, below):
        if strip.size:
            outside |= (strip > 0).any(axis=0)
    return inside - 2 * float(outside.mean())


def block_ink(grey: np.ndarray, lh: float) -> np.ndarray:
    """Dark ink of the page without long horizontal rules (underlines would spoil the strips
    around printed text). A morphological opening, not the Hough line mask: Hough also finds
    "lines" along rows of print and cuts them up."""
    block = max(15, int(2 * lh) | 1)
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(8, int(3 * lh)), 1)))
    return cv2.bitwise_and(ink, cv2.bitwise_not(cv2.dilate(rules, np.ones((3, 1), np.uint8))))


# --- OCR line plumbing ------------------------------------------------------------------------


def text_and_box(line: Any) -> tuple[str, XYWH]:
    if hasattr(line, "text") and hasattr(line, "box"):
        text, box = line.text, line.box
    else:
        text, box = line
    return str(text), to_xywh(box)


def to_xywh(box: Any) -> XYWH:
    arr = np.asarray(box, dtype=np.float64)
    if arr.ndim == 2:  # polygon [[x, y], ...]
        x0, y0 = arr.min(axis=0)
        x1, y1 = arr.max(axis=0)
    else:  # (x0, y0, x1, y1)
        x0, y0, x1, y1 = arr[:4]
    return int(round(x0)), int(round(y0)), int(round(x1 - x0)), int(round(y1 - y0))
