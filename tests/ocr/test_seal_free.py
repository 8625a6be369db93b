"""A figure under a red seal, read once more with the seal's ink taken out (real recogniser, real
images): the strokes of the seal stop counting as digits; digits printed under it stay."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from ocr import FigureReading, decide
from ocr.confidence import UNDER_SEAL_ALONE
from ocr.decide import evidence
from ocr.figures import read_seal_free
from ocr.normalise import ocr_copy
from ocr.page import _seal_free_reader, read_page
from ocr.print_ink import ink_copy
from ocr.sources import PageSource
from registry.template import default_template
from synth.fonts import pil_font

T = default_template()
CODE = next(c for c in T.codes if T.indicator(c).decimals == 0)
PAPER, SEAL = (236, 232, 224), (214, 58, 62)
PHOTOS = Path(__file__).parent / "photos"


def _cell(text: str, seal_text: bool = False) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 数值 cell at 200 dpi with `text` in black and a seal's ring passing just left of it (and
    `seal_text`: the seal's characters over the rest of the cell)."""
    img = Image.new("RGB", (400, 80), PAPER)
    draw = ImageDraw.Draw(img)
    draw.line((0, 12, 399, 12), fill=(40, 40, 40), width=2)
    draw.line((0, 68, 399, 68), fill=(40, 40, 40), width=2)
    font = pil_font("wqy", 30)
    x = 360 - draw.textlength(text, font=font)
    draw.text((x, 22), text, fill=(25, 25, 25), font=font)
    draw.arc((x - 220, -160, x - 6, 240), start=-20, end=20, fill=SEAL, width=4)  # the ring, nearly upright
    if seal_text:
        draw.text((40, 18), "科学技术", fill=SEAL, font=pil_font("wqy", 40))
    bgr = np.asarray(img)[:, :, ::-1].copy()
    return bgr, (int(x) - 26, 20, 372, 60)


TEXT_H = 30.0  # the cell's figures are 30 px high


def _read(text: str, whole_cell: bool = False) -> FigureReading:
    bgr, box = _cell(text, seal_text=whole_cell)
    if whole_cell:  # a figure read from its cell (no text line found) has the cell's box
        box = (4, 16, 396, 64)
    fig = FigureReading(CODE, "?", "0", 0.8, box, "test")
    ink = ink_copy(bgr)
    read_seal_free({CODE: fig}, ocr_copy(bgr), ink, T, _seal_free_reader(ink), TEXT_H)
    return fig


def test_the_view_without_the_seal_reads_the_printed_figure_not_the_ring() -> None:
    assert _read("5").seal_free == "5"


def test_digits_printed_under_the_seal_stay_in_that_view() -> None:
    assert _read("15").seal_free == "15"


def test_a_figure_read_from_its_whole_cell_is_read_where_its_print_is() -> None:
    assert _read("2500", whole_cell=True).seal_free == "2500"


def test_a_dash_under_the_seal_is_a_dash_in_that_view() -> None:
    """The ring beside the form's "-" was read as a digit; without the seal's ink the one flat mark
    left is the dash."""
    assert _read("-").seal_free == "-"
    assert _read("-", whole_cell=True).seal_free == "-"


def test_no_seal_no_second_view() -> None:
    img = np.full((80, 400, 3), 235, np.uint8)
    fig = FigureReading(CODE, "5", "5", 0.8, (300, 20, 372, 60), "test")
    read_seal_free({CODE: fig}, ocr_copy(img), ink_copy(img), T, _seal_free_reader(ink_copy(img)), TEXT_H)
    assert fig.seal_free is None


def _fig(value: str, seal_free: str | None, confidence: float = 0.97) -> FigureReading:
    return FigureReading(CODE, value, value, confidence, (0, 0, 10, 10), "test", seal_free=seal_free)


def test_a_seal_free_view_that_reads_the_record_stops_a_difference_claim() -> None:
    assert decide(_fig("15", "15"), "5", 0).kind == "differs"
    d = decide(_fig("15", "5"), "5", 0)
    assert d.kind == "unreadable" and "印章" in d.reason
    assert evidence(_fig("15", "5", 0.8), "5") == "weak_match"
    assert decide(_fig("15", "-"), None, 0).kind == "unreadable"  # the seal-free view sees a dash
    assert decide(_fig("15", "7"), "5", 0).kind == "differs"       # another figure there speaks for nothing
    assert evidence(_fig("15", "7", 0.8), "5") == "reads_other"


