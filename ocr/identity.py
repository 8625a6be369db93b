"""Page identity from read lines: title, 单位名称, 统一社会信用代码, 第 n 页 共 m 页, 打印时间.

Labels and patterns come from the template's `zones`, so another layout is a template change.
"""

from __future__ import annotations

import re
from datetime import datetime

from rapidfuzz import fuzz

from ocr import layout
from ocr.model import OcrLine, PageIdentity
from registry import uscc as uscc_mod
from registry.template import Template

SEPARATORS = " ：:;；|,，"
USCC_RUN = re.compile(r"[0-9A-Za-z]{16,20}")


def _labels(template: Template, zone: str, default: str) -> list[str]:
    return list(template.zones.get(zone, {}).get("labels") or [default])


def _relaxed(pattern: str) -> re.Pattern[str]:
    # OCR often drops the space between date and time ("2025-06-2010:30")
    return re.compile(pattern.replace(r"\s+", r"\s*"))


def read_identity(lines: list[OcrLine], template: Template) -> PageIdentity:
    ident = PageIdentity()
    ident.title = _title(lines, template)
    ident.unit_name = _value_after(lines, _labels(template, "unit_name", "单位名称"),
                                   stop_labels=_labels(template, "uscc", "统一社会信用代码"))
    ident.uscc_text, ident.uscc = _uscc(lines, _labels(template, "uscc", "统一社会信用代码"))
    ident.page_no, ident.page_total = _page_number(lines, template)
    ident.print_time = _print_time(lines, template)
    return ident


def _title(lines: list[OcrLine], template: Template) -> str | None:
    best = max(lines, key=lambda ln: fuzz.ratio(template.title, ln.text.strip("《》 ")), default=None)
    if best is not None and fuzz.ratio(template.title, best.text.strip("《》 ")) >= 80:
        return template.title
    return None


def _value_after(lines: list[OcrLine], labels: list[str], stop_labels: list[str]) -> str | None:
    for label in labels:
        hit = layout.find_label(lines, label)
        if hit is None:
            continue
        line, end = hit
        rest = line.text[end:]
        for stop in stop_labels:  # "单位名称：X 统一社会信用代码：Y" read as one line
            cut = fuzz.partial_ratio_alignment(stop, rest)
            if cut is not None and cut.score >= 80:
                rest = rest[:cut.dest_start]
        rest = rest.strip(SEPARATORS)
        if not rest:
            nxt = layout.right_neighbours(lines, line)
            if nxt and not any(fuzz.partial_ratio(s, nxt[0].text) >= 80 for s in stop_labels):
                rest = nxt[0].text.strip(SEPARATORS)
        if rest:
            return rest
    return None


def _uscc(lines: list[OcrLine], labels: list[str]) -> tuple[str | None, str | None]:
    """(text as read, repaired valid code or None)."""
    candidates: list[str] = []
    for label in labels:
        hit = layout.find_label(lines, label)
        if hit is None:
            continue
        line, end = hit
        after = [line.text[end:]] + [n.text for n in layout.right_neighbours(lines, line)[:2]]
        candidates += [uscc_mod.normalize(a).strip(SEPARATORS) for a in after]
    # anywhere on the page as a fallback (label misread)
    candidates += [m.group(0) for ln in lines for m in USCC_RUN.finditer(uscc_mod.normalize(ln.text))]
    first_text = None
    for cand in candidates:
        for run in USCC_RUN.findall(cand) or [cand]:
            first_text = first_text or run
            fixed = uscc_mod.repair(run) if len(run) == 18 else None
            if fixed:
                return run, fixed
    return first_text, None


def _page_number(lines: list[OcrLine], template: Template) -> tuple[int | None, int | None]:
    pattern = _relaxed(template.zones.get("page_number", {}).get("pattern", r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页"))
    rows = [layout.row_text(row, "").replace(" ", "") for row in reversed(layout.rows(lines))]
    for text in rows:  # printed at the bottom
        m = pattern.search(text)
        if m:
            n, total = int(m.group(1)), int(m.group(2))
            if 1 <= n <= total <= 200:
                return n, total
    for text in rows:  # one of the two numbers misread: keep the other
        n_m, t_m = re.search(r"第(\d{1,3})页", text), re.search(r"共(\d{1,3})页", text)
        if n_m or t_m:
            return (int(n_m.group(1)) if n_m else None), (int(t_m.group(1)) if t_m else None)
    return None, None


def _print_time(lines: list[OcrLine], template: Template) -> str | None:
    zone = template.zones.get("print_time", {})
    pattern = _relaxed(zone.get("pattern", r"(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})"))
    for row in reversed(layout.rows(lines)):
        text = layout.row_text(row, " ").replace("：", ":").replace("—", "-").replace("一", "-")
        m = pattern.search(text)
        if m:
            y, mo, d, h, mi = (int(g) for g in m.groups()[:5])
            if 1 <= mo <= 12 and 1 <= d <= 31 and h <= 23 and mi <= 59:
                return f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}"
    return None


def parse_print_time(text: str | None) -> datetime | None:
    """The 打印时间 as read (PageIdentity.print_time, "YYYY-MM-DD HH:MM") as a datetime, or None."""
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
