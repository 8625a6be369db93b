"""The printed form 《2024年度科普统计调查表》 as exported by the system, rendered to PDF (reportlab).

Layout per WORLD.md §4: every page has the title, a 单位名称 / 统一社会信用代码 line, the footer
第 n 页 共 m 页 and 打印时间; the body is the six parts as tables, one row per indicator, 其中 rows
indented; the last page carries the signature block and (单位盖章).

Several layouts (``LAYOUTS``) differ in font, margins, row height, column order, presence of the
代码 column, alignment, number style and page breaking, so no reader can lean on one layout.
All geometry is returned in PDF points with a top-left origin.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from registry.template import Template, default_template
from synth.fonts import reportlab_font
from synth.units import Unit
from synth.values import fmt_value

PAGE_W, PAGE_H = 595.28, 841.89  # A4


@dataclass(frozen=True)
class Layout:
    name: str
    font: str = "wqy"
    title_size: float = 16
    size: float = 9.5                  # body text
    margins: tuple[float, float, float, float] = (42, 42, 40, 36)  # left, right, top, bottom
    row_h: float = 19
    columns: tuple[str, ...] = ("指标名称", "计量单位", "代码", "数值")
    widths: dict[str, float] = field(default_factory=lambda: {"指标名称": 0.58, "计量单位": 0.12, "代码": 0.1, "数值": 0.2})
    value_align: str = "right"         # right | center | left
    fixed_money: bool = True           # 万元 printed with two decimals ("12.50") or as stored ("12.5")
    orphan_rows: int = 1               # a part heading needs this many rows after it on the page
    header_lines: int = 1              # 单位名称 and 代码 on one line or two
    grid: str = "full"                 # full | rules (horizontal rules only)
    footer: str = "center"             # center: page no centred, time right; split: time left, page no right
    continued: bool = False            # "（续）" heading when a part flows onto a new page
    sig_gap: float = 18
    titles: dict[str, str] = field(default_factory=dict)  # header text printed for a column, if not its name
    header_every_page: bool = True     # the column header on every page, or only on the first


LAYOUTS: dict[str, Layout] = {
    "A": Layout("A"),
    "B": Layout("B", font="uming", title_size=18, size=10.5, margins=(56, 50, 52, 46), row_h=24,
                columns=("代码", "指标名称", "计量单位", "数值"),
                widths={"代码": 0.09, "指标名称": 0.59, "计量单位": 0.12, "数值": 0.2},
                value_align="center", fixed_money=False, orphan_rows=6, header_lines=2,
                footer="split", continued=True, sig_gap=26),
    "C": Layout("C", size=9, margins=(34, 30, 30, 30), row_h=17, columns=("指标名称", "计量单位", "数值"),
                widths={"指标名称": 0.64, "计量单位": 0.14, "数值": 0.22}, value_align="right",
                fixed_money=True, grid="rules", footer="split", sig_gap=14),
    "D": Layout("D", font="wqy", title_size=17, size=10, margins=(48, 44, 46, 40), row_h=22.5,
                columns=("指标名称", "代码", "计量单位", "数值"),
                widths={"指标名称": 0.56, "代码": 0.1, "计量单位": 0.12, "数值": 0.22},
                value_align="center", fixed_money=False, orphan_rows=3, header_lines=2, continued=True),
    # 代码 after 数值, a spaced header naming the value column 本年, horizontal rules only
    "E": Layout("E", font="uming", size=9.5, margins=(40, 40, 38, 36), row_h=20,
                columns=("指标名称", "计量单位", "数值", "代码"),
                widths={"指标名称": 0.56, "计量单位": 0.12, "数值": 0.2, "代码": 0.12},
                value_align="right", fixed_money=True, grid="rules", footer="split",
                titles={"指标名称": "指 标 名 称", "计量单位": "计量单位", "数值": "本 年", "代码": "代 码"}),
    # code first, unit last, the header (合计) printed on the first page only
    "F": Layout("F", font="wqy", size=10, margins=(46, 40, 44, 40), row_h=21,
                columns=("代码", "指标名称", "数值", "计量单位"),
                widths={"代码": 0.1, "指标名称": 0.58, "数值": 0.2, "计量单位": 0.12},
                value_align="right", fixed_money=False, orphan_rows=2, continued=True,
                titles={"数值": "合计"}, header_every_page=False),
}


@dataclass
class FigureBox:
    code: str
    text: str
    page: int            # 1-based
    box_pt: tuple[float, float, float, float]


@dataclass
class FieldBox:
    role: str
    page: int
    box_pt: tuple[float, float, float, float]


@dataclass
class RenderedForm:
    pdf: bytes
    pages_total: int
    layout: str
    page_size_pt: tuple[float, float]
    figures: list[FigureBox]
    labels: list[FigureBox]            # label cells (text = label as printed)
    signature_fields: list[FieldBox]
    seal_field: FieldBox
    header_boxes: dict[int, dict[str, tuple[float, float, float, float]]]  # page -> name -> box
    value_column_pt: tuple[float, float]                                # x0, x1 of 数值 column
    rows_per_page: dict[int, tuple[float, float]]                       # page -> table y0, y1
    dynamic_text: list[tuple[int, str, float, float, float]] = field(default_factory=list)
    font: str = "wqy"

    def figures_on(self, page: int) -> list[FigureBox]:
        return [f for f in self.figures if f.page == page]


def render_form(unit: Unit, values: dict[str, Decimal | None], template: Template | None = None,
                layout: str | Layout = "A", print_time: datetime | None = None,
                report_date: datetime | None = None, draw: str = "all") -> RenderedForm:
    """Lay out and render the form.  draw: "all" (the PDF), "static" (only what is the same for
    every unit: the skeleton), "none" (geometry and the unit's own strings only, no PDF)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    t = template or default_template()
    lay = LAYOUTS[layout] if isinstance(layout, str) else layout
    print_time = print_time or datetime(2025, 6, 18, 9, 30)
    report_date = report_date or print_time
    face = reportlab_font(lay.font)
    ml, mr, mt, mb = lay.margins
    tw = PAGE_W - ml - mr
    size = lay.size

    # column x ranges
    xs: dict[str, tuple[float, float]] = {}
    x = ml
    for col in lay.columns:
        w = tw * lay.widths[col]
        xs[col] = (x, x + w)
        x += w

    header_h = 34 + (18 if lay.header_lines == 1 else 34)
    footer_h = 26
    table_top = mt + header_h
    table_bottom = PAGE_H - mb - footer_h
    sig_h = 118

    # ---- pass 1: flow rows onto pages
    items: list[tuple[str, object]] = []
    for part in t.parts:
        items.append(("part", part))
        for ind in t.by_part(part.name):
            items.append(("ind", ind))
    pages: list[list[tuple[str, object, float]]] = [[]]  # (kind, obj, y_top)
    y = table_top
    pages[0].append(("colhead", None, y))
    y += lay.row_h
    current_part = None
    i = 0
    while i < len(items):
        kind, obj = items[i]
        need = lay.row_h * (1 + (lay.orphan_rows if kind == "part" else 0))
        if y + need > table_bottom:
            pages.append([])
            y = table_top
            if lay.header_every_page:
                pages[-1].append(("colhead", None, y))
                y += lay.row_h
            if kind == "ind" and lay.continued and current_part is not None:
                pages[-1].append(("cont", current_part, y))
                y += lay.row_h
            continue
        if kind == "part":
            current_part = obj
        pages[-1].append((kind, obj, y))
        y += lay.row_h
        i += 1
    table_end = {n + 1: (table_top, p[-1][2] + lay.row_h) for n, p in enumerate(pages)}
    if y + lay.sig_gap + sig_h > PAGE_H - mb - footer_h:
        pages.append([])
        sig_y = table_top + 8
    else:
        sig_y = y + lay.sig_gap
    m = len(pages)

    # ---- pass 2: draw
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
    c.setTitle(t.title)
    c.setAuthor("科普统计信息管理系统")
    figures: list[FigureBox] = []
    labels: list[FigureBox] = []
    headers: dict[int, dict[str, tuple[float, float, float, float]]] = {}

    dynamic: list[tuple[int, str, float, float, float]] = []   # (page, text, x, baseline, size)
    pno = 0

    def text(s: str, x0: float, yb: float, sz: float = size, align: str = "left",
             dyn: bool = False) -> tuple[float, float, float, float]:
        w = stringWidth(s, face, sz)
        if align == "right":
            x0 -= w
        elif align == "center":
            x0 -= w / 2
        if dyn:
            dynamic.append((pno, s, x0, yb, sz))
        if draw == "all" or (draw == "static" and not dyn):
            c.setFont(face, sz)
            c.drawString(x0, PAGE_H - yb, s)
        return (round(x0, 2), round(yb - 0.88 * sz, 2), round(x0 + w, 2), round(yb + 0.14 * sz, 2))

    def hline(x0: float, x1: float, yy: float, w: float = 0.5) -> None:
        if draw != "none":
            c.setLineWidth(w)
            c.line(x0, PAGE_H - yy, x1, PAGE_H - yy)

    def vline(xx: float, y0: float, y1: float, w: float = 0.5) -> None:
        if draw != "none":
            c.setLineWidth(w)
            c.line(xx, PAGE_H - y0, xx, PAGE_H - y1)

    def baseline(ytop: float) -> float:
        return ytop + lay.row_h / 2 + size * 0.36

    for pno, rows in enumerate(pages, 1):  # noqa: B007 - text() reads pno
        hb: dict[str, tuple[float, float, float, float]] = {}
        hb["title"] = text(t.title, PAGE_W / 2, mt + lay.title_size, lay.title_size, "center")
        ly = mt + 34 + size
        hb["unit_name_box"] = text(f"单位名称：{unit.name}", ml, ly, dyn=True)
        if lay.header_lines == 1:
            hb["uscc_box"] = text(f"统一社会信用代码：{unit.uscc}", PAGE_W - mr, ly, align="right", dyn=True)
        else:
            hb["uscc_box"] = text(f"统一社会信用代码：{unit.uscc}", ml, ly + 16, dyn=True)
        fy = PAGE_H - mb - 6
        pn = f"第 {pno} 页 共 {m} 页"
        pt = f"打印时间：{print_time:%Y-%m-%d %H:%M}"
        if lay.footer == "center":
            hb["page_no_box"] = text(pn, PAGE_W / 2, fy, size, "center", dyn=True)
            hb["print_time_box"] = text(pt, PAGE_W - mr, fy, size - 1, "right", dyn=True)
        else:
            hb["print_time_box"] = text(pt, ml, fy, size - 1, dyn=True)
            hb["page_no_box"] = text(pn, PAGE_W - mr, fy, size, "right", dyn=True)
        headers[pno] = hb

        # table
        if rows:
            top, bottom = rows[0][2], rows[-1][2] + lay.row_h
            for kind, obj, ytop in rows:
                yb = baseline(ytop)
                if kind == "colhead":
                    for col in lay.columns:
                        x0, x1 = xs[col]
                        text(lay.titles.get(col, col), (x0 + x1) / 2, yb, size, "center")
                elif kind in ("part", "cont"):
                    label = obj.heading + ("（续）" if kind == "cont" else "")
                    text(label, ml + 4, yb, size + (0.5 if kind == "part" else 0))
                else:
                    ind = obj
                    for col in lay.columns:
                        x0, x1 = xs[col]
                        if col == "指标名称":
                            indent = 4 + 1.0 * size * t.depth(ind.code)
                            b = text(ind.label, x0 + indent, yb)
                            labels.append(FigureBox(ind.code, ind.label, pno, b))
                        elif col == "计量单位":
                            text(ind.unit, (x0 + x1) / 2, yb, size, "center")
                        elif col == "代码":
                            text(ind.code, (x0 + x1) / 2, yb, size, "center")
                        elif col == "数值":
                            s = fmt_value(values.get(ind.code), ind.decimals, lay.fixed_money)
                            if lay.value_align == "right":
                                b = text(s, x1 - 5, yb, size, "right", dyn=True)
                            elif lay.value_align == "center":
                                b = text(s, (x0 + x1) / 2, yb, size, "center", dyn=True)
                            else:
                                b = text(s, x0 + 5, yb, size, dyn=True)
                            figures.append(FigureBox(ind.code, s, pno, b))
                # grid
                if lay.grid == "full" or kind == "colhead":
                    hline(ml, ml + tw, ytop)
                else:
                    hline(ml, ml + tw, ytop, 0.3)
            hline(ml, ml + tw, bottom, 0.8 if lay.grid == "full" else 0.5)
            if lay.grid == "full":
                for col in lay.columns:
                    x0, _ = xs[col]
                    # part headings span the whole row: vertical lines skip them
                    for kind, _obj, ytop in rows:
                        if kind in ("colhead", "ind"):
                            vline(x0, ytop, ytop + lay.row_h)
                vline(ml + tw, top, bottom, 0.8)
            else:
                hline(ml, ml + tw, top + lay.row_h, 0.8)

        if pno == m:
            sy = sig_y + 20
            roles = ("单位负责人", "统计负责人", "填表人")
            sig_fields: list[FieldBox] = []
            for k, role in enumerate(roles):
                x0 = ml + k * tw / 3
                b = text(f"{role}：", x0, sy, size + 0.5)
                fx0, fx1 = b[2] + 2, min(b[2] + 92, ml + (k + 1) * tw / 3 - 8)
                hline(fx0, fx1, sy + 3, 0.5)
                sig_fields.append(FieldBox(role, pno, (round(fx0, 2), round(sy - 26, 2), round(fx1, 2), round(sy + 6, 2))))
            sy2 = sy + 34
            text(f"联系电话：{unit.phone or '022-'}", ml, sy2, size + 0.5, dyn=True)
            text(f"报出日期：{report_date:%Y年%m月%d日}", ml + tw / 2, sy2, size + 0.5, dyn=True)
            sy3 = sy2 + 44
            sb = text("（单位盖章）", ml + tw * 0.72, sy3, size + 0.5)
            seal_field = FieldBox("单位盖章", pno, sb)
            hb["signature_block"] = (ml, sig_y, ml + tw, sy3 + 10)
        if draw != "none":
            c.showPage()
    if draw != "none":
        c.save()
    return RenderedForm(
        pdf=buf.getvalue(), pages_total=m, layout=lay.name, page_size_pt=(PAGE_W, PAGE_H),
        figures=figures, labels=labels, signature_fields=sig_fields, seal_field=seal_field,
        header_boxes=headers, value_column_pt=xs["数值"], rows_per_page=table_end,
        dynamic_text=dynamic, font=lay.font,
    )


def render_form_pdf(unit: Unit, values: dict[str, Decimal | None], template: Template | None = None,
                    layout: str | Layout = "A", print_time: datetime | None = None) -> bytes:
    return render_form(unit, values, template, layout, print_time).pdf


_SKELETONS: dict[tuple, list] = {}


def render_form_raster(unit: Unit, values: dict[str, Decimal | None], template: Template | None = None,
                       layout: str | Layout = "A", print_time: datetime | None = None, dpi: int = 150,
                       report_date: datetime | None = None) -> tuple[RenderedForm, list]:
    """The printed pages as RGB images at dpi, fast: the unit-independent skeleton of each page is
    rasterized once per (layout, dpi) and the unit's own strings are drawn onto a copy with the same
    font (PIL/FreeType).  Geometry is identical to render_form(); the returned form has no PDF."""
    from PIL import ImageDraw

    from synth.fonts import pil_font
    from synth.raster import rasterize
    t = template or default_template()
    lay = LAYOUTS[layout] if isinstance(layout, str) else layout
    form = render_form(unit, values, t, lay, print_time, report_date, draw="none")
    key = (repr(lay), t.id, dpi)
    if key not in _SKELETONS:
        blank = render_form(unit, values, t, lay, print_time, report_date, draw="static")
        _SKELETONS[key] = rasterize(blank.pdf, dpi)
    pages = [im.copy() for im in _SKELETONS[key]]
    k = dpi / 72.0
    draws = [ImageDraw.Draw(im) for im in pages]
    for pno, s, x, yb, sz in form.dynamic_text:
        draws[pno - 1].text((x * k, yb * k), s, fill=(0, 0, 0), font=pil_font(form.font, round(sz * k * 4) / 4),
                            anchor="ls")
    return form, pages
