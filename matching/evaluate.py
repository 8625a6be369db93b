"""One read document against its unit's online record → findings, each with its reason and evidence.

Pure logic over ocr.model readings; persistence is matching.process's job. Page references are
indexes into DocumentReading.pages, resolved to Page rows when stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from matching.row_confirm import confirm_rows
from ocr.decide import decide
from ocr.identity import parse_print_time
from ocr.model import DocumentReading, FigureReading, PageReading
from ocr.quality import legibility
from registry.template import Template

SIGNATURE_ROLES = ("单位负责人", "统计负责人", "填表人")
# One stamp's diameter, as a share of the page's short side, varies across the pages of one document
# by at most 7 % in 95 % of 176 documents with two or more clear seals (three worlds, seeds 11/23/37;
# median 2 %): within this, an incomplete ring is that stamp.
SAME_STAMP_TOLERANCE = 0.1
NOT_SUBMITTED = {"未填报"}


@dataclass
class DocFinding:
    kind: str
    severity: str
    indicator: str | None = None
    online: str | None = None
    scanned: str | None = None
    page_index: int | None = None  # index into DocumentReading.pages
    box: list[int] | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class FigureDecision:
    code: str
    kind: str  # matches / differs / unreadable
    reason: str
    online: str | None
    figure: FigureReading | None
    page_index: int | None


def _page_of(doc: DocumentReading, fig: FigureReading | None) -> int | None:
    if fig is None:
        return None
    for i, p in enumerate(doc.pages):
        if p.figures.get(fig.code) is fig:
            return i
    return None


def under_seal(doc: DocumentReading, fig: FigureReading | None, page_index: int | None) -> bool:
    """The figure's box overlaps the box of the seal found on its page."""
    if fig is None or fig.box is None or page_index is None:
        return False
    seal = doc.pages[page_index].seal
    box = getattr(seal, "box", None) if getattr(seal, "status", "absent") != "absent" else None
    if box is None:
        return False
    sx, sy, sw, sh = box
    x0, y0, x1, y1 = fig.box
    return min(x1, sx + sw) > max(x0, sx) and min(y1, sy + sh) > max(y0, sy)


def decide_figures(doc: DocumentReading, template: Template, online: dict[str, str | None]) -> list[FigureDecision]:
    confirm_rows(doc, template, online)
    figures = doc.figures
    out = []
    for ind in template.indicators:
        fig = figures.get(ind.code)
        page = _page_of(doc, fig)
        grey_seal = page is not None and getattr(doc.pages[page].seal, "method", None) != "colour"
        d = decide(fig, online.get(ind.code), ind.decimals, seal_may_hide=grey_seal and under_seal(doc, fig, page))
        out.append(FigureDecision(ind.code, d.kind, d.reason, online.get(ind.code), fig, page))
    return out


