"""The per-figure decision: matches only on equality, differs only on strong evidence."""

from __future__ import annotations

from decimal import Decimal

from ocr import FigureReading, decide
from ocr.tokens import read_number


def fig(text: str, value: str | None, confidence: float = 0.999, *, clean: bool = True,
        agreed: bool | None = None) -> FigureReading:
    return FigureReading("P01", text, value, confidence, (0, 0, 10, 10), "test", doubts=() if clean else ("mapped",), agreed=agreed)


def test_equal_reading_matches_numerically() -> None:
    assert decide(fig("12.50", "12.5"), "12.5", 2).kind == "matches"
    assert decide(fig("12.50", "12.5"), "12.50", 2).kind == "matches"


def test_dash_on_paper_matches_no_value_online_but_not_zero() -> None:
    assert decide(fig("-", None), None, 0).kind == "matches"
    assert decide(fig("-", None, 0.95), "0", 0).kind == "differs"
    assert decide(fig("0", "0"), None, 0).kind == "differs"


def test_confident_different_figure_differs() -> None:
    d = decide(fig("1234", "1234"), "1284", 0)
    assert d.kind == "differs"
    assert "1234" in d.reason and "1284" in d.reason


def test_lookalike_swap_at_modest_confidence_is_unreadable_not_differs() -> None:
    assert decide(fig("1238", "1238", 0.97), "1233", 0).kind == "unreadable"


def test_lookalike_swap_needs_a_very_confident_reading_even_when_engines_agree() -> None:
    # under seal ink both engines can read 4 as 1: agreement alone does not prove a difference
    assert decide(fig("2172", "2172", 0.97, agreed=True), "2472", 0).kind == "unreadable"
    assert decide(fig("1238", "1238", 0.998), "1233", 0).kind == "differs"


def test_dash_found_by_ink_shape_alone_cannot_claim_a_difference() -> None:
    shape_dash = FigureReading("P01", "-", None, 0.8, (0, 0, 9, 2), "rapidocr+ink-shape")
    assert decide(shape_dash, None, 0).kind == "matches"
    assert decide(shape_dash, "4", 0).kind == "unreadable"


def test_engines_disagreeing_is_unreadable_even_when_one_equals_online() -> None:
    assert decide(fig("507", "507", 0.8, agreed=False), "507", 0).kind == "unreadable"
    assert decide(fig("507", "507", 0.99, agreed=False), "508", 0).kind == "unreadable"


def test_low_confidence_is_never_matches_nor_differs() -> None:
    assert decide(fig("77", "77", 0.3), "77", 0).kind == "unreadable"
    assert decide(fig("77", "77", 0.6), "12", 0).kind == "unreadable"


def test_unclean_reading_cannot_claim_a_difference() -> None:
    assert decide(fig("l2O", "120", 0.99, clean=False), "150", 0).kind == "unreadable"
    assert decide(fig("l2O", "120", 0.99, clean=False), "120", 0).kind == "matches"


def test_missing_row_or_blank_cell_goes_to_a_human() -> None:
    assert decide(None, "5", 0).kind == "unreadable"
    assert decide(fig("", None, 0.0, clean=False), None, 0).kind == "unreadable"


def test_dash_read_without_a_detected_line_confirms_no_value_but_claims_nothing() -> None:
    cell_dash = fig("一", None, 0.82, clean=False)
    assert decide(cell_dash, None, 0).kind == "matches"
    assert decide(cell_dash, "4", 0).kind == "unreadable"
    assert decide(fig("一", None, 0.3, clean=False), None, 0).kind == "unreadable"
    assert decide(fig("区西", None, 0.9, clean=False), None, 0).kind == "unreadable"


def test_a_zero_read_surely_where_a_look_alike_digit_is_online_is_a_difference() -> None:
    """Seed 73: five printed zeros (online 8 or 9) read by one engine at 0.984-0.995 went to a
    person; printed figures misread as a look-alike measured at most 0.76 off black-and-white."""
    assert decide(fig("0", "0", 0.985), "9", 0).kind == "differs"
    assert decide(fig("0", "0", 0.97), "9", 0).kind == "unreadable"


def test_the_seals_letters_beside_a_figure_three_looks_agree_on_claim_a_difference() -> None:
    # seed 127: a printed 16.00-place figure read "16AL" beside the seal's lettering, "16" by the
    # second engine and "16" with the seal's ink taken out; the record says 0
    def read(text: str, seal_free: str | None) -> FigureReading:
        return FigureReading("F03", text, "16", 0.73, (0, 0, 10, 10), "test", doubts=("mapped",), second_opinion="16",
                             agreed=True, seal_free=seal_free)
    assert decide(read("16AL", "16"), "0", 2).kind == "differs"
    assert decide(read("AL16", "16"), "0", 2).kind == "differs"
    assert decide(read("16AL", None), "0", 2).kind == "unreadable"   # two looks only
    assert decide(read("1A6", "16"), "0", 2).kind == "unreadable"    # a letter inside the figure
    assert decide(read("16AL", "18"), "0", 2).kind == "unreadable"


