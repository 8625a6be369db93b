"""The decision per figure: paper vs online value -> matches / differs / unreadable.

An auditor must be able to trust "no discrepancy", and a false "differs" sends a unit to fix a
figure that is right. So:
- `matches` needs the reading to equal the online value (numerically, "-" equal to no value) and
  the reading not to be a guess (confidence >= MATCH_MIN);
- `differs` needs strong evidence: a clean, confident reading that no second engine contradicts,
  and not a lone OCR look-alike swap (3/8, 1/7, 5/6 ...) read with less than LOOKALIKE_SURE
  (both engines can make the same swap under seal ink); under a seal, where one engine alone is
  capped at UNDER_SEAL_ALONE, the view with the seal's ink taken out reading the same figure is
  the second look;
- everything else is `unreadable` and goes to a human.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ocr.cell_figure import CELL_TAG, MERGED_INK_TAG, SEAL_TAKEN_OUT_TAG
from ocr.confidence import (
    DASH_DIFFERS_MIN,
    DIFFERS_MIN,
    LOOKALIKE_SURE,
    MATCH_DESPITE_DOUBT,
    MATCH_MIN,
    UNDER_SEAL_ALONE,
)
from ocr.figures import parse_number
from ocr.model import DOUBT_PLACES_SHORT, Decision, FigureReading
from ocr.tokens import canonical as canonical_text
from ocr.tokens import garbled

LOOKALIKES = {frozenset(p) for p in ("38", "18", "17", "56", "69", "89", "08", "06", "09", "35",
                                     "23", "47", "14", "11", "00", "25", "28", "13", "58")}


def _num(s: str | None) -> Decimal | None:
    if s is None:
        return None
    t = str(s).strip().replace(",", "")
    if t in ("", "-"):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def _fmt(v: Decimal, decimals: int) -> str:
    return f"{v:.{decimals}f}" if decimals > 0 else f"{v:.0f}"


def _one_lookalike_swap(a: str, b: str) -> bool:
    """Same length, exactly one position differs, and the two characters are OCR look-alikes."""
    if len(a) != len(b):
        return False
    diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diffs) == 1 and frozenset(diffs[0]) in LOOKALIKES


def reading_agrees(figure: FigureReading, online: str | None) -> bool:
    """The reading equals the online value ("-" read or nothing printed vs no value online counts
    only for a read dash), whatever its confidence."""
    if figure.value is None:
        return parse_number(figure.text, 0)[2] and _num(online) is None
    return _num(figure.value) == _num(online)


def read_as_dash(figure: FigureReading) -> bool:
    """The reading is the form's "-" (no value printed), not a number and not nothing."""
    return figure.value is None and parse_number(figure.text, 0)[2]


def seal_free_agrees(figure: FigureReading, online: str | None) -> bool:
    """Read again with the red seal's ink taken out (ocr.figures.read_seal_free), the figure is the
    record's: the strokes that made it another figure were the seal's."""
    return figure.seal_free is not None and _num(figure.seal_free) == _num(online)


def _digits_lost(paper: str, online: str) -> bool:
    """The paper's figure is the record's with some digits left out (the point ignored)."""
    return len(_digits(paper)) < len(_digits(online)) and _digits_lost_or_added(paper, online)


def _digits(figure: str) -> str:
    """The digits a figure shows, its point and the places formatting added dropped ("74.00" ->
    "74", "1.74" -> "174"): a "74" read for 1.74 is formatted "74.00" to two places."""
    figure = figure.strip().lstrip("-")
    if "." in figure:
        figure = figure.rstrip("0").rstrip(".")
    return figure.replace(".", "")


def _digits_lost_or_added(a: str, b: str) -> bool:
    """One figure is the other with digits lost or added, the point ignored ("0" for 10, "15" for
    5, "12" for 152, "140" or "14" for 1.40: the point is a speck a seal stroke hides): the shorter
    is the longer with some of its digits left out, or both show the same digits."""
    a, b = _digits(a), _digits(b)
    short, long_ = sorted((a, b), key=len)
    rest = iter(long_)
    return short == long_ or (len(short) < len(long_) and all(ch in rest for ch in short))


