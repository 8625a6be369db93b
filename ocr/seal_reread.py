"""A grey page read again only where the document's seal was taken out (ocr.document_seal).

Taking the seal out (ocr.seal_template.take_out) changes pixels inside the seal's disc only, so
every text line that holds no changed pixel reads as it did. Only the band of rows round the
changed pixels and the lines they touch is detected again (the page's whole width, at the page's
detection scale, so lines are cut as the page's were), and only figure lines found there are
recognised; the figure stage then runs on the page's other lines plus these, on the cleaned page.
Detection, the costliest stage per pixel, sees the seal's rows instead of the whole page.
"""

from __future__ import annotations

import statistics

import cv2
import numpy as np

from ocr import seal_template
from ocr.cells import sideways_pad
from ocr.engines import rapid
from ocr.model import Box, FigureReading, OcrLine, PageIdentity, PageReading
from ocr.page import CellReader, figure_stage
from ocr.recognise import aabb, share_inside
from ocr.stages import cpu_now
from ocr.tokens import parse_number
from registry.template import Template

PAD = 1.5          # text heights round the changed pixels and the lines they touch
CUT_EDGE = 2       # px: a line this near the band's edge (not the page's) was cut by it
SAME_LINE = 0.5    # of one line's box inside the other's: the same line


def _touched(changed: np.ndarray, box: Box) -> bool:
    x0, y0, x1, y1 = box
    return bool(changed[max(0, y0):max(0, y1 + 1), max(0, x0):max(0, x1 + 1)].any())


def _column(table: dict | None, role: str) -> tuple[float, float] | None:
    for col in (table or {}).get("columns", []):
        if col.get("role") == role:
            return float(col["x0"]), float(col["x1"])
    return None


def lines_again(clean: np.ndarray, changed: np.ndarray, lines: list[OcrLine],
                value: tuple[float, float] | None = None) -> list[OcrLine]:
    """The page's lines with those the cleaning touched replaced by what the cleaned page shows
    there (`clean`: BGR page; `changed`: its pixels the cleaning made paper). With the value
    column's x-range known (`value`), only figures are read again: codes and labels placed the
    rows in the first reading, and a code the seal had crossed can read worse once it is out
    ("S14" as "S1:" on seed 53)."""
    h = statistics.median(ln.height for ln in lines) if lines else 20.0
    pad = int(PAD * h)
    page_h, page_w = changed.shape
    lo, hi = value if value else (0, page_w)

    def figure_place(b: Box) -> bool:  # a line centred in the value column (a code beside it is not)
        return lo <= (b[0] + b[2]) / 2 <= hi

    area = changed.copy()
    area[:, :max(0, int(lo))] = False
    area[:, min(page_w, int(hi)):] = False
    ys, xs = np.nonzero(area)
    if not len(ys):
        return list(lines)
    touched = [ln for ln in lines if figure_place(ln.box) and _touched(changed, ln.box)]
    kept = [ln for ln in lines if ln not in touched]
    # the rows' whole width: the detector sees a cell with the context it had on the whole page
    # (cut to the column, a "1" beside the seal was not found)
    y0 = max(0, min([int(ys.min())] + [ln.box[1] for ln in touched]) - pad)
    y1 = min(page_h, max([int(ys.max()) + 1] + [ln.box[3] for ln in touched]) + pad)
    quads = rapid.detect(clean[y0:y1], rapid.page_scale(page_h, page_w)) + np.array([0, y0], np.float32)

    def whole(b: Box) -> bool:  # not cut by the band's top or bottom (unless the page's own)
        return (y0 == 0 or b[1] > y0 + CUT_EDGE) and (y1 == page_h or b[3] < y1 - CUT_EDGE)

    fresh = []
    for q in quads:
        b = aabb(q)
        if not whole(b) or not figure_place(b):
            continue  # cut by the region's edge, or no figure
        same = [ln for ln in kept if share_inside(b, ln.box) >= SAME_LINE or share_inside(ln.box, b) >= SAME_LINE]
        if same and not _touched(changed, b):
            continue  # an untouched line found again: its first reading stands
        fresh.append(q)  # new, or reaching into what the cleaning changed: replaces the old line
        kept = [ln for ln in kept if ln not in same]
    eng = rapid.engine_id()
    read = rapid.recognise([rapid.crop(clean, q) for q in fresh])
    new = [OcrLine(t.strip(), s, aabb(q), eng) for q, (t, s) in zip(fresh, read, strict=True) if t.strip()]
    return sorted(kept + new, key=lambda ln: (ln.box[1], ln.box[0]))


def read_under_seal(image_path: str, seal: seal_template.DocumentSeal, key: int, lines: list[OcrLine],
                    table: dict | None, template: Template) -> PageReading | None:
    """The figures of the stored (normalised) page `image_path`, whose first reading found `lines`
    and `table` (ocr.table.TableModel.as_json), with the document's seal taken out; None when it
    cannot be (as dark as the print)."""
    c0 = cpu_now()
    grey = cv2.imread(image_path, cv2.IMREAD_GRAYSCALE)
    if grey is None:
        return None
    clean = seal_template.take_out(grey, seal, key)
    if clean is None:
        return None
    bgr = cv2.cvtColor(clean, cv2.COLOR_GRAY2BGR)
    again = lines_again(bgr, clean != grey, lines, _column(table, "value"))
    eng = rapid.engine_id()
    figs = figure_stage(bgr, bgr, again, template, engine=eng)
    _as_the_page_shows(figs, grey, template)
    return PageReading(source=image_path, index=0, rotation=0, skew=0.0, method="ocr", identity=PageIdentity(),
                       figures=figs, image_path=image_path, size=(grey.shape[1], grey.shape[0]),
                       template_id=template.id, engine=eng, lines=again, cpu_seconds=round(cpu_now() - c0, 3))


def _as_the_page_shows(figs: dict[str, FigureReading], grey: np.ndarray, template: Template) -> None:
    """Each figure read on the cleaned page is read once more on the page itself, in the same box
    (`with_seal`): where both read the same figure, the take-out removed no stroke that made it
    (a stroke it did remove makes the two differ: "8943" with the seal, "6943" without)."""
    todo = [(c, f) for c, f in figs.items() if f.value is not None and f.box is not None]
    if not todo:
        return
    boxes = []
    for _, f in todo:
        x0, y0, x1, y1 = f.box
        pad = sideways_pad(f.box)
        boxes.append((x0 - pad, y0, x1 + pad, y1))
    for (code, f), (text, _score) in zip(todo, CellReader(grey).many(boxes), strict=True):
        f.with_seal = parse_number(text, template.indicator(code).decimals)[0]
