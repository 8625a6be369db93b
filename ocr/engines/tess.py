"""Thin wrapper around Tesseract (pytesseract): digits on a cell crop, and full-page text.

Used as a second opinion on figures, not as the main reader: full-page chi_sim is slow and
weak on stamped pages (see issue 5).
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import pytesseract

NAME = "tesseract"
DIGITS = "0123456789.-"


@cache
def version() -> str:
    return str(pytesseract.get_tesseract_version()).split()[0]


def engine_id() -> str:
    return f"{NAME} {version()}"


def read_digits(crop: np.ndarray) -> tuple[str, float]:
    """A single line of digits (psm 7, whitelist); confidence 0..1 (the weakest word's)."""
    grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    h = grey.shape[0]
    if h and h < 40:  # Tesseract wants ~30 px x-height; small cells are upscaled
        f = 40 / h
        grey = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    grey = cv2.copyMakeBorder(grey, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)
    data = pytesseract.image_to_data(
        grey, config=f"--psm 7 -c tessedit_char_whitelist={DIGITS}", output_type=pytesseract.Output.DICT)
    words = [(t, float(c)) for t, c in zip(data["text"], data["conf"], strict=False) if str(t).strip()]
    if not words:
        return "", 0.0
    return "".join(t for t, _ in words), max(0.0, min(c for _, c in words)) / 100


def full_page_text(img: np.ndarray, lang: str = "chi_sim") -> str:
    """Full-page text as paperless-ngx/OCRmyPDF would get it (benchmark baseline)."""
    return pytesseract.image_to_string(img, lang=lang, config="--psm 3")
