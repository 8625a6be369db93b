"""Pure logic of reading a figure token and judging the figures' column (no OCR here)."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.column_lean import column_tilt, rows_unreliable
from ocr.figure_column import column_band, figure_column, in_column, short_of_column, swollen
from ocr.figures import (
    marks_by_seal_not_alone,
    parse_number,
    row_slopes,
    under_seal,
)
from ocr.model import OcrLine
from ocr.tokens import garbled


def test_figure_with_every_printed_decimal_is_clean() -> None:
    assert parse_number("12.50", 2) == ("12.5", True, False)
    assert parse_number("1,234", 0) == ("1234", True, False)


def test_figure_that_lost_its_decimal_point_is_not_evidence_of_a_difference() -> None:
    value, clean, _ = parse_number("1250", 2)
    assert value == "1250" and not clean
    assert parse_number("12.5", 2)[1] is False


def test_minus_sign_from_a_stray_stroke_makes_the_reading_unclean() -> None:
    value, clean, dash = parse_number("-3.50", 2)
    assert (value, clean, dash) == ("-3.5", False, False)
    assert parse_number("-", 2) == (None, True, True)


def _column(dx_per_dy: float, n: int = 12) -> list[OcrLine]:
    out = []
    for i in range(n):
        y = 100 + 40 * i
        x1 = 1000 + dx_per_dy * (y - 100)
        width = 20 + 15 * (i % 4)  # right-aligned figures of varying length
        out.append(OcrLine("1" * (1 + i % 4), 0.99, (int(x1 - width), y - 10, int(x1), y + 10), "test"))
    return out


def test_column_tilt_of_right_aligned_figures() -> None:
    assert abs(column_tilt(_column(0.0))) < 0.01
    assert abs(column_tilt(_column(0.2)) - 0.2) < 0.02
    assert abs(column_tilt(_column(0.2, n=4)) - 0.2) < 0.02  # four figures show it (seed 151's photo had five)
    assert column_tilt(_column(0.2, n=3)) == 0.0  # too few figures to judge


def test_four_upright_figures_whose_centres_happen_to_line_up_do_not_lean() -> None:
    """Seed 163, a colour scan: 315, 12, 1191 and 0 right-aligned (edges 1147, 1147, 1146, 1144),
    three of whose centres line up by chance at a lean of 0.05. Fitted on the centres, the page was
    called leaning and every figure on it went to a person; the page's figures share their right
    edge, and a 3 px wobble of glyph boxes is no lean."""
    boxes = {"A18": ("315", (1103, 218, 1147, 246)), "E01": ("12", (1113, 318, 1147, 350)),
             "E02": ("1191", (1093, 363, 1146, 396)), "E03": ("0", (1126, 412, 1144, 437))}
    tokens = {c: OcrLine(t, 0.99, b, "test") for c, (t, b) in boxes.items()}
    anchors = [(c, OcrLine("label", 0.99, (80, b[1], 277, b[3]), "test"), "label") for c, (_, b) in boxes.items()]
    align = figure_column(list(tokens.values()))
    assert align is not None and align[0] == "right"
    assert not rows_unreliable(anchors, tokens, 33.0, align[0])
    # the same figures leaning by 0.15 (a phone photo's perspective) are still seen to lean
    leaning = {c: OcrLine(t.text, 0.99, (t.box[0] + int(0.15 * t.cy), t.box[1], t.box[2] + int(0.15 * t.cy), t.box[3]), "test")
               for c, t in tokens.items()}
    assert rows_unreliable(anchors, leaning, 33.0, "right")


def test_neighbouring_rows_whose_drifts_jump_by_most_of_a_row_are_not_trusted() -> None:
    """Seed 349, page 2 of a phone photo: the upper rows drifted by most of a row from their codes
    to their figures, and F02, F08 and F09 took the figure of the row above, which made three false
    differences. The figure column hardly leans (0.016); where the rows read one row up meet those
    read right (F09, F10) the drift jumps by 0.95 of a row."""
    read = {"F02": (376, 370), "F08": (568, 557), "F09": (602, 587), "F10": (634, 650), "F11": (666, 680),
            "M03": (860, 870), "M04": (892, 900), "M05": (924, 932), "M13": (1182, 1182), "M14": (1213, 1212),
            "A01": (1312, 1308)}
    anchors = [(c, OcrLine(c, 0.99, (250, a - 12, 276, a + 12), "test"), "code") for c, (a, _) in read.items()]
    tokens = {c: OcrLine("0", 0.99, (945, t - 12, 962, t + 12), "test") for c, (_, t) in read.items()}
    assert rows_unreliable(anchors, tokens, 32.0, "centre")
    # the same rows all read right: the drift grows smoothly down the page
    smooth = {c: OcrLine("0", 0.99, (945, a + 26 - (a - 376) // 30 - 12, 962, a + 26 - (a - 376) // 30 + 12), "test")
              for c, (a, _) in read.items()}
    assert not rows_unreliable(anchors, smooth, 32.0, "centre")


def test_a_figure_ending_short_of_the_right_aligned_column_may_have_lost_digits() -> None:
    for tilt in (0.0, 0.1):  # a leaning page too: the edge is followed down the column
        column = _column(tilt)
        tokens = {f"P{i:02d}": t for i, t in enumerate(column)}
        x0, y0, x1, y1 = column[5].box
        tokens["P05"] = OcrLine("47", 0.999, (x0 - 30, y0, x1 - 30, y1), "test")  # "476": the 6 under a seal
        shape = figure_column([t for t in tokens.values()])
        assert short_of_column(tokens, shape) == ["P05"]
        tokens["P05"] = OcrLine("47", 0.999, (x0, y0, x1 - 3, y1), "test")  # a few pixels: scan jitter
        assert short_of_column(tokens, figure_column(list(tokens.values()))) == []


def test_rows_of_a_bent_photo_follow_their_local_drift() -> None:
    # figures drift upwards by more and more rows lower on the page (a photo of a bent sheet):
    # near the bottom a figure sits 0.45 of a row above its label, past a single page-wide tilt
    anchors, lines = [], []
    for i in range(14):
        y = 100 + 40 * i
        label = OcrLine(f"S{i:02d}", 0.99, (80, y - 10, 120, y + 10), "test")
        drift = -18 * (i / 13) ** 2
        figure = OcrLine(str(10 + i), 0.99, (980, int(y + drift) - 10, 1000, int(y + drift) + 10), "test")
        anchors.append((f"S{i:02d}", label, "code"))
        lines += [label, figure]
    slopes = row_slopes(anchors, lines, lambda a: (900.0, 1100.0), tol=18.0)
    for code, label, _ in anchors:
        i = int(code[1:])
        predicted = label.cy + slopes[code] * (990 - label.cx)
        assert abs(predicted - (label.cy - 18 * (i / 13) ** 2)) < 0.25 * 40, code


def test_a_figure_box_far_taller_than_the_pages_figures_is_swollen() -> None:
    tokens = {f"P{i:02d}": OcrLine("12", 0.99, (900, 100 + 40 * i, 930, 120 + 40 * i), "t") for i in range(6)}
    tokens["P06"] = OcrLine("10", 0.98, (880, 340, 940, 376), "t")  # 36 px against 20: took in a seal stroke
    assert swollen(tokens) == ["P06"]


def test_seal_ink_inside_a_box_is_told_by_what_the_ink_image_took_out() -> None:
    grey = np.full((50, 100), 240, np.uint8)
    grey[20:30, 10:20] = 30                   # print
    ink = grey.copy()
    assert not under_seal(grey, ink, (0, 0, 100, 50))
    grey[5:45, 50:90] = 200                   # red seal ink: light in the red channel ...
    ink = grey.copy()
    ink[5:45, 50:90] = 240                    # ... and taken out (set to paper) in the ink image
    assert under_seal(grey, ink, (40, 0, 100, 50))
    assert not under_seal(grey, ink, (0, 0, 40, 50))


def test_a_dash_mark_beside_taken_out_seal_ink_is_not_alone_in_its_cell() -> None:
    from ocr.dashes import DashMark
    grey = np.full((80, 200), 240, np.uint8)
    grey[40:42, 50:56] = 60                       # a small flat mark ...
    grey[30:50, 120:140] = 60                     # ... and another far from any seal
    grey[28:52, 56:64] = 190                      # seal ink right beside the first
    ink = grey.copy()
    ink[28:52, 56:64] = 240                       # taken out of the ink image
    marks = [DashMark("A", (50, 40, 56, 42), (40, 30, 66, 52), True),
             DashMark("B", (125, 40, 131, 42), (115, 30, 141, 52), True)]
    kept = marks_by_seal_not_alone(marks, grey, ink, 20)
    assert [m.alone for m in kept] == [False, True]


def _page_with_seal_over_p03() -> tuple[list[OcrLine], np.ndarray, np.ndarray]:
    lines = [OcrLine("代码", 0.99, (600, 40, 660, 70), "t"), OcrLine("数值", 0.99, (880, 40, 940, 70), "t")]
    for i in range(6):
        y = 120 + 50 * i
        lines.append(OcrLine(f"P0{i + 1}", 0.99, (600, y - 12, 650, y + 12), "t"))
        lines.append(OcrLine("476", 0.999, (900, y - 12, 945, y + 12), "t"))
    grey = np.full((500, 1000), 240, np.uint8)
    ink = grey.copy()
    grey[200:235, 880:960] = 200   # red seal ink over P03's figure: light in the red channel ...
    for i in range(6):             # ... and taken out (paper) in the ink image; the print stays
        y = 120 + 50 * i
        for x in (905, 920, 935):
            grey[y - 10:y + 10, x:x + 3] = ink[y - 10:y + 10, x:x + 3] = 40
    return lines, grey, ink


def test_a_sure_figure_under_seal_ink_is_asked_of_the_second_engine_and_kept_when_it_agrees() -> None:
    from ocr.figures import UNDER_SEAL_ALONE, read_figures
    from registry.template import default_template
    lines, grey, ink = _page_with_seal_over_p03()
    asked: list[tuple[int, int, int, int]] = []

    def tesseract(answer: str):  # noqa: ANN202
        def opinion(box: tuple[int, int, int, int]) -> tuple[str, float]:
            asked.append(box)
            return answer, 0.9
        return opinion

    figs = read_figures(lines, default_template(), grey, engine="r", ink=ink,
                        second_opinion=tesseract("476"), second_engine="t")
    assert len(asked) == 1 and asked[0][1] < 220 < asked[0][3]     # only the figure under the seal
    assert figs["P03"].agreed is True and figs["P03"].confidence > UNDER_SEAL_ALONE
    assert figs["P03"].engine == "r+t"

    figs = read_figures(lines, default_template(), grey, engine="r", ink=ink,
                        second_opinion=tesseract(""), second_engine="t")  # silent: one engine alone
    assert figs["P03"].agreed is None and figs["P03"].confidence == UNDER_SEAL_ALONE
    assert figs["P01"].confidence == 0.999


def _page_with_flat_mark_in_p03(dy: int) -> tuple[list[OcrLine], np.ndarray]:
    """Six rows, figures read in all but P03, whose cell holds only one flat black mark `dy` px
    below the row's middle (text height 24)."""
    lines = [OcrLine("代码", 0.99, (600, 40, 660, 70), "t"), OcrLine("数值", 0.99, (880, 40, 940, 70), "t")]
    grey = np.full((500, 1000), 240, np.uint8)
    for i in range(6):
        y = 120 + 50 * i
        lines.append(OcrLine(f"P0{i + 1}", 0.99, (600, y - 12, 650, y + 12), "t"))
        if i != 2:
            lines.append(OcrLine("476", 0.999, (900, y - 12, 945, y + 12), "t"))
    grey[220 + dy - 1:220 + dy + 2, 930:942] = 30
    return lines, grey


