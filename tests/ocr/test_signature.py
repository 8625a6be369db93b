"""Signature checks on real page images: synthetic-world signature pages and drawn pages."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.model import OcrLine
from ocr.seal import ABSENT, PRESENT, UNCERTAIN
from ocr.signature import SIGNATURE_ROLES, detect_signatures, find_signature_labels
from tests.ocr.seal_pages import LABELS, form_page, handwriting, mm, stamp_seal, synth_case, to_grey
from tests.ocr.sig_pages import sig_page


@pytest.fixture(scope="module")
def signature_page():
    return form_page(dpi=200, rng=np.random.default_rng(7), signature_block=True)


@pytest.mark.parametrize("profile", ["colour", "grey", "bw", "phone"])
def test_missing_signature_is_found_among_signed_ones(profile: str) -> None:
    case = synth_case(3, profile, seed=31, unsigned=("统计负责人",))
    results = detect_signatures(case.image, case.label_boxes)
    assert results["统计负责人"].status == ABSENT, results["统计负责人"]
    assert results["单位负责人"].status == PRESENT
    assert results["填表人"].status == PRESENT


def test_all_signatures_missing_in_grey_scan() -> None:
    case = synth_case(3, "grey", seed=32, unsigned=SIGNATURE_ROLES)
    results = detect_signatures(case.image, case.label_boxes)
    assert {r.status for r in results.values()} == {ABSENT}


def test_handwriting_is_present_and_underline_only_is_absent(signature_page) -> None:
    img = signature_page.image.copy()
    rng = np.random.default_rng(3)
    handwriting(img, signature_page.sign_regions["单位负责人"], rng)
    handwriting(img, signature_page.sign_regions["填表人"], rng, colour=(20, 20, 20))
    results = detect_signatures(img, signature_page.label_boxes)
    assert results["单位负责人"].status == PRESENT
    assert results["填表人"].status == PRESENT
    assert results["统计负责人"].status == ABSENT  # only the printed underline is there
    assert results["统计负责人"].score < 0.3


def test_red_seal_over_an_empty_field_is_not_a_signature(signature_page) -> None:
    img = signature_page.image.copy()
    x, y, w, h = signature_page.sign_regions["统计负责人"]
    stamp_seal(img, (x + w // 2, y + h // 2), mm(200, 42))
    results = detect_signatures(img, signature_page.label_boxes)
    assert results["统计负责人"].status == ABSENT, results["统计负责人"]


def test_grey_seal_over_an_empty_field_is_not_passed_as_signed(signature_page) -> None:
    img = signature_page.image.copy()
    x, y, w, h = signature_page.sign_regions["统计负责人"]
    stamp_seal(img, (x + w // 2, y + h // 2), mm(200, 42))
    result = detect_signatures(to_grey(img), signature_page.label_boxes)["统计负责人"]
    assert result.status in (ABSENT, UNCERTAIN)
    if result.status == UNCERTAIN:
        assert "印章" in result.reason


def test_small_dot_in_field_is_not_a_signature(signature_page) -> None:
    img = signature_page.image.copy()
    x, y, w, h = signature_page.sign_regions["填表人"]
    img[y + h // 2 : y + h // 2 + 3, x + w // 2 : x + w // 2 + 3] = 0
    assert detect_signatures(img, signature_page.label_boxes)["填表人"].status == ABSENT


def test_label_unread_and_no_pitch_to_place_it_is_uncertain(signature_page) -> None:
    labels = {"单位负责人": signature_page.label_boxes["单位负责人"]}  # one label: no row pitch
    result = detect_signatures(signature_page.image, labels)["填表人"]
    assert result.status == UNCERTAIN and result.box is None


# --- labels from OCR lines --------------------------------------------------------------------


def test_find_signature_labels_from_ocr_lines() -> None:
    lines = [
        ("科学实践和研学活动参加人次", (100, 900, 500, 930)),
        ("单位负责人：", (100, 1000, 220, 1025)),
        ("统计负责人：", (450, 1000, 570, 1025)),
        ("填表入：", (800, 1000, 880, 1025)),  # 人 read as 入: one OCR error is allowed
        ("联系电话：022-27301234", (100, 1080, 400, 1105)),
    ]
    labels = find_signature_labels(lines)
    assert set(labels) == set(SIGNATURE_ROLES)
    assert labels["单位负责人"] == (100, 1000, 120, 25)
    assert labels["填表人"][0] == 800


def test_role_inside_another_label_is_not_taken() -> None:
    # 统计负责人 contains 2 of 3 characters of 填表人's neighbour 负责人: no false 填表人.
    labels = find_signature_labels([("统计负责人：", (450, 1000, 570, 1025))])
    assert set(labels) == {"统计负责人"}


def test_label_merged_with_signature_text_is_cut_to_the_label() -> None:
    labels = find_signature_labels([("填表人：张三丰", [[800, 1000], [940, 1000], [940, 1025], [800, 1025]])])
    x, y, w, h = labels["填表人"]
    assert (x, y, h) == (800, 1000, 25)
    assert w == 80  # 4 of 7 characters: 填表人：


def test_ocr_lines_can_be_passed_directly(signature_page) -> None:
    img = signature_page.image.copy()
    handwriting(img, signature_page.sign_regions["单位负责人"], np.random.default_rng(1))
    lines = []
    for role in LABELS:
        x, y, w, h = signature_page.label_boxes[role]
        lines.append(OcrLine(f"{role}：", 0.99, (x, y, x + w, y + h), "test"))
    results = detect_signatures(img, lines)
    assert results["单位负责人"].status == PRESENT
    assert results["统计负责人"].status == ABSENT


def test_a_two_character_word_sharing_one_character_is_not_a_label() -> None:
    # "人次" (a unit in the table) shares only 人 with 填表人
    labels = find_signature_labels([("人次", (741, 1134, 794, 1169)), ("统计负责人：", (434, 1225, 561, 1259))])
    assert set(labels) == {"统计负责人"}


def test_next_label_unread_does_not_lend_its_signature_to_the_field_before(signature_page) -> None:
    # a seal over 填表人 hid its label from OCR: its signature must not count for 统计负责人
    img = signature_page.image.copy()
    handwriting(img, signature_page.sign_regions["填表人"], np.random.default_rng(5), colour=(20, 20, 20))
    labels = dict(signature_page.label_boxes)
    del labels["填表人"]
    results = detect_signatures(img, labels)
    assert results["统计负责人"].status == ABSENT, results["统计负责人"]
    assert results["填表人"].status == PRESENT  # placed by the row's pitch


# --- layouts, name seals, seals over fields, OCR faults (tests/ocr/sig_pages.py) ----------------


@pytest.mark.parametrize(("layout", "font", "dpi"), [
    ("right", "uming", 150),  # name on the underline right of the label
    ("below", "noto-serif", 200),  # labels in header cells, names in the cells below
    ("open", "noto-sans", 300),  # label above free space closed by a line
    ("overline", "wqy", 200),  # name written across a printed line
    ("stacked", "uming", 200),  # one label per row
])
def test_name_found_wherever_the_layout_puts_it(layout: str, font: str, dpi: int) -> None:
    page = sig_page(layout, font=font, dpi=dpi, profile="grey", seed=11,
                    names={"单位负责人": "hand", "统计负责人": "empty", "填表人": "hand"})
    results = detect_signatures(page.image, page.lines)
    assert results["单位负责人"].status == PRESENT, results["单位负责人"]
    assert results["填表人"].status == PRESENT, results["填表人"]
    assert results["统计负责人"].status == ABSENT, results["统计负责人"]


def test_name_below_the_label_counts_where_there_is_no_room_to_the_right() -> None:
    page = sig_page("below", dpi=150, profile="colour", seed=3)
    results = detect_signatures(page.image, page.lines)
    assert {r.status for r in results.values()} == {PRESENT}, results


@pytest.mark.parametrize("profile", ["colour", "phone"])
def test_personal_name_seal_counts_as_signed(profile: str) -> None:
    page = sig_page("right", dpi=200, profile=profile, seed=5,
                    names={"单位负责人": "name_seal", "统计负责人": "empty", "填表人": "name_seal"})
    results = detect_signatures(page.image, page.lines)
    assert results["单位负责人"].status == PRESENT and "人名章" in results["单位负责人"].reason, results
    assert results["填表人"].status == PRESENT
    assert results["统计负责人"].status == ABSENT  # a red seal elsewhere is not this field's name


def test_name_seal_on_a_grey_scan_counts_as_ink() -> None:
    page = sig_page("below", dpi=200, profile="grey", seed=6,
                    names={"单位负责人": "name_seal", "统计负责人": "empty", "填表人": "hand"})
    results = detect_signatures(page.image, page.lines)
    assert results["单位负责人"].status == PRESENT, results["单位负责人"]
    assert results["统计负责人"].status == ABSENT


@pytest.mark.parametrize(("layout", "seed"), [("right", 21), ("stacked", 34), ("below", 23)])
def test_unit_seal_over_a_signed_field_on_a_grey_scan(layout: str, seed: int) -> None:
    page = sig_page(layout, dpi=150, profile="grey", seed=seed, seal_over="统计负责人")
    assert page.seal_box is not None
    results = detect_signatures(page.image, page.lines)
    assert results["统计负责人"].status == PRESENT, results["统计负责人"]


@pytest.mark.parametrize(("layout", "seed"), [("right", 21), ("stacked", 34), ("overline", 6), ("open", 48)])
def test_unit_seal_over_an_empty_field_on_a_grey_scan_is_not_a_signature(layout: str, seed: int) -> None:
    page = sig_page(layout, dpi=150, profile="grey", seed=seed, seal_over="统计负责人",
                    names={"统计负责人": "empty"})
    results = detect_signatures(page.image, page.lines)
    assert results["统计负责人"].status != PRESENT, results["统计负责人"]
    assert results["单位负责人"].status == PRESENT


def test_empty_fields_are_absent_not_uncertain() -> None:
    page = sig_page("open", dpi=200, profile="grey", seed=8, names=dict.fromkeys(LABELS, "empty"))
    results = detect_signatures(page.image, page.lines)
    assert {r.status for r in results.values()} == {ABSENT}, results


@pytest.mark.parametrize("layout", ["right", "below", "stacked"])
def test_label_ocr_did_not_read_is_placed_by_the_others(layout: str) -> None:
    page = sig_page(layout, dpi=200, profile="grey", seed=9, dropped=("填表人",),
                    names={"单位负责人": "hand", "统计负责人": "hand", "填表人": "hand"})
    assert not any(text.startswith("填表人") for text, _ in page.lines)
    assert detect_signatures(page.image, page.lines)["填表人"].status == PRESENT
    empty = sig_page(layout, dpi=200, profile="grey", seed=9, dropped=("填表人",), names={"填表人": "empty"})
    assert detect_signatures(empty.image, empty.lines)["填表人"].status == ABSENT


def test_label_box_swollen_by_the_name_next_to_it() -> None:
    # OCR merged 填表人 with its name (a box 2-3 text heights tall reaching the page edge)
    page = sig_page("right", dpi=200, profile="grey", seed=12, swollen=("填表人", "单位负责人"),
                    names={"单位负责人": "hand", "统计负责人": "empty", "填表人": "hand"})
    results = detect_signatures(page.image, page.lines)
    assert results["填表人"].status == PRESENT, results["填表人"]
    assert results["单位负责人"].status == PRESENT, results["单位负责人"]
    assert results["统计负责人"].status == ABSENT, results["统计负责人"]


def test_label_with_a_printed_signing_hint() -> None:
    # "单位负责人（签字）：": the hint is print, part of the label, and not an obstacle ending the field
    page = sig_page("right", dpi=200, profile="colour", seed=14, label_text="{role}（签字）：",
                    names={"单位负责人": "hand", "统计负责人": "empty", "填表人": "hand"})
    results = detect_signatures(page.image, page.lines)
    assert results["单位负责人"].status == PRESENT, results["单位负责人"]
    assert results["统计负责人"].status == ABSENT, results["统计负责人"]
    assert results["填表人"].status == PRESENT, results["填表人"]


ALL_SIGNED = {"单位负责人": "present", "统计负责人": "present", "填表人": "present"}


@pytest.mark.parametrize("fixture", ["signatures-touching-labels.jpg", "signature-merged-with-label.jpg"])
def test_a_label_the_page_detection_merged_with_a_signature_is_found_in_its_row(fixture: str) -> None:
    """Generated scans (seed 37, 150 dpi) whose signatures touch their labels. Detected on the
    whole page, 统计负责人 and 填表人 were lost in one (no signature page: a false
    signature_missing), and in the other 单位负责人's line held its signature too, which was then
    taken for the label (a false signature_missing error)."""
    from pathlib import Path

    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    img = cv2.imread(str(Path(__file__).parent / "photos" / fixture))
    page = read_page(PageSource(3, img, "image-file"), default_template())
    assert page.is_signature_page
    assert {role: s.status for role, s in (page.signatures or {}).items()} == ALL_SIGNED


def _read_with_looks(fixture: str, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], list[bool]]:
    """read_page on a fixture, with the signature rows' looks it took (False: the first, True: closer)."""
    from pathlib import Path

    from ocr import recognise
    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    looks: list[bool] = []
    real = recognise.signature_row_second_look

    def spy(grey, lines, template, *, closer=False):  # noqa: ANN001, ANN202 - records, then the real look
        looks.append(closer)
        return real(grey, lines, template, closer=closer)

    monkeypatch.setattr(recognise, "signature_row_second_look", spy)
    img = cv2.imread(str(Path(__file__).parent / "photos" / fixture))
    page = read_page(PageSource(3, img, "image-file"), default_template())
    assert page.is_signature_page
    return {role: s.status for role, s in (page.signatures or {}).items()}, looks


