"""The page's table model: which column holds what, and where, learned from the page itself.

The header printed on the page (template.columns: role -> header words, spaced or not) gives the
columns' roles and order. Each column's x-range then comes from what stands in it: the codes,
units and labels identified by the template, so a right-aligned figure next to a code column or a
wide label column is placed by the ink, not by where the header's words happen to be centred.
A page without a header (a form that prints it once) gets its roles from that content alone.
Never by pixel position or an assumed column order.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from ocr import layout
from ocr.model import OcrLine
from ocr.rulings import Segment, x_at
from registry.template import Template

HEADER_FUZZ = 80        # header words of 3+ characters read with one character wrong still name it
HEADER_MAX_PIECES = 6   # a spaced header (指 标 名 称) may come out as one line per character
MIN_HEADER_ROLES = 2    # a header row names at least two columns (数值 alone could be anything)
MIN_ROOM = 3.0          # text heights: the narrowest room a value column takes ("12345.67" at 9 pt)
STRAY_SHARE = 0.2       # of a column's codes/units that may carry a stray mark widening their box
FIGURE_REACH = 3.0      # text heights left of the figures' median start a longer figure may reach
GAP = 0.3               # text heights left between a column's content and the next column's
MIN_CONTENT = 3         # lines of a column's content that tell where it stands


@dataclass
class Column:
    role: str
    x0: float
    x1: float
    how: str            # "header" | "content": what placed it

    def as_json(self) -> dict:
        return {"role": self.role, "x0": round(self.x0), "x1": round(self.x1), "how": self.how}


@dataclass
class TableModel:
    columns: dict[str, Column] = field(default_factory=dict)
    header_y: float | None = None     # centre line of the header row, when one was read
    header_roles: tuple[str, ...] = ()  # roles named in the header, left to right
    header_words: dict[str, tuple[float, float]] = field(default_factory=dict)  # role -> its header words' x-range

    def span(self, role: str) -> tuple[float, float] | None:
        col = self.columns.get(role)
        return (col.x0, col.x1) if col else None

    @property
    def has_code_column(self) -> bool | None:
        """True/False when the header says; None when no header was read."""
        return ("code" in self.header_roles) if self.header_roles else None

    def as_json(self) -> dict:
        return {"header_y": round(self.header_y) if self.header_y is not None else None,
                "header_roles": list(self.header_roles),
                "columns": [c.as_json() for c in sorted(self.columns.values(), key=lambda c: c.x0)]}


def _compact(text: str) -> str:
    return "".join(text.split()).strip("：:")


def _role_of(text: str, template: Template, fuzzy: bool) -> str | None:
    t = _compact(text)
    if not t:
        return None
    for role, names in template.columns.items():
        for name in names:
            if t == name or (fuzzy and len(name) >= 3 and abs(len(t) - len(name)) <= 1
                             and fuzz.ratio(name, t) >= HEADER_FUZZ):
                return role
    return None


def header_cells(lines: list[OcrLine], template: Template) -> tuple[dict[str, tuple[float, float, float]], float] | None:
    """role -> (x0, x1, cy) of its header words on the top-most row naming MIN_HEADER_ROLES
    columns, and that row's centre line; None when no such row was read. Runs of up to
    HEADER_MAX_PIECES neighbouring pieces are joined, so `指 标 名 称` read per character counts."""
    for row in layout.rows(lines):
        found: dict[str, tuple[float, float, float]] = {}
        taken: set[int] = set()
        for fuzzy in (False, True):  # exact names first: "计量单位本" is one letter off 计量单位, and 本年 lost its 本
            i = 0
            while i < len(row):
                hit = None
                for j in range(min(len(row), i + HEADER_MAX_PIECES), i, -1):
                    if taken & set(range(i, j)):
                        continue
                    role = _role_of("".join(ln.text for ln in row[i:j]), template, fuzzy)
                    if role is not None and role not in found:
                        hit = (role, j)
                        break
                if hit is None:
                    i += 1
                    continue
                role, j = hit
                found[role] = (min(ln.box[0] for ln in row[i:j]), max(ln.box[2] for ln in row[i:j]),
                               statistics.fmean(ln.cy for ln in row[i:j]))
                taken |= set(range(i, j))
                i = j
        if len(found) >= MIN_HEADER_ROLES:
            return found, statistics.fmean(c[2] for c in found.values())
    return None


def build(lines: list[OcrLine], template: Template, page_width: int, *, codes: list[OcrLine] = (),
          units: list[OcrLine] = (), labels: list[OcrLine] = (), figures: list[OcrLine] = ()) -> TableModel:
    """The table model from the header (when read) and the content identified so far: code lines,
    unit lines, label lines and figure-like lines of the table's rows. Each content column spans
    its content; the value column spans the room between its neighbours' content."""
    text_h = layout.median_height(lines)
    header = header_cells(lines, template)
    content: dict[str, list[OcrLine]] = {"code": list(codes), "unit": list(units), "label": list(labels)}
    centres: dict[str, float] = {r: statistics.median(ln.cx for ln in ls) for r, ls in content.items() if ls}
    model = TableModel()
    if header is not None:
        cells, model.header_y = header
        model.header_roles = tuple(sorted(cells, key=lambda r: cells[r][0]))
        model.header_words = {r: (x0, x1) for r, (x0, x1, _) in cells.items()}
        for r, (x0, x1, _) in cells.items():
            centres[r] = (x0 + x1) / 2 if r not in centres or r == "value" else centres[r]
    if "value" not in centres and figures:
        centres["value"] = statistics.median(ln.cx for ln in figures)
    if "value" not in centres:  # no header, no figure read (a page of dashes): the widest room left
        room = _widest_room(content, max((ln.box[2] for ln in lines), default=page_width), text_h)
        if room is None:
            return model
        centres["value"] = room
    order = sorted(centres, key=lambda r: centres[r])
    how = "header" if header is not None else "content"
    for k, role in enumerate(order):
        left = order[k - 1] if k > 0 else None
        right = order[k + 1] if k + 1 < len(order) else None
        x0 = _border(left, role, content, centres, header, text_h, page_width) if left else 0.0
        x1 = _border(role, right, content, centres, header, text_h, page_width) if right else float(page_width)
        if role == "value" and "value" not in (header[0] if header else {}) and len(figures) >= 3:
            # placed by its neighbours alone: the room may be wide (a bare unit column beside a
            # wide gap), so keep near where this page's figures stand; a stray mark far to their
            # left on a 1-bit page was read as a "1" against an empty record (a false difference)
            x0 = max(x0, statistics.median(ln.box[0] for ln in figures) - FIGURE_REACH * text_h)
            x1 = min(x1, statistics.median(ln.box[2] for ln in figures) + GAP * text_h + text_h)
        model.columns[role] = Column(role, x0, x1, how)
    return model