def test_a_flat_mark_at_the_foot_of_a_row_is_no_confirmed_dash() -> None:
    """Seed 59 and 67, grey scans: the foot of a "0" (its rest merged into a seal's strokes) read
    as a dash 0.3 to 0.4 text heights below the row's middle; printed dashes stand within 0.24."""
    from ocr.decide import MATCH_MIN, decide
    from ocr.figures import read_figures
    from registry.template import default_template
    lines, grey = _page_with_flat_mark_in_p03(0)
    middle = read_figures(lines, default_template(), grey, engine="r")["P03"]
    assert middle.text == "-" and middle.confidence >= MATCH_MIN
    assert decide(middle, None, 0).kind == "matches"
    lines, grey = _page_with_flat_mark_in_p03(9)
    foot = read_figures(lines, default_template(), grey, engine="r")["P03"]
    assert foot.text == "-" and foot.confidence < MATCH_MIN and "off-row-middle" in foot.engine
    assert decide(foot, None, 0).kind == "unreadable"  # a "0" on paper must not pass for no value


def test_a_digit_beside_grey_seal_text_is_recognised_on_its_own() -> None:
    """Seed 59, grey scan: nothing was detected in P03's cell, and recognising the cell, or the
    place where figures stand, read the "0" together with the seal's characters (低碳). The ink
    near the darkest at that place is the digit alone: its own crop is read too."""
    from ocr.figures import read_figures
    from registry.template import default_template
    lines, grey = _page_with_flat_mark_in_p03(0)
    grey[220 - 1:220 + 2, 930:942] = 240          # no mark: a seal's text and a "0" instead
    for x in range(850, 890, 12):                 # the seal's characters, up to where figures stand
        grey[206:234, x:x + 5] = 150
    cv2.ellipse(grey, (938, 220), (5, 8), 0, 0, 360, 30, 2)   # the printed "0", black
    asked: list[tuple[int, int, int, int]] = []

    def recogniser(box: tuple[int, int, int, int]) -> tuple[str, float]:
        asked.append(box)
        return ("0", 0.99) if box[2] - box[0] < 40 else ("低碳", 0.95)

    fig = read_figures(lines, default_template(), grey, engine="r", cell_reader=recogniser)["P03"]
    assert len(asked) == 3 and asked[-1][0] < 933 and asked[-1][2] > 943   # the digit's own crop, last
    assert fig.value == "0" and fig.engine == "r+cell" and fig.clean is False


