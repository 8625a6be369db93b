"""The recognise stage: which detected text lines to read, and reading them.

Recognition is the reader's largest cost (per pixel of crop). Short lines (codes, units, short
figures, header words) are read first; what they reveal about the page's table then spares lines
whose content the template already knows: the long labels of rows whose code was read, and the
rest of a column that a sample shows to hold the template's units (计量单位).
"""

from __future__ import annotations

import numpy as np

from ocr import layout, rows, tokens
from ocr.engines import rapid
from ocr.model import Box, OcrLine
from registry.template import Template

SHORT_ASPECT = 3.5      # codes, units, short figures: recognised first
UNIT_COLUMN_MIN = 10    # short lines in a column before sampling it pays (fewer are all read)
UNIT_SAMPLE = 6         # lines read, top to bottom, to tell whether a column holds the units ...
UNIT_SAMPLE_AGREE = 5   # ... of which this many must be the template's unit names
COLUMN_GAP = 1.0        # text heights between the centres of two columns' short lines
UNIT_REACH = 0.5        # text heights beside the sampled unit names' centres a spared line stands
                        # (centred text; a narrow figure column next to it starts further away)


def aabb(q: np.ndarray) -> Box:
    return (int(q[:, 0].min()), int(q[:, 1].min()), int(q[:, 0].max()), int(q[:, 1].max()))


def recognise_needed(grey: np.ndarray, quads: np.ndarray, template: Template) -> list[OcrLine]:
    """Recognise short lines first, except the inside of a column that a sample shows to hold the
    units; when they reveal a code column, skip the long label texts of rows whose code was read
    (labels only matter where the code is missing or doubtful)."""
    eng = rapid.engine_id()
    boxes = [aabb(q) for q in quads]
    aspect = [(b[2] - b[0]) / max(1, b[3] - b[1]) for b in boxes]
    short = [i for i, a in enumerate(aspect) if a <= SHORT_ASPECT]
    done: dict[int, OcrLine] = {}

    def run(idx: list[int]) -> None:
        res = rapid.recognise([rapid.crop(grey, quads[i]) for i in idx])
        for i, (txt, score) in zip(idx, res, strict=False):
            if txt.strip():
                done[i] = OcrLine(txt.strip(), score, boxes[i], eng)

    samples = _column_samples(boxes, short)
    run([i for pick in samples for i in pick])
    spared = _spared_units(samples, boxes, short, done, template)
    run([i for i in short if i not in done and i not in spared])
    found = rows.locate(list(done.values()), template, grey.shape[1])
    code_lines = [ln for _, ln, how in found.anchors if how == "code"]
    first = set(short)
    rest = [i for i in range(len(quads)) if i not in first]
    if len(code_lines) >= 3:
        codes = set(template.codes)
        doubtful_lines = [ln for ln in done.values() if tokens.parse_code(ln.text, codes) in found.doubtful]
        order = {c: k for k, c in enumerate(template.codes)}
        pitch = rows.row_pitch([(c, ln) for c, ln, how in found.anchors if how == "code"], order,
                               layout.median_height(code_lines))
        tol = 0.45 * pitch
        top, bottom = min(ln.cy for ln in code_lines) - tol, max(ln.cy for ln in code_lines) + tol
        # where the figures stand (placed by the short figures already read): a long line there may
        # be a long figure; anywhere else on a row whose code was read it is that row's label
        value = found.model.columns.get("value")

        def needed(i: int) -> bool:
            b = boxes[i]
            cy = (b[1] + b[3]) / 2
            if cy < top or cy > bottom or value is None:
                return True  # header/footer text, or no place for the figures known yet
            if b[2] >= value.x0 - pitch and b[0] <= value.x1 + pitch:
                return True  # may be a figure
            on_code_row = any(abs(cy - ln.cy) <= tol for ln in code_lines)
            on_doubtful_row = any(abs(cy - ln.cy) <= tol for ln in doubtful_lines)
            return on_doubtful_row or not on_code_row
        rest = [i for i in rest if needed(i)]
    run(rest)
    return [done[i] for i in sorted(done)]


def _column_samples(boxes: list[Box], short: list[int]) -> list[list[int]]:
    """Per column of short lines (centres closer than COLUMN_GAP text heights), long enough to
    sample: its lines to read first, evenly spread from its top line to its bottom line."""
    if not short:
        return []
    h = float(np.median([boxes[i][3] - boxes[i][1] for i in short]))
    by_x = sorted(short, key=lambda i: boxes[i][0] + boxes[i][2])
    columns: list[list[int]] = [[by_x[0]]]
    for prev, i in zip(by_x, by_x[1:], strict=False):
        if (boxes[i][0] + boxes[i][2] - boxes[prev][0] - boxes[prev][2]) / 2 > COLUMN_GAP * h:
            columns.append([])
        columns[-1].append(i)
    out = []
    for col in columns:
        if len(col) >= UNIT_COLUMN_MIN:
            col.sort(key=lambda i: boxes[i][1])
            out.append([col[k] for k in sorted(set(np.linspace(0, len(col) - 1, UNIT_SAMPLE).round().astype(int)))])
    return out


