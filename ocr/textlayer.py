"""A PDF's own text layer, used instead of OCR only when it can be trusted.

Broken CJK fonts extract as `(cid:123)` runs or U+FFFD; a scan run through an OCR tool may carry
an invisible but wrong layer. We accept a layer only if it is clean and mostly CJK/digits.
"""

from __future__ import annotations

import re
from pathlib import Path

from ocr.model import OcrLine

CID_RE = re.compile(r"\(cid:\d+\)")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
MIN_CJK_SHARE = 0.25
MIN_CHARS = 40


def is_trustworthy(text: str) -> bool:
    """True when the text has no (cid:) runs, no U+FFFD and a sane share of Chinese characters."""
    body = re.sub(r"\s+", "", text)
    if len(body) < MIN_CHARS or CID_RE.search(body) or "\ufffd" in body:
        return False
    cjk = len(CJK_RE.findall(body))
    return cjk / len(body) >= MIN_CJK_SHARE


def text_layer_lines(path: Path, index: int, scale: float) -> list[OcrLine] | None:
    """Words of the page's text layer as lines in pixel coordinates, or None if untrustworthy."""
    import pdfplumber
    with pdfplumber.open(str(path)) as pdf:
        page = pdf.pages[index]
        text = page.extract_text() or ""
        if not is_trustworthy(text):
            return None
        # words split on spaces; keep_blank_chars off so table cells come out as separate words
        words = page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=2)
    return [OcrLine(w["text"], 1.0,
                    (round(w["x0"] * scale), round(w["top"] * scale),
                     round(w["x1"] * scale), round(w["bottom"] * scale)), "text-layer")
            for w in words]
