"""PDF pages to images at a given dpi (pypdfium2; pdftoppm as a fallback)."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image


def rasterize(pdf_bytes: bytes, dpi: int = 200, grey: bool = False) -> list[Image.Image]:
    """Render every page of a PDF to an RGB (or L when grey) PIL image, white background."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - pdfplumber brings pypdfium2
        return _pdftoppm(pdf_bytes, dpi, grey)
    doc = pdfium.PdfDocument(pdf_bytes)
    out = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            bm = page.render(scale=dpi / 72, grayscale=grey, may_draw_forms=False)
            img = bm.to_pil()
            out.append(img.convert("L" if grey else "RGB"))
            page.close()
    finally:
        doc.close()
    return out


def _pdftoppm(pdf_bytes: bytes, dpi: int, grey: bool) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.pdf"
        src.write_bytes(pdf_bytes)
        args = ["pdftoppm", "-r", str(dpi), "-png"] + (["-gray"] if grey else []) + [str(src), f"{d}/p"]
        subprocess.run(args, check=True, capture_output=True)
        files = sorted(Path(d).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        return [Image.open(io.BytesIO(f.read_bytes())).convert("L" if grey else "RGB") for f in files]
