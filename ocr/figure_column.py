"""Where a page's figures stand in the 数值 column, learned from the figures read on it: how the
column aligns (figure_column), whether a token stands there at all (column_band, in_column), and tokens whose
box says the reading may be wrong (short_of_column, swollen). Used by ocr.figures."""

from __future__ import annotations

import itertools
import statistics

from ocr.column_lean import column_tilt
from ocr.model import OcrLine
from ocr.tokens import parse_number

UNLIKE_WIDTHS = 0.25  # of a figure's box height: widths this far apart differ by a digit (0.3-0.45
                     # of the box height) or more; glyph boxes' widths jitter by about 0.1

OFF_COLUMN_REACH = 1.5  # text heights beyond the widest figure's place: a row's figure read on a
                        # leaning photo or a token's box jitter stay within; seal lettering beyond

MIN_COLUMN_FIGURES = 5  # figures read on the page before where they stand is trusted


def figure_column(tokens: list[OcrLine]) -> tuple[str, float, float] | None:
    """How the figures stand in the 数值 column: ("right" | "left" | "centre", x, widest figure),
    from the figures read on this page; None with fewer than three.

    Only two figures of different widths tell how the column aligns (a "0" and a "0.23" share
    one edge, or their centres); figures of one width line up on every edge alike. Each such pair
    votes for the edge they share best. Seed 227: five "0.xx" and four "0"s, right-aligned; the
    median spread of the left edges was 0 (five alike), and the page was called left-aligned and
    then leaning."""
    if len(tokens) < 3:
        return None
    edges = {"right": lambda t: float(t.box[2]), "left": lambda t: float(t.box[0]), "centre": lambda t: t.cx}
    unlike = UNLIKE_WIDTHS * statistics.median(t.box[3] - t.box[1] for t in tokens)
    votes = dict.fromkeys(edges, 0)
    for a, b in itertools.combinations(tokens, 2):
        if abs((a.box[2] - a.box[0]) - (b.box[2] - b.box[0])) >= unlike:
            votes[min(edges, key=lambda e: abs(edges[e](a) - edges[e](b)))] += 1
    # a tie (or one width only: every edge fits) keeps the order right, left, centre
    how = max(edges, key=votes.__getitem__)
    width = max(t.box[2] - t.box[0] for t in tokens)
    return how, statistics.median(edges[how](t) for t in tokens), width


def column_band(figures: list[OcrLine], text_h: float) -> tuple[float, float] | None:
    """Where the page's `figures` stand, give or take OFF_COLUMN_REACH text heights: the band their
    right edges, centres or left edges share, whichever way the column aligns (a page's dashes may
    be centred where its numbers are right-aligned). None with fewer than MIN_COLUMN_FIGURES
    figures read: anything in the 数值 column may then be the figure."""
    if len(figures) < MIN_COLUMN_FIGURES:
        return None
    right = statistics.median(t.box[2] for t in figures)
    left = statistics.median(t.box[0] for t in figures)
    centre = statistics.median(t.cx for t in figures)
    width = max(t.box[2] - t.box[0] for t in figures)
    reach = OFF_COLUMN_REACH * text_h
    return (min(right - width, centre - width / 2, left) - reach,
            max(right, centre + width / 2, left + width) + reach)


def in_column(token: OcrLine, band: tuple[float, float] | None) -> bool:
    """The token reaches into the page's column_band (anything does where none is known)."""
    return band is None or (token.box[2] >= band[0] and token.box[0] <= band[1])


def _numeric(tokens: dict[str, OcrLine | None]) -> dict[str, OcrLine]:
    """The rows' figure tokens that read as a number (not a dash)."""
    return {c: t for c, t in tokens.items() if t is not None and parse_number(t.text, 4)[0] is not None}


def short_of_column(tokens: dict[str, OcrLine | None], column: tuple[str, float, float] | None) -> list[str]:
    """Codes whose figure ends more than half a digit left of the page's right-aligned figures:
    the read text may have lost its last digits."""
    read = _numeric(tokens)
    digits = [(t.box[2] - t.box[0]) / len(t.text.strip()) for t in read.values() if len(t.text.strip()) >= 2]
    if column is None or column[0] != "right" or len(read) < 3 or not digits:
        return []
    tilt = column_tilt(list(read.values()))
    edge = statistics.median(t.box[2] - tilt * t.cy for t in read.values())
    digit = statistics.median(digits)
    return [c for c, t in read.items() if edge + tilt * t.cy - t.box[2] > 0.5 * digit]


def swollen(tokens: dict[str, OcrLine | None], limit: float = 1.5) -> list[str]:
    """Codes whose figure's box is over `limit` times as tall as the page's typical figure: the
    recogniser took in other ink (a seal's stroke, a ruling) and may have read it as a digit."""
    read = _numeric(tokens)
    if len(read) < 3:
        return []
    typical = statistics.median(t.height for t in read.values())
    return [c for c, t in read.items() if t.height > limit * typical]
