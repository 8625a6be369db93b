"""A tiny stand-alone form printer + scanner for reader tests (independent of synth/).

Prints the §4 layout with reportlab and a CJK system font, rasterises with pdfium, stamps a
red ring seal and applies simple scan effects. Deliberately plain: it only has to be a real
PDF/image that the reader must read without knowing how it was drawn.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from registry.template import Template

FONT_PATHS = ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"]
ROWS_PER_PAGE = 30


@dataclass
class FormSpec:
    name: str
    uscc: str
    values: dict[str, str | None]
    print_time: str = "2025-06-20 10:30"


def _font() -> str:
    if "CJK" not in pdfmetrics.getRegisteredFontNames():
        for p in FONT_PATHS:
            if Path(p).exists():
                pdfmetrics.registerFont(TTFont("CJK", p, subfontIndex=0))
                break
    return "CJK"


def page_plan(template: Template) -> list[list[tuple[str | None, str | None]]]:
    """Rows per page: (part heading, None) or (None, code)."""
    rows: list[tuple[str | None, str | None]] = []
    for part in template.parts:
        rows.append((part.heading, None))
        rows += [(None, i.code) for i in template.by_part(part.name)]
    pages = [rows[i:i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)]
    return pages


def render_pdf(template: Template, form: FormSpec, *, print_codes: bool = True) -> bytes:
    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    plan = page_plan(template)
    total = len(plan) + 1
    for n, rows in enumerate(plan, 1):
        _header(c, font, template, form, w, h)
        y = h - 130
        c.setFont(font, 9)
        cols = [40, 330, 400, 450, w - 40]
        for x, title in zip(cols, template.columns, strict=False):
            c.drawString(x + 4, y + 5, title)
        c.line(cols[0], y, cols[-1], y)
        for heading, code in rows:
            y -= 20
            if heading:
                c.drawString(cols[0] + 4, y + 6, heading)
            else:
                ind = template.indicator(code)
                indent = 14 if ind.parent else 0
                c.drawString(cols[0] + 4 + indent, y + 6, ind.label)
                c.drawString(cols[1] + 4, y + 6, ind.unit)
                if print_codes:
                    c.drawString(cols[2] + 4, y + 6, code)
                v = form.values.get(code)
                c.drawRightString(cols[4] - 6, y + 6, "-" if v is None else v)
            c.line(cols[0], y, cols[-1], y)
        for x in cols:
            c.line(x, h - 130 + 20, x, y)
        _footer(c, font, n, total, form, w)
        c.showPage()
    _header(c, font, template, form, w, h)
    c.setFont(font, 11)
    for k, lab in enumerate(["单位负责人：", "统计负责人：", "填表人："]):
        c.drawString(60 + k * 170, h - 200, lab)
    c.drawString(60, h - 250, "联系电话：022-12345678      报出日期：2025-06-20")
    c.drawString(w - 160, h - 320, "（单位盖章）")
    _footer(c, font, total, total, form, w)
    c.showPage()
    c.save()
    return buf.getvalue()


def _header(c: canvas.Canvas, font: str, template: Template, form: FormSpec, w: float, h: float) -> None:
    c.setFont(font, 16)
    c.drawCentredString(w / 2, h - 60, template.title)
    c.setFont(font, 10)
    c.drawString(40, h - 95, f"单位名称：{form.name}")
    c.drawString(330, h - 95, f"统一社会信用代码：{form.uscc}")


def _footer(c: canvas.Canvas, font: str, n: int, total: int, form: FormSpec, w: float) -> None:
    c.setFont(font, 9)
    c.drawCentredString(w / 2, 40, f"第 {n} 页 共 {total} 页")
    c.drawString(w - 200, 25, f"打印时间：{form.print_time}")


def rasterise(pdf: bytes, dpi: int = 200) -> list[np.ndarray]:
    doc = pdfium.PdfDocument(pdf)
    out = []
    for page in doc:
        pil = page.render(scale=dpi / 72).to_pil().convert("RGB")
        out.append(cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR))
    return out


def stamp_seal(img: np.ndarray, center: tuple[int, int], radius: int = 150) -> np.ndarray:
    """A red ring + star, multiplied over the page like ink."""
    ink = np.full_like(img, 255)
    red = (40, 40, 220)
    cv2.circle(ink, center, radius, red, max(4, radius // 18))
    pts = []
    for k in range(10):
        r = radius * (0.35 if k % 2 == 0 else 0.14)
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((int(center[0] + r * math.cos(a)), int(center[1] + r * math.sin(a))))
    cv2.fillPoly(ink, [np.array(pts, np.int32)], red)
    return (img.astype(np.float32) * ink.astype(np.float32) / 255).astype(np.uint8)


def scan_effects(img: np.ndarray, *, angle: float = 0.0, grey: bool = False, upside_down: bool = False,
                 noise: float = 4.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    h, w = img.shape[:2]
    if angle:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        img = cv2.warpAffine(img, m, (w, h), borderValue=(255, 255, 255))
    if noise:
        img = np.clip(img.astype(np.float32) + rng.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
    if grey:
        img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    if upside_down:
        img = cv2.rotate(img, cv2.ROTATE_180)
    return img


def images_to_pdf(images: list[np.ndarray], dpi: int = 200) -> bytes:
    """A scanner-style PDF: one JPEG image per page."""
    from PIL import Image
    pils = [Image.fromarray(cv2.cvtColor(im, cv2.COLOR_BGR2RGB)) for im in images]
    buf = io.BytesIO()
    pils[0].save(buf, format="PDF", save_all=True, append_images=pils[1:], resolution=dpi)
    return buf.getvalue()
