"""Evidence files: the normalised page image and one crop per figure, so reports can show the spot."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

from ocr.cells import clip_box
from ocr.model import PageReading

PAGE_JPEG_QUALITY = 80
CROP_MARGIN = 0.6   # of the box height, around each figure; the row label stays out of frame


def _stem(page: PageReading) -> str:
    base = re.sub(r"[^0-9A-Za-z._-]+", "_", Path(page.source).stem)[:60] or "page"
    return f"{base}-p{page.index + 1:03d}"


def save_page_evidence(page: PageReading, original: np.ndarray, directory: Path) -> None:
    """Write the page and figure crops under `directory`; record their paths on the reading."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = _stem(page)
    page_path = directory / f"{stem}.jpg"
    cv2.imwrite(str(page_path), original, [cv2.IMWRITE_JPEG_QUALITY, PAGE_JPEG_QUALITY])
    page.image_path = str(page_path)
    for code, fig in page.figures.items():
        if fig.box is None:
            continue
        x0, y0, x1, y1 = fig.box
        m = int(CROP_MARGIN * max(8, y1 - y0))
        cx0, cy0, cx1, cy1 = clip_box((x0 - 2 * m, y0 - m, x1 + m, y1 + m), original.shape)
        if cx1 <= cx0 or cy1 <= cy0:
            continue
        crop_path = directory / f"{stem}-{code}.png"
        cv2.imwrite(str(crop_path), original[cy0:cy1, cx0:cx1])
        fig.crop_path = str(crop_path)
