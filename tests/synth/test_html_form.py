"""The second printing path (synth.html_form: HTML/CSS printed by headless Chromium): the geometry it
reports is where the PDF really prints each text, and its styles cover the layouts WORLD.md §4 names."""

from __future__ import annotations

import io
import json
import random
import unicodedata
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from synth.chromium import available
from synth.form import RenderedForm
from synth.html_form import HTML_STYLES, render_form_html
from synth.pages import make_pages
from synth.units import Unit, demo_unit, demo_values
from synth.values import fmt_value

pytestmark = pytest.mark.skipif(not available(), reason="needs /usr/bin/chromium (bootstrap.sh test installs it)")

STYLES = sorted(HTML_STYLES)


def _values(unit: Unit) -> dict[str, Decimal | None]:
    v = demo_values(unit, random.Random(7))
    v.update({"P04": None, "P05": Decimal(0), "F01": Decimal("1234.5"), "F02": Decimal("12.05"), "A14": Decimal(123456)})
    return v


@pytest.fixture(scope="module")
def forms() -> dict[str, tuple[RenderedForm, list]]:
    """Every style rendered once, with its PDF pages opened by pdfplumber."""
    unit = demo_unit()
    values = _values(unit)
    out = {}
    for s in STYLES:
        f = render_form_html(unit, values, style=s)
        pdf = pdfplumber.open(io.BytesIO(f.pdf))
        # bold is a stroked copy of the regular face: its text is in the PDF twice, as in many real exports
        out[s] = (f, [p.dedupe_chars() for p in pdf.pages])
    return out


def _text_in(page, box, tol: float = 0.8) -> str:
    """The printed characters whose centre lies in box (PDF points, top-left origin), in reading order."""
    x0, y0, x1, y1 = box
    chars = [c for c in page.chars
             if x0 - tol <= (c["x0"] + c["x1"]) / 2 <= x1 + tol and y0 - tol <= (c["top"] + c["bottom"]) / 2 <= y1 + tol]
    chars.sort(key=lambda c: (round(c["top"] / 3), c["x0"]))
    return _nfkc("".join(c["text"] for c in chars).replace(" ", ""))


# CJK radicals (U+2E80..) that Noto CJK shares with the simplified ideograph; NFKC leaves them alone
RADICALS = str.maketrans("⻚⻋⻔⻘⻓⻛⻢⻅⻉⻄⻝⻥⻬⻰⻆⻜⻙⻨⻩", "页车门青长风马见贝西食鱼齐龙角飞韦麦黄")


def _nfkc(s: str) -> str:
    """Chromium's ToUnicode maps glyphs shared with a radical to the radical (人 -> ⼈ U+2F08, 页 -> ⻚):
    fold them back, as any reader of such a PDF's text layer must."""
    return unicodedata.normalize("NFKC", s.translate(RADICALS)).replace(" ", "")


def _flat(page) -> str:
    return _nfkc("".join((page.extract_text() or "").split()))


@pytest.mark.parametrize("style", STYLES)
def test_figure_boxes_hold_their_figures(forms, style):
    f, pages = forms[style]
    unit = demo_unit()
    values = _values(unit)
    assert len(f.figures) == 88 and {g.code for g in f.figures} == {lab.code for lab in f.labels}
    from registry.template import default_template
    t = default_template()
    for g in f.figures:
        ind = t.indicator(g.code)
        assert g.text == fmt_value(values.get(g.code), ind.decimals, HTML_STYLES[style].fixed_money)
        page = pages[g.page - 1]
        assert _text_in(page, g.box_pt) == g.text, (style, g)
        # the box is tight around the printed figure (left/right within a point)
        inside = [c for c in page.chars if g.box_pt[0] - 1 <= c["x0"] and c["x1"] <= g.box_pt[2] + 1
                  and g.box_pt[1] - 1 <= c["top"] and c["bottom"] <= g.box_pt[3] + 1]
        assert inside and abs(min(c["x0"] for c in inside) - g.box_pt[0]) < 1.5
        assert abs(max(c["x1"] for c in inside) - g.box_pt[2]) < 1.5
    assert f.figures[0].text == "-" or f.figures[0].text  # "-" is printed for no value
    assert any(g.text == "-" for g in f.figures) and any(g.text == "0" for g in f.figures)


@pytest.mark.parametrize("style", STYLES)
def test_label_boxes_hold_their_labels(forms, style):
    f, pages = forms[style]
    for lab in f.labels:
        assert _text_in(pages[lab.page - 1], lab.box_pt) == _nfkc(lab.text), (style, lab)


