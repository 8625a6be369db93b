"""Normalising Chinese unit names so that print, OCR and roster spellings compare equal."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

# Long and short forms seen for the same organ; compared in their short form.
_SYNONYMS = (
    ("科学技术协会", "科协"), ("科学技术局", "科技局"), ("科学技术委员会", "科委"), ("教育委员会", "教委"),
    ("委员会", "委"), ("有限责任公司", "公司"), ("有限公司", "公司"), ("股份公司", "公司"),
)
_PREFIXES = ("天津市", "天津")
_DROP = re.compile(r"[\s·•.,，。、:：;；'\"“”‘’（）()\[\]【】〔〕<>《》\-—_]")


def normalize_name(name: str) -> str:
    """NFKC (full → half width), drop spaces/brackets/punctuation, unify long/short forms, drop 天津市."""
    s = unicodedata.normalize("NFKC", name or "")
    s = _DROP.sub("", s)
    for long, short in _SYNONYMS:
        s = s.replace(long, short)
    for p in _PREFIXES:
        if s.startswith(p) and len(s) > len(p) + 1:
            s = s[len(p):]
            break
    return s


def name_score(a: str, b: str) -> float:
    """0–100 similarity on characters (Chinese has no word boundaries), tolerant of a truncated side."""
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 100.0
    score = fuzz.ratio(na, nb)
    short, long_ = sorted((na, nb), key=len)
    if len(short) >= 4 and len(short) / len(long_) >= 0.6:
        score = max(score, 0.95 * fuzz.partial_ratio(short, long_))
    return round(score, 1)


def name_score_strict(a: str, b: str) -> float:
    """Whole-name similarity without the truncation allowance: tells an owner from its venue,
    whose name is usually the owner's name plus the venue's (中共…宣传部 / 中共…宣传部科普体验馆)."""
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return 0.0
    return round(fuzz.ratio(na, nb), 1)