def test_the_records_digits_with_the_point_lost_or_places_added_are_weak_evidence_for_it() -> None:
    from ocr.decide import evidence
    def read(text: str) -> FigureReading:
        return FigureReading("F07", text, text, 0.99, (0, 0, 10, 10), "test+cell", doubts=("no_line",))
    assert evidence(read("813"), "8.13") == "weak_match"      # seed 101: "8.13" under the seal's lettering
    assert evidence(read("49"), "0.49") == "weak_match"       # seed 127: ".49" read, "0." lost
    assert evidence(read("0.811"), "0.81") == "weak_match"    # seed 101: a seal stroke after the 1
    assert evidence(read("1"), "15") == "reads_other"         # digits lost: another figure, may be true
    assert evidence(read("714"), "8.13") == "reads_other"


def test_a_figure_read_in_its_cell_and_alike_without_the_seals_ink_is_claimed() -> None:
    # seed 139: a printed 3 among a red seal's lettering, no text line detected there: the cell read
    # "3" at 0.9998 and so did the view with the seal's ink taken out; the record says 2
    def read(text: str, engine: str = "r+cell", seal_free: str | None = None, conf: float = 0.9998) -> FigureReading:
        return FigureReading("A01", text, text, conf, (0, 0, 10, 10), engine, doubts=("no_line",), seal_free=seal_free)
    assert decide(read("3", seal_free="3"), "2", 0).kind == "differs"
    assert decide(read("3"), "2", 0).kind == "unreadable"                              # one look alone
    assert decide(read("3", "r+cell+seal-out", "3"), "2", 0).kind == "unreadable"      # the seal taken out
    assert decide(read("3", "r+cell+merged-ink", "3"), "2", 0).kind == "unreadable"
    assert decide(read("1", seal_free="1", conf=0.902), "15", 0).kind == "unreadable"  # digits lost (seed 101)
    assert decide(read("3", seal_free="3", conf=0.8), "2", 0).kind == "unreadable"


def test_a_figure_read_after_the_seal_was_taken_out_and_alike_with_it_is_claimed() -> None:
    """Seed 211: a printed 7 (record 6) under a grey seal, read "7" at 1.00 once the document's seal
    was taken out, and "7" in the same box of the page itself: the take-out removed no stroke that
    made it. Seed 53's "6943" (printed 8943) reads "8943" with the seal, and stays unclaimed."""
    def out(text: str, with_seal: str | None, confidence: float = 0.9998) -> FigureReading:
        return FigureReading("P14", text, text, confidence, (0, 0, 10, 10), "rapidocr+seal-out", doubts=("seal_out",),
                             with_seal=with_seal)
    assert decide(out("7", "7"), "6", 0).kind == "differs"
    assert decide(out("6943", "8943", 0.908), "8943", 0).kind == "unreadable"
    assert decide(out("7", None), "6", 0).kind == "unreadable"           # the page itself read nothing
    assert decide(out("10", "10"), "0", 0).kind == "unreadable"          # digits added: hidden both ways
    assert decide(out("7", "7", 0.85), "6", 0).kind == "unreadable"      # below what one engine claims under a seal


def test_digits_added_inside_the_records_figure_are_print_not_the_seal() -> None:
    """Seed 281 F09: a printed 20.34 (record 2.34) under a grey seal, read "20.34" in its cell, once
    the seal was taken out and on the page itself. A seal's stroke beside a figure lengthens it at
    an end; the extra "0" stands between two printed digits."""
    def out(text: str, online: str, decimals: int = 2) -> str:
        f = FigureReading("F09", text, text, 1.0, (0, 0, 10, 10), "rapidocr+seal-out", doubts=("seal_out",),
                          with_seal=text)
        return decide(f, online, decimals).kind
    assert out("20.34", "2.34") == "differs"
    assert out("2.34", "20.34") == "unreadable"      # a digit lost: hidden both ways
    assert out("12.34", "2.34") == "unreadable"      # added in front: the seal's stroke beside it
    assert out("2.341", "2.34", 3) == "unreadable"   # added at the end
    assert out("144", "14", 0) == "unreadable"       # the added 4 may be the last digit
    assert out("1234", "23", 0) == "unreadable"      # added at both ends
    red = FigureReading("F09", "20.34", "20.34", 0.9, (0, 0, 10, 10), "r", seal_free="20.34")
    assert decide(red, "2.34", 2).kind == "differs"  # the same on a red seal's two views