def test_a_figure_that_reads_like_a_code_does_not_take_its_row_away() -> None:
    """Seed 59, a form without a code column: the figure "507" parses as the code S07 (5 for S)
    and, standing on M15's row, hid M15's label: the row was reported as not found."""
    from ocr.figures import read_figures
    from registry.template import default_template
    template = default_template()
    lines = [OcrLine("指标名称", 0.99, (500, 40, 620, 80), "t"), OcrLine("计量单位", 0.99, (1090, 40, 1200, 80), "t"),
             OcrLine("数值", 0.99, (1380, 40, 1450, 80), "t")]
    for i, (code, figure) in enumerate([("M12", "12"), ("M13", "1"), ("M14", "39"), ("M15", "507")]):
        y = 140 + 47 * i
        lines.append(OcrLine(template.indicator(code).label, 0.99, (100, y - 18, 390, y + 18), "t"))
        lines.append(OcrLine(figure, 0.99, (1574 - 15 * len(figure), y - 18, 1574, y + 18), "t"))
    figs = read_figures(lines, template, np.full((400, 1654), 245, np.uint8), engine="r")
    assert "S07" not in figs
    assert figs["M15"].value == "507" and figs["M15"].found_by == "label"


def test_an_ambiguous_label_is_placed_between_the_codes_read_around_it() -> None:
    """Seed 73: S10's code was not read and its label is S05's too (其中：少年儿童参观人次). No
    other label was read near it, so it went to S05, which its code had already placed."""
    from ocr.figures import read_figures
    from registry.template import default_template
    template = default_template()
    assert template.indicator("S10").label == template.indicator("S05").label
    lines = [OcrLine("代码", 0.99, (840, 40, 910, 80), "t"), OcrLine("数值", 0.99, (1380, 40, 1450, 80), "t")]
    for i, code in enumerate(["S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11", "S12"]):
        y = 140 + 40 * i
        if code == "S10":
            lines.append(OcrLine(template.indicator(code).label, 0.99, (80, y - 16, 330, y + 16), "t"))
        else:
            lines.append(OcrLine(code, 0.99, (850, y - 16, 900, y + 16), "t"))
        lines.append(OcrLine(str(100 + i), 0.99, (1530, y - 16, 1574, y + 16), "t"))
    figs = read_figures(lines, template, np.full((600, 1654), 245, np.uint8), engine="r")
    assert figs["S10"].value == "107" and figs["S10"].found_by == "label"
    assert figs["S05"].value == "102" and figs["S05"].found_by == "code"


