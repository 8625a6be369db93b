"""Figures from read lines: each indicator's row found by its printed code (else by its label,
with the template's order as context), its value taken from the 数值 column of that row.

Never by pixel position: rows and columns are located through the words printed on the page.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ocr import cells, dashes, rulings
from ocr.cell_figure import CELL_TAG, ask_second, discount_off_row, expected_box, figure_from_cell
from ocr.column_lean import ROWS_LEAN_PROBLEM, rows_unreliable
from ocr.confidence import CELL_SURE, FIGURE_IN_MARK_ALONE, SEAL_FREE_MIN, UNDER_SEAL_ALONE
from ocr.confidence import UNTRUSTED as UNTRUSTED_CONFIDENCE
from ocr.figure_column import column_band, figure_column, in_column, short_of_column, swollen
from ocr.model import DOUBT_EDGE, DOUBT_LEAN, DOUBT_NO_LINE, DOUBT_PLACES_SHORT, Box, FigureReading, OcrLine
from ocr.rows import locate, row_pitch, row_slopes
from ocr.table import TableModel, bound_by_rulings
from ocr.tokens import is_dot, is_misread_code, looks_numeric, parse_number, read_number
from registry.template import Indicator, Template

__all__ = ["parse_number", "read_figures", "row_slopes"]

SecondOpinion = Callable[[Box], tuple[str, float]]
SealFreeReader = Callable[[list[Box]], list[tuple[str, float]]]


# ---------- figures ----------

def read_figures(lines: list[OcrLine], template: Template, grey: np.ndarray, *, engine: str,
                 second_opinion: SecondOpinion | None = None, second_engine: str = "",
                 ink: np.ndarray | None = None, cell_reader: SecondOpinion | None = None,
                 problems: list[str] | None = None, tables: list[TableModel] | None = None,
                 seal_free_reader: SealFreeReader | None = None) -> dict[str, FigureReading]:
    """One FigureReading per indicator whose row is on this page.

    `grey` is the OCR copy; `ink` (default: grey) the image for judging ink shapes in a cell;
    `cell_reader` recognises a cell in which detection found no text line; `seal_free_reader`
    recognises boxes on `ink` (read_seal_free); page-level problems (rows that cannot be trusted)
    are appended to `problems`."""
    ink = grey if ink is None else ink
    page_w = grey.shape[1]
    text_h = statistics.median([ln.height for ln in lines]) if lines else 20.0
    found = locate(lines, template, page_w)
    if tables is not None:
        tables.append(found.model)
    anchors = found.anchors
    span = found.model.span("value")
    ruled: tuple = (None, None)
    if span is not None:
        all_codes = set(template.codes)
        numeric = [ln for ln in lines if span[0] <= ln.cx <= span[1] and looks_numeric(ln.text)
                   and not is_misread_code(ln.text, all_codes)]
        ruled = bound_by_rulings(found.model, "value", rulings.upright_rulings(grey), numeric)
    order = {c: k for k, c in enumerate(template.codes)}
    pitch = row_pitch([(c, a) for c, a, _ in anchors], order, text_h)
    tol = 0.45 * pitch  # a figure belongs to the row whose centre line is within half a row
    right_edge = max((ln.box[2] for ln in lines), default=page_w)

    def columns(anchor: OcrLine) -> tuple[float, float]:
        lo, hi = span if span else (anchor.box[2] + 2, right_edge + text_h)
        if span:  # the rulings that close the column, where they stand on this row
            lo = rulings.x_at(ruled[0], anchor.cy) + 1 if ruled[0] is not None else lo
            hi = rulings.x_at(ruled[1], anchor.cy) - 1 if ruled[1] is not None else hi
        # a label reaching into the value column's room is no figure; a code right of it limits nothing
        return (max(lo, anchor.box[2] + 2) if anchor.cx < lo else lo), hi

    slope = row_slopes(anchors, lines, columns, tol)
    out: dict[str, FigureReading] = {}
    to_confirm: list[dashes.DashMark] = []
    rows = {}
    for code, anchor, _how in anchors:
        lo, hi = columns(anchor)
        rows[code] = [ln for ln in lines if ln is not anchor and lo - 2 <= ln.cx <= hi
                      and abs(ln.cy - anchor.cy - slope[code] * (ln.cx - anchor.cx)) <= tol]
    # in the 数值 column (when its header was read) a "507" is a figure, never the code S07 misread
    codes = set(template.codes) if span is None else set()
    tokens = {code: figure_token(row, codes) for code, row in rows.items()}  # each row's figure, once
    column = figure_column([t for t in tokens.values() if t is not None])
    # a "figure" wholly away from where this page's figures stand is seal lettering in the column
    # ("27" read in a red seal's text, 150 px left of the column's edge; seed 233): the cell decides
    band = column_band([t for t in tokens.values() if t is not None], text_h)
    tokens = {c: t if t is None or in_column(t, band) else None for c, t in tokens.items()}
    for code, token in tokens.items():
        if token is not None and seal_ink_only(grey, ink, token.box, text_h):
            tokens[code], rows[code] = None, [ln for ln in rows[code] if ln is not token]
    for code, anchor, how in anchors:
        ind = template.indicator(code)
        lo, hi = columns(anchor)
        cy = anchor.cy + slope[code] * ((lo + hi) / 2 - anchor.cx)  # the row's height at the 数值 column
        out[code] = _figure(code, ind, tokens[code], rows[code], anchor, cy, (lo, hi), min(tol, 0.8 * pitch), text_h, ink, engine,
                            second_opinion, second_engine, how, cell_reader, column, to_confirm)
    off_row = dashes.off_row_middle(to_confirm)
    for mark in off_row:
        discount_off_row(out[mark.code])
    to_confirm = marks_by_seal_not_alone([m for m in to_confirm if m not in off_row], grey, ink, text_h)
    to_confirm = [m if m.alone else replace(m, apart=cells.stands_apart(ink, m.ink, text_h)) for m in to_confirm]
    if to_confirm:
        read_in_marks = dashes.confirm_dashes(out, to_confirm, text_h, cell_reader, lambda t: parse_number(t, 0)[2])
        for mark, text, score in read_in_marks:
            found = figure_in_mark(out[mark.code], mark.crop, text, score, template.indicator(mark.code).decimals,
                                   second_opinion, second_engine)
            if found is not None:
                out[mark.code] = found
    for code, token in tokens.items():
        fig = out[code]
        if token is not None and fig.box == token.box and not fig.agreed and under_seal(grey, ink, token.box):
            # seal strokes can add a digit ("10" for 0): one engine alone claims no difference here
            if fig.value is not None and second_opinion is not None \
                    and second_engine not in fig.engine.split("+"):  # not asked yet (the first engine was sure)
                ask_second(fig, token.box, template.indicator(code).decimals, second_opinion, second_engine)
            if not fig.agreed:
                fig.confidence = min(fig.confidence, UNDER_SEAL_ALONE)
    if seal_free_reader is not None:
        read_seal_free(out, grey, ink, template, seal_free_reader, text_h, column)
    if printed_as_stored(out, template, second_engine):
        for fig in out.values():
            if fig.value is not None and _read_plainly(fig, second_engine):
                fig.doubts = tuple(d for d in fig.doubts if d != DOUBT_PLACES_SHORT)
    for code in short_of_column(tokens, column) + swollen(tokens):
        # a trailing digit may be hidden ("47" for 476 beside a seal's star), or the box took in
        # other ink ("10" for 0 with a seal stroke before it): confirms a match, claims nothing
        out[code].doubt(DOUBT_EDGE)
    if rows_unreliable(anchors, tokens, pitch, column[0] if column else None):
        # the figures' column leans: the page is still rotated or in perspective, and a row's
        # figure may be another row's. Nothing on it is evidence either way: a human looks.
        for f in out.values():
            f.doubt(DOUBT_LEAN)
            f.untrusted_from = f.confidence
            f.confidence = min(f.confidence, UNTRUSTED_CONFIDENCE)
        if problems is not None:
            problems.append(ROWS_LEAN_PROBLEM)
    return out


SEAL_NEIGHBOURHOOD = 0.5     # of a text height around a dash mark: where the rest of a digit would be

AS_STORED_SURE = 0.9   # readings confident enough to tell how the page prints decimals
AS_STORED_MIN = 2      # figures without every decimal place (and none with) that show it


def _read_plainly(fig: FigureReading, second_engine: str) -> bool:
    """Read from a detected line by the recogniser (perhaps checked by the second engine), not
    from a cell's ink or by its shape."""
    return "+" not in (fig.engine.replace("+" + second_engine, "") if second_engine else fig.engine)