def _added_inside(paper: str, online: str) -> bool:
    """The paper's figure is the record's with digits added between two of its digits, and not
    at an end ("20.34" for 2.34; not "141" or "144" for 14, nor "10" for 0): a seal's stroke or
    lettering beside a printed figure extends it at an end, while ink standing between two of
    its printed digits is print (seed 281 F09: a printed 20.34 under a grey seal, record 2.34)."""
    p, o = _digits(paper), _digits(online)
    if len(p) <= len(o) or p.startswith(o) or p.endswith(o):
        return False
    return any(p.startswith(o[:i]) and p.endswith(o[i:]) for i in range(1, len(o)))


def _seal_may_explain(paper: str, online: str) -> bool:
    """Two views of a figure under a seal reading it alike prove nothing when the paper's figure is
    the record's with digits lost (a stroke the seal hid is hidden in both) or added at an end (a
    stroke beside the print both views keep)."""
    return _digits_lost_or_added(paper, online) and not _added_inside(paper, online)


def _records_digits(figure: FigureReading, online: str | None) -> bool:
    """A reading no printed figure can be, that is the record's figure with its decimal point lost
    ("813" for 8.13, "49" for 0.49: a point under seal ink is a speck) or with places the form
    never prints added after it ("0.811" for 0.81: a seal stroke after the last digit). Printed
    figures have at most two places (WORLD.md), so the reading is the record's digits, misread."""
    v, on = figure.value, _num(online)
    if v is None or on is None or figure.clean:
        return False
    shown = [f"{on:.{k}f}" for k in (1, 2)] + [canonical_text(on)]
    if "." not in v:
        return any("." in t and t.replace(".", "").lstrip("0") == v.lstrip("0") for t in shown)
    return len(v.partition(".")[2]) > 2 and any(v.startswith(t) and "." in t for t in shown)


def _seal_text_beside(figure: FigureReading, decimals: int) -> bool:
    """A figure read with characters no figure has beside it ("16AL": the seal's lettering next to
    a printed 16), where the second engine read the figure alone and the view without the seal's
    ink read it too: three looks agree on the number, and the letters were the seal's. Six worlds'
    unverified figures: one such reading, a planted difference (seed 127)."""
    if figure.value is None or not garbled(figure.text) or figure.agreed is not True or figure.seal_free is None:
        return False
    core = re.sub(r"^[^0-9]+|[^0-9]+$", "", figure.text.strip())   # the letters stand beside it, not inside
    value, clean, _ = parse_number(core, decimals, every_place=False)
    return clean and value == figure.value and _num(figure.seal_free) == _num(figure.value)


def _cell_seen_twice(figure: FigureReading, decimals: int, paper: str, online: str) -> bool:
    """A plain figure read in its cell where no text line was detected (unclean: one look alone)
    that the view without the seal's ink reads alike (seal_free_confirms): two images agree, and
    the seal's strokes did not make it. Not after the seal was taken out of a grey page, nor where
    print and seal ink ran together. Six worlds: one such reading, a planted "3" against 2 (seed
    139); a "1" for 15 stays out (digits lost)."""
    return (CELL_TAG in figure.engine and MERGED_INK_TAG not in figure.engine
            and SEAL_TAKEN_OUT_TAG not in figure.engine
            and parse_number(figure.text, decimals, every_place=False)[1] and seal_free_confirms(figure, paper, online))


def _seen_before_take_out(figure: FigureReading, decimals: int, paper: str, online: str) -> bool:
    """A figure read after a grey seal was taken out (never clean alone: the take-out can remove a
    stroke of print) that the page itself, seal and all, reads alike in the same box (`with_seal`,
    ocr.seal_reread): the take-out removed no stroke that made it. Seed 211: a printed "7" against
    6, whose first reading took the 7's bar for a dash, read "7" at 1.00 both ways; seed 53's
    "6943" for a printed 8943 reads "8943" with the seal. Not where the seal may explain the
    difference (`_seal_may_explain`)."""
    return (SEAL_TAKEN_OUT_TAG in figure.engine and figure.value is not None and figure.with_seal is not None
            and _num(figure.with_seal) == _num(figure.value) and figure.confidence >= UNDER_SEAL_ALONE
            and parse_number(figure.text, decimals, every_place=False)[1] and not _seal_may_explain(paper, online))


