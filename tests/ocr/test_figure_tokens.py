"""Pure logic of reading a figure token and judging the figures' column (no OCR here)."""

from __future__ import annotations

from ocr.figures import column_tilt, figure_column, parse_number, short_of_column
from ocr.model import OcrLine


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
    assert column_tilt(_column(0.2, n=4)) == 0.0  # too few figures to judge


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
