"""Rows placed by the template's order: a label misread too badly to be named alone is still
found between its two neighbours, and nothing else is taken for it (pure logic on OCR lines)."""

from __future__ import annotations

from ocr import rows
from ocr.model import OcrLine
from registry.template import default_template

TEMPLATE = default_template()
HEADER = [OcrLine("指标名称", 0.99, (100, 100, 200, 120), "t"), OcrLine("计量单位", 0.99, (600, 100, 700, 120), "t"),
          OcrLine("数值", 0.99, (900, 100, 950, 120), "t")]


def _page(labels: list[str]) -> list[OcrLine]:
    """A page without a code column: F01.. labels, each row with its unit and a figure."""
    out = list(HEADER)
    for k, text in enumerate(labels):
        y = 150 + 40 * k
        out += [OcrLine(text, 0.9, (100, y, 100 + 24 * len(text), y + 20), "t"),
                OcrLine("万元", 0.99, (630, y, 670, y + 20), "t"),
                OcrLine(f"{k + 1}.5", 0.99, (910, y, 950, y + 20), "t")]
    return out


def _found(lines: list[OcrLine]) -> dict[str, str]:
    located = rows.locate(lines, TEMPLATE, 1200)
    return {code: ln.text for code, ln, _ in located.anchors}


def test_a_misread_short_label_between_its_neighbours_is_its_row() -> None:
    found = _found(_page(["年度科普经费筹集额", "政府拨款", "其中：科普专项经费", "捐姻", "自筹资金", "其他收入"]))
    assert found.get("F04") == "捐姻"
    assert len(found) == 6


def test_a_line_naming_no_label_is_taken_only_in_the_rows_own_place() -> None:
    """Seeds 233 and 239: 捐赠 read "揭雕" (no character right) between its found neighbours. A
    line standing just where the row must be is its label; off that place, or naming another
    row's label, it is not."""
    found = _found(_page(["年度科普经费筹集额", "政府拨款", "其中：科普专项经费", "揭雕", "自筹资金", "其他收入"]))
    assert found.get("F04") == "揭雕" and len(found) == 6
    lines = _page(["年度科普经费筹集额", "政府拨款", "其中：科普专项经费", "盖章处", "自筹资金", "其他收入"])
    stray = next(ln for ln in lines if ln.text == "盖章处")
    lines[lines.index(stray)] = OcrLine("盖章处", 0.9, (100, stray.box[1] + 14, 172, stray.box[3] + 14), "t")
    found = _found(lines)
    assert "F04" not in found and len(found) == 5
    found = _found(_page(["年度科普经费筹集额", "政府拨款", "其中：科普专项经费", "政府拨款", "自筹资金", "其他收入"]))
    assert found.get("F04") is None


def test_two_loose_lines_between_the_neighbours_leave_the_row_unfound() -> None:
    lines = _page(["年度科普经费筹集额", "政府拨款", "其中：科普专项经费", "捐姻", "自筹资金", "其他收入"])
    lines.append(OcrLine("捐款", 0.9, (300, 282, 348, 298), "t"))   # a second candidate in the same gap
    assert "F04" not in _found(lines)


def test_a_misread_label_on_a_pages_last_row_is_its_row() -> None:
    """Seed 53 (reportlab C): 捐赠 read "捐姻" was the last row of page 1, with no found row below
    it; the page's footer stands further down than a row."""
    lines = _page(["年度科普经费筹集额", "政府拨款", "其中：科普专项经费", "捐姻"])
    lines.append(OcrLine("打印时间：2025-06-24 15:29", 0.99, (100, 150 + 40 * 4 + 30, 400, 150 + 40 * 4 + 50), "t"))
    found = _found(lines)
    assert found.get("F04") == "捐姻" and len(found) == 4


def test_a_code_read_rows_away_from_where_its_neighbours_put_it_is_doubtful() -> None:
    # seed 139: under a grey seal "P05" was read on P08's row while P05-P08's codes went unread;
    # taken as P05's row, it left P06-P08's labels no room between P04 and it
    ys = {"P01": 100, "P02": 140, "P03": 180, "P04": 220, "P05": 340, "P09": 380, "P10": 420, "P11": 460}
    lines = [OcrLine(c, 0.99, (1100, y - 12, 1140, y + 12), "t") for c, y in ys.items()]
    keep, doubtful = rows.code_rows(lines, TEMPLATE)
    assert [c for c, _ in keep] == ["P01", "P02", "P03", "P04", "P09", "P10", "P11"] and doubtful == {"P05"}
    ys["P05"] = 260                                  # in its place: kept
    keep, doubtful = rows.code_rows([OcrLine(c, 0.99, (1100, y - 12, 1140, y + 12), "t") for c, y in ys.items()],
                                    TEMPLATE)
    assert "P05" in [c for c, _ in keep] and not doubtful


def test_labels_cut_by_a_photos_frame_name_their_rows_by_their_end() -> None:
    """Seed 359, a phone photo whose frame cut the page's left side: "科技馆站个数" (the end of
    青少年科技馆站个数) names 科技馆个数 better as a whole. A line starting at the image's edge is
    matched by the labels' ends too; the same text away from the edge is not."""
    texts = ["科技馆站个数", "科技馆站建筑面积", "科技馆站当年参观人次"]

    def page(x0: int) -> list[OcrLine]:
        out = list(HEADER)
        for k, text in enumerate(texts):
            y = 150 + 40 * k
            out += [OcrLine(text, 0.9, (x0, y, x0 + 24 * len(text), y + 20), "t"),
                    OcrLine(f"{k}", 0.99, (910, y, 930, y + 20), "t")]
        return out
    assert _found(page(0)) == {"S11": "科技馆站个数", "S12": "科技馆站建筑面积", "S13": "科技馆站当年参观人次"}
    assert "S11" not in _found(page(60))
    assert rows.label_score(TEMPLATE.indicator("S17"), "专用车", cut=True) == 100   # 科普宣传专用车
    assert rows.label_score(TEMPLATE.indicator("S17"), "专用车") < 75
    assert rows.label_score(TEMPLATE.indicator("F02"), "拨款", cut=True) < 75      # two characters name nothing
