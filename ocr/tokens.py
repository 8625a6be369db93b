"""Tokens read off a page: template codes and figures, OCR-tolerant ("P0l" -> P01, "12.50")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ocr.model import DOUBT_MAPPED, DOUBT_PLACES_EXTRA, DOUBT_PLACES_SHORT, DOUBT_SIGN

DASHES = {"-", "—", "–", "一", "_", "―", "－", "~", "ー"}
# letters OCR puts where digits belong (code digits, figures)
DIGIT_LOOKALIKE = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1",
                                 "i": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6",
                                 "g": "9", "q": "9", "。": "0", "〇": "0"})
CODE_SHAPE = re.compile(r"^([A-Z])([0-9A-Za-z|]{2,3})$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
THOUSANDS = re.compile(r"^-?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")
NUMERIC_CHARS = set("0123456789.,") | DASHES
VALUE_HEADER = "数值"
CODE_LETTER_LOOKALIKE = {"5": "S", "4": "A", "8": "B", "6": "G", "0": "O", "1": "I"}

# ---------- tokens ----------

def parse_code(text: str, codes: set[str]) -> str | None:
    """A template code read off the page ("P0l" -> "P01"), or None."""
    t = text.strip().replace(" ", "").upper()
    if len(t) == 3 and t[0] in CODE_LETTER_LOOKALIKE and t[1:].isdigit():  # "501" for "S01"
        t = CODE_LETTER_LOOKALIKE[t[0]] + t[1:]
    m = CODE_SHAPE.match(t)
    if not m:
        return None
    cand = m.group(1) + m.group(2).translate(DIGIT_LOOKALIKE)
    return cand if cand in codes else None


def parse_number(text: str, decimals: int, every_place: bool = True) -> tuple[str | None, bool, bool]:
    """(canonical value or None, clean, is_dash): `read_number` with its doubts as one flag.

    clean = the text was already a well-formed figure for `decimals` (no letter mapped to a digit,
    no stray characters); unclean readings are never strong evidence of a difference.
    """
    value, doubts, dash = read_number(text, decimals, every_place)
    return value, not doubts, dash


def read_number(text: str, decimals: int, every_place: bool = True) -> tuple[str | None, tuple[str, ...], bool]:
    """(canonical value or None, doubts, is_dash): why the text is no well-formed figure for
    `decimals` (ocr.model DOUBT_*; empty = clean).
    `every_place`: the page prints every decimal place ("7.00"), so a figure with fewer lost its
    point; False where the page prints figures as stored ("7", "12.5": ocr.figures learns which).
    """
    t = text.strip().replace(" ", "")
    t = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in t)
    if t and all(c in DASHES for c in t):
        return None, (), True
    point = _colon_point(t, decimals)
    stripped, odd_comma = _without_commas(point or t, decimals)
    doubts: list[str] = []
    if not NUMBER.match(stripped) or odd_comma or point is not None:
        doubts.append(DOUBT_MAPPED)
    mapped = stripped if not doubts else stripped.translate(DIGIT_LOOKALIKE).strip(".:;'\"`")
    if not NUMBER.match(mapped):
        # stray marks around a figure (seal ink, a ruling): keep the one numeric run, unclean
        runs = re.findall(r"\d+(?:\.\d+)?", stripped)
        if len(runs) != 1 or len(runs[0]) < len(stripped) - 2:
            return None, (DOUBT_MAPPED,), False
        mapped = runs[0]
    shown = len(mapped.partition(".")[2])
    if shown > max(decimals, 0) or (decimals == 0 and "." in mapped):
        doubts.append(DOUBT_PLACES_EXTRA)  # more decimals than the form prints
    if every_place and decimals > 0 and shown < decimals:
        doubts.append(DOUBT_PLACES_SHORT)  # the form prints every place: "125" where 12.50 stands lost its point
    if mapped.startswith("-"):
        doubts.append(DOUBT_SIGN)  # no figure of the survey is negative: a ruling or seal stroke became a sign
    try:
        value = Decimal(mapped)
    except InvalidOperation:
        return None, (DOUBT_MAPPED,), False
    return canonical(value), tuple(dict.fromkeys(doubts)), False


def _colon_point(t: str, decimals: int) -> str | None:
    """"10:46" for a printed 10.46: a speck of seal ink or dirt over the point. One colon (or
    semicolon) with at most the form's decimal places after it, where no point was read, is the
    point (the figure unclean, like a comma for it; seed 233). None when there is no such colon."""
    head, sep, tail = t.replace(";", ":").partition(":")
    if sep and "." not in t and head.isdigit() and tail.isdigit() and 0 < len(tail) <= decimals:
        return f"{head}.{tail}"
    return None


def _without_commas(t: str, decimals: int) -> tuple[str, bool]:
    """(the figure without commas, whether a comma stood where no thousands grouping fits). One
    such comma where the form prints decimals ("0,90" for 0.90) was the decimal point."""
    if "," not in t or THOUSANDS.match(t):
        return t.replace(",", ""), False
    head, _, tail = t.rpartition(",")
    if decimals > 0 and "," not in head and "." not in t and len(tail) == decimals and tail.isdigit():
        return f"{head}.{tail}", True
    return t.replace(",", ""), True


def garbled(text: str) -> bool:
    """The reading holds characters no printed figure has (seal text, letters OCR put for digits)."""
    t = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text.replace(" ", ""))
    return any(c not in NUMERIC_CHARS for c in t)


def canonical(value: Decimal) -> str:
    """Canonical decimal string: no exponent, no trailing fractional zeros ("12.50" -> "12.5")."""
    s = format(value, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def is_misread_code(text: str, codes: set[str]) -> bool:
    """"501" where "S01" is printed: a code whose letter was read as a digit is not a figure."""
    t = text.strip()
    return len(t) == 3 and t[0] in CODE_LETTER_LOOKALIKE and CODE_LETTER_LOOKALIKE[t[0]] + t[1:] in codes


def is_dot(text: str) -> bool:
    return text.strip() in {".", "·", "•", "、", ",", "，", "'", "`"}


def looks_numeric(text: str) -> bool:
    value, _, dash = parse_number(text, 4)
    return dash or value is not None
