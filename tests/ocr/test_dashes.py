"""A dash seen by shape only is confirmed by the page's own dashes: same size, same column place."""

from __future__ import annotations

from ocr.dashes import CONFIRMED, UNLIKE, DashMark, confirm_dashes, like_page_dashes
from ocr.decide import MATCH_MIN
from ocr.model import FigureReading

TEXT_H = 30.0


def mark(code: str, x: int, w: int = 10, h: int = 3, *, alone: bool = True) -> DashMark:
    box = (x, 100, x + w, 100 + h)
    return DashMark(code, box, box, alone)


def page(*marks: DashMark) -> list[DashMark]:
    return list(marks)


def test_a_mark_like_the_pages_other_dashes_is_a_printed_dash() -> None:
    marks = page(mark("A", 500), mark("B", 501), mark("C", 499, w=11))
    assert all(like_page_dashes(m, marks, TEXT_H) for m in marks)


def test_a_mark_of_another_size_or_place_is_not_confirmed() -> None:
    wide = mark("W", 500, w=25)
    tall = mark("T", 500, h=9)
    elsewhere = mark("E", 540)
    for odd in (wide, tall, elsewhere):
        marks = page(mark("A", 500), mark("B", 501), odd)
        assert not like_page_dashes(odd, marks, TEXT_H)


def test_a_seal_stroke_a_quarter_line_beside_the_dash_column_is_not_a_printed_dash() -> None:
    # seed 59, grey scan: a 4x2 px piece of a seal stroke beside a printed "0" (the "0" itself
    # merged into the seal's ink), 7 px right of the page's 5x3 px dashes at a 30 px text height
    marks = page(mark("A", 500, w=5), mark("B", 501, w=5), mark("C", 500, w=6), mark("S", 508, w=4, h=2))
    assert not like_page_dashes(marks[-1], marks, TEXT_H)
    assert like_page_dashes(marks[0], marks, TEXT_H)


def test_a_mark_among_seal_fragments_or_without_enough_page_dashes_is_not_confirmed() -> None:
    among = mark("S", 500, alone=False)
    assert not like_page_dashes(among, page(mark("A", 500), mark("B", 500), among), TEXT_H)
    lonely = mark("L", 500)
    assert not like_page_dashes(lonely, page(mark("A", 500), lonely), TEXT_H)


def test_confirmation_raises_only_the_marks_that_fit_and_says_so() -> None:
    marks = page(mark("A", 500), mark("B", 500), mark("C", 500), mark("W", 490, w=30))  # same centre, too wide
    figs = {m.code: FigureReading(m.code, "-", None, 0.65, m.ink, "r+ink-shape") for m in marks}
    confirm_dashes(figs, marks, TEXT_H, reader=lambda box: ("", 0.0), is_dash=lambda t: t == "-")
    assert [figs[c].confidence for c in "ABC"] == [CONFIRMED] * 3
    assert all(figs[c].engine.endswith("+page-dashes") for c in "ABC")
    assert figs["W"].confidence == 0.65


def test_the_recogniser_is_asked_about_the_rest() -> None:
    marks = page(mark("A", 500), mark("W", 500, w=30))
    figs = {m.code: FigureReading(m.code, "-", None, 0.65, m.ink, "r+ink-shape") for m in marks}
    asked = []

    def reader(box: tuple[int, int, int, int]) -> tuple[str, float]:
        asked.append(box)
        return "-", 0.97

    confirm_dashes(figs, marks, TEXT_H, reader=reader, is_dash=lambda t: t == "-")
    assert len(asked) == 2  # too few page dashes: each asks the recogniser
    assert figs["A"].confidence == CONFIRMED and figs["W"].confidence == CONFIRMED


def marks_at(*rows: tuple[str, int, int], w: int = 10, h: int = 3, alone: bool = True) -> list[DashMark]:
    return [DashMark(code, (x, y, x + w, y + h), (x, y, x + w, y + h), alone) for code, x, y in rows]


def _read(marks: list[DashMark]) -> dict[str, FigureReading]:
    figs = {m.code: FigureReading(m.code, "-", None, 0.65, m.ink, "r+ink-shape") for m in marks}
    confirm_dashes(figs, marks, TEXT_H, reader=None, is_dash=lambda t: t == "-")
    return figs


def test_a_flat_mark_off_the_pages_dash_column_confirms_nothing() -> None:
    """A fragment of a "0" under a seal can be flat: standing off the column where this page
    prints its dashes, it must not confirm "no value" (decide would otherwise call it a match)."""
    column = marks_at(("A", 500, 100), ("B", 500, 150), ("C", 501, 200))
    stray = marks_at(("Z", 470, 250))  # one text height is 30 px: 1 height off
    figs = _read(column + stray)
    assert figs["Z"].confidence == UNLIKE < MATCH_MIN and figs["Z"].engine.endswith("+unlike-page-dashes")
    assert all(figs[c].confidence == CONFIRMED for c in "ABC")


