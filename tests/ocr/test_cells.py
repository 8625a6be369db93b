"""The ink in a table cell: a faint printed dash is a dash even when a black ruling shares the cell."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ocr import cells

TEXT_H = 40
PHOTOS = Path(__file__).parent / "photos"


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
    _, comps = next(cells.ink_components_at_levels(cell, (0, 0, 300, 50), TEXT_H))
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


def _cell_under_grey_seal_text() -> np.ndarray:
    """Seed 59, grey scan: the seal's characters cover most of the cell (grey 150-175), and the
    printed dash (100) touches one of their strokes (seal ink measured 140-200 there)."""
    cell = np.full((36, 86), 250, np.uint8)
    for x in range(-20, 80, 10):                # slanted strokes of the seal's text, 5 px wide
        cv2.line(cell, (x, 0), (x + 18, 35), 160, 5)
    cv2.line(cell, (0, 8), (70, 12), 160, 4)
    noise = np.random.default_rng(5).integers(-4, 5, cell.shape)
    cell = np.where(cell < 250, cell + noise, cell).astype(np.uint8)
    cell[18:21, 50:56] = 100                    # the dash, over a stroke
    return cell


def test_a_dash_under_a_grey_seals_text_is_a_dash() -> None:
    """The spread of a cell that is mostly seal ink is not the paper's noise: measured over the
    whole cell it set the ink level below the dash, and the cell looked blank to a person."""
    kind, box, conf = cells.classify_cell(_cell_under_grey_seal_text(), (0, 0, 86, 36), 36)
    assert kind == "dash" and box == (50, 18, 56, 21)
    # not enough alone to confirm "no value" (the page's dashes must agree): a fragment of a
    # "15" under seal text was seen as a dash at this level in the 300-unit evaluation
    from ocr.decide import MATCH_MIN
    assert conf == cells.DASH_BENEATH_SEAL < MATCH_MIN


def test_grey_seal_text_alone_is_not_a_dash() -> None:
    cell = _cell_under_grey_seal_text()
    cell[18:21, 50:56] = cell[18:21, 44:50]     # the dash's place, seal strokes only
    assert cells.classify_cell(cell, (0, 0, 86, 36), 36)[0] != "dash"


def test_paper_noise_alone_stays_blank() -> None:
    """The seal-aware level never falls into a noisy photo's grain."""
    noisy = np.clip(np.random.default_rng(3).normal(200, 9, (40, 200)), 0, 255).astype(np.uint8)
    assert cells.classify_cell(noisy, (0, 0, 200, 40), 36)[0] == "blank"


def test_a_dash_stands_apart_and_the_top_bar_of_a_seven_does_not() -> None:
    """The top bar of a "7" is a flat mark like a dash; at the usual ink level it joins the stem."""
    from ocr.cells import stands_apart
    img = np.full((120, 200), 245, np.uint8)
    img[58:62, 40:52] = 40                      # a dash, 12 x 4
    img[40:44, 120:132] = 40                    # a 7: its top bar ...
    for k in range(24):                         # ... and its slanted stem
        img[44 + k, 130 - k // 3:133 - k // 3] = 90
    assert stands_apart(img, (40, 58, 52, 62), 30.0)
    assert not stands_apart(img, (120, 40, 132, 44), 30.0)
    assert not stands_apart(img, (160, 80, 170, 84), 30.0)  # no ink there: nothing to judge by
    colour = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    assert not stands_apart(colour, (300, 200, 310, 204), 0.0)  # off the image: nothing to judge by


def test_a_small_figure_between_the_rulings_is_not_taken_for_a_cell_under_a_seal() -> None:
    """Seed 11, grey scan, no seal near: a "2" 15 px high in a cell whose rulings fall inside the
    box round it. Counted with the rulings, a quarter of the box was ink, the box was taken as
    covered by a seal, and at that level a 2x2 dot of the 2's stroke was called a dash; the "2",
    a planted difference, then could not be claimed."""
    cell = cv2.imread(str(PHOTOS / "small-figure-between-rulings-grey.png"), cv2.IMREAD_GRAYSCALE)
    pad = int(0.3 * 31)
    kind, box, _ = cells.classify_cell(cell, (39 - pad, 22 - pad // 2, 63 + pad, 53 + pad // 2), 31)
    assert kind == "ink" and box == (49, 30, 57, 45)
    levels = list(cells.ink_components_at_levels(cell, (39 - pad, 22 - pad // 2, 63 + pad, 53 + pad // 2), 31))
    assert not any(beneath for beneath, _ in levels)


def test_straight_rulings_are_told_from_ink_that_curves() -> None:
    lines = np.zeros((40, 40), bool)
    lines[5:7, :] = True           # a ruling across the cell
    lines[:, 30:32] = True         # and one down it
    arc = np.zeros((40, 40), np.uint8)
    cv2.circle(arc, (15, 22), 12, 1, 2)  # a seal ring's stroke
    arc_only = arc.astype(bool) & ~lines
    rulings = cells._rulings(lines | arc_only)
    assert rulings[lines].all() and not rulings[arc_only].any()


FAINT_DASHES = PHOTOS / "faint-dashes-phone.png"   # seed 97, a phone photo's 数值 column, rows S10-S18 and F01
DASH_ROWS = (15, 55, 94, 133, 173, 212, 252, 292, 331)   # the tops of the nine "-" cells (S10-S18)
FIGURE_ROW = 410                                          # F01, a printed "0"


def test_faint_dashes_on_a_shaded_phone_photo_are_dashes() -> None:
    """Each dash is about 40 grey levels below the paper beside it, while the photo's shading
    spreads the cell's own paper over as much: taken against one level for the cell, every one of
    them was blank (its row then weighed as a figure read as nothing)."""
    grey = cv2.imread(str(FAINT_DASHES), cv2.IMREAD_GRAYSCALE)
    found = [cells.classify_cell(grey, (25, y, 298, y + 31), 32) for y in DASH_ROWS]
    assert [kind for kind, _, _ in found] == ["dash"] * len(DASH_ROWS)
    assert all(box[0] >= 120 and box[2] <= 135 for _, box, _ in found)   # where the column's dashes stand
    kind, _, _ = cells.classify_cell(grey, (25, FIGURE_ROW, 298, FIGURE_ROW + 31), 32)
    assert kind != "dash"   # the "0" below them is not flattened into one
