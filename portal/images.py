"""Pictures for the pages: a finding's crop and page thumbnails, as JPEG bytes."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Finding, Page, Reading

CROP_PAD = 40
CROP_MAX_W = 700


def _jpeg(img: Image.Image, max_w: int) -> bytes:
    img = img.convert("RGB")
    if img.width > max_w:
        img = img.resize((max_w, max(1, int(img.height * max_w / img.width))))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def finding_crop(db: Session, finding: Finding) -> bytes | None:
    """The stored figure crop, else the page region around the finding's box, else the whole page."""
    try:
        if finding.page_id and finding.indicator:
            path = db.scalar(select(Reading.crop_path).where(
                Reading.page_id == finding.page_id, Reading.code == finding.indicator,
                Reading.crop_path.is_not(None)).order_by(Reading.id).limit(1))
            if path and Path(path).exists():
                return _jpeg(Image.open(path), CROP_MAX_W)
        page = db.get(Page, finding.page_id) if finding.page_id else None
        if page is None or not page.image_path or not Path(page.image_path).exists():
            return None
        img = Image.open(page.image_path)
        box = finding.box
        if box and len(box) == 4:
            x0, y0, x1, y1 = box
            if x1 <= x0 or y1 <= y0:  # (x, y, w, h) boxes from detectors
                x1, y1 = x0 + x1, y0 + y1
            img = img.crop((max(0, x0 - CROP_PAD), max(0, y0 - CROP_PAD), min(img.width, x1 + CROP_PAD),
                            min(img.height, y1 + CROP_PAD)))
        return _jpeg(img, CROP_MAX_W)
    except OSError:
        return None


def page_thumb(page: Page, width: int = 240) -> bytes | None:
    try:
        if page.image_path and Path(page.image_path).exists():
            return _jpeg(Image.open(page.image_path), width)
    except OSError:
        return None
    return None
