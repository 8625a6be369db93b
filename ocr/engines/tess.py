"""Thin wrapper around Tesseract: digits on a cell crop, and full-page text.

Used as a second opinion on figures, not as the main reader: full-page chi_sim is slow and
weak on stamped pages (see issue 5). Cell crops go to Tesseract's C API in this process
(tesserocr): a `tesseract` subprocess per figure cost 0.37 s of CPU per page (starting the
program and loading its model each time), in process it is ~3 ms per figure. The command-line
program (pytesseract) stays for full-page text and where the API cannot start.
"""

from __future__ import annotations

import os
import re
import subprocess
from functools import cache

import cv2
import numpy as np
import pytesseract
from PIL import Image

NAME = "tesseract"
DIGITS = "0123456789.-"


@cache
def _api():  # noqa: ANN202 - tesserocr.PyTessBaseAPI, or None when it cannot start here
    try:
        import tesserocr
    except ImportError:
        return None
    path = tessdata_dir()
    if path is None:
        return None
    # one thread: the reader's process pool already uses every core
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        api = tesserocr.PyTessBaseAPI(path=path, lang="eng", psm=tesserocr.PSM.SINGLE_LINE)
    except RuntimeError:
        return None
    api.SetVariable("tessedit_char_whitelist", DIGITS)
    return api


@cache
def tessdata_dir() -> str | None:
    """TESSDATA_PREFIX, or the folder the installed `tesseract` program reads its models from."""
    if os.environ.get("TESSDATA_PREFIX"):
        return os.environ["TESSDATA_PREFIX"]
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'"([^"]+)"', out.stdout + out.stderr)
    return m.group(1) if m else None


@cache
def version() -> str:
    # without starting the API: a parent process that forks its reading pool must not hold one
    try:
        import tesserocr
    except ImportError:
        tesserocr = None
    if tesserocr is not None and tessdata_dir() is not None:
        return tesserocr.tesseract_version().split()[1]
    return str(pytesseract.get_tesseract_version()).split()[0]


def engine_id() -> str:
    return f"{NAME} {version()}"


def _prepare(crop: np.ndarray) -> np.ndarray:
    grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    h = grey.shape[0]
    if h and h < 40:  # Tesseract wants ~30 px x-height; small cells are upscaled
        f = 40 / h
        grey = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(grey, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)


def read_digits(crop: np.ndarray) -> tuple[str, float]:
    """A single line of digits (single-line mode, whitelist); confidence 0..1 (the weakest word's)."""
    grey = _prepare(crop)
    api = _api()
    words = _api_words(api, grey) if api is not None else _cli_words(grey)
    if not words:
        return "", 0.0
    return "".join(t for t, _ in words), max(0.0, min(c for _, c in words)) / 100


def _api_words(api, grey: np.ndarray) -> list[tuple[str, float]]:  # noqa: ANN001
    import tesserocr
    api.SetImage(Image.fromarray(grey))
    api.Recognize()
    level = tesserocr.RIL.WORD
    words = []
    for word in tesserocr.iterate_level(api.GetIterator(), level):
        try:
            text = word.GetUTF8Text(level)
        except RuntimeError:  # an empty word
            continue
        if text and text.strip():
            words.append((text.strip(), float(word.Confidence(level))))
    return words


def _cli_words(grey: np.ndarray) -> list[tuple[str, float]]:
    data = pytesseract.image_to_data(
        grey, config=f"--psm 7 -c tessedit_char_whitelist={DIGITS}", output_type=pytesseract.Output.DICT)
    return [(str(t).strip(), float(c)) for t, c in zip(data["text"], data["conf"], strict=False) if str(t).strip()]


def full_page_text(img: np.ndarray, lang: str = "chi_sim") -> str:
    """Full-page text as paperless-ngx/OCRmyPDF would get it (benchmark baseline)."""
    return pytesseract.image_to_string(img, lang=lang, config="--psm 3")
