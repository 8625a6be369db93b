"""The page pipeline: render, sign, stamp, scan, and the per-page ground truth that follows the page."""

from __future__ import annotations

import io
import random
from datetime import datetime

import numpy as np
import pdfplumber
import pytest
from typer.testing import CliRunner

from registry.template import default_template
from synth import (
    LAYOUTS,
    demo_unit,
    demo_values,
    images_to_pdf,
    make_pages,
    map_box,
    rasterize,
    render_form,
    render_form_raster,
    scan,
    sign,
    stamp,
)

PT = datetime(2025, 6, 18, 9, 30)


@pytest.fixture(scope="module")
def unit_values():
    u = demo_unit()
    return u, demo_values(u, random.Random(4))


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_pdf_text_layer_has_every_row(unit_values, layout):
    u, v = unit_values
    form = render_form(u, v, layout=layout, print_time=PT)
    assert 3 <= form.pages_total <= 5
    assert len(form.figures) == 88 and len(form.labels) == 88
    with pdfplumber.open(io.BytesIO(form.pdf)) as pdf:
        assert len(pdf.pages) == form.pages_total
        texts = [p.extract_text() for p in pdf.pages]
    for n, t in enumerate(texts, 1):
        assert "2024年度科普统计调查表" in t and u.name in t and u.uscc in t
        assert f"第 {n} 页 共 {form.pages_total} 页" in t and "打印时间：2025-06-18 09:30" in t
    assert all(k in texts[-1] for k in ("单位负责人", "统计负责人", "填表人", "单位盖章"))
    has_code_col = "代码" in LAYOUTS[layout].columns
    assert ("P01" in texts[0]) == has_code_col
    for f in form.figures:
        with pdfplumber.open(io.BytesIO(form.pdf)) as pdf:
            if f.code in ("P01", "F01", "E08"):
                x0, y0, x1, y1 = f.box_pt
                got = pdf.pages[f.page - 1].crop((x0 - 1, y0 - 1, x1 + 1, y1 + 1)).extract_text().strip()
                assert got == f.text


def test_raster_path_matches_pdf_geometry(unit_values):
    u, v = unit_values
    form = render_form(u, v, layout="B", print_time=PT)
    form2, pages = render_form_raster(u, v, layout="B", print_time=PT, dpi=150)
    assert [f.box_pt for f in form.figures] == [f.box_pt for f in form2.figures]
    ref = rasterize(form.pdf, 150)
    assert len(ref) == len(pages)
    for a, b in zip(ref, pages, strict=True):
        diff = np.abs(np.asarray(a.convert("L"), dtype=int) - np.asarray(b.convert("L"), dtype=int))
        assert (diff > 128).mean() < 0.01


def _dark(img, box) -> float:
    a = np.asarray(img.convert("L").crop(box))
    return float((a < 160).mean()) if a.size else 0.0


def _red(img, box=None) -> int:
    im = img.convert("RGB").crop(box) if box else img.convert("RGB")
    a = np.asarray(im).astype(int)
    return int(((a[..., 0] > 150) & (a[..., 0] - a[..., 1] > 60) & (a[..., 0] - a[..., 2] > 50)).sum())


@pytest.mark.parametrize("profile", ["clean", "colour", "grey", "phone", "upside_down"])
def test_truth_follows_the_scanned_page(unit_values, profile):
    u, v = unit_values
    pages = make_pages(u, v, random.Random(8), layout="A", print_time=PT, dpi=150, profile=profile,
                       faults={"seal_over_figures": True})
    for p in pages:
        t = p.truth
        w, h = p.image.size
        assert t["size"] == [w, h] and t["upside_down"] == (profile == "upside_down")
        assert t["seal"] is not None
        figs = [f for f in t["figures"] if f["text"] not in ("-",)]
        inked = [f for f in figs if not f["under_seal"] and _dark(p.image, f["box"]) > 0.05]
        assert len(inked) >= 0.8 * len([f for f in figs if not f["under_seal"]])   # boxes land on the digits
        assert any(f["under_seal"] for f in t["figures"])
        if profile != "grey":
            assert _red(p.image, t["seal"]["box"]) > 300
        else:
            assert p.image.mode == "L"
    last = pages[-1].truth
    assert [s["role"] for s in last["signatures"]] == ["单位负责人", "统计负责人", "填表人"]


def test_faults_on_pages(unit_values):
    u, v = unit_values
    pages = make_pages(u, v, random.Random(3), layout="C", print_time=PT, dpi=150, profile="colour",
                       faults={"no_seal_pages": [2], "missing_signatures": ["填表人"], "blank_pages": [1]})
    assert pages[1].truth["seal"] is None and _red(pages[1].image) < 50
    assert _red(pages[2].image) > 500
    sig = {s["role"]: s for s in pages[-1].truth["signatures"]}
    assert sig["填表人"]["present"] is False and sig["单位负责人"]["present"] is True
    assert pages[0].truth["blank"] and pages[0].truth["figures"] == []
    assert float(np.asarray(pages[0].image.convert("L")).std()) < 6


def test_building_blocks():
    from PIL import Image
    rng = random.Random(1)
    img = Image.new("RGB", (1240, 1754), "white")
    s = stamp(img, "天津市科学技术协会", rng, center=(600, 800), dpi=150, strength=1.0, partial=0.0)
    assert s["radius"] > 110 and _red(img, s["box"]) > 2000
    g = sign(img, (100, 100, 300, 150), rng, "填表人")
    assert g["present"] and _dark(img, g["box"]) > 0.02
    r = scan(img, "upside_down", rng, dpi=150)
    cx, cy = s["center"]
    b = map_box(r.matrix, (cx - 5, cy - 5, cx + 5, cy + 5))
    assert abs((b[0] + b[2]) / 2 - (1240 - cx)) < 60 and abs((b[1] + b[3]) / 2 - (1754 - cy)) < 60
    pdf = images_to_pdf([r.image, img], dpi=150)
    assert len(rasterize(pdf, 72)) == 2


def test_cli_registered():
    from kptj.cli import app
    res = CliRunner().invoke(app, ["synth", "--help"])
    assert res.exit_code == 0 and "--units" in res.output and "--seed" in res.output


def test_template_covered():
    assert len(default_template().codes) == 88
