"""CJK fonts from Debian packages, for reportlab (TrueType outlines only) and for PIL.

reportlab cannot embed CFF-flavoured fonts, so Noto CJK (.ttc, CFF) is only used through PIL
(seal lettering).  Install: ``apt-get install fonts-wqy-microhei fonts-arphic-uming``.
"""

from __future__ import annotations

import os
from functools import cache

from PIL import ImageFont

# name -> candidates (path, subfont index); TrueType (glyf) fonts usable by reportlab
TTF_FONTS: dict[str, list[tuple[str, int]]] = {
    "wqy": [("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0)],
    "wqy-mono": [("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1)],
    "uming": [("/usr/share/fonts/truetype/arphic/uming.ttc", 0)],
    "zenhei": [("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0)],
}
FALLBACK_ORDER = ("wqy", "uming", "zenhei", "wqy-mono")

# Fonts for PIL only (seal lettering: a heavy Song/serif face looks like a real seal).
PIL_FONTS: dict[str, list[tuple[str, int]]] = {
    "seal": [("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 0),
             ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 0),
             ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
             ("/usr/share/fonts/truetype/arphic/uming.ttc", 0)],
}


class FontMissing(RuntimeError):
    pass


def find_ttf(name: str) -> tuple[str, int, str]:
    """(path, subfont index, resolved name) of a TrueType CJK font, falling back to any other."""
    for n in (name, *FALLBACK_ORDER):
        for path, idx in TTF_FONTS.get(n, []):
            if os.path.exists(path):
                return path, idx, n
    raise FontMissing("没有可用的中文 TrueType 字体：请安装 fonts-wqy-microhei 或 fonts-arphic-uming")


@cache
def reportlab_font(name: str) -> str:
    """Register the font with reportlab (once) and return the registered face name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    path, idx, resolved = find_ttf(name)
    face = f"CJK-{resolved}"
    if face not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(face, path, subfontIndex=idx))
    return face


@cache
def pil_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    cands = PIL_FONTS.get(name) or TTF_FONTS.get(name) or []
    for path, idx in [*cands, *[c for n in FALLBACK_ORDER for c in TTF_FONTS[n]]]:
        if os.path.exists(path):
            return ImageFont.truetype(path, size, index=idx)
    raise FontMissing("没有可用的中文字体")