def bound_by_rulings(model: TableModel, role: str, uprights: list[Segment], content: list[OcrLine]
                     ) -> tuple[Segment | None, Segment | None]:
    """The rulings that bound a column's cells on the left and right, where they stand nearer its
    content than the edges content alone gave it (the page's edge for the last column). Seed 101:
    the value column printed last reached the page's edge, and a seal's lettering stamped beside
    the table was read into its cells ("1" and "2" for a printed 0). Forms without rulings keep
    their edges; the column's stored range is the rulings' at its content's middle."""
    col = model.columns.get(role)
    if col is None or not uprights:
        return None, None
    if len(content) < MIN_CONTENT:
        # a page of dashes, few figures read: the column's header words stand inside its cell too
        # (seed 293, a phone photo: the last column reached the page's edge past the table's
        # border, and a seal's star beyond it was read "15" for a printed 0)
        words = model.header_words.get(role)
        if words is None or model.header_y is None:
            return None, None
        y = int(model.header_y)
        content = [*content, OcrLine(role, 1.0, (int(words[0]), y, int(words[1]), y), "header")]
    y = statistics.median(ln.cy for ln in content)
    def beside(u: Segment, right: bool) -> bool:  # clear of the content on every row it holds, one stray aside
        room = [x_at(u, ln.cy) - ln.box[2] if right else ln.box[0] - x_at(u, ln.cy) for ln in content]
        return col.x0 < x_at(u, y) < col.x1 and _edge(room, high=False) > 0
    left = max((u for u in uprights if beside(u, False)), key=lambda u: x_at(u, y), default=None)
    right = min((u for u in uprights if beside(u, True)), key=lambda u: x_at(u, y), default=None)
    if left is not None or right is not None:
        col.x0 = x_at(left, y) if left is not None else col.x0
        col.x1 = x_at(right, y) if right is not None else col.x1
        col.how += "+rulings"
    return left, right


def _border(left: str, right: str, content: dict[str, list[OcrLine]], centres: dict[str, float],
            header: tuple[dict, float] | None, text_h: float, page_width: int) -> float:
    """x between two neighbouring columns: beside the content of the one whose content is known
    (codes, units, labels), else half-way between their header words or centres."""
    gap = GAP * text_h
    lefts, rights = content.get(left) or [], content.get(right) or []
    if left != "value" and lefts and right == "value":
        return _edge([ln.box[2] for ln in lefts], high=True, strays=left != "label") + gap
    if right != "value" and rights and left == "value":
        return _edge([ln.box[0] for ln in rights], high=False, strays=True) - gap
    if lefts and rights:
        return (_edge([ln.box[2] for ln in lefts], True) + _edge([ln.box[0] for ln in rights], False)) / 2
    cells = header[0] if header else {}
    if left in cells and right in cells:
        return (cells[left][1] + cells[right][0]) / 2
    return (centres[left] + centres[right]) / 2


def _widest_room(content: dict[str, list[OcrLine]], right_edge: float, text_h: float) -> float | None:
    """Centre of the room no identified column's content occupies: after the last content column
    up to the page's right print edge when that is MIN_ROOM wide, else the widest gap between
    content columns; None when nothing is MIN_ROOM wide. A label column's recognised lines
    understate its extent (long labels on code rows are not recognised), so a gap after it is
    only taken when nothing is left at the right."""
    spans = sorted((_edge([ln.box[0] for ln in ls], False), _edge([ln.box[2] for ln in ls], True))
                   for ls in content.values() if ls)
    if not spans:
        return None
    last = max(hi for _, hi in spans)
    if right_edge - last >= MIN_ROOM * text_h:
        return (last + right_edge) / 2  # room after the last column: where WORLD.md's likeliest order puts 数值
    gaps = [(b[0] - a[1], (a[1] + b[0]) / 2) for a, b in zip(spans, spans[1:], strict=False)]
    width, centre = max(gaps, default=(0.0, 0.0))
    return centre if width >= MIN_ROOM * text_h else None


def _edge(xs: list[float], high: bool, strays: bool = False) -> float:
    """The content's outer edge, robust to one stray reading: the second-most extreme of 3 or more.
    With `strays` (codes, units: short centred text, where OCR may join a neighbouring dash or
    seal stroke to a few of them) the STRAY_SHARE quantile from the extreme end instead."""
    s = sorted(xs, reverse=high)
    k = int(STRAY_SHARE * len(s)) if strays else 1
    return float(s[max(1, k)] if len(s) >= 3 else s[0])
