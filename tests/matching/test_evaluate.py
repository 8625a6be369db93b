"""Pure decision logic of matching.evaluate on hand-built readings (no OCR here)."""

from __future__ import annotations

from matching.evaluate import evaluate
from ocr.model import DocumentReading, FigureReading, OcrLine, PageIdentity, PageReading
from ocr.seal import SealResult
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


def _lines(scores: list[float]) -> list[OcrLine]:
    return [OcrLine("文字", s, (0, 10 * i, 50, 10 * i + 8), "test") for i, s in enumerate(scores)]


def test_an_illegible_page_is_one_rescan_finding_holding_the_rows_nobody_could_check() -> None:
    template = default_template()
    codes = template.codes
    online = {c: "5" for c in codes}
    doc = _doc(codes[:10], [])
    page = doc.pages[0]
    page.lines = _lines([0.5, 0.6, 0.55, 0.9, 0.4, 0.99])
    page.figures[codes[0]] = FigureReading(codes[0], "", None, 0.0, (0, 0, 10, 10), "test", doubts=("no_line",))
    page.figures[codes[1]] = FigureReading(codes[1], "8", "8", 0.999, (0, 0, 10, 10), "test")
    found, decisions = evaluate(doc, template, online, "已提交", None)
    rescan = [f for f in found if f.kind == "scan_illegible"]
    assert len(rescan) == 1 and rescan[0].page_index == 0
    assert rescan[0].detail["median_score"] == 0.575
    assert set(rescan[0].detail["indicators_not_checked"]) == {codes[0], *codes[10:]}
    assert "figure_unreadable" not in [f.kind for f in found]
    # a confident difference on that page is still reported; decisions keep every figure's truth
    assert [f.indicator for f in found if f.kind == "figure_mismatch"] == [codes[1]]
    assert [d.kind for d in decisions if d.code == codes[0]] == ["unreadable"]


def test_a_legible_page_gets_no_rescan_finding() -> None:
    template = default_template()
    online = {c: "5" for c in template.codes}
    doc = _doc(template.codes[:10], [])
    doc.pages[0].lines = _lines([0.99, 0.98, 0.6, 1.0, 0.97])
    found, _ = evaluate(doc, template, online, "已提交", None)
    assert "scan_illegible" not in [f.kind for f in found]
    assert "figure_unreadable" in [f.kind for f in found]


def _sealed_doc(seals: list[tuple[str, tuple[int, int, int, int] | None]]) -> DocumentReading:
    pages = []
    for n, (status, box) in enumerate(seals, start=1):
        page = PageReading("f.pdf", n - 1, 0, 0.0, "ocr", PageIdentity(page_no=n, page_total=len(seals)), {},
                           size=(1240, 1754))
        page.seal = SealResult(status, 0.5, box, "灰度扫描件上疑似有印章，但环线不完整（47%），请人工核对", "grey")
        pages.append(page)
    return DocumentReading("单位", None, len(seals), None, pages)


def _seal_findings(seals: list[tuple[str, tuple[int, int, int, int] | None]]) -> list[tuple[int | None, str]]:
    template = default_template()
    found, _ = evaluate(_sealed_doc(seals), template, {}, "已提交", None)
    return [(f.page_index, f.severity) for f in found if f.kind == "seal_missing"]


def test_an_incomplete_ring_the_size_of_the_documents_clear_seal_is_that_seal_listed_as_info() -> None:
    clear = ("present", (900, 1300, 235, 237))
    assert _seal_findings([clear, clear, ("uncertain", (700, 1349, 235, 244))]) == [(2, "info")]


def test_an_incomplete_ring_of_another_size_or_no_ring_still_needs_a_person() -> None:
    clear = ("present", (900, 1300, 235, 237))
    assert _seal_findings([clear, ("uncertain", (700, 1349, 185, 170))]) == [(1, "warning")]
    assert _seal_findings([clear, ("uncertain", None)]) == [(1, "warning")]
    assert _seal_findings([("uncertain", (1, 1, 235, 237)), ("uncertain", (1, 1, 235, 237))]) == \
        [(0, "warning"), (1, "warning")]
    assert _seal_findings([clear, ("absent", None)]) == [(1, "error")]


def _numbered_and_unnumbered(codes: list[str], signed_unnumbered: bool) -> DocumentReading:
    """Page 1's number not read (seed 79's black-and-white scan): pages 2-3 hold half the rows, the
    unnumbered page the other half, or (a copy of another page) none of the rest."""
    half = len(codes) // 2
    def page(i: int, page_no: int | None, on_it: list[str], signed: bool = False) -> PageReading:
        figs = {c: FigureReading(c, "5", "5", 0.99, (0, 0, 10, 10), "test") for c in on_it}
        return PageReading("f.pdf", i, 0, 0.0, "ocr", PageIdentity(page_no=page_no, page_total=3), figs,
                           is_signature_page=signed)
    return DocumentReading("单位", None, 3, None, [page(0, None, codes[:half], signed_unnumbered),
                                                 page(1, 2, codes[half:]), page(2, 3, [], not signed_unnumbered)],
                           missing_pages=[1])


