"""A cell where no text line was detected is read where this page's figures stand (real
recogniser, a real page): a seal's ring crossing the cell away from that place is not a "1"."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ocr.figures import _figure
from ocr.model import OcrLine
from ocr.page import CellReader
from registry.template import default_template

T = default_template()
CODE = "P14"
PHOTO = Path(__file__).parent / "photos" / "grey-ring-arc-and-star-over-a-dash.png"
# From the seed 37 world's page (grey scan, 150 dpi): the row's centre line and value-column span,
# and where the page's figures stand (right-aligned at 330 px, at most 25 px wide)
CY, SPAN, TOL, TEXT_H = 60.3, (10.2, 367.8), 19.8, 34.0
COLUMN = ("right", 330.5, 25.0)


def _read(page: np.ndarray, column: tuple[str, float, float] | None = COLUMN) -> str | None:
    anchor = OcrLine(CODE, 0.99, (0, 42, 40, 76), "test")
    fig = _figure(CODE, T.indicator(CODE), None, [], anchor, CY, SPAN, TOL, TEXT_H, page[:, :, 2],
                  "test", None, "", "code", CellReader(page[:, :, 2]), column=column)
    return fig.value


def test_a_ring_crossing_the_cell_away_from_the_figures_place_is_not_read_as_a_figure() -> None:
    """The printed "-" lies under the star's point; the ring's upright arc, left of where any
    figure of this page stands, was read as a "1" at 0.83."""
    assert _read(cv2.imread(str(PHOTO))) is None


def test_a_figure_where_the_figures_stand_is_still_read_beside_the_ring() -> None:
    page = cv2.imread(str(PHOTO))
    page[42:78, 270:334] = 248                          # the star's part in this row gone ...
    page[50:70, 310:332] = page[8:28, 310:332].copy()    # ... and the "0" of the row above printed there
    assert _read(page) == "0"