def test_a_figure_recognised_unsure_in_a_cell_is_asked_of_the_second_engine() -> None:
    """Seed 73: a small "0" with no detected line was recognised as "。" at 0.29. Tesseract's
    agreement makes it a match; without it, a person looks."""
    from ocr.decide import decide
    from ocr.figures import read_figures
    from registry.template import default_template
    lines, grey = _page_with_flat_mark_in_p03(0)
    grey[219:222, 930:942] = 240
    cv2.ellipse(grey, (936, 220), (5, 8), 0, 0, 360, 30, 2)   # the printed "0"

    def tesseract(answer: str):  # noqa: ANN202
        return lambda box: (answer, 0.93)

    def rapid_in_cell(box: tuple[int, int, int, int]) -> tuple[str, float]:
        return "。", 0.29

    unsure = read_figures(lines, default_template(), grey, engine="r", cell_reader=rapid_in_cell)["P03"]
    assert unsure.value == "0" and decide(unsure, "0", 0).kind == "unreadable"
    agreed = read_figures(lines, default_template(), grey, engine="r", cell_reader=rapid_in_cell,
                          second_opinion=tesseract("0"), second_engine="t")["P03"]
    assert agreed.agreed is True and agreed.engine == "r+cell+t" and decide(agreed, "0", 0).kind == "matches"
    assert agreed.clean is False   # still no evidence for a difference
    other = read_figures(lines, default_template(), grey, engine="r", cell_reader=rapid_in_cell,
                         second_opinion=tesseract("6"), second_engine="t")["P03"]
    assert other.agreed is False and decide(other, "0", 0).kind == "unreadable"


