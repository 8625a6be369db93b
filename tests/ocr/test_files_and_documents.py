"""Files in, documents out: page sources, text layers, splitting merged files, evidence in the DB, CLI.

Uses the system-exported (born-digital) form where the text layer makes reading fast, and small
image scans where the image path matters.
"""

from __future__ import annotations

import io
import json
import random
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from typer.testing import CliRunner

from kptj.cli import app
from ocr import decide, read_pages
from ocr.sources import load_page
from ocr.split import group_pages
from ocr.store import store_document
from ocr.textlayer import is_trustworthy
from registry.db import open_db
from registry.models import Attachment, Message, Page, Reading
from registry.template import default_template
from registry.uscc import make_code
from synth import Unit, demo_unit, demo_values, render_form
from synth.scanner import images_to_pdf, pdf_from_objects
from synth.values import record_text

TEMPLATE = default_template()
PRINT_TIME = datetime(2025, 6, 18, 9, 30)


def _unit(name: str, division: str, body: str) -> Unit:
    return Unit(account=f"acc{body}", name=name, uscc=make_code("1", "2", division, body), type="中小学")


def _form_pdf(unit: Unit, seed: int, layout: str = "A") -> tuple[bytes, dict]:
    values = demo_values(unit, random.Random(seed))
    return render_form(unit, values, layout=layout, print_time=PRINT_TIME).pdf, values


def _merge(pdfs: list[bytes], drop: set[tuple[int, int]] = frozenset()) -> bytes:
    writer = PdfWriter()
    for k, data in enumerate(pdfs):
        for i, page in enumerate(PdfReader(io.BytesIO(data)).pages):
            if (k, i) not in drop:
                writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_text_layer_is_trusted_only_when_clean() -> None:
    good = "2024年度科普统计调查表 单位名称：天津市和平区科学技术局 科普专职人员 人 P01 12 " * 2
    assert is_trustworthy(good)
    assert not is_trustworthy(good + "(cid:1234)(cid:77)")
    assert not is_trustworthy(good.replace("科普", "\ufffd"))
    assert not is_trustworthy("P01 12 P02 13 P03 14 P04 15 P05 16 P06 17 P07 18 P08 19 P09 20")


def test_scanned_pdf_page_image_is_taken_as_is(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    img = Image.fromarray(rng.integers(0, 255, (700, 500, 3), dtype=np.uint8))
    path = tmp_path / "scan.pdf"
    path.write_bytes(images_to_pdf([img], dpi=150))
    src = load_page(path, 0)
    assert src.how == "embedded-image"
    assert src.image.shape == (700, 500, 3)  # no re-rendering at another resolution


def test_multi_page_tiff_gives_every_frame(tmp_path: Path) -> None:
    frames = [Image.new("L", (300, 400), 255), Image.new("RGB", (320, 420), (255, 0, 0))]
    path = tmp_path / "pages.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    first, second = load_page(path, 0), load_page(path, 1)
    assert first.image.shape == (400, 300, 3) and second.image.shape == (420, 320, 3)
    assert second.image[0, 0].tolist() == [0, 0, 255]  # BGR


def test_born_digital_form_is_read_from_its_text_layer_exactly(tmp_path: Path) -> None:
    unit = demo_unit()
    pdf, values = _form_pdf(unit, 2, layout="B")
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    pages = read_pages([path], TEMPLATE, workers=1)
    assert {p.method for p in pages} == {"text-layer"}
    figures = {c: f for p in pages for c, f in p.figures.items()}
    assert set(figures) == set(TEMPLATE.codes)
    for code, v in values.items():
        online = record_text(v) or None
        assert decide(figures[code], online, TEMPLATE.indicator(code).decimals).kind == "matches", code


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Unit]]:
    """Three units in one PDF; the venue shares its parent's code; unit 2 lacks its page 2,
    unit 3's page 1 is repeated."""
    parent = _unit("天津市河西区第一中学", "120103", "10000011")
    venue = Unit(account="venue1", name="天津市河西区第一中学科技馆", uscc=parent.uscc, type="科普场馆", is_venue=True)
    third = _unit("天津市南开区实验小学", "120104", "10000022")
    pdfs = [_form_pdf(u, k)[0] for k, u in enumerate([parent, venue, third])]
    pdfs.append(_merge([pdfs[2]], drop={(0, i) for i in range(1, 10)}))  # page 1 of unit 3 again
    path = tmp_path_factory.mktemp("merged") / "merged.pdf"
    path.write_bytes(_merge(pdfs, drop={(1, 1)}))
    return read_pages([path], TEMPLATE, workers=2), [parent, venue, third]  # pages via the process pool


