"""Pictures for the pages: a finding's crop and page thumbnails, as JPEG bytes."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.reports import CROP_MAX_W, crop_around, jpeg_bytes
from registry.models import Finding, Page, Reading


def finding_crop(db: Session, finding: Finding) -> bytes | None:
    """The stored figure crop, else the page region around the finding's box, else the whole page."""
    try:
        if finding.page_id and finding.indicator:
            path = db.scalar(select(Reading.crop_path).where(
                Reading.page_id == finding.page_id, Reading.code == finding.indicator,
                Reading.crop_path.is_not(None)).order_by(Reading.id).limit(1))
            if path and Path(path).exists():
                return jpeg_bytes(Image.open(path), CROP_MAX_W)
        page = db.get(Page, finding.page_id) if finding.page_id else None
        if page is None or not page.image_path or not Path(page.image_path).exists():
            return None
        return jpeg_bytes(crop_around(Image.open(page.image_path), finding.box), CROP_MAX_W)
    except OSError:
        return None


def page_thumb(page: Page, width: int = 240) -> bytes | None:
    try:
        if page.image_path and Path(page.image_path).exists():
            return jpeg_bytes(Image.open(page.image_path), width)
    except OSError:
        return None
    return None
