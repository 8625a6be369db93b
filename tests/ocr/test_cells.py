"""The ink in a table cell: a faint printed dash is a dash even when a black ruling shares the cell."""

from __future__ import annotations

import numpy as np

from ocr import cells

TEXT_H = 40


def _cell_with_ruling(dash_level: int) -> np.ndarray:
    cell = np.full((50, 300), 250, np.uint8)
    cell[:, 296:299] = 20                       # the table's black border inside the wide 数值 cell
    cell[24:27, 120:132] = dash_level           # a printed dash, 12 x 3 px
    return cell


def test_a_faint_dash_beside_a_black_ruling_is_a_dash_by_its_own_shape() -> None:
    """The ruling must not set the cell's darkest level: the dash (lighter than half-way from the
    ruling's black to the paper) would then only be picked out among other marks, with less
    confidence, and never count as "alone" for the page's dash check."""
    kind, box, conf = cells.classify_cell(_cell_with_ruling(167), (0, 0, 300, 50), TEXT_H)
    assert kind == "dash" and box == (120, 24, 132, 27)
    assert conf > cells.DASH_AMONG_MARKS


def test_a_dark_dash_beside_a_ruling_is_still_a_dash() -> None:
    kind, box, conf = cells.classify_cell(_cell_with_ruling(40), (0, 0, 300, 50), TEXT_H)
    assert kind == "dash" and box == (120, 24, 132, 27) and conf > cells.DASH_AMONG_MARKS


def test_a_faint_grey_ring_fragment_beside_a_dark_digit_stays_out_of_the_ink() -> None:
    """Half-way from the darkest mark still keeps a grey scan's lighter seal strokes out."""
    cell = np.full((50, 300), 250, np.uint8)
    cell[10:40, 200:204] = 30                   # a printed "1", black
    cell[5:45, 100:103] = 190                   # a light grey seal stroke
    comps = next(cells.ink_components_at_levels(cell, (0, 0, 300, 50), TEXT_H))
    assert comps == [(200, 10, 204, 40)]


def test_an_empty_cell_with_only_a_ruling_is_blank() -> None:
    cell = np.full((50, 300), 250, np.uint8)
    cell[:, 296:299] = 20
    assert cells.classify_cell(cell, (0, 0, 300, 50), TEXT_H)[0] == "blank"


def test_a_black_dash_among_a_grey_seals_specks_is_a_dash() -> None:
    """Seed 67, grey scan: the tip of a seal's star (grey 170, darker specks 130) in the cell
    beside a printed dash (115). Where a figure stands only the ink near the darkest is print."""
    cell = np.full((40, 120), 250, np.uint8)
    cell[0:12, 20:45] = 172                     # the star's tip, from the cell's top edge
    cell[0:3, 30:35] = 107                      # its darkest part
    cell[14:18, 40:43] = 168                    # a speck of it, on its own
    cell[20:22, 70:76] = 115                    # the printed dash
    assert cells.classify_cell(cell, (5, 2, 115, 38), 35)[0] == "ink"  # two marks
    kind, box, conf = cells.classify_cell(cell, (5, 2, 115, 38), 35, darkest_pass=True)
    assert kind == "dash" and box == (70, 20, 76, 22) and conf == cells.DASH_AMONG_MARKS
