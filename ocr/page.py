"""Read one page: upright and flatten it, OCR what is needed, then identity and figures.

Stages (each a function of ocr.*): normalise.flatten (sheet outline, then rulings) -> detect -> quarter turn
(sideways lines) -> half turn (orientation classifier) -> deskew -> recognise -> identity ->
figures -> seal -> signatures (a closer look at the signature rows where a field is not seen signed)
-> evidence crops.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from ocr import (
    cells,
    evidence,
    figures,
    identity,
    normalise,
    print_ink,
    quality,
    recognise,
    seal,
    signature,
)
from ocr.engines import rapid, tess
from ocr.model import DOUBT_ILLEGIBLE, Box, FigureReading, OcrLine, PageReading
from ocr.seal import PRESENT
from ocr.seal_masks import is_bilevel
from ocr.signature_labels import to_xywh
from ocr.sources import PageSource
from ocr.stages import StageClock, cpu_now
from registry.template import Template

CLS_SAMPLE = 24         # widest text lines sampled to decide 0 vs 180 degrees
UPSIDE_DOWN_SHARE = 0.6


def read_page(source: PageSource, template: Template, *, source_name: str = "",
              crops_dir: str | Path | None = None, second_opinion: bool = True) -> PageReading:
    t0, c0 = time.perf_counter(), cpu_now()
    clock = StageClock()
    if source.text_lines is not None:
        original, rotation, skew, lines, method = source.image, 0, 0.0, source.text_lines, "text-layer"
        grey = normalise.ocr_copy(original)
        engine = "text-layer"
    else:
        original, grey, quads, rotation, skew = upright(source.image, clock)
        first = recognise.recognise_needed(grey, quads, template)
        lines = recognise.signature_row_second_look(grey, first, template)
        clock.lap("recognise")
        method, engine = "ocr", rapid.engine_id()
    ident = identity.read_identity(lines, template)
    problems: list[str] = []
    tables: list = []
    figs = figure_stage(original, grey, lines, template, engine=engine, ocr=method == "ocr",
                        second_opinion=second_opinion, clock=clock, problems=problems, tables=tables)
    clock.lap("figures")
    bilevel = method == "ocr" and is_bilevel(source.image)  # judged before straightening greys the edges
    if method == "text-layer":
        for f in figs.values():
            f.found_by = "text-layer"
    else:
        if bilevel:
            quality.doubt_bilevel(figs)
        if (legible := quality.legibility(lines)).illegible:
            # broken strokes can drop a digit ("31" read as a confident "1"): figures on this page
            # may confirm a match, never claim a difference
            for f in figs.values():
                f.doubt(DOUBT_ILLEGIBLE)
            problems.append(legible.reason())
    page = PageReading(source=source_name, index=source.index, rotation=rotation, skew=round(skew, 2),
                       method=method, identity=ident, figures=figs, template_id=template.id, engine=engine,
                       size=(original.shape[1], original.shape[0]), lines=lines, problems=problems,
                       table=tables[0].as_json() if tables else None)
    page.is_signature_page = _has_signature_labels(lines, template)
    _check(page)
    clock.lap("other")
    _seal_and_signatures(page, original, lines, bilevel, clock, template)
    if method == "ocr" and _closer_look_may_sign(page, first, template):
        _signatures_at_the_closer_look(page, original, grey, first, clock, template)
    if crops_dir is not None:
        evidence.save_page_evidence(page, original, Path(crops_dir))
        clock.lap("evidence")
    page.seconds = round(time.perf_counter() - t0, 3)
    page.cpu_seconds = round(cpu_now() - c0, 3)
    page.stage_cpu = clock.rounded()
    return page


def figure_stage(original: np.ndarray, grey: np.ndarray, lines: list[OcrLine], template: Template, *,
                 engine: str, ocr: bool = True, second_opinion: bool = True, clock: StageClock | None = None,
                 problems: list[str] | None = None, tables: list | None = None) -> dict[str, FigureReading]:
    """The figures of a page from its text lines; `original` (BGR) and `grey` (its OCR copy) are
    looked at where a cell has no line (`ocr`: the page is an image, not a text layer)."""
    clock = clock or StageClock()
    opinion = clock.timed("second_opinion", _tesseract_opinion(grey)) if second_opinion and ocr else None
    ink = print_ink.ink_copy(original)
    return figures.read_figures(lines, template, grey, engine=engine, second_opinion=opinion,
                                second_engine=tess.engine_id() if opinion else "", ink=ink,
                                cell_reader=CellReader(grey) if ocr else None, problems=problems,
                                tables=tables, seal_free_reader=_seal_free_reader(ink) if ocr else None)


def upright(image: np.ndarray, clock: StageClock | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float]:
    """(original, OCR copy, text quads, rotation applied, skew corrected), all in one frame."""
    clock = clock or StageClock()
    original = normalise.flatten(image)
    grey = normalise.ocr_copy(original)
    clock.lap("flatten")
    quads = rapid.detect(grey)
    clock.lap("detect")
    rotation = 0
    if normalise.is_sideways(quads):
        rotation = 90
        original, grey = normalise.rotate_quarter(original, 90), normalise.rotate_quarter(grey, 90)
        quads = rapid.detect(grey)
    if _upside_down(grey, quads):
        size = (grey.shape[1], grey.shape[0])
        original, grey = normalise.rotate_quarter(original, 180), normalise.rotate_quarter(grey, 180)
        quads = _reorder(normalise.rotate_quads_quarter(quads, 180, size))
        rotation = (rotation + 180) % 360
    clock.lap("orient")
    angle = normalise.skew_angle(quads)
    skew = 0.0
    if normalise.angle_is_sane(angle) and abs(angle) >= normalise.MIN_SKEW:
        m = normalise.rotation_matrix((grey.shape[1], grey.shape[0]), angle)
        grey, quads = normalise.deskew(grey, quads, angle)
        original = cv2.warpAffine(original, m, (original.shape[1], original.shape[0]),
                                  flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
        skew = angle
    clock.lap("deskew")
    return original, grey, quads, rotation, skew


def _reorder(quads: np.ndarray) -> np.ndarray:
    """After a half turn, corner 0 is bottom-right: roll corners back to tl, tr, br, bl."""
    return np.roll(quads, 2, axis=1) if len(quads) else quads


def _upside_down(grey: np.ndarray, quads: np.ndarray) -> bool:
    if len(quads) == 0:
        return False
    widths = np.linalg.norm(quads[:, 1] - quads[:, 0], axis=1)
    pick = np.argsort(-widths)[:CLS_SAMPLE]
    votes = rapid.classify([rapid.crop(grey, quads[i]) for i in pick])
    sure = [lab for lab, s in votes if s >= 0.8]
    return bool(sure) and sure.count("180") / len(sure) >= UPSIDE_DOWN_SHARE


class CellReader:
    """Recognition only, on cells where detection found no text line (e.g. under a seal)."""

    def __init__(self, grey: np.ndarray) -> None:
        self.grey = grey

    def _crop(self, box: Box) -> np.ndarray:
        x0, y0, x1, y1 = box
        crop = self.grey[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
        return cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) if crop.ndim == 2 and crop.size else crop

    def __call__(self, box: Box) -> tuple[str, float]:
        return self.many([box])[0]

    def many(self, boxes: list[Box]) -> list[tuple[str, float]]:
        crops = [self._crop(b) for b in boxes]
        keep = [i for i, c in enumerate(crops) if c.size]
        read = dict(zip(keep, rapid.recognise([crops[i] for i in keep]), strict=True))
        return [read.get(i, ("", 0.0)) for i in range(len(boxes))]


def _seal_free_reader(ink: np.ndarray):  # noqa: ANN202
    """The recogniser on the ink image (red seal ink over paper taken out), for figures.read_seal_free."""
    return CellReader(ink).many  # a one-channel image: crops are made three-channel as they are cut


def _tesseract_opinion(grey: np.ndarray):  # noqa: ANN202
    def opinion(box: Box) -> tuple[str, float]:
        pad = cells.sideways_pad(box)
        x0 = max(0, box[0] - pad)
        crop = grey[max(0, box[1]):box[3], x0:box[2] + pad]
        return tess.read_digits(crop)
    return opinion


def _has_signature_labels(lines: list[OcrLine], template: Template) -> bool:
    return len(recognise.signature_label_lines(lines, template)) >= 2


def _check(page: PageReading) -> None:
    ident = page.identity
    if ident.title is None:
        page.problems.append("未识别到表名")
    if ident.uscc is None:
        page.problems.append("统一社会信用代码无法识别或校验不通过")
    if ident.page_no is None:
        page.problems.append("未识别到页码")


def _seal_and_signatures(page: PageReading, original: np.ndarray, lines: list[OcrLine], bilevel: bool,
                         clock: StageClock, template: Template) -> None:
    """The seal on every page, the signatures on the signature page; either failing is a problem
    recorded on the page, never the loss of its figures."""
    try:
        page.seal = seal.detect_seal(original, bilevel=bilevel, unit_name=page.identity.unit_name,
                                     print_lines=[(ln.text, ln.box) for ln in lines],
                                     form_words=template.printed_words())
    except Exception as e:  # noqa: BLE001 - a seal check failing must not lose the figures
        page.problems.append(f"印章检测出错：{e}")
    clock.lap("seal")
    _signatures(page, original, clock)


def _closer_look_may_sign(page: PageReading, first: list[OcrLine], template: Template) -> bool:
    """Whether the signature rows were looked at again and a field is still not seen signed: then
    the closer (and costlier) look is taken, and its lines decide the signatures."""
    if not recognise.signature_rows_to_look_at(first, template):
        return False
    sigs = page.signatures or {}
    return not page.is_signature_page or any(r.status != PRESENT for r in sigs.values())


def _signatures_at_the_closer_look(page: PageReading, original: np.ndarray, grey: np.ndarray,
                                   first: list[OcrLine], clock: StageClock, template: Template) -> None:
    """The signature rows looked at closer, from the page's first lines; those lines become the
    page's and decide the signatures."""
    page.lines = recognise.signature_row_second_look(grey, first, template, closer=True)
    clock.lap("recognise")
    page.is_signature_page, page.signatures = _has_signature_labels(page.lines, template), None
    _signatures(page, original, clock)


def _signatures(page: PageReading, original: np.ndarray, clock: StageClock) -> None:
    if not page.is_signature_page:
        return
    seal_box = page.seal.box if page.seal is not None and page.seal.status != "absent" else None
    # the table's figures are print: they bound the fields (OCR may not have read the rows' labels)
    cells = [to_xywh(f.box) for f in page.figures.values() if f.box]
    try:
        page.signatures = signature.detect_signatures(original, page.lines, seal_box=seal_box, table_cells=cells)
    except Exception as e:  # noqa: BLE001
        page.problems.append(f"签字检测出错：{e}")
    clock.lap("signature")