def test_a_figure_read_in_an_unconfirmed_dash_marks_crop_is_kept_when_the_second_engine_agrees() -> None:
    """Seed 59: a printed "0" under a seal whose flat fragment was taken for a dash; the recogniser
    read "0" at 0.999 in the mark's crop. With the second engine's agreement it confirms a 0
    online; it never claims a difference (unclean), and a lone "1" (a dash beside a ruling) or
    a disagreeing second engine keeps the dash reading."""
    from ocr import decide
    from ocr.figures import figure_in_mark
    from ocr.model import FigureReading

    dash = FigureReading("E01", "-", None, 0.65, (100, 10, 106, 13), "r+ink-shape")
    crop = (80, 0, 130, 30)

    def agrees(box: tuple[int, int, int, int]) -> tuple[str, float]:
        return "0", 0.9

    found = figure_in_mark(dash, crop, "0", 0.999, 0, agrees, "t")
    assert found is not None and found.value == "0" and found.agreed and not found.clean
    assert found.box == crop and found.engine == "r+ink-shape+cell+t"
    assert decide(found, "0", 0).kind == "matches"
    assert decide(found, "9", 0).kind == "unreadable"
    assert figure_in_mark(dash, crop, "0", 0.999, 0, lambda box: ("8", 0.9), "t") is None
    assert figure_in_mark(dash, crop, "0", 0.999, 0, None, "t") is None
    silent = figure_in_mark(dash, crop, "0", 0.999, 0, lambda box: ("", 0.0), "t")  # seal strokes: Tesseract read nothing
    assert silent is not None and silent.agreed is None and decide(silent, "0", 0).kind == "matches"
    assert figure_in_mark(dash, crop, "0", 0.98, 0, lambda box: ("", 0.0), "t") is None
    for text, score in (("1", 0.999), ("-1", 0.95), ("0", 0.6), ("A", 0.99), ("4第", 0.99)):
        assert figure_in_mark(dash, crop, text, score, 0, agrees, "t") is None
    confirmed = FigureReading("E01", "-", None, 0.9, (100, 10, 106, 13), "r+ink-shape+page-dashes")
    assert figure_in_mark(confirmed, crop, "0", 0.999, 0, agrees, "t") is None


