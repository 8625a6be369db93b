"""Page images out of files: scanned PDFs (embedded image as-is, else rendered), JPG/PNG/TIFF.

`count_pages(path)` then `load_page(path, i)` so each worker process opens its own pages.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

from ocr.model import OcrLine
from ocr.textlayer import text_layer_lines

RENDER_DPI = 200
SCAN_COVER = 0.6    # of the page's area: an image that large is a scanned page, not a logo or a picture
PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"}
Image.MAX_IMAGE_PIXELS = 200_000_000  # big scans are normal; decompression bombs are caught upstream


class UnreadableFile(ValueError):
    """The file is not a page image or PDF we can open (message in Chinese)."""


@dataclass
class PageSource:
    index: int
    image: np.ndarray          # BGR (grey scans are returned as 3 equal channels)
    how: str                   # "embedded-image" | "rendered" | "image-file"
    text_lines: list[OcrLine] | None = None   # a trustworthy text layer, in image pixels


def _kind(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"%PDF"):
        return "pdf"
    if path.suffix.lower() in IMAGE_SUFFIXES or head[:4] in (b"\x89PNG", b"II*\x00", b"MM\x00*") or head[:2] == b"\xff\xd8":
        return "image"
    raise UnreadableFile(f"不是 PDF 或图片文件：{path.name}")


def count_pages(path: str | Path) -> int:
    p = Path(path)
    if _kind(p) == "pdf":
        import pypdfium2 as pdfium
        try:
            return len(pdfium.PdfDocument(str(p)))
        except pdfium.PdfiumError as e:
            raise UnreadableFile(f"PDF 无法打开（损坏或加密）：{p.name}") from e
    with Image.open(p) as im:
        return getattr(im, "n_frames", 1)


def load_page(path: str | Path, index: int) -> PageSource:
    p = Path(path)
    return _pdf_page(p, index) if _kind(p) == "pdf" else _image_frame(p, index)


def _image_frame(path: Path, index: int) -> PageSource:
    with Image.open(path) as im:
        im.seek(index)
        frame = ImageOps.exif_transpose(im) if index == 0 else im  # phone JPGs carry EXIF rotation
        return PageSource(index, _to_bgr(frame), "image-file")


def _to_bgr(im: Image.Image) -> np.ndarray:
    if im.mode in ("1", "L", "I;16", "I", "F"):
        grey = np.asarray(im.convert("L"))
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    return cv2.cvtColor(np.asarray(im.convert("RGB")), cv2.COLOR_RGB2BGR)


def _pdf_page(path: Path, index: int) -> PageSource:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    doc = pdfium.PdfDocument(str(path))
    page = doc[index]
    width_pt, height_pt = page.get_size()
    image = _single_embedded_image(page, pdfium_c, width_pt, height_pt)
    how = "embedded-image"
    if image is None:
        how = "rendered"
        pil = page.render(scale=RENDER_DPI / 72, rotation=0).to_pil()
        image = _to_bgr(pil)
    lines = None
    # The image is the evidence: a scan's text layer (a "searchable PDF" from scanner software or
    # a phone app) is somebody's OCR, often wrong, so only a born-digital export's text is used
    if how == "rendered" and not _page_sized_images(page, pdfium_c, width_pt, height_pt):
        scale = image.shape[1] / width_pt
        lines = text_layer_lines(path, index, scale)
    return PageSource(index, image, how, lines)


def _page_sized_images(page, pdfium_c, width_pt: float, height_pt: float) -> bool:  # noqa: ANN001
    """Some image on the page covers most of it (a scanned page), whatever is drawn over it."""
    for o in page.get_objects(max_depth=2):
        if o.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            x0, y0, x1, y1 = _bounds(o)
            if (x1 - x0) * (y1 - y0) >= SCAN_COVER * width_pt * height_pt:
                return True
    return False


def _bounds(obj) -> tuple[float, float, float, float]:  # noqa: ANN001
    """A page object's bounding box; pypdfium2 5 renamed get_pos to get_bounds."""
    return (obj.get_bounds if hasattr(obj, "get_bounds") else obj.get_pos)()


def _visible_text(objs: list, pdfium_c) -> list:  # noqa: ANN001
    """Text objects that are drawn: an OCR layer over a scan is invisible (render mode 3)."""
    return [o for o in objs if o.type == pdfium_c.FPDF_PAGEOBJ_TEXT
            and pdfium_c.FPDFTextObj_GetTextRenderMode(o.raw) != pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE]


def _single_embedded_image(page, pdfium_c, width_pt: float, height_pt: float) -> np.ndarray | None:  # noqa: ANN001
    """The page's only image, untouched, when it fills the page upright and nothing else is drawn."""
    if page.get_rotation() != 0:
        return None
    objs = list(page.get_objects(max_depth=2))
    images = [o for o in objs if o.type == pdfium_c.FPDF_PAGEOBJ_IMAGE]
    if len(images) != 1 or _visible_text(objs, pdfium_c):
        return None
    img = images[0]
    m = img.get_matrix()
    if abs(m.b) > 1e-6 or abs(m.c) > 1e-6 or m.a <= 0 or m.d <= 0:
        return None  # placed rotated or mirrored: let pdfium render it the right way up
    if m.a < 0.9 * width_pt or m.d < 0.9 * height_pt:
        return None  # a small picture on a page, not a scanned page
    try:
        pil = img.get_bitmap(render=False).to_pil()
    except Exception:  # noqa: BLE001 - pdfium cannot decode it: the data may say what it is
        pil = _sniffed(img)
        if pil is None:  # exotic encodings (JBIG2 masks etc.): render instead
            return None
    return _to_bgr(pil)


def _sniffed(img) -> Image.Image | None:  # noqa: ANN001
    """The image decoded by what its data is, not by the filter the PDF declares (a PNG stream
    declared DCTDecode renders as a blank page)."""
    try:
        pil = Image.open(io.BytesIO(bytes(img.get_data(decode_simple=False))))
        pil.load()
    except Exception:  # noqa: BLE001 - not an image format PIL knows either
        return None
    return pil
