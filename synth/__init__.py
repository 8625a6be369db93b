"""The synthetic survey world (issue 3): roster, online records, printed forms, scans, mailbox, truth.

Everything is deterministic from a seed; every random choice takes an explicit
``random.Random`` (``rng``).  Coordinates are **pixels of the image they refer to**, origin top-left,
boxes are ``(x0, y0, x1, y1)`` lists of ints.  PDF geometry (``*_pt``) is in PDF points with the
origin **top-left** too (already flipped from PDF's bottom-left).

Page pipeline (stable API — the OCR reader and the seal/signature detector code against it)
-------------------------------------------------------------------------------------------
::

    import random
    from synth import (Unit, demo_unit, demo_values, render_form, render_form_pdf, rasterize,
                       sign, stamp, scan, make_pages, LAYOUTS, SCAN_PROFILES)

    unit = demo_unit()                      # a Unit (account, name, uscc, ...); or build your own
    values = demo_values(unit, random.Random(1))   # {code: Decimal | None}, None = "-"

    form = render_form(unit, values, layout="A", print_time=datetime(2025, 6, 18, 9, 30))
    form.pdf                  # bytes: the system-exported form (real text layer, pdfplumber reads it)
    form.pages_total          # m (3..5 depending on layout)
    form.figures              # [FigureBox(code, text, page, box_pt)]  text as printed ("-", "0", "12.50")
    form.signature_fields     # [FieldBox(role, page, box_pt)]  role in 单位负责人/统计负责人/填表人
    form.seal_field           # FieldBox("单位盖章", page, box_pt) on the last page
    render_form_pdf(unit, values, template=None, layout="A", print_time=...) -> bytes   # = .pdf

    rasterize(pdf_bytes, dpi=200) -> list[PIL.Image.Image]      # RGB, one per page (pypdfium2)

    sign(img, box, rng, role="填表人", ink=None) -> dict          # draws handwriting-like strokes
        # in box (px) on img (in place); returns {"role", "box", "present": True, "ink"}
    stamp(img, unit_name, rng, center=None, dpi=200, strength=None, partial=None,
          rotation=None, diameter_mm=42.0) -> dict                 # red round seal, in place
        # returns {"center":[x,y], "radius":r, "box":[...], "strength":0..1,
        #          "partial":0..1 (share of the disc left faint/missing), "rotation":deg}
    scan(img, profile, rng, dpi=200) -> ScanResult
        # ScanResult.image (RGB, or L for grey profiles), .matrix (3x3 homography: input px ->
        # output px; use synth.scanner.map_box(matrix, box) for boxes), .profile, .upside_down
        # profiles (SCAN_PROFILES): "clean" (MFP straight scan), "colour", "grey", "bw",
        # "phone" (perspective + uneven light + background), "upside_down" (colour scan turned 180°)

    pages = make_pages(unit, values, rng, layout="A", print_time=..., dpi=150, profile="colour",
                       faults=None)          # -> list[SynthPage]   print -> sign -> stamp -> scan
    page.image                # the final scanned PIL image
    page.truth                # JSON-able ground truth of that page:
        # {"account","unit_name","uscc","layout","profile","dpi","page":n,"pages_total":m,
        #  "print_time":"YYYY-MM-DD HH:MM","size":[w,h],"upside_down":bool,"blank":bool,
        #  "matrix":[[..3x3..]],                       # form raster px -> final image px
        #  "figures":[{"code","text","box","under_seal":bool}],   # box in final image px
        #  "labels":[{"code","text","box"}],            # indicator label cells
        #  "seal": {"center","radius","box","strength","partial","rotation"} | None,
        #  "signatures":[{"role","box","present":bool}] (last page only),
        #  "seal_field":{"box"} | None, "header":{"unit_name_box","uscc_box","page_no_box",
        #  "print_time_box"}}
    faults (all optional) = {"no_seal_pages": {2}, "missing_signatures": {"填表人"},
                             "blank_pages": {3}, "unreadable_pages": {3},
                             "seal_over_figures": True}   # force the seal onto the value column

    page_sets → scanned PDF:  synth.scanner.images_to_pdf([img, ...], dpi=150, quality=80) -> bytes
    (JPEG pages wrapped in a minimal PDF, no re-encoding by a PDF library).

Layouts (``LAYOUTS``): "A" (WenQuanYi Micro Hei, columns 指标名称|计量单位|代码|数值, parts flow
across pages, 3 pages), "B" (AR PL UMing serif, columns 代码|指标名称|计量单位|数值, taller rows,
a part heading never ends a page, "（续）" headings, 万元 as stored "12.5", 4–5 pages), "C" (no 代码
column: 指标名称|计量单位|数值, dense rows, horizontal rules only, 3 pages), "D" (columns
指标名称|代码|计量单位|数值, centred values, 4 pages).  Fonts: fonts-wqy-microhei and
fonts-arphic-uming (Debian); a missing font falls back to the other; Noto CJK is CFF (.ttc), which
reportlab cannot embed, so it is only used through PIL for the seal lettering.

Fast raster path: ``synth.form.render_form_raster(unit, values, template, layout, print_time, dpi)
-> (RenderedForm, [PIL pages])`` gives the same geometry as render_form() without a PDF: the
unit-independent skeleton of each page is rasterized once per (layout, dpi) and the unit's own
strings (name, code, figures, page numbers, times) are drawn on a copy with the same font.
make_pages() uses it unless you pass ``form=`` (then it rasterizes form.pdf).

Second printing path: ``synth.html_form.render_form_html(unit, values, template=None, style="H1",
print_time=None, report_date=None) -> RenderedForm`` lays the form out as HTML/CSS and prints it
with headless Chromium (/usr/bin/chromium, driven over the DevTools pipe by synth.chromium; one
browser per process, reused, closed at exit).  It shares no drawing code with synth.form and
returns the same geometry, so ``make_pages(..., form=form)`` works unchanged.  Styles
(``HTML_STYLES``): "H1" (Noto Serif CJK, 指标名称|计量单位|本年|代码, spaced header, full rulings,
header on every page, signing line right of the label), "H2" (Noto Sans CJK, 代码 first, 合计, no
rulings, header on page 1 only, narrow label column that wraps, an empty box below each signer),
"H3" (no 代码 column, spaced headers, very narrow label column, full rulings, a line below each
signer), "H4" (serif, 代码 between, horizontal rules, header once, （续） headings).

World (issue 3 part 2)
----------------------
``synth.world.build_world(units=N, seed=S, out=DIR, workers=None, printers=None)`` and
``kptj synth --units N --seed S --out DIR [--printer reportlab|mixed|chromium]`` write (deterministic from the seed, any worker count):

- roster.xlsx  ``账号, 单位名称, 统一社会信用代码, 单位类型, 所在区, 上级管理单位账号, 是否科普场馆,
  所属单位账号, 联系人, 联系电话, 电子邮箱`` (synth.roster: the tree and the 科普场馆 rule)
- records.xlsx ``账号, 单位名称, 统一社会信用代码, 填报状态, 最后修改时间, P01 … E08`` (synth.records;
  empty or "-" = no value, numbers as numbers; 最后修改时间 ``YYYY-MM-DD HH:MM:SS``)
- mail/NNNN.eml in date order, every shape of WORLD.md §5 (synth.mailbox)
- truth.json: messages → attachments (expected_status, zip member path in "container") →
  documents (account, printed page numbers in file order, profile, print_time …); faults
  (figure_mismatch, scan_stale, seal_missing, signature_missing, page_missing, page_duplicate,
  page_blank (detail blank|unreadable), duplicate, superseded, unit_unknown, never_sent,
  rule_violation); never_sent; not_received.  Full shape in the synth.world docstring.
- pages.jsonl: per rendered document, the per-page truth above (figure boxes, seal, signatures),
  plus "printer" (reportlab | chromium).  printers: "reportlab" (default; KPTJ_SYNTH_PRINTERS
  overrides it), "mixed" (about 40 % of the documents printed by Chromium, when it is installed),
  "chromium" (all).

``python -m synth.samples docs/samples`` redraws the three sample pictures.
"""

from __future__ import annotations

from synth.form import (
    LAYOUTS,
    FieldBox,
    FigureBox,
    RenderedForm,
    render_form,
    render_form_pdf,
    render_form_raster,
)
from synth.pages import SynthPage, make_pages
from synth.raster import rasterize
from synth.scanner import SCAN_PROFILES, ScanResult, images_to_pdf, map_box, scan
from synth.seal import stamp
from synth.signature import sign
from synth.units import Unit, demo_unit, demo_values

__all__ = [
    "LAYOUTS", "FieldBox", "FigureBox", "RenderedForm", "render_form", "render_form_pdf", "render_form_raster",
    "SynthPage", "make_pages", "rasterize", "SCAN_PROFILES", "ScanResult", "images_to_pdf",
    "map_box", "scan", "stamp", "sign", "Unit", "demo_unit", "demo_values",
]
