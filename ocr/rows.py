"""Rows of the form's table: each indicator's row found by its printed code, else by its label
(with the template's order as context), and each row's residual tilt."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from ocr import layout, table
from ocr.model import OcrLine
from ocr.table import TableModel
from ocr.tokens import is_misread_code, looks_numeric, parse_code
from registry.template import Indicator, Template

MIN_LABEL_SCORE = 75
FRAME_EDGE = 1      # px: a line starting this near the page image's left edge was cut by the frame
CUT_LABEL_MIN = 3   # characters of a cut label's end that name it (a 2-character end fits many)
CODE_WINDOW = 3.0   # text heights either side of the 代码 header's centre where codes stand
CODES_AGAINST_HEADER = 5   # codes in one column, in template order, that outweigh a header naming none
UNIT_WINDOW = 2.0   # text heights either side of the units' median centre (a stray "人" of seal text is no unit)

Anchor = tuple[str, OcrLine, str]   # (code, the line that places the row, "code" | "label")


@dataclass
class Located:
    anchors: list[Anchor]
    model: TableModel
    doubtful: set[str]   # codes read but not trusted (duplicated, out of order)


def locate(lines: list[OcrLine], template: Template, page_width: int) -> Located:
    """Every indicator row on the page and the table model: codes only where the header places
    a 代码 column (anywhere when no header was read), labels for rows whose code was not read,
    then each column's range from the header and that content (ocr.table)."""
    text_h = layout.median_height(lines)
    order = {c: k for k, c in enumerate(template.codes)}
    header = table.header_cells(lines, template)
    cells = header[0] if header else {}
    window = None
    if "code" in cells:
        centre = (cells["code"][0] + cells["code"][1]) / 2
        window = (centre - CODE_WINDOW * text_h, centre + CODE_WINDOW * text_h)
    by_code, doubtful = code_rows(lines, template, window)
    if header is not None and "code" not in cells and len(by_code) < CODES_AGAINST_HEADER:
        # the header names no code column (or its 代码 was not read): a few code-like figures
        # ("507" for S07) are figures; only a whole column of codes outweighs the header
        by_code, doubtful = [], set()
    code_pitch = row_pitch(by_code, order, text_h)
    label_x0 = cells["label"][0] if "label" in cells else None
    right_of_label = [c[0] for r, c in cells.items() if r != "label" and (label_x0 is None or c[0] > label_x0)]
    limit = min(right_of_label) if label_x0 is not None and right_of_label else None
    # every label competes for every indicator (else a found row's label grabs a similar one)
    by_label = label_rows(lines, template, set(), limit, by_code)
    anchors: list[Anchor] = [(c, ln, "code") for c, ln in by_code]
    found = {c for c, _ in by_code}
    anchors += [(c, ln, "label") for c, ln in by_label
                if c not in found and not any(abs(ln.cy - a.cy) < 0.5 * code_pitch for _, a in by_code)]
    anchors += [(c, ln, "label") for c, ln in gap_rows(lines, template, anchors, limit,
                                                       row_pitch([(c, a) for c, a, _ in anchors], order, text_h))]
    code_lines = [ln for _, ln in by_code]
    units = _units(lines, template, header[1] if header else None, text_h)
    pitch = row_pitch([(c, a) for c, a, _ in anchors], order, text_h)
    codes, taken = set(order), {id(ln) for ln in code_lines + units}
    figure_like = [ln for ln in lines if id(ln) not in taken and looks_numeric(ln.text)
                   and not is_misread_code(ln.text, codes)]
    picks = []   # each row's right-most figure-like text that is no code or unit: the value column
    for _, a, _ in anchors:
        near = [ln for ln in figure_like if ln is not a and abs(ln.cy - a.cy) <= 0.45 * pitch]
        if near:
            picks.append(max(near, key=lambda x: x.box[2]))
    model = table.build(lines, template, page_width, codes=code_lines, units=units,
                        labels=[ln for _, ln in by_label], figures=picks if len(picks) >= 3 else [])
    return Located(anchors, model, doubtful)


def _units(lines: list[OcrLine], template: Template, header_y: float | None, text_h: float) -> list[OcrLine]:
    names = {i.unit for i in template.indicators}
    found = [ln for ln in lines if "".join(ln.text.split()) in names and (header_y is None or ln.cy > header_y)]
    if len(found) < 3:
        return found
    mid = statistics.median(ln.cx for ln in found)
    return [ln for ln in found if abs(ln.cx - mid) <= UNIT_WINDOW * text_h]