def _point_moot(figure: FigureReading, decimals: int, online: str) -> bool:
    """A figure read plainly as digits with no point where the page prints every decimal place
    ("9" where the form prints 0.00), whose one doubt is that its point was lost: when no placement
    of the point (9, 0.9, 0.09) is the record's figure and the digits are not the record's with
    some lost or added (a "9" for 9.50 or 19.00 is as likely print gone under a seal as a point),
    the point's place cannot make it the record's, and it claims the difference a clean reading
    would (seed 263 F01: a planted "9" read by both engines at 0.999)."""
    digits = figure.text.strip()
    if figure.doubts != (DOUBT_PLACES_SHORT,) or not digits.isdigit() or _num(online) is None:
        return False
    placements = {Decimal(digits).scaleb(-k) for k in range(decimals + 1)}
    return _num(online) not in placements and not _digits_lost_or_added(digits, online)


def seal_free_confirms(figure: FigureReading, paper: str, online: str) -> bool:
    """Under a seal, the view without the seal's ink reads the same figure as the page, at the
    highest confidence one engine alone is given there: the seal's strokes did not make it. The
    two views are different images (ocr.figures.read_seal_free, ocr.document_seal.merge), but a
    stroke the seal hid is hidden in both ("0" read both ways for a printed 10 under the seal's
    lettering, seed 53): a figure that is the record's with digits lost, or added at an end, is no
    difference they can prove (`_seal_may_explain`; `paper`, `online`: both formatted to the
    indicator's places)."""
    return (figure.seal_free is not None and figure.value is not None and figure.confidence >= UNDER_SEAL_ALONE
            and _num(figure.seal_free) == _num(figure.value) and not _seal_may_explain(paper, online))


def _dissent_moot(figure: FigureReading, decimals: int, paper: str, online: str) -> bool:
    """The second engine read another figure, but the view without the seal's ink reads what the
    first engine read (seal_free_confirms), and the second engine's figure is not the record's
    either, nor the record's with digits lost or added at an end: every look excludes the record,
    and two images agree on the figure. Seed 349 F13: a planted 18 under a red seal's lettering,
    record 0.00, read "18" on the page and without the seal, "13" by the second engine. Fourteen
    worlds' unverified figures: the only disagreement whose seal-free view is the first reading."""
    second = _num(figure.second_opinion)
    if second is None or second == _num(online):
        return False
    return not _seal_may_explain(_fmt(second, decimals), online) and seal_free_confirms(figure, paper, online)


# marks the reader itself took for something else than a printed dash (ocr.figures, ocr.dashes)
DISCOUNTED_MARK_TAGS = ("+off-row-middle", "+unlike-page-dashes")


def evidence(figure: FigureReading | None, online: str | None, under_seal: bool = False) -> str:
    """What an unverified reading still says about the online value, for the acceptance policy:
    no_row | weak_match (it, the second engine, or its view without the seal's ink reads the
    record's value) | nothing_read (no legible figure, or only a mark the reader discounted as a
    digit's stroke) | guess (another figure, below MATCH_MIN, or read where print and seal
    strokes ran together) | seal_lettering (a figure read only from the cell, where no text line
    was detected, under the seal, in a row the record leaves empty) | garbled (another figure
    among characters no figure has: seal text or letters read into the cell) | reads_other (a
    dash against a number, or another figure read with some confidence)."""
    if figure is None:
        return "no_row"
    second = _num(figure.second_opinion)
    if reading_agrees(figure, online) or (second is not None and second == _num(online)) \
            or seal_free_agrees(figure, online) or _records_digits(figure, online):
        return "weak_match"
    dash = read_as_dash(figure)
    if figure.value is None and not dash:
        return "nothing_read"
    if dash and any(tag in figure.engine for tag in DISCOUNTED_MARK_TAGS):
        return "nothing_read"
    if MERGED_INK_TAG in figure.engine or SEAL_TAKEN_OUT_TAG in figure.engine:
        # read where print and seal strokes ran together, or after the seal was taken out: a
        # figure other than the record's is as likely the seal's (or its removal's) as the
        # print's (seed 11: a "0" merged with a ring read "30"; seed 53: "8943" read "6943")
        return "guess"
    if not dash and figure.confidence < MATCH_MIN:
        return "guess"
    if not dash and under_seal and _num(online) is None and CELL_TAG in figure.engine:
        # the record's "-" is a short flat mark; the seal's lettering over it is what the cell
        # reader found a digit in (seeds 11, 41, 67: "1", "5", "2", "2.00" at 0.56-0.88)
        return "seal_lettering"
    if not dash and garbled(figure.text):
        return "garbled"
    return "reads_other"


