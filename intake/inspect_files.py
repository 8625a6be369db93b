"""Checks on single files: can a later stage read this PDF or image at all?"""

from __future__ import annotations

import logging
import warnings as py_warnings
from dataclasses import dataclass
from io import BytesIO

from PIL import Image

from intake.limits import Limits

logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # broken PDFs are normal input: status says it


@dataclass
class Verdict:
    status: str              # document | corrupt | encrypted | too_large | unsupported
    detail: str | None = None
    pages: int | None = None


def check_pdf(data: bytes, limits: Limits | None = None) -> Verdict:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        with py_warnings.catch_warnings():
            py_warnings.simplefilter("ignore")
            reader = PdfReader(BytesIO(data), strict=False)
            if reader.is_encrypted:
                # An owner password alone (empty user password) still lets anyone read the pages.
                try:
                    opened = reader.decrypt("")
                except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds here
                    return Verdict("encrypted", f"PDF 已加密，无法打开（{type(exc).__name__}）")
                if not opened:
                    return Verdict("encrypted", "PDF 已加密（需要密码才能打开）")
            pages = len(reader.pages)
            if pages == 0:
                return Verdict("corrupt", "PDF 没有页面", 0)
            limits = limits or Limits()
            if pages > limits.max_pdf_pages:
                return Verdict("too_large", f"PDF 页数过多：{pages} 页，超过上限 {limits.max_pdf_pages} 页", pages)
            reader.pages[0].mediabox  # noqa: B018 - touching the first page catches broken page trees
            too_big = _oversized_page(reader, limits)
            if too_big:
                return Verdict("too_large", too_big, pages)
            return Verdict("document", None, pages)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError) as exc:
        return Verdict("corrupt", f"PDF 已损坏，无法打开（{type(exc).__name__}: {str(exc)[:120]}）")
    except Exception as exc:  # noqa: BLE001 - a broken PDF must never stop the run
        return Verdict("corrupt", f"PDF 已损坏（{type(exc).__name__}: {str(exc)[:120]}）")


def _oversized_page(reader, limits: Limits) -> str | None:  # noqa: ANN001 - a pypdf PdfReader
    """A page whose image for reading would exceed the pixel limit - a bomb in a few bytes: the page
    rendered at reading's resolution, or a scanned image embedded in it (read as it is)."""
    from ocr.sources import RENDER_DPI  # the resolution reading renders at: one place for it

    scale = RENDER_DPI / 72
    for index, page in enumerate(reader.pages):
        try:
            box = page.mediabox
            sizes = [(abs(float(box.width)) * scale, abs(float(box.height)) * scale)]
            xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
            for ref in xobjects.values():
                obj = ref.get_object()
                if obj.get("/Subtype") == "/Image":
                    sizes.append((float(obj.get("/Width", 0)), float(obj.get("/Height", 0))))
        except Exception:  # noqa: BLE001 - a broken page is reading's to report, not a size problem
            continue
        for width, height in sizes:
            if width * height > limits.max_image_pixels:
                return (f"PDF 第 {index + 1} 页图像过大：{int(width)}×{int(height)} 像素，"
                        f"超过上限 {limits.max_image_pixels} 像素")
    return None


def check_image(data: bytes, kind: str, limits: Limits) -> Verdict:
    """JPEG/PNG/TIFF scans; multi-page TIFF counts its frames."""
    Image.MAX_IMAGE_PIXELS = None  # we apply our own limit below, with a clear status
    try:
        with Image.open(BytesIO(data)) as img:
            width, height = img.size
            frames = getattr(img, "n_frames", 1)
            if width * height > limits.max_image_pixels:
                return Verdict("too_large", f"图片过大：{width}×{height} 像素，超过上限 "
                                            f"{limits.max_image_pixels} 像素", frames)
            if max(width, height) < limits.min_image_side:
                return Verdict("unsupported", f"图片太小（{width}×{height}），不是扫描页（可能是签名图标）", frames)
            img.load()  # decodes the first frame: catches truncated files that verify() accepts
            for index in range(1, frames):
                img.seek(index)
                img.load()
            return Verdict("document", None, frames)
    except Image.DecompressionBombError as exc:
        return Verdict("too_large", f"图片过大（{exc}）")
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        return Verdict("corrupt", f"图片已损坏，无法打开（{type(exc).__name__}: {str(exc)[:120]}）")