WRAP_GAP = 0.8      # text heights between a wrapped label's two lines at most
WRAP_INDENT = 3.0   # text heights the second line may start right of the first (a 其中 row's indent)
WRAP_GAIN = 5       # points a joined label must score above either half


def _join_wrapped(text_lines: list[OcrLine], scores: Callable[[OcrLine], list[tuple[float, Indicator]]]
                  ) -> list[tuple[OcrLine, list[tuple[float, Indicator]]]]:
    """Each text line with its label scores; a long label wrapped onto two lines is joined with the
    line right below it when the joined text names a label better than either line alone."""
    out: list[tuple[OcrLine, list[tuple[float, Indicator]]]] = []
    skip: set[int] = set()
    for i, ln in enumerate(text_lines):
        if i in skip:
            continue
        own = scores(ln)
        best = max((s for s, _ in own), default=0)
        for j in range(i + 1, min(i + 4, len(text_lines))):
            nxt = text_lines[j]
            h = max(ln.height, nxt.height, 1)
            if nxt.box[1] - ln.box[3] > WRAP_GAP * h:
                break
            if nxt.box[1] <= ln.cy or not -h <= nxt.box[0] - ln.box[0] <= WRAP_INDENT * h:
                continue
            joined = OcrLine(ln.text + nxt.text, min(ln.score, nxt.score),
                             (min(ln.box[0], nxt.box[0]), ln.box[1], max(ln.box[2], nxt.box[2]), nxt.box[3]), ln.engine)
            both = scores(joined)
            if max((s for s, _ in both), default=0) >= max(best, max((s for s, _ in scores(nxt)), default=0)) + WRAP_GAIN:
                own, ln = both, joined
                skip.add(j)
            break
        out.append((ln, own))
    return out


OFF_PLACE = 2.0   # row pitches: a wrapped label or a part heading moves a row by about one


def code_rows(lines: list[OcrLine], template: Template,
              x_range: tuple[float, float] | None = None) -> tuple[list[tuple[str, OcrLine]], set[str]]:
    """(code, line) pairs in page order that agree with the template's order, and the codes
    seen but doubtful (duplicated or out of order: maybe misread). Only text centred in
    `x_range` (the 代码 column, when the header placed it) can be a code: on a form without a
    code column a figure "507" read as S07 took the row of M15 away."""
    codes = set(template.codes)
    order = {c: i for i, c in enumerate(template.codes)}
    found = sorted(((parse_code(ln.text, codes), ln) for ln in lines
                    if x_range is None or x_range[0] <= ln.cx <= x_range[1]), key=lambda t: t[1].cy)
    found = [(c, ln) for c, ln in found if c]
    counts: dict[str, int] = {}
    for c, _ in found:
        counts[c] = counts.get(c, 0) + 1
    unique = [(c, ln) for c, ln in found if counts[c] == 1]
    keep = _longest_increasing(unique, order)
    if len(keep) >= 3:  # codes stand in one column: a "code" elsewhere is a misread figure
        col = statistics.median(ln.cx for _, ln in keep)
        h = statistics.median(ln.height for _, ln in keep)
        keep = [(c, ln) for c, ln in keep if abs(ln.cx - col) <= 2.5 * h]
    keep = _in_their_place(keep, order)
    doubtful = {c for c, _ in found} - {c for c, _ in keep}
    return keep, doubtful


def _in_their_place(keep: list[tuple[str, OcrLine]], order: dict[str, int]) -> list[tuple[str, OcrLine]]:
    """The codes that stand where their neighbours in the template's order put them: a code read
    OFF_PLACE row pitches or more from where its two neighbours place it (by the rows between) is a
    misread one standing on another row (seed 139: "P05" read at P08's row under a grey seal, the
    real P05-P08 codes unread; the labels of P06-P08 then had no room between P04 and it)."""
    if len(keep) < 4:
        return keep
    pitch = row_pitch(keep, order, statistics.median(ln.height for _, ln in keep))
    out = list(keep)
    while len(out) >= 4:   # the furthest off first: a misread code also misplaces its neighbours' expectation
        def off(i: int) -> float:
            (ca, a), (c, ln), (cb, b) = out[i - 1], out[i], out[i + 1]
            return abs(ln.cy - a.cy - (b.cy - a.cy) * (order[c] - order[ca]) / (order[cb] - order[ca]))
        worst = max(range(1, len(out) - 1), key=off)
        if off(worst) < OFF_PLACE * pitch:
            break
        del out[worst]
    return out


