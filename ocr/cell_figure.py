"""A 数值 cell in which detection found no figure: the ink's shape tells a printed dash from a
blank or a smudge, and other ink is recognised where this page's figures stand (ocr.figures)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ocr import cells, dashes
from ocr.confidence import CELL_SURE
from ocr.model import DOUBT_NO_LINE, Box, FigureReading, OcrLine
from ocr.tokens import parse_number, read_number
from registry.template import Indicator

SecondOpinion = Callable[[Box], tuple[str, float]]

CELL_TAG = "+cell"               # read in the cell where no text line was detected
MERGED_INK_TAG = "+merged-ink"   # read in a cell whose every mark ran into seal strokes
SEAL_TAKEN_OUT_TAG = "+seal-out"  # read again with the document's seal taken out (ocr.document_seal)


def figure_from_cell(code: str, ind: Indicator, row: list[OcrLine], cy: float, cell_box: Box, tol: float,
                     text_h: float, ink: np.ndarray, engine: str, second_opinion: SecondOpinion | None,
                     second_engine: str, how: str, cell_reader: SecondOpinion | None,
                     column: tuple[str, float, float] | None,
                     to_confirm: list[dashes.DashMark] | None) -> FigureReading:
    """The reading of a cell whose row has no figure token (`row`: the row's other lines)."""
    kind, ink_box, dash_conf = cells.classify_cell(ink, cell_box, text_h)
    alone = kind == "dash" and (dash_conf > cells.DASH_AMONG_MARKS or dash_conf == cells.DASH_BENEATH_SEAL)
    expected = expected_box(column, cell_box, text_h) if column is not None else None
    figure_ink = None  # the ink where this page's figures stand, when narrower than that place
    if kind == "ink" and expected is not None:
        # where this page's figures stand: seal fragments elsewhere in a wide cell stay out
        kind2, box2, conf2 = cells.classify_cell(ink, expected, text_h, darkest_pass=True)
        if kind2 == "dash":
            kind, ink_box, dash_conf = kind2, box2, min(conf2, 0.65)
            alone = conf2 == cells.DASH_BENEATH_SEAL  # the only ink there: the page's dashes decide
        elif kind2 in ("ink", "one") and box2 is not None and box2[2] - box2[0] < expected[2] - expected[0] - text_h:
            figure_ink = box2
    if kind == "dash":
        fig = FigureReading(code, "-", None, dash_conf, ink_box, engine + "+ink-shape", found_by=how,
                            second_opinion=" ".join(ln.text for ln in row) or None)
        if ink_box is not None and to_confirm is not None:  # a second, independent sign, per page
            pad = int(0.8 * text_h)
            crop = (ink_box[0] - pad, int(cy - 0.9 * tol), ink_box[2] + pad, int(cy + 0.9 * tol))
            to_confirm.append(dashes.DashMark(code, ink_box, crop, alone, offset=dashes.row_offset(ink_box, cy, text_h),
                                              in_cell=True))
        elif ink_box is not None and abs(dashes.row_offset(ink_box, cy, text_h)) > dashes.OFF_ROW_MIDDLE:
            discount_off_row(fig)
        return fig
    text = " ".join(ln.text for ln in row)
    merged = ""
    if (kind == "blank" and cell_reader is not None and expected is not None
            and cells.has_ink(ink, expected)):
        # every mark ran out of the cell: a figure whose strokes merged with a grey seal's
        # text or ring; where this page's figures stand the recogniser may still read it, but
        # what it reads there is as much the seal's as the print's (ocr.decide.evidence)
        kind, ink_box, merged = "ink", expected, MERGED_INK_TAG
    if kind in ("ink", "one") and cell_reader is not None and ink_box is not None:
        # recognition on the ink alone: seal text elsewhere in the cell stays out of the crop;
        # then where this page's figures stand, when seal strokes widen the ink's extent
        pad = int(0.4 * text_h)
        crops: list[Box] = []
        # ink wholly away from where this page's figures stand is a seal's ring or star point
        # crossing the cell (read as a "1"), not print: not read
        if expected is None or expected[0] <= ink_box[2] and ink_box[0] <= expected[2]:
            crops.append((max(cell_box[0], ink_box[0] - pad), int(cy - 0.9 * tol),
                          min(cell_box[2], ink_box[2] + pad), int(cy + 0.9 * tol)))
        if expected is not None:
            crops.append((expected[0], int(cy - 0.9 * tol), expected[2], int(cy + 0.9 * tol)))
        if figure_ink is not None:  # a digit beside seal text that the wider crops read with it
            crops.append((figure_ink[0] - pad, int(cy - 0.9 * tol), figure_ink[2] + pad, int(cy + 0.9 * tol)))
        for crop in crops:
            text2, conf2 = cell_reader(crop)
            value, doubts, dash = read_number(text2, ind.decimals)
            if value is not None or dash:
                # read without a detected line: never clean enough to claim a difference alone
                fig = FigureReading(code, text2, value, conf2, cell_box, engine + CELL_TAG + merged,
                                    doubts=(DOUBT_NO_LINE, *doubts), found_by=how)
                if value is not None and conf2 < CELL_SURE and second_opinion is not None:
                    # a small "0" read as "。" at 0.29: the second engine's agreement makes it a match
                    ask_second(fig, crop, ind.decimals, second_opinion, second_engine)
                return fig
    return FigureReading(code, text, None, 0.0, ink_box or cell_box, engine, doubts=(DOUBT_NO_LINE,), found_by=how)


def ask_second(fig: FigureReading, box: Box, decimals: int, second_opinion: SecondOpinion,
               second_engine: str) -> None:
    """The second engine reads the figure's box: agreement raises the confidence to the higher of
    the two, a clear other reading contradicts; silence, or a mumble, is no contradiction."""
    text2, conf2 = second_opinion(box)
    value2, _, _ = parse_number(text2, decimals)
    fig.second_opinion = value2
    fig.agreed = None if value2 is None or (value2 != fig.value and conf2 < 0.5) else value2 == fig.value
    if second_engine not in fig.engine.split("+"):
        fig.engine = f"{fig.engine}+{second_engine}"
    if fig.agreed:
        fig.confidence = max(fig.confidence, conf2)


def discount_off_row(fig: FigureReading) -> None:
    """A dash mark off the height where its page prints dashes (ocr.dashes.off_row_middle) confirms
    nothing, and no page's dashes may confirm it."""
    fig.confidence = min(fig.confidence, dashes.UNLIKE)
    fig.engine += "+off-row-middle"


def expected_box(column: tuple[str, float, float], cell_box: Box, text_h: float) -> Box:
    """The part of `cell_box` where this page's figures stand (ocr.figure_column), half a text
    height to spare on each side."""
    how, x, width = column
    pad = 0.5 * text_h
    x0, x1 = {"right": (x - width - pad, x + pad), "left": (x - pad, x + width + pad)}.get(
        how, (x - width / 2 - pad, x + width / 2 + pad))
    return max(cell_box[0], int(x0)), cell_box[1], min(cell_box[2], int(x1)), cell_box[3]
