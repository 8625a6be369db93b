"""A second, independent printing path: the form as HTML/CSS, printed to PDF by headless Chromium.

Shares no drawing code with synth.form (reportlab): the page is laid out by the browser (CSS
fonts Noto Sans/Serif CJK SC, tables, wrapping), paginated explicitly into one fixed-size A4 div
per page by synth/data/html_form.js, and every box is read back with getBoundingClientRect.
``render_form_html`` returns a synth.form.RenderedForm (PDF points, top-left origin), so
``synth.pages.make_pages(unit, values, rng, form=form)`` prints, signs, stamps and scans it.

Styles (``HTML_STYLES``) cover WORLD.md §4's variety beyond the reportlab layouts: 代码 after 数值,
代码 first, no 代码 column, spaced headers (``指 标 名 称``), value column ``本年`` / ``合计``,
column header on every page or on page 1 only, full rulings / horizontal rules / none, a narrow
label column that wraps long labels onto two lines, and three signature blocks (signing space on
an underline right of the label; an empty box below it; a line below it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib import resources

from registry.template import Template, default_template
from synth.form import FieldBox, FigureBox, RenderedForm
from synth.units import Unit
from synth.values import fmt_value

PT = 0.75           # one CSS px in PDF points (CSS: 96 px per inch, PDF: 72 pt)
COLUMN_KEYS = {"指标名称": "label", "计量单位": "unit", "代码": "code", "数值": "value"}


@dataclass(frozen=True)
class HtmlStyle:
    name: str
    font: str = "Noto Sans CJK SC"
    size: float = 9.5                       # body text, pt
    title_size: float = 16
    title_spacing: float = 0                # letter-spacing of the title, pt
    margins: tuple[float, float, float, float] = (16, 15, 14, 12)   # left, right, top, bottom (mm)
    columns: tuple[str, ...] = ("指标名称", "计量单位", "代码", "数值")
    widths: dict[str, float] = field(default_factory=dict)          # column -> % of the table width
    heads: dict[str, str] = field(default_factory=dict)             # column -> header as printed
    value_align: str = "right"
    fixed_money: bool = True
    grid: str = "full"                      # full | rules | none
    header_every_page: bool = True
    continued: bool = False                 # "（续）" when a part flows onto a new page
    pad: float = 3.0                        # cell padding top/bottom, pt (row height)
    indent: float = 1.0                     # 其中 indent per level, em
    idline: str = "one"                     # one | two: 单位名称 and 统一社会信用代码 on one line or two
    footer: str = "center"                  # center | split | stack
    sig_style: str = "line-right"           # line-right | box-below | line-below
    sig_gap: float = 16
    bold_heads: bool = True


HTML_STYLES: dict[str, HtmlStyle] = {
    # serif, 代码 AFTER 数值, spaced header, 本年, full rulings, header on every page
    "H1": HtmlStyle("H1", font="Noto Serif CJK SC", size=9.5, title_size=17, title_spacing=1.5,
                    columns=("指标名称", "计量单位", "数值", "代码"),
                    widths={"指标名称": 56, "计量单位": 12, "数值": 20, "代码": 12},
                    heads={"指标名称": "指 标 名 称", "计量单位": "计量单位", "数值": "本年", "代码": "代 码"},
                    pad=2.6, footer="center", sig_style="line-right"),
    # sans, 代码 first, 合计, no rulings at all, header on page 1 only, narrow label column (wraps)
    "H2": HtmlStyle("H2", size=10, title_size=16, margins=(20, 20, 16, 14),
                    columns=("代码", "指标名称", "计量单位", "数值"),
                    widths={"代码": 11, "指标名称": 36, "计量单位": 19, "数值": 34},
                    heads={"数值": "合计"}, value_align="center", fixed_money=False, grid="none",
                    header_every_page=False, pad=2.2, idline="two", footer="split", sig_style="box-below"),
    # sans, no 代码 column, spaced header, narrow label column (wraps), full rulings, every page
    "H3": HtmlStyle("H3", size=9, title_size=15, margins=(14, 14, 12, 11),
                    columns=("指标名称", "计量单位", "数值"),
                    widths={"指标名称": 30, "计量单位": 28, "数值": 42},
                    heads={"指标名称": "指 标 名 称", "计量单位": "计 量 单 位", "数值": "数 值"},
                    value_align="right", pad=2.0, indent=1.5, footer="stack", sig_style="line-below"),
    # serif, 代码 between, 本年, horizontal rules only, header once, （续） headings, big rows
    "H4": HtmlStyle("H4", font="Noto Serif CJK SC", size=10.5, title_size=18, title_spacing=3,
                    margins=(22, 20, 18, 15), columns=("指标名称", "代码", "计量单位", "数值"),
                    widths={"指标名称": 55, "代码": 11, "计量单位": 13, "数值": 21},
                    heads={"数值": "本年"}, value_align="left", fixed_money=False, grid="rules",
                    header_every_page=False, continued=True, pad=4.2, idline="two", footer="split",
                    sig_style="line-right", sig_gap=24, bold_heads=False),
}
STYLE_WEIGHTS = {"H1": 0.3, "H2": 0.25, "H3": 0.25, "H4": 0.2}
ROLES = ("单位负责人", "统计负责人", "填表人")


@cache
def _asset(name: str) -> str:
    return resources.files("synth").joinpath("data", name).read_text(encoding="utf-8")


def _page_html(st: HtmlStyle) -> str:
    ml, mr, mt, mb = st.margins
    id_lines = 1 if st.idline == "one" else 2
    body_top = f"calc({mt}mm + {st.title_size * 1.3 + 9 + id_lines * st.size * 1.5 + 8:.2f}pt)"
    css_vars = {
        "--font": f'"{st.font}", "Noto Sans CJK SC", sans-serif', "--size": f"{st.size}pt",
        "--title-size": f"{st.title_size}pt", "--title-spacing": f"{st.title_spacing}pt",
        "--title-stroke": f"{st.title_size * 0.035:.2f}pt",
        "--head-stroke": f"{st.size * 0.04:.2f}pt" if st.bold_heads else "0",
        "--part-stroke": f"{st.size * 0.04:.2f}pt" if st.bold_heads else "0",
        "--ml": f"{ml}mm", "--mr": f"{mr}mm", "--mt": f"{mt}mm", "--mb": f"{mb}mm", "--body-top": body_top,
        "--pad": f"{st.pad}pt", "--value-align": st.value_align, "--sig-gap": f"{st.sig_gap}pt",
    }
    root = ":root{" + ";".join(f"{k}:{v}" for k, v in css_vars.items()) + "}"
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>调查表</title>'
            f"<style>{root}\n{_asset('html_form.css')}</style></head><body></body></html>")


def form_data(unit: Unit, values: dict[str, Decimal | None], t: Template, st: HtmlStyle,
              print_time: datetime, report_date: datetime) -> dict:
    """The form as data for html_form.js: texts as printed, columns, rows."""
    items: list[dict] = []
    for part in t.parts:
        items.append({"kind": "part", "text": part.heading})
        for ind in t.by_part(part.name):
            items.append({"kind": "ind", "code": ind.code, "label": ind.label, "unit": ind.unit,
                          "depth": t.depth(ind.code),
                          "value": fmt_value(values.get(ind.code), ind.decimals, st.fixed_money)})
    return {
        "title": t.title, "unitLine": f"单位名称：{unit.name}", "usccLine": f"统一社会信用代码：{unit.uscc}",
        "printTime": f"打印时间：{print_time:%Y-%m-%d %H:%M}", "idline": st.idline, "footer": st.footer,
        "grid": st.grid, "headerEvery": st.header_every_page, "continued": st.continued, "indent": st.indent,
        "columns": [{"key": COLUMN_KEYS[c], "head": st.heads.get(c, c), "width": st.widths[c]} for c in st.columns],
        "items": items, "roles": list(ROLES), "sigStyle": st.sig_style,
        "phoneLine": f"联系电话：{unit.phone or '022-'}", "dateLine": f"报出日期：{report_date:%Y年%m月%d日}",
    }


def _pt(box: list[float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    return (round(x0 * PT, 2), round(y0 * PT, 2), round(x1 * PT, 2), round(y1 * PT, 2))


def render_form_html(unit: Unit, values: dict[str, Decimal | None], template: Template | None = None,
                     style: str | HtmlStyle = "H1", print_time: datetime | None = None,
                     report_date: datetime | None = None) -> RenderedForm:
    """Lay the form out in Chromium, print it to PDF and return it with its geometry."""
    from synth.chromium import BrowserError, browser, close_browser
    t = template or default_template()
    st = HTML_STYLES[style] if isinstance(style, str) else style
    print_time = print_time or datetime(2025, 6, 18, 9, 30)
    report_date = report_date or print_time
    data = form_data(unit, values, t, st, print_time, report_date)
    for attempt in (1, 2):   # a browser that died or hung is replaced once
        try:
            b = browser()
            b.set_content(_page_html(st))
            laid = b.evaluate(f"document.fonts.ready.then(() => ({_asset('html_form.js')})({json.dumps(data)}))")
            pdf = b.print_pdf()
            break
        except (BrowserError, OSError):
            if attempt == 2:
                raise
            close_browser()
    m = int(laid["pages"])
    n, size = _pdf_pages(pdf)
    if n != m:
        raise BrowserError(f"Chromium 打印出的页数与分页不符（{n} ≠ {m}）")
    return _geometry(laid["boxes"], m, st, pdf, size)


def _geometry(boxes: list[dict], m: int, st: HtmlStyle, pdf: bytes,
              size: tuple[float, float]) -> RenderedForm:
    figures: list[FigureBox] = []
    labels: list[FigureBox] = []
    sigs: list[FieldBox] = []
    seal: FieldBox | None = None
    headers: dict[int, dict[str, tuple[float, float, float, float]]] = {n: {} for n in range(1, m + 1)}
    tables: dict[int, tuple[float, float]] = {}
    value_col: tuple[float, float] | None = None
    for e in boxes:
        pg, g, box = e["page"], e["g"], _pt(e["box"])
        if g == "fig":
            figures.append(FigureBox(e["code"], e["text"], pg, box))
        elif g == "lab":
            labels.append(FigureBox(e["code"], e["text"], pg, box))
        elif g == "sig":
            sigs.append(FieldBox(e["role"], pg, box))
        elif g == "seal":
            seal = FieldBox("单位盖章", pg, box)
        elif g == "valcell" and value_col is None:
            value_col = (box[0], box[2])
        elif g == "table":
            tables[pg] = (box[1], box[3])
        elif g in ("title", "unit_name_box", "uscc_box", "page_no_box", "print_time_box", "signature_block"):
            headers[pg][g] = box
    if seal is None or value_col is None or len(sigs) != len(ROLES):
        from synth.chromium import BrowserError
        raise BrowserError("Chromium 排版结果不完整（缺少签名栏、盖章处或数值列）")
    return RenderedForm(
        pdf=pdf, pages_total=m, layout=st.name, page_size_pt=size, figures=figures,
        labels=labels, signature_fields=sigs, seal_field=seal, header_boxes=headers, value_column_pt=value_col,
        rows_per_page=tables, dynamic_text=[], font=st.font,
    )


def _pdf_pages(pdf: bytes) -> tuple[int, tuple[float, float]]:
    """Page count and the first page's size in points (Chromium rounds A4 to whole CSS px)."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    try:
        w, h = doc[0].get_size()
        return len(doc), (round(w, 2), round(h, 2))
    finally:
        doc.close()


def fixed_money(style: str) -> bool:
    return HTML_STYLES[style].fixed_money
