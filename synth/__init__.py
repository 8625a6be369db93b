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
across pages), "B" (AR PL UMing serif, columns 代码|指标名称|计量单位|数值, taller rows, a part that
does not fit starts a new page), "C" (no 代码 column: 指标名称|计量单位|数值, dense rows, narrow
margins).  Fonts: fonts-wqy-microhei and fonts-arphic-uming (Debian); a missing font falls back to
the other; Noto CJK is CFF (.ttc) which reportlab cannot embed, so it is not used.

World (issue 3 part 2)
----------------------
``synth.world.build_world(units=N, seed=S, out=DIR)`` and ``kptj synth --units N --seed S --out DIR``
write roster.xlsx, records.xlsx, mail/NNNN.eml, truth.json (shape in synth/world.py docstring).
"""

from __future__ import annotations

from synth.form import LAYOUTS, FieldBox, FigureBox, RenderedForm, render_form, render_form_pdf
from synth.pages import SynthPage, make_pages
from synth.raster import rasterize
from synth.scanner import SCAN_PROFILES, ScanResult, images_to_pdf, map_box, scan
from synth.seal import stamp
from synth.signature import sign
from synth.units import Unit, demo_unit, demo_values

__all__ = [
    "LAYOUTS", "FieldBox", "FigureBox", "RenderedForm", "render_form", "render_form_pdf",
    "SynthPage", "make_pages", "rasterize", "SCAN_PROFILES", "ScanResult", "images_to_pdf",
    "map_box", "scan", "stamp", "sign", "Unit", "demo_unit", "demo_values",
]
