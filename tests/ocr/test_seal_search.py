"""The document's own seal found on a grey page where no ring was seen (ocr.seal_search), on real
grey-scanned pages: seed 67's form whose page 1 carries a light seal pressed half onto the table's
rules (the page's own test said `absent`, a false error), another form's page without a seal, and
seed 79's unstamped page where the page's own test saw half a small ring in the print (`uncertain`,
a warning where an error was due)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from matching.evaluate import evaluate
from ocr import document_seal, seal_search, seal_template
from ocr.model import DocumentReading, PageIdentity, PageReading
from ocr.seal import SealResult, detect_seal
from registry.template import default_template

PHOTOS = Path(__file__).parent / "photos"
FORM = [PHOTOS / f"faint-seal-form-page-{n}-of-3-grey.jpg" for n in (1, 2, 3)]
UNSEALED = PHOTOS / "unsealed-form-page-grey.jpg"
SMALL_ARC = PHOTOS / "unsealed-page-with-a-small-arc-grey.jpg"   # as the page sat in its merged PDF
FAINT_SEAL_AT = (904, 1480)   # where the light impression on page 1 stands (looked up by eye)


def _grey(path: Path) -> np.ndarray:
    return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)


@pytest.fixture(scope="module")
def seals() -> list[SealResult]:
    return [detect_seal(cv2.imread(str(p))) for p in FORM]


@pytest.fixture(scope="module")
def learned(seals: list[SealResult]) -> seal_template.DocumentSeal:
    seal = seal_template.learn({n: (_grey(FORM[n]), seals[n].box, seals[n].score) for n in (1, 2)})
    assert seal is not None
    return seal


def test_the_pages_own_test_sees_no_seal_on_the_light_impression(seals: list[SealResult]) -> None:
    assert seals[0].status == "absent" and seals[0].method == "grey"
    assert seals[1].status == seals[2].status == "present"


def test_the_documents_seal_is_found_where_it_was_pressed(learned: seal_template.DocumentSeal) -> None:
    place = seal_search.find(_grey(FORM[0]), learned)
    assert place is not None and place.fit >= seal_template.SAME_STAMP
    assert np.hypot(place.centre[0] - FAINT_SEAL_AT[0], place.centre[1] - FAINT_SEAL_AT[1]) < 15


def test_print_alone_is_not_taken_for_the_seal(learned: seal_template.DocumentSeal) -> None:
    assert detect_seal(cv2.imread(str(UNSEALED))).status == "absent"
    assert seal_search.find(_grey(UNSEALED), learned) is None


def test_a_page_found_stamped_only_by_the_pattern_is_for_a_person_naming_the_page_it_matched(
        seals: list[SealResult], monkeypatch: pytest.MonkeyPatch) -> None:
    """Print fits a seal's pattern nearly as well as a light impression (seed 283: an unstamped page
    fit 0.32), but all over the page alike (it stood out 1.29). A find neither as sure as
    SEARCH_SURE nor standing out by STANDS_OUT_SURE leaves the page's own "no seal" standing,
    with the suspected stamp shown; one that stands out is the stamp."""
    def doc() -> DocumentReading:
        return DocumentReading("单位", None, 3, "2025-06-24 11:13", [
            PageReading(source=str(p), index=n, rotation=0, skew=0.0, method="ocr",
                        identity=PageIdentity(page_no=n + 1, page_total=3), seal=seals[n], image_path=str(p))
            for n, p in enumerate(FORM)])
    light = doc()
    assert document_seal.find_faint_stamps([light]) == 1
    seal = light.pages[0].seal
    # this light impression fits 0.38 and stands out 1.76 from the rest of its page
    assert seal.score < seal_search.SEARCH_SURE and not seal.searched and "1.8 倍" in seal.reason
    found, _ = evaluate(light, default_template(), None, None, None)
    assert [(f.severity, f.page_index) for f in found if f.kind == "seal_missing"] == [("info", 0)]
    monkeypatch.setattr(seal_search, "STANDS_OUT_SURE", 2.0)   # as if it stood out as little as print
    suspected = doc()
    assert document_seal.find_faint_stamps([suspected]) == 1
    seal = suspected.pages[0].seal
    assert seal.status == "uncertain" and seal.same_stamp_as in (2, 3) and "相同的很浅的印章印迹" in seal.reason
    assert seal.searched and "人工核对" in seal.reason
    found, _ = evaluate(suspected, default_template(), None, None, None)
    on_seal = [f for f in found if f.kind == "seal_missing"]
    assert [(f.severity, f.page_index, f.detail["found_by"]) for f in on_seal] == [("error", 0, "seal-pattern")]
    monkeypatch.setattr(seal_search, "SEARCH_SURE", 0.3)   # a find as sure as SEARCH_SURE is the stamp
    sure = doc()
    assert document_seal.find_faint_stamps([sure]) == 1 and not sure.pages[0].seal.searched


def test_the_stand_out_rule_keeps_a_margin_over_print() -> None:
    from ocr.seal_template import Placement
    print_fit = Placement((0.0, 0.0), 0.0, 1.0, 0.32, 1.29)   # seed 283's unstamped page
    assert not seal_search.sure(print_fit)
    assert seal_search.sure(Placement((0.0, 0.0), 0.0, 1.0, 0.32, 2.02))   # seed 313's pale stamp
    assert seal_search.sure(Placement((0.0, 0.0), 0.0, 1.0, 0.5, 1.29))


def test_an_incomplete_ring_that_aligned_with_the_clear_seal_is_that_stamp(seals: list[SealResult]) -> None:
    from dataclasses import replace
    partial = replace(seals[2], status="uncertain", score=0.47, reason="环线不完整（49%）")
    pages = [PageReading(source=str(p), index=n, rotation=0, skew=0.0, method="ocr",
                         identity=PageIdentity(page_no=n + 1, page_total=3), seal=s, image_path=str(p))
             for n, (p, s) in enumerate(zip(FORM, [seals[0], seals[1], partial], strict=True))]
    doc = DocumentReading("单位", None, 3, "2025-06-24 11:13", pages)
    assert document_seal.find_faint_stamps([doc]) == 2
    assert [p.seal.same_stamp_as for p in doc.pages] == [2, None, 2]
    assert [p.seal.searched for p in doc.pages] == [False, False, False]   # page 3's ring aligned: info
    found, _ = evaluate(doc, default_template(), None, None, None)
    assert [(f.severity, f.page_index) for f in found if f.kind == "seal_missing"] == [("info", 0), ("info", 2)]


def test_the_seal_learned_for_the_search_is_kept_for_the_second_reads_unless_a_page_changed(
        seals: list[SealResult]) -> None:
    def doc(paths: list[Path], page_seals: list[SealResult]) -> DocumentReading:
        return DocumentReading("单位", None, 3, "2025-06-24 11:13", [
            PageReading(source=str(p), index=n, rotation=0, skew=0.0, method="ocr",
                        identity=PageIdentity(page_no=n + 1, page_total=3), seal=s, image_path=str(p))
            for n, (p, s) in enumerate(zip(paths, page_seals, strict=True))])
    unsealed = detect_seal(cv2.imread(str(UNSEALED)))
    nothing_found = doc([UNSEALED, FORM[1], FORM[2]], [unsealed, seals[1], seals[2]])
    found_one = doc(FORM, seals)
    learned: document_seal.Learned = {}
    assert document_seal.find_faint_stamps([nothing_found, found_one], learned) == 1
    assert set(learned) == {0}   # the second document's page 1 changed: its seal is learned again
    again = document_seal.learn(nothing_found)
    assert learned[0] is not None and again is not None
    assert learned[0].placements == again.placements and (learned[0].patch == again.patch).all()


def _with_clear_pages(path: Path, seal: SealResult, seals: list[SealResult]) -> DocumentReading:
    pages = [PageReading(source=str(p), index=n, rotation=0, skew=0.0, method="ocr",
                         identity=PageIdentity(page_no=n + 1, page_total=3), seal=s, image_path=str(p),
                         size=(1240, 1754))
             for n, (p, s) in enumerate([(path, seal), (FORM[1], seals[1]), (FORM[2], seals[2])])]
    return DocumentReading("单位", None, 3, "2025-06-24 11:13", pages)


def test_a_small_incomplete_ring_where_the_stamp_is_not_found_is_no_seal(seals: list[SealResult]) -> None:
    from ocr.reader import read_pages
    page = read_pages([SMALL_ARC], workers=1)[0]
    assert page.seal.status == "uncertain" and page.seal.box is not None   # the page's own test
    doc = _with_clear_pages(SMALL_ARC, page.seal, seals)
    assert document_seal.find_faint_stamps([doc]) == 1
    assert doc.pages[0].seal.status == "absent" and "未盖章" in doc.pages[0].seal.reason
    found, _ = evaluate(doc, default_template(), None, None, None)
    assert [(f.severity, f.page_index) for f in found if f.kind == "seal_missing"] == [("error", 0)]


def test_an_incomplete_ring_of_the_stamps_size_stays_for_a_person(seals: list[SealResult]) -> None:
    from dataclasses import replace
    _, _, w, h = seals[1].box   # a ring as large as the stamp, where the stamp is not found
    ring = replace(seals[1], status="uncertain", score=0.47, box=(400, 600, w, h), reason="环线不完整（47%）")
    doc = _with_clear_pages(UNSEALED, ring, seals)
    assert document_seal.find_faint_stamps([doc]) == 0
    assert doc.pages[0].seal.status == "uncertain"