def decide(figure: FigureReading | None, online: str | None, decimals: int, seal_may_hide: bool = False) -> Decision:
    """Compare one figure on paper with its online value (canonical string, None = no value).
    `seal_may_hide`: the figure's box overlaps its page's seal, and that seal was not found as red
    ink alone (a grey or black-and-white scan, or a faint or copied seal on a colour scan), so its
    strokes may not be told from print there; through a red seal the reader sees print."""
    if figure is None:
        return Decision("unreadable", "扫描件上未找到该指标所在行")
    online_v = _num(online)
    if online is not None and str(online).strip() not in ("", "-") and online_v is None:
        return Decision("unreadable", f"网上数值格式无法识别：{online}")
    # a dash read on its own (even without a detected line: unclean) can confirm "no value" online
    read_is_dash = read_as_dash(figure)
    if figure.value is None and not read_is_dash:
        return Decision("unreadable", "数值无法辨认" if figure.text else "数值栏未读到内容")
    paper_v = _num(figure.value)
    contradicted = figure.agreed is False
    both_agree = figure.agreed is True

    if paper_v == online_v:  # includes "-" on paper and no value online
        if (figure.confidence >= MATCH_MIN and not contradicted) or figure.confidence >= MATCH_DESPITE_DOUBT:
            return Decision("matches", "一致")
        return Decision("unreadable", f"读数与网上一致但识别把握不足（{figure.confidence:.2f}），需人工确认")

    shown_paper = "-" if paper_v is None else _fmt(paper_v, decimals)
    shown_online = "-" if online_v is None else _fmt(online_v, decimals)
    what = f"纸质 {shown_paper}，网上 {shown_online}"
    if contradicted and not (online_v is not None and _dissent_moot(figure, decimals, shown_paper, shown_online)):
        return Decision("unreadable", f"{what}；两个识别引擎读数不一致，需人工确认")
    if seal_free_agrees(figure, online):
        return Decision("unreadable", f"{what}；去除印章笔迹后读数与网上一致，印章可能干扰了识别，需人工确认")
    seen_twice = online_v is not None and (_cell_seen_twice(figure, decimals, shown_paper, shown_online)
                                           or _seen_before_take_out(figure, decimals, shown_paper, shown_online))
    moot = online_v is not None and _point_moot(figure, decimals, shown_online)
    if not figure.clean and not _seal_text_beside(figure, decimals) and not seen_twice and not moot:
        return Decision("unreadable", f"{what}；读数格式不规范，需人工确认")
    if seal_may_hide and paper_v is not None and online_v is not None and _digits_lost(figure.value, shown_online):
        # seal strokes over a digit hide it from every engine alike (seed 271: a printed 0.38
        # under a grey seal's lettering read "38" by both): agreement proves nothing lost
        return Decision("unreadable", f"{what}；读数比网上数值少几位，可能被印章遮挡，需人工确认")
    if paper_v is None:  # a dash on paper, a figure online
        if figure.confidence >= DASH_DIFFERS_MIN:
            return Decision("differs", what)
        return Decision("unreadable", f"{what}；“-”识别把握不足，需人工确认")
    if online_v is not None and _one_lookalike_swap(_fmt(paper_v, decimals), _fmt(online_v, decimals)) \
            and figure.confidence < LOOKALIKE_SURE:  # under a seal both engines can make the same swap
        return Decision("unreadable", f"{what}；仅一位易混数字不同，需人工确认")
    if both_agree or figure.confidence >= DIFFERS_MIN or seen_twice \
            or (online_v is not None and seal_free_confirms(figure, shown_paper, shown_online)):
        return Decision("differs", what)
    return Decision("unreadable", f"{what}；识别把握不足（{figure.confidence:.2f}），需人工确认")
