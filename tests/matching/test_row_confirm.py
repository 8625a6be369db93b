"""A page whose rows the reader did not trust is trusted again only when its figures, as placed,
are the record's and, read one row off, clearly are not (matching.row_confirm; plain data)."""

from __future__ import annotations

from matching.row_confirm import CONFIRMED_NOTE, confirm_rows, rows_confirmed
from ocr.column_lean import ROWS_LEAN_PROBLEM
from ocr.model import DOUBT_LEAN, DocumentReading, FigureReading, PageIdentity, PageReading
from registry.template import default_template

TEMPLATE = default_template()
# seed 347, page 3 of a phone photo in perspective: its figure column leaned (0.15), every figure
# was read right and all were left to a person
PRINTED = {"A09": "-", "A10": "-", "A11": "-", "A12": "0", "A13": "0", "A14": "-", "A15": "-", "A16": "-",
           "A17": "-", "A18": "-", "A19": "0", "E01": "4", "E02": "271", "E03": "1", "E04": "-", "E05": "-",
           "E06": "-", "E07": "-", "E08": "0"}
ONLINE = {c: None if v == "-" else v for c, v in PRINTED.items()}


def untrusted_page(read: dict[str, str]) -> PageReading:
    figs = {}
    for code, text in read.items():
        f = FigureReading(code, text, None if text == "-" else text, 0.3, (0, 0, 10, 10), "r", doubts=(DOUBT_LEAN,))
        f.untrusted_from = 0.99
        figs[code] = f
    return PageReading(source="p.jpg", index=2, rotation=0, skew=0.0, method="ocr", identity=PageIdentity(),
                       figures=figs, problems=[ROWS_LEAN_PROBLEM])


def test_rows_read_as_placed_that_are_the_records_are_trusted_again() -> None:
    page = untrusted_page(PRINTED)
    doc = DocumentReading(None, None, 3, None, [page])
    assert confirm_rows(doc, TEMPLATE, ONLINE) == [0]
    e02 = page.figures["E02"]
    assert (e02.confidence, e02.doubts, e02.untrusted_from) == (0.99, (), None)
    assert page.problems == [CONFIRMED_NOTE]


def test_a_page_with_a_figure_unlike_its_record_stays_untrusted() -> None:
    """One row that took its neighbour's figure (a drift jump) is the only figure unlike its
    record: trusting the page would claim a false difference, so one difference is one too many."""
    assert not rows_confirmed(untrusted_page(dict(PRINTED, E03="7")), TEMPLATE, ONLINE)
    assert not rows_confirmed(untrusted_page(dict(PRINTED, E02="4", E01="-")), TEMPLATE, ONLINE)


def test_rows_read_one_off_are_not_trusted() -> None:
    codes = list(PRINTED)
    up = {c: PRINTED[codes[k + 1]] if k + 1 < len(codes) else "-" for k, c in enumerate(codes)}
    page = untrusted_page(up)
    assert not rows_confirmed(page, TEMPLATE, ONLINE)
    assert confirm_rows(DocumentReading(None, None, 3, None, [page]), TEMPLATE, ONLINE) == []
    assert page.figures["E02"].confidence == 0.3 and page.problems == [ROWS_LEAN_PROBLEM]


def test_a_page_of_alike_records_confirms_nothing() -> None:
    dashes = dict.fromkeys(PRINTED, "-")
    assert not rows_confirmed(untrusted_page(dashes), TEMPLATE, dict.fromkeys(PRINTED))
