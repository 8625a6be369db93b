"""The three small sample pictures in docs/samples (``python -m synth.samples docs/samples``).

clean-scan.png   a flatbed scan (page 1, top part), straight, colour
phone-photo.png  a phone photo of a page (perspective, uneven light, desk around it), reduced
seal-over-figures.png  a crop where the red seal covers figures of the 数值 column
"""

from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path

from PIL import Image

from synth.pages import make_pages
from synth.units import demo_unit, demo_values

LIMIT = 300_000


def _save(img: Image.Image, path: Path, colours: int = 64) -> int:
    q = img.convert("RGB").quantize(colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    q.save(path, "PNG", optimize=True)
    size = path.stat().st_size
    while size > LIMIT and img.width > 400:
        img = img.resize((img.width * 4 // 5, img.height * 4 // 5), Image.LANCZOS)
        q = img.convert("RGB").quantize(colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        q.save(path, "PNG", optimize=True)
        size = path.stat().st_size
    return size


def make_samples(out: str | Path, seed: int = 7) -> dict[str, int]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    unit = demo_unit()
    values = demo_values(unit, random.Random(seed))
    pt = datetime(2025, 6, 18, 9, 30)
    sizes = {}
    clean = make_pages(unit, values, random.Random(seed), layout="A", print_time=pt, dpi=150,
                       profile="clean", faults={"seal_over_figures": False})[0]
    img = clean.image
    sizes["clean-scan.png"] = _save(img.crop((0, 0, img.width, int(img.height * 0.45))), out / "clean-scan.png")
    phone = make_pages(unit, values, random.Random(seed + 1), layout="B", print_time=pt, dpi=150,
                       profile="phone")[-1]
    img = phone.image.resize((phone.image.width * 11 // 20, phone.image.height * 11 // 20), Image.LANCZOS)
    sizes["phone-photo.png"] = _save(img, out / "phone-photo.png", 128)
    sealed = make_pages(unit, values, random.Random(seed + 2), layout="D", print_time=pt, dpi=150,
                        profile="colour", faults={"seal_over_figures": True})[1]
    s = sealed.truth["seal"]
    x0, y0, x1, y1 = s["box"]
    pad = 140
    crop = sealed.image.crop((max(0, x0 - 2 * pad - 200), max(0, y0 - pad),
                              min(sealed.image.width, x1 + pad // 2), min(sealed.image.height, y1 + pad)))
    sizes["seal-over-figures.png"] = _save(crop, out / "seal-over-figures.png")
    return sizes


if __name__ == "__main__":
    print(make_samples(sys.argv[1] if len(sys.argv) > 1 else "docs/samples"))