def test_narrow_label_column_wraps_long_labels(forms):
    wrapped = {}
    for s in STYLES:
        f, _ = forms[s]
        one_line = min(lab.box_pt[3] - lab.box_pt[1] for lab in f.labels)
        wrapped[s] = [lab for lab in f.labels if lab.box_pt[3] - lab.box_pt[1] > 1.6 * one_line]
    assert any(wrapped.values()), "no style wraps a label onto two lines"
    for s, labs in wrapped.items():
        f, pages = forms[s]
        for lab in labs:
            lines = {round(c["top"]) for c in pages[lab.page - 1].chars
                     if lab.box_pt[0] <= (c["x0"] + c["x1"]) / 2 <= lab.box_pt[2]
                     and lab.box_pt[1] <= (c["top"] + c["bottom"]) / 2 <= lab.box_pt[3]}
            assert len(lines) == 2, (s, lab)
    # the row of a wrapped label is taller: its figure sits lower than a one-line row's would
    s = next(s for s, labs in wrapped.items() if labs)
    f, _ = forms[s]
    figs = sorted((g for g in f.figures if g.page == 1), key=lambda g: g.box_pt[1])
    steps = {round(b.box_pt[1] - a.box_pt[1]) for a, b in zip(figs, figs[1:], strict=False)}
    assert len(steps) > 2


@pytest.mark.parametrize("style", STYLES)
def test_every_page_has_title_identity_page_number_and_print_time(forms, style):
    f, pages = forms[style]
    unit = demo_unit()
    assert len(pages) == f.pages_total >= 2
    for n, page in enumerate(pages, 1):
        hb = f.header_boxes[n]
        assert _text_in(page, hb["page_no_box"]) == _nfkc(f"第{n}页共{f.pages_total}页")
        assert _text_in(page, hb["print_time_box"]) == _nfkc("打印时间：2025-06-1809:30")
        assert _text_in(page, hb["title"]) == _nfkc("2024年度科普统计调查表")
        assert _text_in(page, hb["unit_name_box"]) == _nfkc(f"单位名称：{unit.name}")
        assert _text_in(page, hb["uscc_box"]) == _nfkc(f"统一社会信用代码：{unit.uscc}")
        assert _nfkc(f"第{n}页共{f.pages_total}页") in _flat(page)
    assert "signature_block" in f.header_boxes[f.pages_total]
    assert all(g.page <= f.pages_total for g in f.figures)


def _column_order(f: RenderedForm, page) -> tuple[str, ...]:
    """Column order as printed on page 1: where the label, unit, code and figure of P01 stand."""
    lab = next(x for x in f.labels if x.code == "P01")
    fig = next(x for x in f.figures if x.code == "P01")
    y = (lab.box_pt[1] + lab.box_pt[3]) / 2
    row = [w for w in page.extract_words() if w["top"] - 3 <= y <= w["bottom"] + 3]
    xs = {"指标名称": lab.box_pt[0], "数值": fig.box_pt[0]}
    for w in row:
        if w["text"] == "P01":
            xs["代码"] = w["x0"]
        if _nfkc(w["text"]) == "人" and not lab.box_pt[0] <= w["x0"] <= lab.box_pt[2]:
            xs["计量单位"] = w["x0"]
    return tuple(sorted(xs, key=xs.get))


def test_column_orders_across_styles(forms):
    orders = {s: _column_order(forms[s][0], forms[s][1][0]) for s in STYLES}
    for s, order in orders.items():
        assert order == HTML_STYLES[s].columns, (s, order)
    got = set(orders.values())
    assert any(o.index("代码") > o.index("数值") for o in got if "代码" in o), "代码 after 数值"
    assert any(o[0] == "代码" for o in got), "代码 first"
    assert any("代码" not in o for o in got), "no 代码 column"
    heads = {h for st in HTML_STYLES.values() for h in st.heads.values()}
    assert {"本年", "合计", "指 标 名 称"} <= heads


@pytest.mark.parametrize("style", STYLES)
def test_column_header_on_every_page_or_only_the_first(forms, style):
    f, pages = forms[style]
    st = HTML_STYLES[style]
    head = "".join(st.heads.get("指标名称", "指标名称").split())
    on = [n for n, p in enumerate(pages, 1) if head in _flat(p)]
    table_pages = sorted({g.page for g in f.figures})
    assert on == (table_pages if st.header_every_page else [1]), (style, on)


def test_styles_cover_rulings_and_signature_blocks():
    assert {st.grid for st in HTML_STYLES.values()} >= {"full", "none"}
    assert {st.header_every_page for st in HTML_STYLES.values()} == {True, False}
    assert {st.sig_style for st in HTML_STYLES.values()} >= {"line-right", "box-below"}
    fonts = {st.font for st in HTML_STYLES.values()}
    assert fonts == {"Noto Sans CJK SC", "Noto Serif CJK SC"}