def _cx(b: Box) -> float:
    return (b[0] + b[2]) / 2


def _spared_units(samples: list[list[int]], boxes: list[Box], short: list[int], done: dict[int, OcrLine],
                  template: Template) -> set[int]:
    """Lines not worth reading: those between the top and bottom unit names read in a column whose
    sample is (nearly) all unit names. The template knows each row's unit; what stands above or
    below that span (a page number under the column) is still read."""
    names = {"".join(i.unit.split()) for i in template.indicators}
    spared: set[int] = set()
    for pick in samples:
        units = [i for i in pick if i in done and "".join(done[i].text.split()) in names]
        if len(units) < UNIT_SAMPLE_AGREE:
            continue
        top, bottom = min(boxes[i][1] for i in units), max(boxes[i][1] for i in units)
        h = float(np.median([boxes[i][3] - boxes[i][1] for i in units]))
        lo = min(_cx(boxes[i]) for i in units) - UNIT_REACH * h
        hi = max(_cx(boxes[i]) for i in units) + UNIT_REACH * h
        spared |= {i for i in short if i not in pick and top < boxes[i][1] < bottom and lo <= _cx(boxes[i]) <= hi}
    return spared


SECOND_LOOK_ROWS = 1.5     # text heights above and below a signature label: the band looked at again
SECOND_LOOK_SCALE = 2.0    # times the page's detection scale a band is first detected at. RapidOCR's
                           # own rule (the shorter side to 736 px) makes a 100 px band 9,000 px wide:
                           # 0.4 s of CPU per page on average (24 pages of seed 37), 30 s on one page.
                           # That closer look is taken only where this one leaves a field unsigned
SECOND_LOOK_SWOLLEN = 1.45  # a label's line this many times the page's text height took in a signature
SAME_BOX = 0.7             # intersection over union: a box found again is the line already read
INSIDE = 0.8               # of a new line's area inside an old swollen line: that line was a merge


def signature_label_lines(lines: list[OcrLine], template: Template) -> list[OcrLine]:
    """The line of each of the template's signature labels found on the page."""
    labels = template.zones.get("signatures", {}).get("labels") or []
    return [hit[0] for lab in labels if (hit := layout.find_label(lines, lab, 85))]


def signature_rows_to_look_at(lines: list[OcrLine], template: Template) -> list[OcrLine]:
    """The signature labels' lines whose rows the page detection may have merged with a signature:
    all found labels when one is missing (a stroke touching "统计负责人：" made one blob of them and
    the label was lost: no signature page), else those swollen by the signature beside them (the
    label's place in the line is then unknown, and the signature was taken for the label)."""
    labels = template.zones.get("signatures", {}).get("labels") or []
    hits = signature_label_lines(lines, template)
    typical = layout.median_height(lines)
    swollen = [ln for ln in hits if ln.height > SECOND_LOOK_SWOLLEN * typical]
    return hits if len(hits) < len(labels) else swollen


def signature_row_second_look(grey: np.ndarray, lines: list[OcrLine], template: Template, *,
                              closer: bool = False) -> list[OcrLine]:
    """The page's lines, with the signature rows (signature_rows_to_look_at) detected again, each
    alone and larger, where label and signature are then separate lines: at SECOND_LOOK_SCALE times
    the page's scale, or `closer`, at RapidOCR's own (a band's shorter side brought to 736 px)."""
    again = signature_rows_to_look_at(lines, template)
    if not again:
        return lines
    typical = layout.median_height(lines)
    scale = SECOND_LOOK_SCALE * rapid.page_scale(*grey.shape[:2])
    eng = rapid.engine_id()
    out = list(lines)
    for row in {(ln.box[1], ln.box[3]): ln for ln in again}.values():
        pad = int(SECOND_LOOK_ROWS * min(row.height, typical))
        y0, y1 = max(0, row.box[1] - pad), min(grey.shape[0], row.box[3] + pad)
        band = grey[y0:y1]
        found = rapid.detect(band) if closer else rapid.detect(band, min(scale, rapid.DET_MIN_SIDE / max(1, band.shape[0])))
        quads = [q + np.array([0, y0], np.float32) for q in found]
        fresh = [q for q in quads if not any(_iou(aabb(q), ln.box) > SAME_BOX for ln in out)]
        read = rapid.recognise([rapid.crop(grey, q) for q in fresh])
        new = [OcrLine(t.strip(), sc, aabb(q), eng) for q, (t, sc) in zip(fresh, read, strict=True) if t.strip()]
        merged = [ln for ln in out if ln.height > SECOND_LOOK_SWOLLEN * typical
                  and any(share_inside(n.box, ln.box) >= INSIDE for n in new)]
        out = [ln for ln in out if ln not in merged] + new
    return out


def _area(b: Box) -> int:
    return max(1, (b[2] - b[0]) * (b[3] - b[1]))


def _overlap(a: Box, b: Box) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def _iou(a: Box, b: Box) -> float:
    inter = _overlap(a, b)
    return inter / (_area(a) + _area(b) - inter)


def share_inside(a: Box, b: Box) -> float:
    """Share of box a inside box b."""
    return _overlap(a, b) / _area(a)