def evaluate(doc: DocumentReading, template: Template, online: dict[str, str | None] | None,
             online_status: str | None, online_modified: datetime | None) -> tuple[list[DocFinding], list[FigureDecision]]:
    found: list[DocFinding] = []
    decisions: list[FigureDecision] = []
    unplaced: list[str] = []
    unfound: list[str] | None = None   # indicator rows found on no page (None: nothing to decide against)
    illegible = {i: legible for i, p in enumerate(doc.pages)
                 if p.method == "ocr" and (legible := legibility(p.lines)).illegible}
    folded: dict[int, list[str]] = {i: [] for i in illegible}  # page -> its rows no one could check
    if online is None or online_status in NOT_SUBMITTED:
        found.append(DocFinding("record_missing", "error", detail={
            "reason": "该单位没有已提交的网上填报数据，纸质报表无法核对", "online_status": online_status}))
    else:
        decisions = decide_figures(doc, template, online)
        # with pages missing, a row found on no page is on a missing page: page_missing covers it;
        # else, with an illegible page, that page holds it: scan_illegible covers it
        unfound = [d.code for d in decisions if d.figure is None]
        unplaced = unfound if doc.missing_pages else []
        if illegible and not unplaced:
            folded[next(iter(illegible))] += unfound
        for d in decisions:
            if d.kind == "unreadable" and d.page_index in folded:
                folded[d.page_index].append(d.code)
        not_checked = {c for codes in folded.values() for c in codes}
        for d in decisions:
            if d.kind == "matches" or d.code in unplaced or d.code in not_checked:
                continue
            kind, sev = ("figure_mismatch", "error") if d.kind == "differs" else ("figure_unreadable", "warning")
            fig = d.figure
            found.append(DocFinding(kind, sev, d.code, d.online, fig.value if fig and fig.value is not None else
                                    (fig.text or None if fig else None), d.page_index,
                                    list(fig.box) if fig and fig.box else None,
                                    {"reason": d.reason, "confidence": fig.confidence if fig else None,
                                     "engine": fig.engine if fig else None,
                                     "second_opinion": fig.second_opinion if fig else None,
                                     "seal_free": fig.seal_free if fig else None,
                                     "crop": fig.crop_path if fig else None}))
        printed = parse_print_time(doc.print_time)
        if printed and online_modified and printed < online_modified:
            found.append(DocFinding("scan_stale", "warning", detail={
                "reason": "打印时间早于网上数据最后修改时间，纸质报表可能不是最新数据",
                "print_time": doc.print_time, "online_modified": online_modified.strftime("%Y-%m-%d %H:%M")}))

    for i, legible in illegible.items():
        detail: dict[str, Any] = {"reason": legible.reason(), "median_score": round(legible.median_score, 3),
                                  "low_share": round(legible.low_share, 3), "page_no": doc.pages[i].identity.page_no}
        if folded[i]:
            detail["reason"] += f"；{len(folded[i])} 项指标无法核对"
            detail["indicators_not_checked"] = folded[i]
        found.append(DocFinding("scan_illegible", "warning", page_index=i, detail=detail))
    for i, page in enumerate(doc.pages):
        seal = page.seal
        if holds_no_form(page):
            # a blank sheet or a page of something else: its missing seal is no finding of its own
            # (the form's missing page is page_missing's), but what was not checked stays listed
            found.append(DocFinding("seal_missing", "info", page_index=i, detail={
                "reason": "该页未见报表内容（空白页或无法辨认），未检查公章", "status": "not_checked"}))
        elif seal is None:
            found.append(DocFinding("seal_missing", "warning", page_index=i,
                                    detail={"reason": "未能检查公章（检测模块不可用），需人工确认"}))
        elif seal.status == "uncertain" and getattr(seal, "same_stamp_as", None) is not None:
            # the document's own stamp aligned with the page's incomplete ring, or found by its
            # pattern (info); found by the pattern but not surely (`searched`: ocr.seal_search.sure),
            # where print fits it nearly as well, the page's own "no seal" stands, the stamp shown
            sev = "error" if getattr(seal, "searched", False) else "info"
            found.append(DocFinding("seal_missing", sev, page_index=i, box=list(seal.box), detail={
                "reason": seal.reason, "status": seal.status, "score": seal.score, "method": seal.method,
                "same_stamp_as_page": seal.same_stamp_as, "found_by": "seal-pattern"}))
        elif (same := same_stamp_elsewhere(doc, i)) is not None:
            found.append(DocFinding("seal_missing", "info", page_index=i, box=list(seal.box), detail={
                "reason": f"{seal.reason}；但与本文件第 {same} 页上清晰的印章大小一致，视为同一枚公章",
                "status": seal.status, "score": seal.score, "method": seal.method, "same_stamp_as_page": same}))
        elif seal.status != "present":
            sev = "error" if seal.status == "absent" else "warning"
            found.append(DocFinding("seal_missing", sev, page_index=i, box=list(seal.box) if seal.box else None,
                                    detail={"reason": seal.reason, "status": seal.status, "score": seal.score,
                                            "method": seal.method}))
    sig_pages = [i for i, p in enumerate(doc.pages) if p.is_signature_page]
    if not sig_pages and not doc.missing_pages:
        found.append(DocFinding("signature_missing", "warning", detail={"reason": "未找到签字页，需人工确认"}))
    for i in sig_pages[-1:]:
        sigs = doc.pages[i].signatures or {}
        for role in SIGNATURE_ROLES:
            r = sigs.get(role)
            if r is None:
                found.append(DocFinding("signature_missing", "warning", role, page_index=i,
                                        detail={"reason": f"未找到“{role}”签字栏，需人工确认"}))
            elif r.status != "present":
                found.append(DocFinding("signature_missing", "error" if r.status == "absent" else "warning", role,
                                        page_index=i, box=list(r.box) if r.box else None,
                                        detail={"reason": r.reason, "status": r.status, "score": r.score}))
    standing_in = _unnumbered_standing_in(doc, unfound == [], bool(sig_pages), template.codes)
    for n, i in standing_in.items():
        found.append(DocFinding("page_unnumbered", "info", page_index=i, detail={
            "reason": f"该页页码未能识别；按该页内容（指标行、签字栏）及扫描顺序视为第 {n} 页", "page_no": n}))
    for n in (n for n in doc.missing_pages if n not in standing_in):
        detail: dict[str, Any] = {"reason": f"缺第 {n} 页（共 {doc.page_total} 页）", "page_no": n}
        if empty := sum(holds_no_form(p) for p in doc.pages):
            detail["reason"] += f"；另收到 {empty} 页未见报表内容（空白页或无法辨认）"
        if unplaced:
            detail["reason"] += f"；{len(unplaced)} 项指标在现有页上未找到，无法核对"
            detail["indicators_not_checked"] = unplaced
        found.append(DocFinding("page_missing", "error", detail=detail))
    for n in doc.repeated_pages:
        found.append(DocFinding("page_duplicate", "warning", detail={"reason": f"第 {n} 页重复", "page_no": n}))
    return found, decisions


