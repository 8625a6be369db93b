"""Pure decision logic of matching.evaluate on hand-built readings (no OCR here)."""

from __future__ import annotations

from matching.evaluate import evaluate
from ocr.model import DocumentReading, FigureReading, PageIdentity, PageReading
from registry.template import default_template


def _doc(codes_on_page: list[str], missing_pages: list[int]) -> DocumentReading:
    figs = {c: FigureReading(c, "5", "5", 0.99, (0, 0, 10, 10), "test") for c in codes_on_page}
    page = PageReading("f.pdf", 0, 0, 0.0, "ocr", PageIdentity(page_no=1, page_total=2), figs)
    return DocumentReading("单位", None, 2, None, [page], missing_pages=missing_pages)


def test_rows_on_a_missing_page_are_covered_by_page_missing_not_flagged_one_by_one() -> None:
    template = default_template()
    codes = template.codes
    online = {c: "5" for c in codes}
    found, _ = evaluate(_doc(codes[:10], [2]), template, online, "已提交", None)
    kinds = [f.kind for f in found]
    assert "figure_unreadable" not in kinds
    missing = [f for f in found if f.kind == "page_missing"]
    assert len(missing) == 1
    assert missing[0].detail["indicators_not_checked"] == codes[10:]


def test_rows_missing_from_a_complete_document_go_to_a_human() -> None:
    template = default_template()
    codes = template.codes
    online = {c: "5" for c in codes}
    found, _ = evaluate(_doc(codes[:10], []), template, online, "已提交", None)
    unreadable = [f.indicator for f in found if f.kind == "figure_unreadable"]
    assert unreadable == codes[10:]
    assert not [f for f in found if f.kind == "page_missing"]
