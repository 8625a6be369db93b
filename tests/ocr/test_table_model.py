"""The page's table model: column roles and ranges from the printed header or the content, on
every column order of WORLD.md §4 and on both printing paths (real engines, real rendered pages)."""

from __future__ import annotations

import random
import shutil
from datetime import datetime

import cv2
import numpy as np
import pytest

from ocr import table
from ocr.decide import decide
from ocr.model import OcrLine
from ocr.page import read_page
from ocr.sources import PageSource
from registry.template import default_template
from synth import demo_unit, demo_values, make_pages
from synth.values import record_text

TEMPLATE = default_template()
PRINT_TIME = datetime(2025, 6, 18, 9, 30)


def _ln(text: str, x0: int, y0: int, x1: int, h: int = 20) -> OcrLine:
    return OcrLine(text, 0.99, (x0, y0, x1, y0 + h), "t")


def test_a_spaced_header_read_one_character_at_a_time_names_its_columns() -> None:
    pieces = [_ln(c, 100 + 40 * i, 100, 120 + 40 * i) for i, c in enumerate("指标名称")]
    pieces += [_ln("计量单位", 600, 100, 680), _ln("本", 800, 100, 820), _ln("年", 860, 100, 880),
               _ln("代 码", 1000, 100, 1060)]
    cells, _ = table.header_cells(pieces, TEMPLATE)
    assert sorted(cells, key=lambda r: cells[r][0]) == ["label", "unit", "value", "code"]
    assert cells["label"][:2] == (100, 240)


def test_the_value_column_ends_where_the_codes_after_it_begin() -> None:
    header = [_ln("指标名称", 100, 100, 180), _ln("计量单位", 600, 100, 680), _ln("数值", 820, 100, 860),
              _ln("代码", 1000, 100, 1040)]
    codes = [_ln(f"P0{k}", 995, 140 + 30 * k, 1045) for k in range(1, 6)]
    units = [_ln("人", 630, 140 + 30 * k, 650) for k in range(1, 6)]
    model = table.build(header + codes + units, TEMPLATE, 1200, codes=codes, units=units)
    lo, hi = model.span("value")
    assert 650 < lo < 700 and 960 < hi < 995   # a right-aligned figure ending at 980 is inside
    assert model.header_roles == ("label", "unit", "value", "code")


def test_without_a_header_the_columns_come_from_the_content() -> None:
    codes = [_ln(f"P0{k}", 40, 140 + 30 * k, 90) for k in range(1, 6)]
    figures = [_ln(str(k * 7), 900, 140 + 30 * k, 940) for k in range(1, 6)]
    model = table.build(codes + figures, TEMPLATE, 1200, codes=codes, figures=figures)
    assert model.header_y is None and model.has_code_column is None
    assert [c.role for c in sorted(model.columns.values(), key=lambda c: c.x0)] == ["code", "value"]
    assert all(c.how == "content" for c in model.columns.values())


def test_a_page_of_dashes_without_a_header_puts_the_value_column_in_the_room_left() -> None:
    codes = [_ln(f"S1{k}", 600, 140 + 30 * k, 650) for k in range(1, 6)]
    units = [_ln("个", 760, 140 + 30 * k, 780) for k in range(1, 6)]
    footer = _ln("第 2 页 共 4 页", 900, 1600, 1150)
    model = table.build(codes + units + [footer], TEMPLATE, 1240, codes=codes, units=units)
    lo, hi = model.span("value")
    assert 780 < lo < 800 and hi == 1240   # right of the units, not between label and code


def test_a_header_whose_code_and_value_words_were_not_read_does_not_hide_a_code_column() -> None:
    from ocr.rows import locate
    header = [_ln("指标名称", 100, 100, 180), _ln("计量单位", 600, 100, 680)]
    rows = []
    for k, code in enumerate(["F02", "F03", "F04", "F05", "F06", "F07"]):
        y = 140 + 30 * k
        rows += [_ln("人", 630, y, 650), _ln(str(k + 2), 900, y, 915), _ln(code, 1000, y, 1045)]
    found = locate(header + rows, TEMPLATE, 1240)
    assert [c for c, _, how in found.anchors if how == "code"] == ["F02", "F03", "F04", "F05", "F06", "F07"]
    lo, hi = found.model.span("value")
    assert lo < 900 and 915 < hi < 1000


def test_a_value_column_placed_by_its_neighbours_stays_near_the_figures() -> None:
    header = [_ln("指标名称", 100, 100, 180), _ln("计量单位", 600, 100, 680)]   # 数值 not read
    units = [_ln("个", 630, 140 + 30 * k, 650) for k in range(1, 6)]
    figures = [_ln(str(k * 11), 1150, 140 + 30 * k, 1190) for k in range(1, 6)]
    model = table.build(header + units + figures, TEMPLATE, 1240, units=units, figures=figures)
    lo, hi = model.span("value")
    assert 1050 <= lo < 1150 and 1190 < hi <= 1240   # a stray mark at x 900 is no figure