def test_merged_pdf_is_split_by_name_and_code_with_missing_and_repeated_pages(merged) -> None:  # noqa: ANN001
    pages, units = merged
    docs = group_pages(pages)
    assert [(d.unit_name, d.uscc) for d in docs] == [(u.name, u.uscc) for u in units]
    assert docs[0].missing_pages == [] and docs[0].repeated_pages == []
    assert docs[1].missing_pages == [2] and any("缺页" in p for p in docs[1].problems)
    assert docs[2].repeated_pages == [1] and any("重复页" in p for p in docs[2].problems)


def test_foreign_page_inside_another_units_file_is_flagged(merged) -> None:  # noqa: ANN001
    pages, units = merged
    parent_pages = [p for p in pages if p.identity.unit_name == units[0].name]
    stranger = next(p for p in pages if p.identity.unit_name == units[2].name)
    docs = group_pages([parent_pages[0], stranger, *parent_pages[1:]])
    assert len(docs) == 2
    assert any("外来页" in p for p in docs[1].problems)
    assert any("混入" in p for p in docs[0].problems)


def test_document_is_stored_as_pages_and_readings_with_decisions(tmp_path: Path, merged) -> None:  # noqa: ANN001
    pages, units = merged
    doc = group_pages(pages)[0]
    sessions = open_db(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with sessions() as s:
        msg = Message(account="a", folder="INBOX", uidvalidity=1, uid=1, sha256="0" * 64)
        s.add(msg)
        s.flush()
        att = Attachment(message_id=msg.id, name="merged.pdf", status="ok")
        s.add(att)
        s.flush()
        online = {c: (f.value if f.value is not None else None) for c, f in doc.figures.items()}
        changed = next(c for c, v in online.items() if v not in (None, "0"))
        online[changed] = str(Decimal(online[changed]) + 1)
        store_document(s, doc, attachment_id=att.id, online=online)
        s.commit()
        pages = s.query(Page).all()
        assert len(pages) == len(doc.pages)
        assert pages[0].unit_name_read == units[0].name and pages[0].uscc_read == units[0].uscc
        assert pages[0].detail["method"] == "text-layer"
        readings = s.query(Reading).all()
        assert {r.code for r in readings} == set(doc.figures)
        assert {r.template_id for r in readings} == {TEMPLATE.id}
        decisions = {r.code: r.decision for r in readings}
        assert decisions[changed] == "differs"
        assert [c for c, d in decisions.items() if d != "matches"] == [changed]


def test_cli_read_prints_identity_and_figures_as_json(tmp_path: Path) -> None:
    unit = demo_unit()
    pdf, values = _form_pdf(unit, 6)
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "read", str(path), "--format", "json",
                                      "--workers", "1"])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.output)
    assert docs[0]["unit_name"] == unit.name and docs[0]["uscc"] == unit.uscc
    some = next(c for c, v in values.items() if v is not None)
    assert Decimal(docs[0]["figures"][some]["value"]) == values[some]


def test_cli_read_rejects_a_file_that_is_not_a_scan(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "read", str(path)])
    assert result.exit_code == 2
    assert "不是 PDF 或图片文件" in result.output


def test_red_channel_copy_keeps_digits_under_red_ink() -> None:
    from ocr.normalise import ocr_copy
    from ocr.print_ink import ink_copy
    page = np.full((60, 200, 3), 255, np.uint8)
    cv2.putText(page, "1234", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3)
    stamped = page.copy()
    stamped[:, 40:] = (page[:, 40:].astype(np.float32) * np.array([0.25, 0.25, 0.95])).astype(np.uint8)
    grey = ocr_copy(stamped)[:, :, 0]
    assert grey[:, 40:].min() < 60               # black digits under the red ink stay dark
    assert np.percentile(grey[:, 40:], 50) > 200  # the red ink itself nearly vanishes
    assert ink_copy(stamped)[:, 40:].min() < 60
    assert np.percentile(ink_copy(stamped)[:, 40:], 50) >= 240


def test_ink_copy_blends_seal_ink_into_dim_paper_instead_of_white() -> None:
    """On a dim phone photo the paper is grey: seal ink painted pure white would make the paper
    around it look like ink and every cell under a seal look full."""
    from ocr import cells
    from ocr.print_ink import ink_copy
    page = np.full((400, 600, 3), 185, np.uint8)
    cv2.circle(page, (300, 200), 150, (60, 60, 200), 12)  # a dim red seal ring
    cv2.line(page, (290, 205), (310, 205), (40, 40, 40), 2)  # a printed dash inside the ring
    ink = ink_copy(page)
    ring = ink[200, 140:160]
    assert float(np.median(ring)) < 215  # close to the paper, not white
    assert cells.classify_cell(ink, (250, 185, 350, 225), 30)[0] == "dash"


