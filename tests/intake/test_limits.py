"""The limits on one input (intake.limits.Limits): each oversized or too deeply nested file gets a
recorded status and a Chinese reason, and the rest of the mail (and the run) goes on."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject
from sqlalchemy import select

from intake import Limits, run_intake
from kptj.workspace import Workspace
from registry.models import Attachment
from tests.intake.mailfactory import image_bytes, mail, pdf_bytes, raw, zip_bytes


def _pdf(pages: int = 1, size: tuple[float, float] = (595, 842), image: tuple[int, int] | None = None) -> bytes:
    w = PdfWriter()
    for _ in range(pages):
        page = w.add_blank_page(*size)
        if image:  # an image XObject that declares its size without carrying the pixels
            img = DecodedStreamObject()
            img.set_data(b"\x00" * 16)
            img.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                        NameObject("/Width"): NumberObject(image[0]), NameObject("/Height"): NumberObject(image[1]),
                        NameObject("/ColorSpace"): NameObject("/DeviceGray"),
                        NameObject("/BitsPerComponent"): NumberObject(8)})
            page[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): w._add_object(img)})})
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _statuses(tmp_path: Path, attachments: list[tuple[str, bytes]], limits: Limits) -> dict[str, tuple[str, str]]:
    box = tmp_path / "box"
    box.mkdir()
    (box / "m.eml").write_bytes(raw(mail(attachments=attachments)))
    ws = Workspace(home=tmp_path / "ws")
    report = run_intake(ws, [str(box)], limits=limits)
    assert report.ok
    with ws.session() as s:
        return {a.name or "": (a.status, a.detail or "") for a in s.scalars(select(Attachment))}


@pytest.mark.parametrize("name, data, limits, status, reason", [
    ("book.pdf", _pdf(pages=6), Limits(max_pdf_pages=5), "too_large", "PDF 页数过多：6 页，超过上限 5 页"),
    ("poster.pdf", _pdf(size=(14400, 14400)), Limits(), "too_large", "PDF 第 1 页图像过大：40000×40000 像素"),
    ("bomb.pdf", _pdf(image=(60000, 60000)), Limits(), "too_large", "60000×60000 像素"),
    ("big.jpg", image_bytes("JPEG", (3000, 3000)), Limits(max_image_pixels=5_000_000), "too_large", "图片过大"),
    ("fat.pdf", pdf_bytes(3), Limits(max_attachment_bytes=500), "too_large", "文件过大"),
    ("deep.zip", zip_bytes({"a.zip": zip_bytes({"b.zip": zip_bytes({"c.pdf": pdf_bytes(1)})})}),
     Limits(max_depth=2), "unsupported", "嵌套层数过多"),
    ("huge.zip", zip_bytes({"p.pdf": pdf_bytes(2), "q.pdf": pdf_bytes(2)}), Limits(max_archive_total=600),
     "too_large", "压缩包解压后过大"),
])
def test_each_limit_gives_a_status_and_a_reason_and_the_rest_goes_on(tmp_path, name, data, limits, status, reason):
    got = _statuses(tmp_path, [(name, data), ("ok.pdf", pdf_bytes(1))], limits)
    found = [v for k, v in got.items() if k != "ok.pdf" and v[0] == status]
    assert found and any(reason in detail for _, detail in found), got
    assert got["ok.pdf"][0] == "document"  # the next file of the same mail is unaffected


def test_a_normal_form_is_within_the_limits(tmp_path):
    got = _statuses(tmp_path, [("form.pdf", _pdf(pages=4, image=(1654, 2339)))], Limits())
    assert got["form.pdf"][0] == "document"  # A4 at 200 dpi
