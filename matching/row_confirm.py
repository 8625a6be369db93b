"""A page whose rows the reader could not match to their figures reliably (ocr.column_lean: its
figure column leans, as a phone photo's perspective makes it, or neighbouring rows drift apart)
is trusted again when the online record confirms the rows: read as placed, its figures are the
record's, and read one row up or down they clearly are not.

If the rows were placed one off, each figure read would be its neighbour's: it would equal the
record of the row above or below, not its own, unless neighbouring records are alike, and then
the shifted reading agrees as well as the placed one. So every figure read must be its record's
as placed, and the placed reading must beat both shifted readings by SHIFT_MARGIN figures. Not one
difference is let through: where a single row took its neighbour's figure (the drift jump of
ocr.column_lean) that one figure is the only one unlike its record, and trusting the page would
claim it. A page with a difference stays untrusted, and its unit goes to a person.
"""

from __future__ import annotations

from ocr.column_lean import ROWS_LEAN_PROBLEM
from ocr.decide import read_as_dash, reading_agrees
from ocr.model import DOUBT_LEAN, DocumentReading, FigureReading, PageReading
from registry.template import Template

SHIFT_MARGIN = 3     # figures by which the placed reading must beat the reading one row off
CONFIRMED_NOTE = "页面倾斜或透视未能完全校正，但各行读数与网上数据逐行一致（错行核对则不一致），按正常页面核对"


def _read(fig: FigureReading) -> bool:
    return fig.value is not None or read_as_dash(fig)


def _agreeing(page: PageReading, rows: list[str], online: dict[str, str | None], shift: int) -> int:
    """Figures of the page that equal the record of the row `shift` rows below their own."""
    return sum(1 for k, code in enumerate(rows) if 0 <= k + shift < len(rows) and _read(page.figures[code])
               and reading_agrees(page.figures[code], online.get(rows[k + shift])))


def rows_confirmed(page: PageReading, template: Template, online: dict[str, str | None]) -> bool:
    rows = [c for c in template.codes if c in page.figures]   # the page's rows, top to bottom
    read = sum(1 for c in rows if _read(page.figures[c]))
    placed = _agreeing(page, rows, online, 0)
    shifted = max(_agreeing(page, rows, online, -1), _agreeing(page, rows, online, 1))
    return placed == read and placed - shifted >= SHIFT_MARGIN


def confirm_rows(doc: DocumentReading, template: Template, online: dict[str, str | None]) -> list[int]:
    """Pages whose untrusted rows the record confirms get their readings' confidence back; the
    page's problem is replaced by a note saying why. Returns the pages' indexes."""
    done = []
    for i, page in enumerate(doc.pages):
        if ROWS_LEAN_PROBLEM not in page.problems or not rows_confirmed(page, template, online):
            continue
        for fig in page.figures.values():
            if fig.untrusted_from is not None:
                fig.confidence, fig.untrusted_from = fig.untrusted_from, None
                fig.doubts = tuple(d for d in fig.doubts if d != DOUBT_LEAN)
        page.problems = [CONFIRMED_NOTE if p == ROWS_LEAN_PROBLEM else p for p in page.problems]
        done.append(i)
    return done