def printed_as_stored(out: dict[str, FigureReading], template: Template, second_engine: str = "") -> bool:
    """Does this page print figures with decimals as stored ("7", "12.5"), not with every decimal
    place ("7.00")? WORLD.md allows "up to two decimals"; the page's own sure readings tell which
    way it was printed (a trailing zero, "7.00" or "12.50", is printed only with every place), so a
    "7" there is a well-formed figure, not a "7.00" that lost its point."""
    fewer = every = 0
    for code, fig in out.items():
        places = template.indicator(code).decimals
        if places <= 0 or fig.value is None or fig.confidence < AS_STORED_SURE or not _read_plainly(fig, second_engine):
            continue
        text = fig.text.strip()
        if not re.fullmatch(r"\d+(\.\d+)?", text):
            continue
        shown = len(text.partition(".")[2])
        if shown == places and text.endswith("0"):   # a trailing zero: only every place prints it
            every += 1
        elif shown < places:
            fewer += 1
    return fewer >= AS_STORED_MIN and every == 0


def figure_token(row: list[OcrLine], codes: set[str]) -> OcrLine | None:
    """The right-most figure-like token of a row, if any."""
    cands = [ln for ln in row if looks_numeric(ln.text) and not is_dot(ln.text) and not is_misread_code(ln.text, codes)]
    return max(cands, key=lambda x: x.box[2]) if cands else None