@pytest.mark.parametrize("style", STYLES)
def test_signature_fields_are_empty_signing_spaces_on_the_last_page(forms, style):
    f, pages = forms[style]
    m = f.pages_total
    last = pages[m - 1]
    assert [s.role for s in f.signature_fields] == ["单位负责人", "统计负责人", "填表人"]
    table_end = f.rows_per_page.get(m, (0, 0))[1]
    for s in f.signature_fields:
        x0, y0, x1, y1 = s.box_pt
        assert s.page == m and x1 - x0 > 60 and y1 - y0 > 20 and y0 >= table_end
        assert _text_in(last, s.box_pt, tol=0) == "", (style, s)     # nothing printed where one signs
        # its label stands left of it on the same line, or just above it
        lab = [w for w in last.extract_words() if _nfkc(w["text"]).startswith(s.role)]
        assert lab, s.role
        w = lab[0]
        beside = w["x1"] <= x0 + 2 and y0 <= (w["top"] + w["bottom"]) / 2 <= y1 + 2
        above = w["bottom"] <= y0 + 2 and abs(w["x0"] - x0) < 12
        assert beside or above, (style, s, w)
    assert f.seal_field.page == m and _text_in(last, f.seal_field.box_pt) == _nfkc("（单位盖章）")
    text = _flat(last)
    assert _nfkc("联系电话：") in text and _nfkc("报出日期：2025年06月18日") in text


def test_make_pages_prints_signs_and_stamps_an_html_form(forms):
    f, _ = forms["H2"]
    unit = demo_unit()
    pages = make_pages(unit, _values(unit), random.Random(3), form=f, dpi=100, profile="clean")
    assert len(pages) == f.pages_total
    last = pages[-1].truth
    assert last["layout"] == "H2" and len(last["signatures"]) == 3 and all(s["present"] for s in last["signatures"])
    assert last["seal_field"] is not None and all(p.truth["figures"] for p in pages[:-1])


def test_world_printed_by_chromium(tmp_path: Path):
    from synth.world import build_world
    truth = build_world(50, 3, tmp_path, workers=2, printers="chromium")
    assert truth["stats"]["printed_by"] == {"chromium": truth["stats"]["documents"]}
    n = 0
    for line in (tmp_path / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        for p in json.loads(line)["pages"]:
            assert p["printer"] == "chromium" and p["layout"] in HTML_STYLES
            n += 1
    assert n == truth["stats"]["pages_rendered"] > 0
    docs = [d for m in truth["messages"] for a in m["attachments"] for d in a["documents"]]
    assert docs and all(d["printer"] == "chromium" for d in docs)


def test_printer_choice_shifts_no_other_draw():
    from synth.world import World
    a = World(80, 11, Path("/nonexistent"), printers="reportlab")
    b = World(80, 11, Path("/nonexistent"), printers="mixed")
    a.plan()
    b.plan()
    assert {d.printer for d in a.docs} == {"reportlab"} and {d.printer for d in b.docs} == {"reportlab", "chromium"}
    for x, y in zip(a.docs, b.docs, strict=True):
        assert (x.unit.account, x.seed, x.dpi, x.profile, x.print_time, x.fmt, x.values) == \
               (y.unit.account, y.seed, y.dpi, y.profile, y.print_time, y.fmt, y.values)
        assert sorted(x.faults) == sorted(y.faults)
        if y.printer == "reportlab":
            assert (x.layout, x.profiles, x.page_order, x.faults) == (y.layout, y.profiles, y.page_order, y.faults)
        else:
            assert y.layout in HTML_STYLES and len(y.profiles) == y.pages_total
            assert set(y.page_order) <= set(range(1, y.pages_total + 1))
    assert [f["kind"] for f in a.faults] == [f["kind"] for f in b.faults]


def test_printers_option_without_chromium(monkeypatch):
    import synth.chromium
    from synth.world import check_printers
    assert check_printers("reportlab") == 0.0 and check_printers("chromium") == 1.0
    assert 0.3 <= check_printers("mixed") <= 0.5
    with pytest.raises(ValueError, match="未知的打印方式"):
        check_printers("laser")
    monkeypatch.setattr(synth.chromium, "CHROMIUM", "/nonexistent/chromium")
    assert check_printers("mixed") == 0.0     # mixed quietly prints everything with reportlab
    with pytest.raises(ValueError, match="chromium"):
        check_printers("chromium")


def test_asking_the_cli_for_a_mix_without_chromium_says_it_prints_one_path(monkeypatch, capsys, tmp_path):
    """A world asked for as "mixed" and printed by reportlab alone (no Chromium installed) passed
    for a two-path world in an evaluation: the command now says so."""
    import synth.chromium
    from kptj.cli import app
    monkeypatch.setattr(synth.chromium, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(SystemExit) as done:
        app(["synth", "--units", "50", "--seed", "2", "--out", str(tmp_path / "w"), "--printer", "mixed",
             "--workers", "1"], prog_name="kptj")
    assert done.value.code == 0
    err = capsys.readouterr().err
    assert "未安装 Chromium" in err