def test_a_comma_groups_thousands_or_stands_for_the_decimal_point() -> None:
    assert parse_number("1,234", 0) == ("1234", True, False)
    assert parse_number("12,345.60", 2) == ("12345.6", True, False)
    assert parse_number("0,90", 2) == ("0.9", False, False)      # no grouping starts with 0: the point
    assert parse_number("25,73", 2) == ("25.73", False, False)
    assert parse_number("12,5", 0) == ("125", False, False)      # no decimals printed: a stray comma
    assert parse_number("1,2345", 2)[0] == "12345"


def test_a_colon_where_the_form_prints_its_point_is_the_point_with_a_speck_over_it() -> None:
    # seed 233: a printed 10.46 under a grey seal read "10:46"; the cell was then read as "104"
    assert parse_number("10:46", 2) == ("10.46", False, False)
    assert parse_number("0;90", 2) == ("0.9", False, False)
    assert parse_number("10:46", 0) == (None, False, False)      # no decimals printed: not a point
    assert parse_number("10:4", 2) == ("10.4", False, False)     # a place lost as well: unclean
    assert parse_number("10:463", 2) == (None, False, False)     # more places than the form prints
    assert parse_number("1:2:34", 2)[0] is None


def test_garbled_readings_hold_characters_no_figure_has() -> None:
    assert garbled("5.73建市") and garbled("医71691") and garbled("lol") and garbled("H1")
    assert not garbled("1,234.50") and not garbled("-") and not garbled("１２")


def test_a_figure_merged_with_seal_strokes_running_out_of_its_cell_is_still_recognised() -> None:
    """Seed 67, grey scan (the real cell, fixture): "3791" touches a grey seal's lettering, whose
    strokes run out of the cell above and below. Every blob then crossed the cell's border (as
    rulings do) and the cell's spread set the ink level below black: it was judged blank and never
    recognised ("数值栏未读到内容"); the recogniser reads 3791 at 0.999 where figures stand."""
    from pathlib import Path

    from ocr.figures import read_figures
    from registry.template import default_template
    pitch = 35   # the scan's row pitch and text height (26 px)
    lines = [OcrLine("代码", 0.99, (100, 40, 160, 70), "t"), OcrLine("计量单位", 0.99, (770, 40, 840, 70), "t"),
             OcrLine("数值", 0.99, (880, 40, 940, 70), "t")]
    grey = np.full((500, 1000), 250, np.uint8)
    for i in range(6):
        y = 120 + pitch * i
        lines += [OcrLine(f"P0{i + 1}", 0.99, (100, y - 13, 150, y + 13), "t"),
                  OcrLine("人", 0.99, (795, y - 13, 815, y + 13), "t")]
        if i != 2:
            lines.append(OcrLine("476", 0.999, (925, y - 13, 970, y + 13), "t"))
    cell = cv2.imread(str(Path(__file__).parent / "photos" / "figure-merged-with-grey-seal-text.png"),
                      cv2.IMREAD_GRAYSCALE)
    grey[120 + 2 * pitch - 29:120 + 2 * pitch + 29, 720:1000] = cell   # P03's row, up to the table's edge
    asked: list[tuple[int, int, int, int]] = []

    def recogniser(box: tuple[int, int, int, int]) -> tuple[str, float]:
        asked.append(box)
        return "3791", 0.999

    fig = read_figures(lines, default_template(), grey, engine="r", cell_reader=recogniser)["P03"]
    assert asked and fig.value == "3791" and fig.engine == "r+cell+merged-ink" and fig.clean is False
    # it confirms the record; another figure read there is as much the seal's as the print's
    # (seed 11: a "0" merged with a ring read "30" at 0.56): weighed as a guess, it blocks nothing
    from ocr.decide import decide, evidence
    assert decide(fig, "3791", 0).kind == "matches"
    assert decide(fig, "0", 0).kind == "unreadable" and evidence(fig, "0") == "guess"


