"""Are the three signatures (单位负责人 / 统计负责人 / 填表人) on the signature page?

The OCR reader finds the printed labels (ocr.signature_labels corrects swollen boxes and places
unread labels by the others' pitch). For each label, the space to its right and the space below
it (ocr.signature_regions) are searched for a name (ocr.signature_judge); where a field holds
only a little ink, a larger field is judged once more (a name written high, or one whose long
flat stroke the rule finder took for a rule). Thresholds: ocr.signature_params. Sizes are
relative to the block's text height, so dpi does not matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from ocr import signature_params as P
from ocr.seal import ABSENT, PRESENT, UNCERTAIN, detect_seal
from ocr.seal_masks import as_bgr, is_colour
from ocr.signature_ink import Circle, seal_circle
from ocr.signature_judge import SignatureResult, SignPage, judge_region, overlaps, overlaps_disc
from ocr.signature_labels import (
    SIGNATURE_ROLES,
    Label,
    block_ink,
    find_signature_labels,
    glyph_height,
    printed_word_boxes,
    settle_labels,
    text_height,
)
from ocr.signature_regions import (
    Rulings,
    below_region,
    bottom_at_rule,
    find_rulings,
    right_region,
    row_slope,
    rows_along,
)

__all__ = ["SIGNATURE_ROLES", "SignatureResult", "detect_signatures", "find_signature_labels"]

XYWH = tuple[int, int, int, int]


def detect_signatures(
    image_bgr: np.ndarray,
    label_boxes: Mapping[str, XYWH] | Sequence[Any],
    *,
    seal_box: XYWH | None = None,
    obstacle_boxes: Iterable[XYWH] = (),
    table_cells: Iterable[XYWH] = (),
) -> dict[str, SignatureResult]:
    """Judge each signature field. `label_boxes`: {role: (x, y, w, h)} or the page's OCR lines.

    The page must be upright (the reader's normaliser runs first). `obstacle_boxes` are printed
    text boxes (x, y, w, h) to ignore and to bound the fields by. `seal_box` is the unit seal's
    box; on grey scans it is looked for here when not given (its ring and lettering are told
    from handwriting by shape). `table_cells`: where the form's table has figures (x, y, w, h):
    rows of print that no name written above its signing line rises past.
    """
    image = as_bgr(image_bgr)
    obstacles = list(obstacle_boxes)
    if isinstance(label_boxes, Mapping):
        raw = dict(label_boxes)
    else:
        lines = list(label_boxes)
        raw = find_signature_labels(lines)
        obstacles += printed_word_boxes(lines)
    if not raw:
        return {role: _not_found(role) for role in SIGNATURE_ROLES}
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    colour = is_colour(image)
    box_h = int(round(text_height(raw, obstacles)))
    # in the red channel the red seal is nearly paper: print and pen stay, the seal goes
    band, top = _block_band(image[..., 2] if colour else grey, raw, box_h)
    ink = np.zeros_like(grey)
    ink[top: top + band.shape[0]] = block_ink(band, box_h)
    labels = settle_labels(ink, raw, box_h)
    # every size below is in glyph heights (the sizes of the form's print, as measured)
    lh = int(round(glyph_height(ink, [lab.box for lab in labels.values() if lab.how == "read"], box_h)))
    if not colour and seal_box is None:
        seal = detect_seal(image)
        seal_box = seal.box if seal.status != ABSENT else None
    circle = seal_circle(grey, seal_box) if seal_box is not None else None
    raw_ink = cv2.adaptiveThreshold(band, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, max(15, (2 * lh) | 1), 15)
    rulings = find_rulings(raw_ink, lh)
    # rows of print OCR did not report (or the caller did not pass) bound the fields from below
    rows = rows_along(ink[top: top + band.shape[0]], lh, row_slope([lab.box for lab in labels.values() if lab.how == "read"], box_h))
    rows = [(x, y + top, w, h) for x, y, w, h in rows]
    rulings = Rulings([(y + top, a, b) for y, a, b in rulings.horizontal], [(x, a + top, b + top) for x, a, b in rulings.vertical])
    if circle is not None:
        rulings = _off_the_seal(rulings, circle)
        rows = [r for r in rows if not _amid_the_seal(r, circle)]
    page = SignPage(image, grey, colour, lh, circle, seal_box, rulings, rows, list(table_cells))
    return {role: _judge_role(page, role, labels, obstacles) if role in labels else _not_found(role)
            for role in SIGNATURE_ROLES}


def _not_found(role: str) -> SignatureResult:
    return SignatureResult(UNCERTAIN, 0.3, None, f"未找到“{role}”栏，无法判断是否签字，请人工核对")


def _block_band(grey: np.ndarray, labels: Mapping[str, XYWH], lh: int) -> tuple[np.ndarray, int]:
    """The rows of the page around the signature block (all the work happens there)."""
    top = max(0, min(b[1] for b in labels.values()) - 12 * lh)
    bottom = min(grey.shape[0], max(b[1] + b[3] for b in labels.values()) + 14 * lh)
    return grey[top:bottom], top


def _judge_role(page: SignPage, role: str, labels: Mapping[str, Label], obstacles: list[XYWH]) -> SignatureResult:
    label = labels[role]
    others = [lab.box for r, lab in labels.items() if r != role]
    shape = page.image.shape
    verdicts = []
    lab = label.box
    # printed rows found in the image bound a field from below
    # (only rows under the label: above it, a name rising from the signing line looks like one)
    rows = [r for r in page.rows if r[1] > lab[1] + lab[3] + 0.3 * page.lh
            and not any(overlaps(r, b) for b in [lab, *others])]
    right = right_region(label.box, page.lh, others, obstacles, page.rulings, shape, rows)
    if right is not None:
        verdicts.append(judge_region(page, role, label.box, right, obstacles + others, signing_row=True))
        if verdicts[-1].status == UNCERTAIN:
            for second_look in (_over_a_flat_stroke, _written_high):
                again = second_look(page, role, label.box, right, others, obstacles, rows)
                if again is not None:
                    verdicts.append(again)
                    break
    below = below_region(label.box, page.lh, others, obstacles, page.rulings, shape, rows)
    if below is not None:
        verdicts.append(judge_region(page, role, label.box, below, obstacles + others, signing_row=False))
        if verdicts[-1].status == UNCERTAIN:
            past = _past_a_flat_stroke(page, role, label.box, below, others, obstacles, rows)
            if past is not None:
                verdicts.append(past)
    if not verdicts:
        return SignatureResult(UNCERTAIN, 0.3, None, f"“{role}”旁边和下方都没有可签字的空间，请人工核对")
    rank = {PRESENT: 2, UNCERTAIN: 1, ABSENT: 0}
    best = max(verdicts, key=lambda v: (rank[v.status], v.score if v.status != ABSENT else -v.score))
    if best.status == ABSENT:
        # absent everywhere: report the right-hand field (where the form asks for the name)
        best = verdicts[0]
        if label.how == "placed" and not label.seen:
            return SignatureResult(UNCERTAIN, 0.3, best.box,
                                   f"未找到“{role}”栏，按其他栏的位置推定后该处未见签字，请人工核对")
    if label.how == "placed":
        best = SignatureResult(best.status, best.score, best.box, best.reason + "（该栏文字未识别，按其他栏的位置推定）")
    return best


def _written_high(page: SignPage, role: str, label: XYWH, right: XYWH, others: list[XYWH],
                  obstacles: list[XYWH], rows: list[XYWH]) -> SignatureResult | None:
    """The field right of a label held only a little ink: the name may be written large, rising
    far above the signing line (seed 239: a name 7 text heights tall whose foot alone entered the
    field, ending just over the label's top). Judged again up to TALL_ABOVE text heights high
    (print, rules and the other fields bound it as before), the name is signed when that taller
    field holds one that comes down to within TALL_ROW_ABOVE of the label's row; off the unit seal
    only, whose lettering could pass for a name."""
    taller = right_region(label, page.lh, others, obstacles, page.rulings, page.image.shape, rows, above=P.TALL_ABOVE)
    if taller is None:
        return None
    # print anywhere across the page above the label (a figure of the table, a long printed
    # line) is a row of the table or the block: a name does not rise past it (seed 409: the
    # 计量单位 words of the table's last rows, too short to count as print and beside labels OCR
    # had not read, stood in the taller field of an unsigned 统计负责人)
    print_above = [o[1] + o[3] for o in [*obstacles, *page.table_cells] if taller[1] < o[1] + o[3] <= label[1]]
    if print_above:
        top = max(print_above) + int(P.OBSTACLE_PAD * page.lh)
        taller = (taller[0], top, taller[2], taller[1] + taller[3] - top)
    if taller[1] >= right[1] or (page.circle is not None and overlaps_disc(taller, page.circle)):
        return None
    verdict = judge_region(page, role, label, taller, obstacles + others, signing_row=True,
                            row_above=P.TALL_ROW_ABOVE)
    if verdict.status != PRESENT:
        return None
    return SignatureResult(PRESENT, verdict.score, verdict.box, verdict.reason + "（签名写在签字线上方）")


def _over_a_flat_stroke(page: SignPage, role: str, label: XYWH, right: XYWH, others: list[XYWH],
                        obstacles: list[XYWH], rows: list[XYWH]) -> SignatureResult | None:
    """The field right of a label began at a "rule" just over the label's top with a little ink
    under it: the rule may be a long flat stroke of the name itself (seed 373: a 7 lh stroke
    across the top of a name on the line, the rest of the name above it). A stroke's ends are
    free; a table's border meets the table's vertical rules. Judged again without that stroke at
    the usual height, the name is signed when that field holds one."""
    cut = [h for h in page.rulings.horizontal if h[0] + 2 == right[1] and not _meets_vertical(h, page)]
    if not cut:
        return None
    higher = right_region(label, page.lh, others, obstacles, _rulings_without(page, cut), page.image.shape, rows)
    if higher is None or higher[1] >= right[1]:
        return None
    return _signed_past_a_stroke(page, role, label, higher, obstacles + others, signing_row=True)


def _meets_vertical(rule: tuple[int, int, int], page: SignPage) -> bool:
    """Either end of a horizontal rule meets a vertical rule (a corner or a joint of a table)."""
    ry, rx0, rx1 = rule
    near = P.CORNER_REACH * page.lh
    return any(abs(vx - end) <= near and vy0 - near <= ry <= vy1 + near
               for vx, vy0, vy1 in page.rulings.vertical for end in (rx0, rx1))


def _past_a_flat_stroke(page: SignPage, role: str, label: XYWH, below: XYWH, others: list[XYWH],
                        obstacles: list[XYWH], rows: list[XYWH]) -> SignatureResult | None:
    """The space under a label ended at a "rule" with a little ink above it: the rule may be a
    long flat stroke of the name itself (seeds 163 and 191: 7-8 text heights, straight enough for
    the rule finder, the rest of the name below it). Judged again as far as the next boundary,
    the name is signed when that larger space holds a name; off the unit seal only, whose lettering
    below the rule could pass for one."""
    bottom = below[1] + below[3]
    cut = [h for h in page.rulings.horizontal if bottom_at_rule(h[0], page.lh) == bottom]
    if not cut:
        return None
    wider = below_region(label, page.lh, others, obstacles, _rulings_without(page, cut), page.image.shape, rows)
    if wider is None or wider[1] + wider[3] <= bottom or (page.circle is not None and overlaps_disc(wider, page.circle)):
        return None
    return _signed_past_a_stroke(page, role, label, wider, obstacles + others, signing_row=False)


def _rulings_without(page: SignPage, cut: list[tuple[int, int, int]]) -> Rulings:
    """The block's rules less the horizontal ones taken for a name's flat stroke."""
    return Rulings([h for h in page.rulings.horizontal if h not in cut], page.rulings.vertical)


def _signed_past_a_stroke(page: SignPage, role: str, label: XYWH, region: XYWH, obstacles: list[XYWH],
                          signing_row: bool) -> SignatureResult | None:
    """The field judged again past a flat stroke: signed when it holds a name, else no verdict."""
    verdict = judge_region(page, role, label, region, obstacles, signing_row=signing_row)
    if verdict.status != PRESENT:
        return None
    return SignatureResult(PRESENT, verdict.score, verdict.box, verdict.reason + "（名字中的长横笔像一条线，已越过它判断）")


def _off_the_seal(rulings: Rulings, circle: Circle) -> Rulings:
    """Straight runs along the seal's ring (its flattest stretches) or through its star are
    the seal, not cell edges."""

    def on_seal(x: float, y: float) -> bool:
        rho = np.hypot(x - circle.cx, y - circle.cy) / circle.r
        return rho < P.STAR_OUTER or abs(rho - 1) < 2 * P.RING_BAND

    return Rulings([s for s in rulings.horizontal if not on_seal((s[1] + s[2]) / 2, s[0])],
                   [s for s in rulings.vertical if not on_seal(s[0], (s[1] + s[2]) / 2)])


def _amid_the_seal(row: XYWH, circle: Circle) -> bool:
    """A run of ink OCR did not report as print, centred inside the seal's ring: its lettering or
    star (seed 271: the top of a colour seal's lettering, left dark in the red channel, was taken
    for a row of print and cut two boxed fields above the names in them). Print under the seal is
    reported by OCR and still bounds the fields as an obstacle."""
    x, y, w, h = row
    return bool(np.hypot(x + w / 2 - circle.cx, y + h / 2 - circle.cy) < circle.r * (1 + 2 * P.RING_BAND))