def test_a_field_left_unsigned_by_the_first_look_gets_the_closer_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed 53, a grey 150 dpi scan: with the signature rows detected at twice the page's scale,
    填表人 is not found (a false signature_missing); RapidOCR's own enlargement finds it."""
    statuses, looks = _read_with_looks("signer-found-only-at-the-closer-look-grey.jpg", monkeypatch)
    assert looks == [False, True]
    assert statuses == ALL_SIGNED


def test_fields_all_signed_at_the_first_look_take_no_closer_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed 67, a phone photo whose 填表人 is signed over the unit's seal: signed at the first look;
    the closer look (the only one before) called it uncertain, a false warning."""
    statuses, looks = _read_with_looks("signature-over-the-seal-phone.jpg", monkeypatch)
    assert looks == [False]
    assert statuses == ALL_SIGNED


def test_a_long_pen_stroke_down_from_the_box_top_is_not_the_box_edge() -> None:
    """Phone photo of seed 41 (labels over ruled boxes, the round seal at the bottom right): the
    first stroke of 填表人's name runs 3.1 text heights down from the box's top edge. Taken for
    the box's right edge, it cut the space under the label to a third and the name was judged
    "笔迹很少" (a false signature_missing warning). A box edge ends on a rule; that stroke does not."""
    from pathlib import Path

    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    img = cv2.imread(str(Path(__file__).parent / "photos" / "name-stroke-like-a-box-edge.jpg"))
    page = read_page(PageSource(2, img, "image-file"), default_template())
    assert {role: s.status for role, s in (page.signatures or {}).items()} == {
        "单位负责人": "present", "统计负责人": "present", "填表人": "present"}


def test_a_vertical_run_is_a_cell_edge_unless_it_ends_inside_the_space() -> None:
    from ocr.signature_regions import Rulings, is_cell_edge
    box = Rulings(horizontal=[(100, 50, 250), (175, 50, 250)], vertical=[])
    assert is_cell_edge((250, 100, 175), 105, 170, box, lh=19)  # the box's edge, corner to corner
    assert not is_cell_edge((120, 100, 159), 105, 170, box, lh=19)  # a stroke from the top edge
    assert is_cell_edge((120, 60, 400), 105, 170, box, lh=19)  # a table rule running past the space


def test_a_name_first_stroke_standing_on_the_signing_line_is_not_a_field_edge() -> None:
    """Clean colour scan of seed 67 (names on underlines, no boxes): 填表人's name begins with a
    tall blue stroke standing on the signing line. Ending on that rule, it was taken for a cell
    edge; the field ended there and the name was judged "笔迹很少" (a false signature_missing
    warning). Its other end is free, just above the field: a cell edge meets a rule or runs on."""
    from pathlib import Path

    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    img = cv2.imread(str(Path(__file__).parent / "photos" / "first-name-stroke-on-the-signing-line.jpg"))
    page = read_page(PageSource(2, img, "image-file"), default_template())
    assert {role: s.status for role, s in (page.signatures or {}).items()} == {
        "单位负责人": "present", "统计负责人": "present", "填表人": "present"}


def test_a_vertical_run_with_a_free_end_is_an_edge_only_when_it_runs_on() -> None:
    from ocr.signature_regions import Rulings, is_cell_edge
    underline = Rulings(horizontal=[(1260, 800, 1020)], vertical=[])
    assert not is_cell_edge((914, 1229, 1259), 1234, 1263, underline, lh=8)  # a stroke on the line
    assert is_cell_edge((914, 1200, 1259), 1234, 1263, underline, lh=8)  # a rule rising past the field


def test_a_name_written_large_and_read_as_six_characters_is_no_print() -> None:
    # seed 139: 单位负责人's signature, read "(+ V58)" at 0.58 and twice the labels' height, had been
    # taken for a line of print that ends the field right after the label
    from ocr.signature_labels import printed_word_boxes
    label = OcrLine("单位负责人：", 1.0, (74, 1230, 200, 1264), "t")
    name = OcrLine("(+ V58)", 0.58, (214, 1202, 383, 1268), "t")
    note = OcrLine("本表数据已经单位审核", 0.97, (214, 1232, 520, 1266), "t")   # print: a note of the label's size
    assert printed_word_boxes([label, name]) == []
    assert printed_word_boxes([label, note]) == [(214, 1232, 306, 34)]
    assert printed_word_boxes([label, OcrLine("(+ V58)", 0.95, (214, 1202, 383, 1268), "t")])  # read surely: print


def test_a_name_written_across_the_seals_lettering_keeps_its_ink() -> None:
    """Seed 163, a colour scan at 150 dpi: 填表人's name crosses the unit seal's red lettering.
    Dropping every reddish pixel and its fringe cut the pen strokes to dust (0.87 lh² of ink left:
    "笔迹很少", a false signature_missing warning); pen is dark in the red channel, the seal is not."""
    from pathlib import Path

    from ocr.signature_ink import ink_mask, measure
    from ocr.signature_params import PRESENT_INK_AREA
    field = cv2.imread(str(Path(__file__).parent / "photos" / "name-across-seal-lettering-colour-field.png"))
    lh = 10  # the page's glyph height, as the reader measured it
    ink = measure(ink_mask(field, True, lh, 28), lh)
    assert ink.area >= 4 * PRESENT_INK_AREA and ink.span >= 10


def test_what_line_removal_left_of_a_rule_is_no_signature() -> None:
    """Seed 199, phone photos of fields left unsigned: a curved underline's remnant (209 x 1 px)
    and a cell edge's (3 x 18 px) measured as "little ink" (a warning, uncertain), where the
    field is plainly empty (an error). A name's strokes go both ways."""
    from ocr.signature_ink import InkMeasure
    from ocr.signature_judge import classify
    lh = 17
    assert classify(InkMeasure(0.72, 12.3, (0, 0, 209, 1), 12.0), "填表人", lh)[0] == ABSENT
    assert classify(InkMeasure(0.2, 1.1, (0, 0, 3, 18), 1.0), "单位负责人", lh)[0] == ABSENT
    # a short name written small is still ink to judge
    assert classify(InkMeasure(0.9, 2.0, (0, 0, 34, 12), 6.0), "填表人", lh)[0] == PRESENT