def test_a_page_printing_figures_as_stored_makes_a_whole_number_a_well_formed_amount() -> None:
    """Seed 67: a planted 7 (online 0) on a page printing 万元 as stored ("0", "7", "4.44") was
    unclean ("7.00 lost its point") and went to a person instead of being claimed. WORLD.md
    prints "up to two decimals"; a trailing zero ("0.00") shows a page printing every place."""
    from ocr.figures import printed_as_stored
    from ocr.model import FigureReading
    from registry.template import default_template
    t = default_template()

    def page(*texts: str) -> dict[str, FigureReading]:
        return {c: FigureReading(c, x, parse_number(x, 2)[0], 0.99, (0, 0, 1, 1), "r")
                for c, x in zip(("F01", "F02", "F03", "F04"), texts, strict=False)}

    assert printed_as_stored(page("0", "7", "4.44"), t)
    assert not printed_as_stored(page("0.00", "7", "4.44"), t)     # every place printed: "7" lost its point
    assert not printed_as_stored(page("7", "4.44"), t)             # one figure shows nothing
    assert parse_number("7", 2, every_place=False) == ("7", True, False)
    assert parse_number("12.5", 2, every_place=False)[1] is True
    assert parse_number("12.555", 2, every_place=False)[1] is False


def test_a_column_of_one_width_mostly_is_placed_by_the_figures_of_other_widths() -> None:
    """Seed 227, a clean scan: five "0.xx" and four "0", right-aligned. Five left edges alike made
    the median left spread 0, the page was taken as left-aligned, fitted as leaning from the
    decimals above to the zeros below, and all 38 figures went to a person."""
    boxes = {"F07": ("0.23", (1505, 388, 1569, 426)), "F08": ("0.06", (1505, 435, 1569, 473)),
             "F09": ("0.11", (1505, 483, 1569, 521)), "F12": ("0.03", (1505, 624, 1568, 662)),
             "F13": ("0.03", (1505, 671, 1568, 709)), "M02": ("0", (1539, 817, 1566, 848)),
             "M03": ("0", (1544, 870, 1558, 888)), "M06": ("0", (1539, 1006, 1559, 1034)),
             "M15": ("0", (1536, 1430, 1561, 1463))}
    tokens = {c: OcrLine(t, 0.99, b, "test") for c, (t, b) in boxes.items()}
    anchors = [(c, OcrLine("label", 0.99, (100, b[1], 360, b[3]), "test"), "label") for c, (_, b) in boxes.items()]
    align = figure_column(list(tokens.values()))
    assert align is not None and align[0] == "right" and abs(align[1] - 1568) <= 1
    assert not rows_unreliable(anchors, tokens, 47.0, align[0])
    # the same figures left-aligned are placed by their left edge; one width only says nothing
    lefty = {c: OcrLine(t.text, 0.99, (1505, t.box[1], 1505 + t.box[2] - t.box[0], t.box[3]), "test")
             for c, t in tokens.items()}
    assert figure_column(list(lefty.values()))[0] == "left"
    same = [t for t in tokens.values() if t.text.startswith("0.")]
    assert figure_column(same)[0] == "right"


def test_seal_lettering_away_from_where_the_figures_stand_is_no_figure() -> None:
    """Seed 233, a colour scan: "27" read in a red seal's text 144 px left of the column's edge
    (the row's printed "-" stood at the edge) blocked a fault-free form as a figure read unsure."""
    figures = [OcrLine(t, 0.99, (1021 - 13 * len(t), 1315 + 37 * k, 1021, 1345 + 37 * k), "test")
               for k, t in enumerate(("0", "15", "364", "0", "2.50", "7"))]
    seal_text = OcrLine("27", 0.5, (809, 1344, 877, 1389), "test")
    band = column_band(figures, 30.0)
    assert not in_column(seal_text, band)
    assert all(in_column(f, band) for f in figures)
    # a wide figure, a centred dash, or a figure on a slightly leaning photo still reach the column
    assert in_column(OcrLine("1234567.89", 0.99, (880, 1500, 1021, 1530), "test"), band)
    assert in_column(OcrLine("-", 0.99, (985, 1500, 995, 1530), "test"), band)
    assert in_column(OcrLine("5", 0.99, (960, 1500, 973, 1530), "test"), band)
    # too few figures read to know where they stand: anything may be the figure
    assert in_column(seal_text, column_band(figures[:4], 30.0))