def _longest_increasing(items: list[tuple[str, OcrLine]], order: dict[str, int]) -> list[tuple[str, OcrLine]]:
    n = len(items)
    if n == 0:
        return []
    best = [1] * n
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if order[items[j][0]] < order[items[i][0]] and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    i = max(range(n), key=lambda k: best[k])
    out = []
    while i >= 0:
        out.append(items[i])
        i = prev[i]
    return out[::-1]


def row_pitch(anchors: list[tuple[str, OcrLine]], order: dict[str, int], fallback: float) -> float:
    """Height of one table row: the gap between two found rows divided by how many template rows
    lie between them (rows whose code was misread leave gaps; a part heading adds one row)."""
    pts = sorted((ln.cy, order[c]) for c, ln in anchors)
    per_row = [(y2 - y1) / (o2 - o1) for (y1, o1), (y2, o2) in zip(pts, pts[1:], strict=False)
               if o2 > o1 and y2 - y1 > 0.5 * fallback]
    return statistics.median(per_row) if per_row else 2.0 * fallback


def label_like(lines: Sequence[OcrLine], template: Template, right_limit: float | None) -> list[OcrLine]:
    """Lines that may be a row's label: text, no figure or unit name, left of the other columns."""
    units = {i.unit for i in template.indicators}
    return [ln for ln in lines if len(ln.text) >= 2 and not looks_numeric(ln.text) and ln.text not in units
            and (right_limit is None or ln.box[0] < right_limit)]


def label_score(ind: Indicator, text: str, cut: bool = False) -> float:
    """How well `text` (spaces removed) names the indicator's label, with or without its 其中：.
    `cut`: the line starts at the page's left edge, where a photo's frame cut it, so it may be the
    label's end alone ("技馆个数" for 科技馆个数, "科技馆站个数" for 青少年科技馆站个数; seed 359)."""
    whole = max(fuzz.ratio(ind.label, text), fuzz.ratio(ind.bare_label, text))
    if not cut or len(text) < CUT_LABEL_MIN:
        return whole
    return max(whole, fuzz.ratio(ind.label[-len(text):], text))


def cut_by_frame(ln: OcrLine) -> bool:
    """The line starts at the page image's left edge: the photo's frame cut it there."""
    return ln.box[0] <= FRAME_EDGE


def label_rows(lines: list[OcrLine], template: Template, skip_codes: set[str],
               right_limit: float | None, known: Sequence[tuple[str, OcrLine]] = ()) -> list[tuple[str, OcrLine]]:
    """(code, label line) for rows identified by their label; ambiguous labels (the same words
    under different parents) resolved by template order between unambiguous neighbours, the
    rows `known` by their code among them."""
    candidates = [i for i in template.indicators if i.code not in skip_codes]
    order = {c: k for k, c in enumerate(template.codes)}
    text_lines = label_like(sorted(lines, key=lambda x: x.cy), template, right_limit)

    def scores(ln: OcrLine) -> list[tuple[float, Indicator]]:
        text, cut = ln.text.replace(" ", ""), cut_by_frame(ln)
        return [(label_score(ind, text, cut), ind) for ind in candidates]

    scored: list[tuple[OcrLine, list[Indicator]]] = []
    for ln, found in _join_wrapped(text_lines, scores):
        top = max((s for s, _ in found), default=0)
        if top < MIN_LABEL_SCORE:
            continue
        scored.append((ln, [ind for s, ind in found if s >= top - 2]))
    # first pass: unambiguous labels are anchors
    assigned: list[tuple[int, str | None]] = []
    for _ln, inds in scored:
        assigned.append((order[inds[0].code], inds[0].code) if len(inds) == 1 else (-1, None))
    result: list[tuple[str, OcrLine]] = []
    used: set[str] = set()
    for k, (ln, inds) in enumerate(scored):
        code = assigned[k][1]
        if code is None:
            lo = max([assigned[j][0] for j in range(k) if assigned[j][1]]
                     + [order[c] for c, a in known if a.cy < ln.cy - ln.height / 2], default=-1)
            hi = min([assigned[j][0] for j in range(k + 1, len(scored)) if assigned[j][1]]
                     + [order[c] for c, a in known if a.cy > ln.cy + ln.height / 2], default=10**6)
            fits = [i for i in inds if lo < order[i.code] < hi and i.code not in used]
            if len(fits) != 1:
                fits = fits[:1] if fits and lo >= 0 else []  # nearest after the previous anchor
            if not fits:
                continue
            code = fits[0].code
            assigned[k] = (order[code], code)
        if code in used:
            continue
        used.add(code)
        result.append((code, ln))
    return result