def test_a_long_flat_stroke_of_a_name_is_not_the_fields_bottom_rule() -> None:
    """Seed 163 (a grey 150 dpi scan, names written under their labels): 统计负责人's name has a
    flat stroke 8 text heights long, which the rule finder took for the field's bottom rule; the
    space under the label ended there, above most of the name ("笔迹很少", a false warning). With
    a little ink above such a rule, the space is judged again as far as the next boundary."""
    from pathlib import Path

    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    img = cv2.imread(str(Path(__file__).parent / "photos" / "long-flat-name-stroke-like-a-rule-grey.jpg"))
    page = read_page(PageSource(3, img, "image-file"), default_template())
    assert page.is_signature_page
    assert {role: s.status for role, s in (page.signatures or {}).items()} == ALL_SIGNED


def test_a_long_flat_stroke_over_the_label_is_not_the_fields_top_rule() -> None:
    """Seed 373 (a phone photo, colour): 填表人's blue name on the signing line has a flat stroke
    7 text heights long level with the label's top, which the rule finder took for a rule above
    the field; the field began under it and held only the name's tail, beside the unit seal
    ("除印章外笔迹很少", a false warning). A rule with free ends is judged past once. The same
    page with the name rubbed out is unsigned."""
    from pathlib import Path

    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    img = cv2.imread(str(Path(__file__).parent / "photos" / "long-flat-name-stroke-over-the-label-seal-phone.jpg"))
    page = read_page(PageSource(3, img, "image-file"), default_template())
    assert {role: s.status for role, s in (page.signatures or {}).items()} == ALL_SIGNED
    assert "长横笔" in page.signatures["填表人"].reason
    x0, y0, x1, y1 = 855, 1140, 1025, 1205  # the name, in the photo's pixels
    field = img[y0:y1, x0:x1].astype(int)
    pen = cv2.dilate((field[..., 0] - field[..., 2] > 12).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    field[pen] = np.median(img[y0 - 40:y0 - 10, x0:x1].reshape(-1, 3), axis=0)  # blue ink only: the seal stays
    img[y0:y1, x0:x1] = field.astype(np.uint8)
    page = read_page(PageSource(3, img, "image-file"), default_template())
    assert page.signatures["填表人"].status == ABSENT


def test_a_large_name_written_above_the_signing_line_is_signed() -> None:
    """Seed 239 (a colour 200 dpi scan): 填表人's name, 7 text heights tall, is written above the
    signing line, ending just over the label's top; the field right of the label (1.8 text heights
    high) held only its foot ("简单的记号" / "笔迹很少", a false warning). Judged again up to
    TALL_ABOVE high, the name is there. The same page with the name rubbed out stays unsigned."""
    from pathlib import Path

    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    img = cv2.imread(str(Path(__file__).parent / "photos" / "large-name-above-the-signing-line-colour-page.jpg"))
    page = read_page(PageSource(3, img, "image-file"), default_template())
    assert {role: s.status for role, s in (page.signatures or {}).items()} == ALL_SIGNED
    assert "签名写在签字线上方" in page.signatures["填表人"].reason
    paper = np.median(img[1700:1760, 1240:1510].reshape(-1, 3), axis=0).astype(np.uint8)
    img[1770:1842, 1240:1510] = paper
    page = read_page(PageSource(3, img, "image-file"), default_template())
    assert page.signatures["填表人"].status == ABSENT


def test_an_unsigned_boxed_field_is_absent_though_table_print_and_the_boxs_edge_stand_near() -> None:
    """Seed 409 (a Chromium-printed colour page, 150 dpi): 统计负责人 is unsigned (a planted fault),
    its name box under the label empty. Two things made it look signed or nearly so: the taller
    field over its label (for names written high) reached into the table, where the 计量单位 words
    "人次", "个" (too short to count as print, their row's label unread) passed for a name; and
    the right part of the box's top edge, cut by the field, was "笔迹很少". The table's figures now
    bound the taller field, and rules that run out of a field are cleared from it."""
    from pathlib import Path

    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    img = cv2.imread(str(Path(__file__).parent / "photos" / "unsigned-box-under-label-table-units-above-colour-page.jpg"))
    page = read_page(PageSource(3, img, "image-file"), default_template())
    assert {role: s.status for role, s in (page.signatures or {}).items()} == {
        "单位负责人": PRESENT, "统计负责人": ABSENT, "填表人": PRESENT}


def test_seal_lettering_is_no_row_of_print_bounding_a_boxed_field() -> None:
    """Seed 271 (a Chromium-printed colour page): each name is written in a ruled box under its
    label, and the top of the unit seal's lettering, dark in the red channel, was taken for a row
    of print OCR had not reported. It cut the boxes of 统计负责人 and 填表人 above the names
    ("下方只有一行像印刷文字的笔迹"). Ink centred inside the seal's ring bounds no field; with the
    name rubbed out of its box, the field is unsigned."""
    from pathlib import Path

    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    img = cv2.imread(str(Path(__file__).parent / "photos" / "names-in-boxes-under-labels-seal-lettering-above-colour-page.jpg"))
    page = read_page(PageSource(2, img, "image-file"), default_template())
    assert {role: s.status for role, s in (page.signatures or {}).items()} == ALL_SIGNED
    paper = np.median(img[1040:1100, 720:780].reshape(-1, 3), axis=0).astype(np.uint8)
    img[1036:1108, 466:708] = paper
    page = read_page(PageSource(2, img, "image-file"), default_template())
    assert page.signatures["统计负责人"].status == ABSENT
