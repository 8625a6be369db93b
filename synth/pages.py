"""print -> sign -> stamp -> scan, with per-page ground truth (see the package docstring)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from PIL import Image

from registry.template import Template
from synth.form import Layout, RenderedForm, render_form_raster
from synth.raster import rasterize
from synth.scanner import blank_page, degrade_unreadable, map_box, scan
from synth.seal import box_in_disc, stamp
from synth.signature import sign
from synth.units import Unit


@dataclass
class SynthPage:
    image: Image.Image
    truth: dict


def _px(box_pt, k: float) -> list[int]:
    x0, y0, x1, y1 = box_pt
    return [int(math.floor(x0 * k)), int(math.floor(y0 * k)), int(math.ceil(x1 * k)), int(math.ceil(y1 * k))]


def seal_center(form: RenderedForm, page: int, k: float, rng: random.Random, over_figures: bool | None = None,
                size: tuple[int, int] | None = None) -> tuple[tuple[float, float], str]:
    """Where a clerk puts the seal on this page: over the figures, at (单位盖章), or in a margin."""
    last = page == form.pages_total
    figs = form.figures_on(page)
    if over_figures is None:
        over_figures = rng.random() < (0.35 if last else 0.6)
    if over_figures and figs:
        f = rng.choice(figs)
        fx = (f.box_pt[0] + f.box_pt[2]) / 2
        cx = min(fx + rng.uniform(-38, 22), form.page_size_pt[0] - 30)
        cy = (f.box_pt[1] + f.box_pt[3]) / 2 + rng.uniform(-14, 14)
        return (cx * k, cy * k), "over_figures"
    if last:
        b = form.seal_field.box_pt
        cx = (b[0] + b[2]) / 2 + rng.uniform(-30, 30)
        cy = (b[1] + b[3]) / 2 + rng.uniform(-40, 15)
        return (cx * k, cy * k), "seal_field"
    # bottom right, around the end of the table / page number
    w, h = form.page_size_pt
    return ((w * rng.uniform(0.6, 0.8)) * k, (h * rng.uniform(0.72, 0.88)) * k), "margin"


def make_pages(unit: Unit, values: dict[str, Decimal | None], rng: random.Random, layout: str | Layout = "A",
               print_time: datetime | None = None, dpi: int = 150, profile: str | list[str] = "colour",
               faults: dict | None = None, template: Template | None = None,
               form: RenderedForm | None = None, seal_name: str | None = None) -> list[SynthPage]:
    """Render, print, sign, stamp and scan one unit's form; one SynthPage per printed page."""
    faults = faults or {}
    print_time = print_time or datetime(2025, 6, 18, 9, 30)
    if form is not None:
        pages = rasterize(form.pdf, dpi)
    else:
        form, pages = render_form_raster(unit, values, template, layout, print_time, dpi)
    k = dpi / 72.0
    m = form.pages_total
    no_seal = set(faults.get("no_seal_pages") or ())
    missing_sig = set(faults.get("missing_signatures") or ())
    blanks = set(faults.get("blank_pages") or ())
    unreadable = set(faults.get("unreadable_pages") or ())
    force_over = faults.get("seal_over_figures")
    out: list[SynthPage] = []
    for pno, img in enumerate(pages, 1):
        prof = profile[pno - 1] if isinstance(profile, list) else profile
        truth: dict = {
            "account": unit.account, "unit_name": unit.name, "uscc": unit.uscc,
            "layout": form.layout, "profile": prof, "dpi": dpi, "page": pno, "pages_total": m,
            "print_time": f"{print_time:%Y-%m-%d %H:%M}", "blank": pno in blanks,
            "unreadable": pno in unreadable,
        }
        sigs: list[dict] = []
        seal = None
        if pno in blanks:
            img = blank_page(img.size, rng)
        else:
            if pno == m:
                for f in form.signature_fields:
                    b = _px(f.box_pt, k)
                    if f.role in missing_sig:
                        sigs.append({"role": f.role, "box": b, "present": False})
                    else:
                        sigs.append(sign(img, b, rng, f.role))
            if pno not in no_seal:
                center, where = seal_center(form, pno, k, rng, force_over)
                seal = stamp(img, seal_name or unit.name, rng, center=center, dpi=dpi)
                seal["placed"] = where
        sr = scan(img, prof, rng, dpi=dpi)
        final = sr.image
        if pno in unreadable:
            final = degrade_unreadable(final, rng)
        M = sr.matrix
        figs = []
        if pno not in blanks:
            for f in form.figures_on(pno):
                b = _px(f.box_pt, k)
                under = bool(seal and box_in_disc(b, seal["center"], seal["radius"] * 0.95))
                figs.append({"code": f.code, "text": f.text, "box": map_box(M, b), "under_seal": under})
        truth["figures"] = figs
        truth["labels"] = [] if pno in blanks else [
            {"code": f.code, "text": f.text, "box": map_box(M, _px(f.box_pt, k))}
            for f in form.labels if f.page == pno]
        if seal:
            c = seal["center"]
            mc = [round(v) for v in _map_pt(M, c)]
            seal_t = dict(seal)
            seal_t.update(center=mc, box=map_box(M, seal["box"]))
            truth["seal"] = seal_t
        else:
            truth["seal"] = None
        truth["signatures"] = [dict(s, box=map_box(M, s["box"])) for s in sigs]
        hb = form.header_boxes.get(pno, {})
        truth["header"] = {} if pno in blanks else {
            name: map_box(M, _px(b, k)) for name, b in hb.items()}
        truth["seal_field"] = ({"box": map_box(M, _px(form.seal_field.box_pt, k))}
                               if pno == m and pno not in blanks else None)
        truth["matrix"] = [[round(v, 6) for v in row] for row in M]
        truth["upside_down"] = sr.upside_down
        truth["scan"] = sr.params
        truth["size"] = [final.width, final.height]
        out.append(SynthPage(final, truth))
    return out


def _map_pt(M, p):
    from synth.scanner import map_point
    return map_point(M, p[0], p[1])