def _pages(printer: str, layout: str, seed: int = 5) -> list:
    unit = demo_unit()
    values = demo_values(unit, random.Random(seed))
    form = None
    if printer == "chromium":
        from synth.html_form import render_form_html
        form = render_form_html(unit, values, TEMPLATE, layout, PRINT_TIME)
    return make_pages(unit, values, random.Random(seed), layout=layout, form=form, print_time=PRINT_TIME,
                      dpi=150, profile="grey", faults={"seal_over_figures": False})


CASES = [  # (printer, layout, page, what it covers)
    ("reportlab", "E", 1, "代码 after 本年, spaced header, rules only"),
    ("reportlab", "F", 2, "no header on this page (printed on page 1 only), code first, unit last"),
    ("chromium", "H1", 1, "代码 after 数值, another renderer and font"),
    ("chromium", "H3", 1, "no 代码 column, labels wrapped onto two lines, spaced header"),
]


@pytest.mark.parametrize(("printer", "layout", "page", "what"), CASES, ids=[f"{c[0]}-{c[1]}-p{c[2]}" for c in CASES])
def test_every_row_is_found_and_read_on_every_column_order(printer: str, layout: str, page: int, what: str) -> None:
    if printer == "chromium" and shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (bootstrap.sh test installs it)")
    sp = _pages(printer, layout)[page - 1]
    img = cv2.cvtColor(np.asarray(sp.image.convert("RGB")), cv2.COLOR_RGB2BGR)
    reading = read_page(PageSource(page - 1, img, "image-file"), TEMPLATE, source_name=f"{layout}.png")
    printed = sp.truth["figures"]
    assert printed, what
    assert not [f["code"] for f in printed if f["code"] not in reading.figures], what
    kinds = [decide(reading.figures[f["code"]], None if f["text"] == "-" else record_text(_dec(f["text"])),
                    TEMPLATE.indicator(f["code"]).decimals).kind for f in printed]
    assert "differs" not in kinds
    assert kinds.count("matches") >= 0.9 * len(kinds), what  # the rest: dashes under a grey seal
    roles = [c["role"] for c in reading.table["columns"]]
    assert roles.index("value") >= 0 and ("code" in roles) == (layout != "H3"), roles


def _dec(text: str):  # noqa: ANN202
    from decimal import Decimal
    return Decimal(text.replace(",", ""))


def test_the_last_column_ends_at_the_tables_ruling_not_the_pages_edge() -> None:
    # seed 101: the value column printed last reached the page's edge, and a seal's lettering
    # beside the table was read into its cells
    model = table.TableModel({"label": table.Column("label", 0, 300, "header"),
                              "value": table.Column("value", 300, 1240, "header")})
    figures = [_ln("0", 640, 100 + 40 * k, 660) for k in range(6)]
    left, right = table.bound_by_rulings(model, "value", [(295.0, 50.0, 297.0, 400.0), (700.0, 50.0, 702.0, 400.0),
                                                          (900.0, 50.0, 900.0, 400.0)], figures)
    assert right == (700.0, 50.0, 702.0, 400.0) and left is None          # the nearest beyond the figures
    assert 700 < model.columns["value"].x1 < 702 and model.columns["value"].how == "header+rulings"
    # a ruling through the figures is no edge of them; a form without rulings keeps its edges
    model.columns["value"] = table.Column("value", 300, 1240, "header")
    assert table.bound_by_rulings(model, "value", [(650.0, 50.0, 650.0, 400.0)], figures) == (None, None)
    assert table.bound_by_rulings(model, "value", [], figures) == (None, None)
    assert model.columns["value"].x1 == 1240


def test_on_a_page_of_dashes_the_header_word_places_the_tables_ruling() -> None:
    """Seed 293, a phone photo: one figure read on the page, the value column printed last reached
    the page's edge past the table's border, and a red seal's star beyond it was read "15" for a
    printed 0. The column's header word stands inside its cell too."""
    model = table.TableModel({"label": table.Column("label", 0, 300, "header"),
                              "value": table.Column("value", 300, 1240, "header")}, header_y=60.0)
    rulings = [(295.0, 50.0, 297.0, 400.0), (1112.0, 50.0, 1114.0, 400.0)]
    one = [_ln("0", 1094, 200, 1108)]
    assert table.bound_by_rulings(model, "value", rulings, one) == (None, None)   # one figure tells nothing
    model.header_words = {"value": (860.0, 900.0)}
    left, right = table.bound_by_rulings(model, "value", rulings, one)
    assert right == rulings[1] and left is None and model.columns["value"].x1 < 1115
    # a ruling between the header word and the figure bounds nothing
    model.columns["value"] = table.Column("value", 300, 1240, "header")
    assert table.bound_by_rulings(model, "value", [(1000.0, 50.0, 1000.0, 400.0)], one) == (None, None)


def test_left_aligned_figures_are_placed_by_their_left_edge() -> None:
    from ocr.figure_column import figure_column
    tokens = [_ln(t, 500, 100 + 40 * k, 500 + 12 * len(t)) for k, t in enumerate(("0", "8.13", "1520", "7", "36"))]
    how, x, width = figure_column(tokens)
    assert how == "left" and x == 500 and width == 48