def under_seal(grey: np.ndarray, ink: np.ndarray, box: Box, share: float = 0.02) -> bool:
    """Seal ink inside `box`: the pixels the ink image took out as seal (colour scans only; on a
    grey scan the seal cannot be told from print by colour)."""
    x0, y0, x1, y1 = cells.clip_box(box, ink.shape)
    if x1 <= x0 or y1 <= y0 or ink is grey:
        return False
    g = grey[y0:y1, x0:x1]
    g = g[:, :, 0] if g.ndim == 3 else g
    k = ink[y0:y1, x0:x1]
    k = k[:, :, 0] if k.ndim == 3 else k
    return float(np.mean(np.abs(g.astype(np.int16) - k.astype(np.int16)) > 10)) > share


def seal_ink_only(grey: np.ndarray, ink: np.ndarray, box: Box, text_h: float) -> bool:
    """A token under red seal ink whose box holds no ink once the seal's is taken out: the seal's
    lettering read as a figure (seed 277: a phone photo's "5" read at 0.53 in a red seal's text,
    left of the column where the row's "-" stood). The cell decides instead."""
    return under_seal(grey, ink, box) and cells.classify_cell(ink, box, text_h)[0] == "blank"


def read_seal_free(out: dict[str, FigureReading], grey: np.ndarray, ink: np.ndarray, template: Template,
                   reader: SealFreeReader, text_h: float, column: tuple[str, float, float] | None = None) -> None:
    """Each figure under red seal ink read once more on the ink image, where the seal's strokes over
    bare paper are taken out. A stroke beside a digit can be read as one ("15" for a printed 5, "6"
    for a 0 under the seal's text, "4" for a dash under the star's point) by both engines; the view
    without the seal is the evidence against that. There the print is what ink is left in the
    figure's box: a lone flat mark is the form's dash, other ink is read in a tight crop (a figure
    read from its whole cell has the cell's box, and the recogniser reads a lone figure at one end
    of a wide, empty strip as nothing). Stored as `seal_free`; ocr.decide weighs it."""
    todo: list[tuple[str, Box]] = []
    for code, fig in out.items():
        if fig.box is None or not under_seal(grey, ink, fig.box):
            continue
        box = fig.box
        if column is not None:
            # only where this page's figures stand on the row: a figure read from its whole cell
            # (a ghost of the seal's lettering elsewhere in the cell made "62" of a "0"), or a
            # token standing mostly beside that place (seal lettering read "1616" beside a
            # printed dash on a seed 311 phone photo): what is printed there is what counts
            place = expected_box(column, box, text_h)   # the part of the box where figures stand
            row_place = expected_box(column, (0, box[1], ink.shape[1], box[3]), text_h)
            inside = max(0, place[2] - place[0])
            if inside < (box[2] - box[0]) / 2 and inside < (row_place[2] - row_place[0]) / 2:
                box = row_place   # the token stands mostly beside the place
            elif place[2] - place[0] < box[2] - box[0]:
                box = place
        kind, print_box, dash_conf = cells.classify_cell(ink, box, text_h)
        if kind == "dash" and dash_conf >= SEAL_FREE_MIN:
            fig.seal_free = "-"
        elif kind != "blank" and print_box is not None:
            pad = cells.sideways_pad(box)
            todo.append((code, (print_box[0] - pad, box[1], print_box[2] + pad, box[3])))
    if not todo:
        return
    for (code, _), (text, score) in zip(todo, reader([box for _, box in todo]), strict=True):
        value, _, dash = parse_number(text, template.indicator(code).decimals)
        if score >= SEAL_FREE_MIN and (value is not None or dash):
            out[code].seal_free = "-" if value is None else value


def marks_by_seal_not_alone(marks: list[dashes.DashMark], grey: np.ndarray, ink: np.ndarray,
                            text_h: float) -> list[dashes.DashMark]:
    """A mark where seal ink was taken out of the ink image around it may be what is left of a
    faint digit under the seal (a dim photo's "6" went with the seal ink): not alone in its cell."""
    pad = int(SEAL_NEIGHBOURHOOD * text_h)
    return [replace(m, alone=False) if m.alone and under_seal(
        grey, ink, (m.ink[0] - pad, m.ink[1] - pad, m.ink[2] + pad, m.ink[3] + pad)) else m for m in marks]