def holds_no_form(page: PageReading) -> bool:
    """Nothing of the form was read on the page: no title, unit, code, page number or print time,
    no indicator row and no signature field (a blank sheet, or a page of something else)."""
    ident = page.identity
    return (page.method == "ocr" and not page.figures and not page.is_signature_page
            and all(v is None for v in (ident.title, ident.unit_name, ident.uscc_text, ident.page_no,
                                        ident.print_time)))


def _unnumbered_standing_in(doc: DocumentReading, every_row_found: bool, signed: bool,
                            codes: list[str]) -> dict[int, int]:
    """Missing page numbers -> the page (index) whose number was not read that is that page.
    When every indicator row was found on the pages there are (no content is missing), there are
    as many such pages as missing numbers, and a missing last page is stood in for only when a
    signature page is among them (the last page may hold no rows, only the signatures) or each
    of them shows rows of its own: all of them.
    Otherwise page by page, in the order they were scanned (_in_scan_order)."""
    unnumbered = [i for i, p in enumerate(doc.pages) if p.identity.page_no is None]
    missing = doc.missing_pages
    if not missing or not unnumbered:
        return {}
    if every_row_found and len(unnumbered) == len(missing) and (doc.page_total not in missing or signed
                                                                 or _rows_of_their_own(doc, unnumbered)):
        return dict(zip(missing, unnumbered, strict=True))
    return _in_scan_order(doc, {c: k for k, c in enumerate(codes)})


def _rows_on_numbered_pages(doc: DocumentReading) -> set[str]:
    return {c for p in doc.pages if p.identity.page_no is not None for c in p.figures}


def _rows_of_their_own(doc: DocumentReading, unnumbered: list[int]) -> bool:
    """Each unnumbered page shows rows found on no numbered page: pages of the form, whose numbers
    were not read (a last page printing its rows above the signatures, seed 241, where the
    signature labels were not read on a black-and-white scan either)."""
    on_numbered = _rows_on_numbered_pages(doc)
    return all(set(doc.pages[i].figures) - on_numbered for i in unnumbered)