def test_a_page_whose_number_was_not_read_stands_in_for_the_missing_number_when_nothing_is_missing() -> None:
    template = default_template()
    codes = template.codes
    online = {c: "5" for c in codes}
    found, _ = evaluate(_numbered_and_unnumbered(codes, False), template, online, "已提交", None)
    assert not [f for f in found if f.kind == "page_missing"]
    [note] = [f for f in found if f.kind == "page_unnumbered"]
    assert note.severity == "info" and note.page_index == 0 and note.detail["page_no"] == 1
    # the same page holding none of page 1's rows (a copy of another page): page 1 is missing
    doc = _numbered_and_unnumbered(codes, False)
    doc.pages[0].figures = {}
    found, _ = evaluate(doc, template, online, "已提交", None)
    assert [f.detail["page_no"] for f in found if f.kind == "page_missing"] == [1]
    assert not [f for f in found if f.kind == "page_unnumbered"]


def test_a_missing_last_page_needs_a_signature_page_to_be_stood_in_for() -> None:
    template = default_template()
    codes = template.codes
    online = {c: "5" for c in codes}
    doc = _numbered_and_unnumbered(codes, False)
    for p, no in zip(doc.pages, (1, 2, None), strict=True):   # page 3 (the signatures) unnumbered
        p.identity.page_no = no
    doc.pages[0].figures.update(doc.pages[1].figures)
    doc.pages[1].figures, doc.pages[2].is_signature_page, doc.missing_pages = {}, False, [3]
    found, _ = evaluate(doc, template, online, "已提交", None)
    assert [f.detail["page_no"] for f in found if f.kind == "page_missing"] == [3]
    doc.pages[2].is_signature_page = True
    found, _ = evaluate(doc, template, online, "已提交", None)
    assert not [f for f in found if f.kind == "page_missing"]
    # seed 241: the last page prints rows above the signatures, whose labels were not read on a
    # black-and-white scan; the rows on no other page make it page 3
    doc.pages[2].is_signature_page = False
    moved = codes[-10:]
    doc.pages[2].figures = {c: doc.pages[0].figures.pop(c) for c in moved}
    found, _ = evaluate(doc, template, online, "已提交", None)
    assert not [f for f in found if f.kind == "page_missing"]
    assert [f.detail["page_no"] for f in found if f.kind == "page_unnumbered"] == [3]


def test_unnumbered_pages_stand_in_by_scan_order_and_an_unreadable_page_for_nothing() -> None:
    # seed 127: page 1 unreadable (nothing read), page 2 numbered, page 3's number lost on an
    # illegible scan, page 4 (the signatures) unnumbered; page 1's rows are on no page
    template = default_template()
    codes = template.codes
    online = {c: "5" for c in codes}
    third = len(codes) // 3
    def page(i: int, page_no: int | None, on_it: list[str], signed: bool = False) -> PageReading:
        figs = {c: FigureReading(c, "5", "5", 0.99, (0, 0, 10, 10), "test") for c in on_it}
        return PageReading("f.pdf", i, 0, 0.0, "ocr", PageIdentity(page_no=page_no, page_total=4), figs,
                           is_signature_page=signed)
    pages = [page(0, None, []), page(1, 2, codes[third:2 * third]), page(2, None, codes[2 * third:]),
             page(3, None, [], signed=True)]
    doc = DocumentReading("单位", None, 4, None, [pages[1], pages[0], pages[2], pages[3]], missing_pages=[1, 3, 4])
    found, _ = evaluate(doc, template, online, "已提交", None)
    assert [f.detail["page_no"] for f in found if f.kind == "page_missing"] == [1]
    assert sorted((f.detail["page_no"], doc.pages[f.page_index].index) for f in found
                  if f.kind == "page_unnumbered") == [(3, 2), (4, 3)]
    # page 3 a copy of page 2 (no rows of its own): page 3 is missing too
    pages[2].figures = dict(pages[1].figures)
    found, _ = evaluate(doc, template, online, "已提交", None)
    assert [f.detail["page_no"] for f in found if f.kind == "page_missing"] == [1, 3]


