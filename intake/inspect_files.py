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


def check_pdf(data: bytes) -> Verdict:
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
            reader.pages[0].mediabox  # noqa: B018 - touching the first page catches broken page trees
            return Verdict("document", None, pages)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError) as exc:
        return Verdict("corrupt", f"PDF 已损坏，无法打开（{type(exc).__name__}: {str(exc)[:120]}）")
    except Exception as exc:  # noqa: BLE001 - a broken PDF must never stop the run
        return Verdict("corrupt", f"PDF 已损坏（{type(exc).__name__}: {str(exc)[:120]}）")


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
