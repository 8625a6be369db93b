"""Is a page legible at all? Judged from how sure the recogniser was of the page's own text.

A scan thresholded too hard, or washed out, leaves strokes broken: the labels are still detected
as text but read with low confidence, and the figures are gone. Telling staff "page 2 cannot be
read, ask for a new scan" is more use than thirty separate "figure unreadable" warnings.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ocr.confidence import BILEVEL_SURE
from ocr.model import FigureReading, OcrLine

MIN_LINES = 3
LOW_SCORE = 0.7          # a line read with less is doubtful
MAX_LOW_SHARE = 0.3      # legible scans (any profile, phone photos too) measured <= 0.06
MIN_MEDIAN = 0.85        # legible scans measured >= 0.995; the two eroded scans 0.53 and 0.55


@dataclass(frozen=True)
class Legibility:
    lines: int
    median_score: float
    low_share: float

    @property
    def illegible(self) -> bool:
        return self.lines >= MIN_LINES and (self.median_score < MIN_MEDIAN or self.low_share > MAX_LOW_SHARE)

    def reason(self) -> str:
        return (f"扫描件字迹不清（文字识别置信度中位数 {self.median_score:.2f}，"
                f"{self.low_share:.0%} 的文字识别把握不足），请单位重新扫描（彩色或灰度，300 dpi）")


def legibility(lines: list[OcrLine]) -> Legibility:
    scores = [ln.score for ln in lines]
    if not scores:
        return Legibility(0, 0.0, 0.0)
    return Legibility(len(scores), statistics.median(scores), sum(s < LOW_SCORE for s in scores) / len(scores))


def doubt_bilevel(figures: dict[str, FigureReading]) -> None:
    """On a black-and-white (thresholded) scan a broken stroke turns one digit into another's
    shape: a printed "40" read as a sure "10" (0.9996) on seed 73. No reading there is sure
    enough to believe a lone look-alike swap; other differences and matches are unchanged."""
    for fig in figures.values():
        fig.confidence = min(fig.confidence, BILEVEL_SURE)