def test_the_seal_free_view_reading_the_same_figure_is_the_second_look_under_a_seal() -> None:
    """Under seal ink one engine alone is capped at UNDER_SEAL_ALONE and claims nothing; the view
    without the seal's ink reading the same figure lets it claim, unless the two figures are
    look-alikes or the reading was below the cap."""
    assert decide(_fig("3", "3", UNDER_SEAL_ALONE), "4", 0).kind == "differs"
    assert decide(_fig("3", None, UNDER_SEAL_ALONE), "4", 0).kind == "unreadable"
    assert decide(_fig("3", "3", UNDER_SEAL_ALONE - 0.01), "4", 0).kind == "unreadable"
    assert decide(_fig("3", "3", UNDER_SEAL_ALONE), "8", 0).kind == "unreadable"  # 3/8 look alike
    # a digit the seal hid is hidden in both views: "0" for a printed 10, "15" for 5
    assert decide(_fig("0", "0", UNDER_SEAL_ALONE), "10", 0).kind == "unreadable"
    assert decide(_fig("15", "15", UNDER_SEAL_ALONE), "5", 0).kind == "unreadable"
    assert decide(_fig("14", "14", UNDER_SEAL_ALONE), "1.40", 2).kind == "unreadable"
    assert decide(_fig("12", "12", UNDER_SEAL_ALONE), "152", 0).kind == "unreadable"
    assert decide(_fig("12", "12", UNDER_SEAL_ALONE), "16", 0).kind == "differs"
    unclean = _fig("3", "3", UNDER_SEAL_ALONE)
    unclean.doubt("mapped")
    assert decide(unclean, "4", 0).kind == "unreadable"


def test_a_figure_on_the_seal_ring_read_in_both_views_claims_its_difference() -> None:
    """A real colour scan (seed 23, a unit's first scan): the 3 printed where the record says 4
    stands on the seal's ring. The recogniser reads "3" at the cap, Tesseract says nothing clear,
    the view without the seal reads "3": a difference, not a figure for a person to read. The
    figures beside it under the same ring still match."""
    img = cv2.imread(str(PHOTOS / "figure-beside-seal-ring-colour.png"))
    page = read_page(PageSource(3, img, "image-file"), T)
    s15 = page.figures["S15"]
    assert (s15.value, s15.seal_free, s15.clean) == ("3", "3", True)
    assert s15.confidence == UNDER_SEAL_ALONE
    assert decide(s15, "4", 0).kind == "differs"
    assert decide(page.figures["S16"], "14", 0).kind == "matches"
    assert decide(page.figures["S14"], "1", 0).kind == "matches"


def test_a_figure_read_from_its_whole_cell_is_read_again_where_the_pages_figures_stand() -> None:
    """Seed 227, a phone photo: a printed "0" among a red seal's lettering, read "6" from its whole
    cell. In the view without the seal a ghost of the lettering stays in the cell, and read in the
    cell's ink that view gave "62" (here "567"); where this page's figures stand it reads "0"."""
    crop = cv2.imread(str(PHOTOS / "zero-among-seal-lettering-ghost-phone.jpg"))
    ink = ink_copy(crop)
    cell = (79, 86, 332, 115)
    seen = {}
    for column in (None, ("right", 298.0, 12.0)):
        fig = FigureReading(CODE, "6", "6", 0.57, cell, "test")
        read_seal_free({CODE: fig}, ocr_copy(crop), ink, T, _seal_free_reader(ink), 22.0, column)
        seen[column is not None] = fig.seal_free
    assert seen[True] == "0" and seen[False] != "0"


def test_seal_lettering_read_as_a_figure_leaves_the_row_to_its_cell() -> None:
    """Seed 277, a phone photo (layout E, codes after the figures): the row M11 prints "-", which
    no text line covered; a "5" was read at 0.53 in the red seal's text left of the column, and
    blocked the form as a figure against an empty record. In the view with the seal's ink taken
    out its box holds nothing: the cell decides, and finds the dash."""
    img = cv2.imread(str(PHOTOS / "seal-lettering-read-as-a-figure-beside-a-dash-phone.jpg"))
    page = read_page(PageSource(0, img, "image-file"), T)
    m11 = page.figures["M11"]
    assert m11.value is None and m11.text == "-" and m11.confidence >= 0.5
    assert (page.figures["M10"].value, page.figures["M12"].value) == ("2473", "0")


def test_a_token_beside_where_the_pages_figures_stand_is_checked_where_they_stand() -> None:
    """Seed 311, a phone photo: the red seal's lettering left of the 数值 column was read "1616" at
    0.78 in a row that prints "-" (empty online), and blocked the form as another figure. Its own
    box, without the seal's ink, holds nothing legible; where this page's figures stand (right-
    aligned at x=741 here) the view without the seal shows the printed dash, which is evidence
    for the record."""
    crop = cv2.imread(str(PHOTOS / "seal-lettering-beside-a-printed-dash-phone.jpg"))
    ink = ink_copy(crop)
    token = (640, 356, 682, 382)
    seen = {}
    for column in (None, ("right", 741.0, 53.0)):
        fig = FigureReading("M04", "1616", "1616", 0.78, token, "test")
        read_seal_free({"M04": fig}, ocr_copy(crop), ink, T, _seal_free_reader(ink), 26.0, column)
        seen[column is not None] = fig
    assert seen[False].seal_free != "-"
    assert seen[True].seal_free == "-" and evidence(seen[True], None, under_seal=True) == "weak_match"
    assert evidence(seen[False], None, under_seal=True) == "reads_other"
