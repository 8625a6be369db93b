"""Plain data passed between the reading stages (no engine objects, so it pickles across processes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in normalised-page pixels

# Why a figure's reading is no clean figure (FigureReading.doubts). A clean reading may claim a
# difference; one with doubts only confirms a match, unless ocr.decide can show its doubt moot.
DOUBT_MAPPED = "mapped"              # letters, stray marks, a comma or colon read for digits or the point
DOUBT_PLACES_EXTRA = "places_extra"  # more decimal places than the form prints
DOUBT_PLACES_SHORT = "places_short"  # fewer places than the page prints: its point may be lost
DOUBT_SIGN = "sign"                  # a minus sign: no figure of the survey is negative
DOUBT_NO_LINE = "no_line"            # read in the cell or from the ink's shape, where no line was detected
DOUBT_EDGE = "edge"                  # short of the column's edge, or its box took in other ink
DOUBT_LEAN = "lean"                  # the page's figure column leans: a row's figure may be another's
DOUBT_ILLEGIBLE = "illegible"        # the page's strokes are broken
DOUBT_SEAL_OUT = "seal_out"          # read after the seal was taken out of a grey page


@dataclass
class OcrLine:
    """One text line as an engine read it, placed on the normalised page."""
    text: str
    score: float
    box: Box
    engine: str

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


@dataclass
class FigureReading:
    """The figure printed in one indicator's 数值 cell."""
    code: str
    text: str                 # what was read ("" when the cell showed nothing readable)
    value: str | None         # canonical decimal string; None = printed "-" (no value)
    confidence: float         # 0..1, the reading's own confidence
    box: Box | None
    engine: str               # e.g. "rapidocr 3.10.0" or "rapidocr 3.10.0+tesseract 5.3.0"
    doubts: tuple[str, ...] = ()  # DOUBT_*: why it is no clean figure (empty: a well-formed figure
                                  # for this indicator's decimals, read plainly on a sound page)
    second_opinion: str | None = None   # what the second engine read (canonical), if asked
    agreed: bool | None = None          # both engines gave the same value (None: not asked)
    seal_free: str | None = None        # under a red seal: the value read with the seal's ink taken out
                                        # ("-" a dash; None not read or not under a seal)
    with_seal: str | None = None        # read after a grey seal was taken out: the value the page itself
                                        # shows in the same box, seal and all (ocr.seal_reread)
    crop_path: str | None = None
    found_by: str = "code"    # "code" | "label" | "text-layer"
    untrusted_from: float | None = None  # its confidence before the page's rows were found unreliable
                                         # (ocr.column_lean); matching.row_confirm may restore it

    @property
    def clean(self) -> bool:
        return not self.doubts

    def doubt(self, why: str) -> None:
        if why not in self.doubts:
            self.doubts = (*self.doubts, why)


@dataclass
class PageIdentity:
    title: str | None = None
    unit_name: str | None = None
    uscc: str | None = None          # repaired and valid, else None
    uscc_text: str | None = None     # as read
    page_no: int | None = None
    page_total: int | None = None
    print_time: str | None = None    # "YYYY-MM-DD HH:MM"


@dataclass
class PageReading:
    source: str              # file the page came from
    index: int               # 0-based page/image index within that file
    rotation: int            # degrees clockwise applied to upright the page (0/90/180/270)
    skew: float              # degrees of deskew applied
    method: str              # "ocr" | "text-layer"
    identity: PageIdentity
    figures: dict[str, FigureReading] = field(default_factory=dict)
    is_signature_page: bool = False
    image_path: str | None = None    # normalised original page saved for evidence
    size: tuple[int, int] = (0, 0)   # width, height of the normalised page
    template_id: str = ""
    engine: str = ""
    seconds: float = 0.0             # wall time to read the page
    cpu_seconds: float = 0.0         # CPU time of the reading process (contention-independent)
    stage_cpu: dict[str, float] = field(default_factory=dict)  # ocr.stages: CPU seconds per stage
    seal: Any = None                 # ocr.seal.SealResult
    signatures: dict | None = None   # from ocr.signature.detect_signatures
    problems: list[str] = field(default_factory=list)
    lines: list[OcrLine] = field(default_factory=list)
    table: dict | None = None        # ocr.table.TableModel.as_json(): column roles, ranges, how found
    scan_position: int = 0           # place in the batch as sent (file order, then page order; ocr.split)


@dataclass
class DocumentReading:
    """Pages of one unit's form, grouped by what is printed on them."""
    unit_name: str | None
    uscc: str | None
    page_total: int | None
    print_time: str | None
    pages: list[PageReading]
    missing_pages: list[int] = field(default_factory=list)
    repeated_pages: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def figures(self) -> dict[str, FigureReading]:
        """All figures of the document; on a repeated page the more confident reading wins."""
        out: dict[str, FigureReading] = {}
        for page in self.pages:
            for code, fig in page.figures.items():
                if code not in out or fig.confidence > out[code].confidence:
                    out[code] = fig
        return out


@dataclass(frozen=True)
class Decision:
    kind: str     # "matches" | "differs" | "unreadable"
    reason: str   # Chinese, for people