def test_a_light_hairline_dash_next_to_a_black_ruling_and_a_seal_speck_is_a_dash() -> None:
    """The table's black border sets the cell's darkest level, so a light dash only shows against
    the paper; a two-pixel speck left by a seal's edge is not a second mark."""
    from ocr import cells
    cell = np.full((60, 300), 250, np.uint8)
    cell[:, 230:233] = 70            # the table's right border inside the wide 数值 cell
    cell[30, 90:99] = 185            # a 1 px light hairline dash
    cell[22:24, 60:62] = 200         # a speck from a seal's edge
    kind, box, _ = cells.classify_cell(cell, (0, 5, 300, 55), 41)
    assert kind == "dash" and box == (90, 30, 99, 31)


def test_a_page_whose_code_was_misread_in_two_places_stays_with_its_unit(merged) -> None:  # noqa: ANN001
    import copy
    pages, units = merged
    own = [p for p in pages if p.identity.unit_name == units[0].name]
    slipped = copy.deepcopy(own[-1])
    code = slipped.identity.uscc
    slipped.identity.uscc = code[:2] + ("7" if code[2] != "7" else "1") + code[3:11] + ("4" if code[11] != "4" else "1") + code[12:]
    docs = group_pages([*own[:-1], slipped])
    assert len(docs) == 1 and docs[0].uscc == code and not docs[0].problems
    # the same slip under another unit's name is another document
    stranger = copy.deepcopy(slipped)
    stranger.identity.unit_name = units[2].name
    assert len(group_pages([*own[:-1], stranger])) == 2


def test_a_scanners_invisible_text_layer_is_not_evidence(tmp_path: Path) -> None:
    """A "searchable PDF" (the scan with Tesseract's invisible OCR layer on top) is read from its
    image, exactly as the image itself: the layer once named every such unit "称"."""
    import subprocess

    from synth import make_pages
    unit = demo_unit()
    page = make_pages(unit, demo_values(unit, random.Random(4)), random.Random(4), layout="A",
                      print_time=PRINT_TIME, dpi=150, profile="grey")[0]
    png = tmp_path / "scan.png"
    page.image.save(png)
    subprocess.run(["tesseract", str(png), str(tmp_path / "searchable"), "-l", "chi_sim", "pdf"],
                   check=True, capture_output=True)
    searchable = tmp_path / "searchable.pdf"
    assert PdfReader(str(searchable)).pages[0].extract_text().strip(), "Tesseract wrote no text layer"
    src = load_page(searchable, 0)
    assert src.text_lines is None and src.how == "embedded-image"
    from_layer, from_image = read_pages([searchable, png], TEMPLATE, workers=1)
    assert from_layer.method == from_image.method == "ocr"
    assert from_layer.identity == from_image.identity
    assert from_layer.identity.unit_name == unit.name
    assert {c: f.value for c, f in from_layer.figures.items()} == {c: f.value for c, f in from_image.figures.items()}


def test_a_scan_with_visible_print_over_it_is_read_from_its_image(tmp_path: Path) -> None:
    """A scanned page with something visible drawn over it (a scanner's footer) is rendered, and
    its page-sized image still means its text is not a born-digital export's: no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from synth import make_pages
    unit = demo_unit()
    page = make_pages(unit, demo_values(unit, random.Random(5)), random.Random(5), layout="A",
                      print_time=PRINT_TIME, dpi=150, profile="grey")[0]
    png = tmp_path / "scan.png"
    page.image.save(png)
    pdf = tmp_path / "stamped.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4)
    c.drawImage(str(png), 0, 0, width=A4[0], height=A4[1])
    c.drawString(40, 20, "Scanned 2025-06-19 page 1")
    c.save()
    src = load_page(pdf, 0)
    assert src.how == "rendered" and src.text_lines is None
    assert src.image.shape[0] > 1000


def test_a_page_image_whose_data_is_not_what_the_pdf_declares_is_still_read(tmp_path: Path) -> None:
    """A PDF whose page image is PNG data declared DCTDecode (seed 163's re-sent scan, made by a
    bug in our own generator) rendered as a blank page: the unit became unknown and never_sent.
    The image is decoded by what its data is."""
    page = Image.new("L", (300, 420), 255)
    page.paste(0, (40, 60, 260, 80))
    png = io.BytesIO()
    page.save(png, format="PNG")
    data = png.getvalue()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 144 201.6] /Resources << /XObject << /Im0 4 0 R >> >> "
            b"/Contents 5 0 R >>",
            b"<< /Type /XObject /Subtype /Image /Width 300 /Height 420 /ColorSpace /DeviceGray /BitsPerComponent 8 "
            b"/Filter /DCTDecode /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream",
            b"<< /Length 33 >>\nstream\nq 144 0 0 201.6 0 0 cm /Im0 Do Q\nendstream"]
    pdf = tmp_path / "mislabelled.pdf"
    pdf.write_bytes(pdf_from_objects(objs))
    src = load_page(pdf, 0)
    assert src.how == "embedded-image" and src.image.shape[:2] == (420, 300)
    assert src.image[70, 150].max() < 50 and src.image[200, 150].min() > 200