def test_a_figure_whose_only_doubt_is_a_lost_point_claims_when_no_placement_is_the_records() -> None:
    """Seed 263 F01: a planted "9" on a row the form prints with two places, read "9" by both
    engines at 0.999. Wherever its point stood (9, 0.9, 0.09) it is not the record's figure."""
    def read(text: str, doubts: tuple[str, ...] = ("places_short",)) -> FigureReading:
        value = str(Decimal(text)) if text[0].isdigit() else None
        return FigureReading("F01", text, value, 0.999, (0, 0, 10, 10), "r+t", doubts=doubts, agreed=True)
    assert decide(read("9"), "3.50", 2).kind == "differs"
    assert decide(read("9"), "0.09", 2).kind == "unreadable"      # "0.09" with its point lost
    assert decide(read("9"), "9.50", 2).kind == "unreadable"      # ".50" may be hidden, not the point
    assert decide(read("9"), "19.00", 2).kind == "unreadable"     # a digit lost before it
    assert decide(read("9", ("places_short", "edge")), "3.50", 2).kind == "unreadable"  # a second doubt
    assert decide(read("9.5"), "3.50", 2).kind == "unreadable"    # a point read: a place lost, not the point
    assert decide(read("9", ("mapped",)), "3.50", 2).kind == "unreadable"


def test_a_readings_doubts_name_each_reason() -> None:
    assert read_number("9", 2) == ("9", ("places_short",), False)
    assert read_number("9", 2, every_place=False) == ("9", (), False)
    assert read_number("l2O", 0)[1] == ("mapped",)
    assert read_number("-3.50", 2)[1] == ("sign",)
    assert read_number("0.811", 2)[1] == ("places_extra",)
    assert read_number("10:46", 2)[1] == ("mapped",)
    assert read_number("7.00", 2) == ("7", (), False)


def test_under_the_seal_a_reading_with_the_records_digits_lost_claims_nothing() -> None:
    """Seed 271 F09: a printed 0.38 under a grey seal's lettering, its "0." crossed by the
    strokes, read "38" by both engines at 0.9999; both engines see the same hidden digit."""
    agreed = FigureReading("F09", "38", "38", 0.9999, (0, 0, 10, 10), "r+t", agreed=True)
    assert decide(agreed, "0.38", 2, seal_may_hide=True).kind == "unreadable"
    assert decide(agreed, "0.38", 2).kind == "differs"                     # away from the seal
    assert decide(agreed, "0.43", 2, seal_may_hide=True).kind == "differs"    # not the record's digits
    assert decide(agreed, "3", 0, seal_may_hide=True).kind == "differs"       # a digit more is no digit hidden
    dash = FigureReading("F09", "-", None, 0.9, (0, 0, 10, 10), "r+ink-shape")
    assert decide(dash, "0.38", 2, seal_may_hide=True).kind == "differs"     # a dash is no figure with digits lost


def test_a_reading_formatted_to_the_records_places_is_still_its_digits_lost() -> None:
    """Seed 307 F12, a colour scan: a printed 1.74 whose "1." lay under dense red seal ink, read
    "74" on the page and without the seal's ink alike (0.9, the cap one engine has there). To two
    places it reads "74.00"; the places formatting added are no digits the paper shows."""
    seen = FigureReading("F12", "74", "74", 0.9, (0, 0, 10, 10), "r+t", seal_free="74")
    assert decide(seen, "1.74", 2).kind == "unreadable"
    assert decide(seen, "1.47", 2).kind == "differs"    # not the record's digits: both views claim it


def test_a_dissenting_second_engine_that_excludes_the_record_too_does_not_undo_two_alike_views() -> None:
    """Seed 349 F13: a planted 18 (record 0.00) under a red seal's lettering, read "18" at the cap one
    engine has there and "18" without the seal's ink; the second engine read "13"."""
    def read(second: str, seal_free: str | None = "18") -> str:
        f = FigureReading("F13", "18", "18", 0.9, (0, 0, 10, 10), "r+t", second_opinion=second, agreed=False,
                          seal_free=seal_free)
        return decide(f, "0.00", 2).kind
    assert read("13") == "differs"
    assert read("0") == "unreadable"                    # the second engine reads the record
    assert read("10") == "unreadable"                   # the record with a digit added at an end
    assert read("13", seal_free=None) == "unreadable"   # one image alone
    assert read("13", seal_free="13") == "unreadable"   # the views disagree