def _in_scan_order(doc: DocumentReading, row_order: dict[str, int]) -> dict[int, int]:
    """The one unnumbered signature page is the missing last page, when no numbered page holds the
    signatures. Another unnumbered page that shows rows of its own (found on no numbered page) is
    the missing number between the numbered pages scanned before and after it, when as many such
    pages as missing numbers stand there. A page with nothing of the form read on it (an unreadable
    page) stands in for nothing: its number stays missing (seed 127: page 1 of a black-and-white
    form, unreadable, beside an unnumbered page 3 and signature page 4). With fewer such pages than
    missing numbers, a page whose rows take up, in the template's order, right where the page
    before it stops is the next number (`_continuing`)."""
    numbered = [p for p in doc.pages if p.identity.page_no is not None]
    rows_numbered = _rows_on_numbered_pages(doc)
    unnumbered = [i for i, p in enumerate(doc.pages) if p.identity.page_no is None]
    out: dict[int, int] = {}
    signing = [i for i in unnumbered if doc.pages[i].is_signature_page]
    if doc.page_total in doc.missing_pages and len(signing) == 1 and not any(p.is_signature_page for p in numbered):
        out[doc.page_total] = signing[0]
    order = sorted(range(len(doc.pages)), key=lambda i: (doc.pages[i].scan_position, doc.pages[i].source,
                                                         doc.pages[i].index))
    before, waiting = 0, []
    for i in [*order, None]:
        no = (doc.page_total or 0) + 1 if i is None else doc.pages[i].identity.page_no
        if no is None:
            if i not in out.values() and set(doc.pages[i].figures) - rows_numbered:
                waiting.append(i)
            continue
        gap = [n for n in doc.missing_pages if before < n < no and n not in out]
        if waiting and len(waiting) == len(gap):
            out.update(zip(gap, waiting, strict=True))
        elif waiting and gap:
            out.update(_continuing(doc, row_order, before, gap, waiting))
        before, waiting = max(before, no), []
    return out


def _continuing(doc: DocumentReading, order: dict[str, int], before: int, gap: list[int],
                waiting: list[int]) -> dict[int, int]:
    """Missing numbers -> unnumbered pages whose first row is the template's next row after the
    last row of the page numbered `before` (and so on, page after page): seed 263, a grey page 3
    whose number the seal covered, scanned after page 2 and before the end, with pages 3 and 4
    missing by number. A page whose rows do not take up right there proves nothing."""
    last = max((order[c] for p in doc.pages if p.identity.page_no == before for c in p.figures), default=-1)
    out: dict[int, int] = {}
    for n, i in zip(gap, waiting, strict=False):
        rows = sorted(order[c] for c in doc.pages[i].figures)
        if not rows or rows[0] != last + 1:
            break
        out[n], last = i, rows[-1]
    return out


def _stamp_share(page: PageReading) -> float | None:
    seal, size = page.seal, page.size
    if seal is None or not getattr(seal, "box", None) or not size or min(size) <= 0:
        return None
    return max(seal.box[2], seal.box[3]) / min(size)


def same_stamp_elsewhere(doc: DocumentReading, i: int) -> int | None:
    """The page number of a clear seal on another page of `doc` as large as page i's uncertain ring,
    or None. Every page carries the same unit seal (WORLD.md): an incomplete ring (a light or
    partial impression on a grey scan) of that stamp's exact size is the stamp, where a ring made
    of print is of any size. Never for a page where no ring was seen."""
    page = doc.pages[i]
    if getattr(page.seal, "status", None) != "uncertain" or (mine := _stamp_share(page)) is None:
        return None
    for j, other in enumerate(doc.pages):
        if j == i or getattr(other.seal, "status", None) != "present" or (theirs := _stamp_share(other)) is None:
            continue
        if abs(mine / theirs - 1.0) <= SAME_STAMP_TOLERANCE:
            return other.identity.page_no or j + 1
    return None