GAP_LABEL_SCORE = 50   # a misread label between its two neighbours: "捐姻" for 捐赠 scores 50
GAP_REACH = 1.5        # row pitches from a page's first or last found row where the next one stands
GAP_MIDDLE = 0.25      # row pitches from the middle between its two neighbours: a row's own place


def gap_rows(lines: list[OcrLine], template: Template, anchors: Sequence[Anchor],
             right_limit: float | None, pitch: float) -> list[tuple[str, OcrLine]]:
    """Rows whose label was misread too badly to be named alone but that the template's order
    pins: an indicator missing next to a found row (between two found rows, or within GAP_REACH
    pitches past the page's first or last one) takes the one unused text line standing there, if
    that line's best label is this indicator's and scores at least GAP_LABEL_SCORE (a part
    heading or a stray mark there names no label that well), or, between two found rows, if it
    stands in the row's own place (GAP_MIDDLE) and names no other label."""
    order = {c: k for k, c in enumerate(template.codes)}
    at = {order[c]: ln for c, ln, _ in anchors}
    used = {id(ln) for _, ln, _ in anchors}
    free = [ln for ln in label_like(lines, template, right_limit) if id(ln) not in used]
    out: list[tuple[str, OcrLine]] = []
    for k, ind in enumerate(template.indicators):
        before, after = at.get(k - 1), at.get(k + 1)
        if k in at or (before is None and after is None):
            continue
        top = before.cy + before.height / 2 if before is not None else after.cy - GAP_REACH * pitch
        bottom = after.cy - after.height / 2 if after is not None else before.cy + GAP_REACH * pitch
        between = [ln for ln in free if top < ln.cy < bottom]
        if len(between) != 1:
            continue
        text = between[0].text.replace(" ", "")
        own = label_score(ind, text)
        other = max(label_score(i, text) for i in template.indicators if i is not ind)
        named = own >= GAP_LABEL_SCORE and other < own
        # between two found rows, one line standing just where the row must be is its label,
        # however misread ("揭雕" for 捐赠: no character right; seeds 211, 233, 239), unless it
        # names another row better
        pinned = (before is not None and after is not None and other < GAP_LABEL_SCORE
                  and abs(between[0].cy - (before.cy + after.cy) / 2) <= GAP_MIDDLE * pitch)
        if named or pinned:
            out.append((ind.code, between[0]))
            free.remove(between[0])
    return out


def row_slopes(anchors: list[tuple[str, OcrLine, str]], lines: list[OcrLine],
                columns: Callable[[OcrLine], tuple[float, float]], tol: float) -> dict[str, float]:
    """Residual tilt of each row (dy/dx) from anchor -> figure pairs: what deskew or a photo's
    perspective left over moves a row by several pixels across a wide table, and on a photo of a
    bent or tilted sheet by more lower down than higher up. So each row takes the median tilt of
    the LOCAL_ROWS rows nearest to it; a second pass looks for the figures where the first placed
    them, which finds the rows that drifted furthest."""
    local = dict.fromkeys((c for c, _, _ in anchors), 0.0)
    for _ in range(2):
        pairs = []
        for code, anchor, _ in anchors:
            lo, hi = columns(anchor)
            near = [ln for ln in lines if ln is not anchor and lo - 2 <= ln.cx <= hi and looks_numeric(ln.text)
                    and abs(ln.cy - anchor.cy - local[code] * (ln.cx - anchor.cx)) <= 1.5 * tol]
            if len(near) == 1 and abs(near[0].cx - anchor.cx) > 4 * tol:  # a code may stand right of its figure
                pairs.append((anchor.cy, (near[0].cy - anchor.cy) / (near[0].cx - anchor.cx)))
        if len(pairs) < 3:
            return local
        for code, anchor, _ in anchors:
            nearest = sorted(pairs, key=lambda p: abs(p[0] - anchor.cy))[:LOCAL_ROWS]
            local[code] = float(statistics.median(sl for _, sl in nearest))
    return local


LOCAL_ROWS = 5