def _figure(code: str, ind: Indicator, token: OcrLine | None, row: list[OcrLine], anchor: OcrLine, cy: float, span: tuple[float, float],
            tol: float, text_h: float, ink: np.ndarray, engine: str, second_opinion: SecondOpinion | None,
            second_engine: str, how: str, cell_reader: SecondOpinion | None,
            column: tuple[str, float, float] | None = None,
            to_confirm: list[dashes.DashMark] | None = None) -> FigureReading:
    """`token` is the row's figure as recognised (figure_token), None when nothing legible."""
    half = 0.85 * tol  # rulings sit half a row pitch away from the text's centre line
    cell_box: Box = (int(span[0]), int(cy - half), int(span[1]), int(cy + half))
    if token is None:  # nothing legible: the ink's shape tells a dash from a blank or a smudge
        return figure_from_cell(code, ind, row, cy, cell_box, tol, text_h, ink, engine, second_opinion,
                                second_engine, how, cell_reader, column, to_confirm)
    value, doubts, dash = read_number(token.text, ind.decimals)
    conf = token.score
    fig = FigureReading(code, token.text, value, conf, token.box, engine, doubts=doubts, found_by=how)
    if len(token.text.strip()) == 1:  # "-" vs "1": the ink's shape decides
        pad = int(0.3 * text_h)
        shape, ink_box, dash_conf = cells.classify_cell(ink, (token.box[0] - pad, token.box[1] - pad // 2,
                                                                token.box[2] + pad, token.box[3] + pad // 2), text_h)
        if shape == "dash" and not dash:  # e.g. "-" read as "1": the ink is a flat stroke
            if to_confirm is not None and ink_box is not None:  # not confirmed by shape, but may be contradicted
                to_confirm.append(dashes.DashMark(code, ink_box, token.box, False,
                                                  offset=dashes.row_offset(ink_box, cy, text_h)))
            return FigureReading(code, "-", None, min(dash_conf, 0.7), token.box, engine + "+ink-shape",
                                 found_by=how, second_opinion=token.text)
        if dash and shape == "dash":  # recogniser and ink shape agree on a dash
            fig.confidence = max(conf, dash_conf)
            if to_confirm is not None and ink_box is not None:  # and the page's dashes, a third sign
                to_confirm.append(dashes.DashMark(code, ink_box, token.box, dash_conf > cells.DASH_AMONG_MARKS,
                                                  offset=dashes.row_offset(ink_box, cy, text_h)))
        if dash and shape == "one":  # "一" read where the ink is one upright stroke: the digit 1
            # enough to confirm a 1 online, never to claim a difference (clean=False)
            return FigureReading(code, "1", "1", min(conf, 0.6), token.box, engine + "+ink-shape",
                                 doubts=(DOUBT_NO_LINE,), found_by=how, second_opinion=token.text)
        if dash and shape != "dash":  # read as a dash but the ink is not flat: a human looks
            fig = FigureReading(code, token.text, None, min(conf, 0.5), token.box,
                                engine + "+ink-shape", doubts=(DOUBT_NO_LINE,), found_by=how)
    if second_opinion is not None and not dash and (conf < 0.98 or doubts):
        ask_second(fig, token.box, ind.decimals, second_opinion, second_engine)
    return fig


def figure_in_mark(fig: FigureReading, crop: Box, text: str, score: float, decimals: int,
                   second_opinion: SecondOpinion | None, second_engine: str) -> FigureReading | None:
    """The figure itself, when the recogniser read a plain number in the crop of an unconfirmed
    "dash" mark (a printed "0" under a seal whose flat fragment was taken for a dash, read "0" at
    0.999) and the second engine reads the same there, or, sure (FIGURE_IN_MARK_ALONE), is not
    contradicted by it (Tesseract read nothing in 3 of 4 such crops, cluttered by seal strokes).
    Never clean: it confirms a match, claims no difference. None otherwise; a lone "1" is what
    a dash beside a ruling is often read as."""
    if fig.confidence >= dashes.CONFIRMED or second_opinion is None or score < CELL_SURE \
            or not dashes.digit_seen(text, score) or not PLAIN_NUMBER.fullmatch(text.strip()):
        return None
    value, _, _ = parse_number(text, decimals)
    found = FigureReading(fig.code, text, value, score, crop, fig.engine + CELL_TAG, doubts=(DOUBT_NO_LINE,),
                          found_by=fig.found_by)
    ask_second(found, crop, decimals, second_opinion, second_engine)
    sure_alone = found.agreed is None and score >= FIGURE_IN_MARK_ALONE
    return found if found.agreed or sure_alone else None


PLAIN_NUMBER = re.compile(r"\d+(\.\d+)?")


