"""Small geometry helpers over read lines: rows, neighbours, label positions (never fixed pixels)."""

from __future__ import annotations

import statistics

from rapidfuzz import fuzz

from ocr.model import OcrLine


def theil_sen(xs: list[float], ys: list[float], min_dy: float) -> tuple[float, float]:
    """Robust line x = a + b·y (b: median of pairwise slopes over pairs more than `min_dy` apart
    in y, 0 when none; a: median of x - b·y): a few stray points do not tilt it. Returns (b, a)."""
    slopes = [(xs[j] - xs[i]) / (ys[j] - ys[i]) for i in range(len(ys)) for j in range(i + 1, len(ys))
              if abs(ys[j] - ys[i]) > min_dy]
    b = statistics.median(slopes) if slopes else 0.0
    return b, statistics.median(x - b * y for x, y in zip(xs, ys, strict=True))


def median_height(lines: list[OcrLine]) -> float:
    hs = [ln.height for ln in lines if ln.height > 0]
    return statistics.median(hs) if hs else 20.0


def same_row(a: OcrLine, b: OcrLine, tol: float) -> bool:
    return abs(a.cy - b.cy) <= tol


def rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Lines grouped into visual rows (top to bottom), each row left to right."""
    if not lines:
        return []
    tol = 0.5 * median_height(lines)
    out: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda x: x.cy):
        if out and abs(statistics.fmean(x.cy for x in out[-1]) - ln.cy) <= tol:
            out[-1].append(ln)
        else:
            out.append([ln])
    return [sorted(r, key=lambda x: x.box[0]) for r in out]


def row_text(row: list[OcrLine], sep: str = " ") -> str:
    return sep.join(ln.text for ln in row)


def find_label(lines: list[OcrLine], label: str, min_score: float = 80) -> tuple[OcrLine, int] | None:
    """The line holding `label` (OCR-tolerant) and the index in its text where the label ends."""
    best: tuple[float, OcrLine, int] | None = None
    for ln in lines:
        if len(ln.text) < max(2, len(label) - 2):
            continue
        al = fuzz.partial_ratio_alignment(label, ln.text)
        if al is not None and al.score >= min_score and (best is None or al.score > best[0]):
            best = (al.score, ln, al.dest_end)
    return (best[1], best[2]) if best else None


def right_neighbours(lines: list[OcrLine], anchor: OcrLine) -> list[OcrLine]:
    tol = 0.6 * max(anchor.height, 1)
    return sorted((ln for ln in lines if ln is not anchor and same_row(ln, anchor, tol)
                   and ln.box[0] >= anchor.box[2] - 5), key=lambda x: x.box[0])