def test_an_unnumbered_page_whose_rows_take_up_where_the_page_before_stops_is_the_next_page() -> None:
    """Seed 263: pages 1 and 2 numbered, page 3's number under the seal, page 4 missing (planted):
    page 3's rows follow page 2's in the template's order, so it is page 3 and only 4 is missing.
    Had page 3 been missing instead, page 4's rows would not take up where page 2 stops."""
    template = default_template()
    codes = template.codes
    online = {c: "5" for c in codes}
    q = len(codes) // 4

    def page(i: int, page_no: int | None, on_it: list[str]) -> PageReading:
        figs = {c: FigureReading(c, "5", "5", 0.99, (0, 0, 10, 10), "test") for c in on_it}
        return PageReading("f.pdf", i, 0, 0.0, "ocr", PageIdentity(page_no=page_no, page_total=4), figs)

    def missing(third_rows: list[str]) -> list[int]:
        pages = [page(0, 1, codes[:q]), page(1, 2, codes[q:2 * q]), page(2, None, third_rows)]
        doc = DocumentReading("单位", None, 4, None, pages, missing_pages=[3, 4])
        found, _ = evaluate(doc, template, online, "已提交", None)
        return [f.detail["page_no"] for f in found if f.kind == "page_missing"]
    assert missing(codes[2 * q:3 * q]) == [4]
    assert missing(codes[3 * q:]) == [3, 4]
    assert missing(codes[2 * q + 1:3 * q]) == [3, 4]   # its first row not found: nothing proven


def test_a_blank_sheet_is_a_missing_page_not_a_page_without_its_seal() -> None:
    """Seeds 227 and 233: a form's page 3 sent blank was reported as page_missing and also as a
    seal_missing error on the blank sheet. The blank sheet's seal is listed as not checked."""
    template = default_template()
    clear = ("present", (900, 1300, 235, 237))
    doc = _sealed_doc([clear, clear, ("absent", None)])
    blank = doc.pages[2]
    blank.identity = PageIdentity()
    doc.page_total, doc.missing_pages = 3, [3]
    found, _ = evaluate(doc, template, {}, "已提交", None)
    seal = [(f.page_index, f.severity, f.detail["status"]) for f in found if f.kind == "seal_missing"]
    assert seal == [(2, "info", "not_checked")]
    missing = [f.detail["reason"] for f in found if f.kind == "page_missing"]
    assert len(missing) == 1 and missing[0].startswith("缺第 3 页（共 3 页）；另收到 1 页未见报表内容（空白页或无法辨认）")
    # a page showing any of the form (a row, here) without its seal is still a missing seal
    blank.figures = {"A15": FigureReading("A15", "5", "5", 0.99, (0, 0, 10, 10), "test")}
    found, _ = evaluate(doc, template, {}, "已提交", None)
    assert [(f.page_index, f.severity) for f in found if f.kind == "seal_missing"] == [(2, "error")]


def test_pages_sent_as_images_stand_in_by_the_order_they_were_sent_not_by_file_name() -> None:
    """One image per page: the archive names each file by its hash, so ordering the files by name
    put page 3 (number not read) before page 1, and page 3 was reported missing (seed 241)."""
    from ocr.split import group_pages
    template = default_template()
    codes = template.codes
    online = {c: "5" for c in codes}

    def page(source: str, page_no: int | None, on_it: list[str]) -> PageReading:
        figs = {c: FigureReading(c, "5", "5", 0.99, (0, 0, 10, 10), "test") for c in on_it}
        return PageReading(source, 0, 0, 0.0, "ocr", PageIdentity(unit_name="天津师范大学", uscc="12120000401359320X",
                                                                  page_no=page_no, page_total=3), figs)
    sent = [page("/archive/f4/f41a.jpg", 1, codes[:30]), page("/archive/2a/2a09.jpg", 2, codes[30:60]),
            page("/archive/2a/2a85.jpg", None, codes[60:-1])]   # one row found on no page
    [doc] = group_pages(sent)
    assert doc.missing_pages == [3]
    found, _ = evaluate(doc, template, online, "已提交", None)
    assert not [f for f in found if f.kind == "page_missing"]
    assert [(f.page_index, f.detail["page_no"]) for f in found if f.kind == "page_unnumbered"] == [(2, 3)]


def test_a_figure_is_decided_with_whether_its_pages_seal_covers_it() -> None:
    """A grey page's seal box decides `seal_may_hide` for ocr.decide: "38" read for a record's 0.38
    is a difference away from the seal and a figure for a person under it; on a colour scan, where
    print shows through the red seal, it is a difference under it too."""
    template = default_template()
    code = "F01"   # 万元, two places

    def doc(seal_box: tuple[int, int, int, int], method: str = "grey") -> DocumentReading:
        fig = FigureReading(code, "38", "38", 0.9999, (500, 500, 540, 530), "test", agreed=True)
        page = PageReading("f.pdf", 0, 0, 0.0, "ocr", PageIdentity(page_no=1, page_total=1), {code: fig},
                           seal=SealResult("present", 0.9, seal_box, "有印章", method))
        return DocumentReading("单位", None, 1, None, [page])
    online = {c: None for c in template.codes} | {code: "0.38"}
    _, under = evaluate(doc((450, 450, 200, 200)), template, online, "已提交", None)
    _, away = evaluate(doc((900, 900, 200, 200)), template, online, "已提交", None)
    _, colour = evaluate(doc((450, 450, 200, 200), "colour"), template, online, "已提交", None)
    assert [d.kind for d in colour if d.code == code] == ["differs"]
    assert [d.kind for d in under if d.code == code] == ["unreadable"]
    assert [d.kind for d in away if d.code == code] == ["differs"]