def test_a_mark_much_taller_than_the_pages_dashes_confirms_nothing() -> None:
    column = marks_at(("A", 500, 100), ("B", 500, 150), ("C", 500, 200))
    tall = marks_at(("T", 500, 250), h=3 + 6)
    assert _read(column + tall)["T"].confidence == UNLIKE


def test_dashes_down_a_leaning_column_are_confirmed_and_one_stray_does_not_tilt_it() -> None:
    """A photo leaves the column leaning (here 0.2 px per px): dashes lower down stand further
    right, and are still where this page prints them."""
    lean = marks_at(*((f"L{i}", 500 + i * 10, 100 + i * 50) for i in range(6)))
    stray = marks_at(("S", 400, 400))
    figs = _read(lean + stray)
    assert all(figs[f"L{i}"].confidence == CONFIRMED for i in range(6))
    assert figs["S"].confidence == UNLIKE


def test_with_too_few_page_dashes_nothing_is_contradicted() -> None:
    figs = _read(marks_at(("A", 500, 100), ("B", 500, 150), ("Z", 400, 200)))
    assert figs["Z"].confidence == 0.65


def _beside_seal(reading: tuple[str, float] | None, *, apart: bool = True) -> FigureReading:
    """Three printed dashes and one mark of the same size and place with seal ink beside it."""
    beside = DashMark("S", (500, 100, 510, 103), (500, 100, 510, 103), alone=False, apart=apart)
    marks = page(mark("A", 500), mark("B", 500), mark("C", 501), beside)
    figs = {m.code: FigureReading(m.code, "-", None, 0.65, m.ink, "r+ink-shape") for m in marks}
    reader = None if reading is None else (lambda box: reading)
    confirm_dashes(figs, marks, TEXT_H, reader=reader, is_dash=lambda t: t == "-")
    return figs["S"]


def test_a_dash_beside_seal_ink_is_confirmed_by_the_pages_dashes_when_no_digit_is_seen_in_it() -> None:
    """Seed 59: ten printed dashes beside seal ink, where the online figure was a number, stayed
    with a person because such a mark was never confirmed. The recogniser reads seal strokes as
    anything ("A", "宣"); only a digit speaks against a dash."""
    for seal_text in (("A", 0.99), ("宣", 0.99), ("", 0.0), ("-1", 0.8)):
        fig = _beside_seal(seal_text)
        assert fig.confidence == CONFIRMED and fig.engine.endswith("+page-dashes+no-digit")


def test_a_dash_sized_remnant_of_a_digit_beside_seal_ink_is_not_confirmed() -> None:
    """Seed 59, grey scan: the base of a printed "2" under a seal stood in the dash column with
    a dash's size; the recogniser read the "2" in the mark's crop at 0.996."""
    assert _beside_seal(("2", 0.996)).confidence == 0.65
    assert _beside_seal(("0", 0.6)).confidence == 0.65
    assert _beside_seal(("7", 0.3)).confidence == CONFIRMED  # a mumble is no digit seen


def test_without_a_recogniser_a_mark_beside_seal_ink_stays_unconfirmed() -> None:
    assert _beside_seal(None).confidence == 0.65


def test_a_mark_beside_seal_ink_that_joins_other_ink_is_not_confirmed() -> None:
    """300-unit evaluation: the top bar of a "7" under a red seal, picked out as a dash at the
    darkest ink level, had a dash's size and place and the recogniser read no digit in it; at the
    usual ink level it joins the 7's stem (not `apart`)."""
    assert _beside_seal(("人", 0.14), apart=False).confidence == 0.65


def test_a_dash_stands_off_its_row_by_where_this_page_prints_dashes() -> None:
    """Seed 293, a phone photo: every dash sat 0.21-0.28 text heights below its labels' middle (the
    font prints "-" low), and each was taken for a digit's foot. The page's own dashes say where
    a dash stands in its row; a flat stroke off that place is still discounted."""
    from ocr.dashes import off_row_middle
    low = [DashMark(c, (500, 100, 510, 103), (500, 100, 510, 103), True, offset=o, in_cell=True)
           for c, o in (("A", 0.26), ("B", 0.24), ("C", 0.28), ("D", 0.21))]
    assert off_row_middle(low) == []
    foot = DashMark("F", (500, 100, 510, 103), (500, 100, 510, 103), True, offset=0.6, in_cell=True)
    assert off_row_middle([*low, foot]) == [foot]
    # with too few dashes on the page to tell, the row's middle decides
    assert off_row_middle(low[:2]) == [low[0]]
    # a dash the recogniser read is no mark to discount, but tells where the page's dashes stand
    read = [DashMark(c, m.ink, m.crop, True, offset=m.offset) for c, m in zip("abcd", low, strict=True)]
    assert off_row_middle([*read, low[0]]) == []
