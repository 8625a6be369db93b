"""Group read pages into per-unit documents by what is printed on them (name + code, page n of m).

A merged PDF holds many units; a set of page images may come in any order. Name AND code are
the identity: a 科普场馆's form often carries its parent's 统一社会信用代码.
"""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz import fuzz

from ocr.model import DocumentReading, PageReading
from registry import uscc

NAME_SAME = 85  # rapidfuzz ratio above which two read names are the same unit
# Two runs of pages that are one print run (same print time, page total, numbers that complete
# each other, side by side in one file) are one form when their names are this near: seed 277's
# black-and-white page 1 read "天津市航室科技行限公司" (81.8) and its code with a digit lost
NAME_NEAR = 70


def _clean_name(name: str | None) -> str | None:
    if not name:
        return None
    n = re.sub(r"[\s:：()（）\"“”'‘’]", "", name)
    return n or None


def same_name(a: str, b: str) -> bool:
    """Two readings of one name: OCR swaps or drops a character, it does not add a word
    (a venue is often its owner's name plus 科技馆/博物馆, with the owner's code)."""
    return a == b or (abs(len(a) - len(b)) <= 1 and fuzz.ratio(a, b) >= NAME_SAME)


def same_code(a: str, b: str, names_agree: bool) -> bool:
    """Two readings of one code: equal, or under the same name a code read with a character or
    two wrong (a bw page's "1" for 4) that the check character let through (uscc.near)."""
    return a == b or (names_agree and uscc.near(a, b))


def _compatible(doc_pages: list[PageReading], page: PageReading) -> bool:
    """The page's name agrees with at least one name read on the document's pages (each reading
    carries its own OCR errors: "标津市…张贵庄…" and "天津市…张贵生…" are two characters apart, each
    one from the true name), and its code with every code read there."""
    name, code = _clean_name(page.identity.unit_name), page.identity.uscc
    names = [n for p in doc_pages if (n := _clean_name(p.identity.unit_name))]
    names_agree = bool(name and names and any(same_name(name, other) for other in names))
    if name and names and not names_agree:
        return False
    for p in doc_pages:
        if code and p.identity.uscc and not same_code(code, p.identity.uscc, names_agree):
            return False
    return any(_clean_name(p.identity.unit_name) or p.identity.uscc for p in doc_pages)


def _likeness(doc_pages: list[PageReading], page: PageReading) -> tuple[bool, float]:
    """How near the page's identity is to a document's: its code read there, then its name's best
    likeness to a name read there (max() keeps the first form on a tie)."""
    name, code = _clean_name(page.identity.unit_name), page.identity.uscc
    names = [n for p in doc_pages if (n := _clean_name(p.identity.unit_name))]
    same_code_read = bool(code) and any(p.identity.uscc == code for p in doc_pages)
    return same_code_read, max((fuzz.ratio(name, n) for n in names), default=0.0) if name else 0.0


def _has_identity(page: PageReading) -> bool:
    return bool(_clean_name(page.identity.unit_name) or page.identity.uscc)


def group_pages(pages: list[PageReading]) -> list[DocumentReading]:
    """Documents in order of first appearance; pages inside a document in page-number order.

    All pages with the same identity in one batch form one document: a page printed twice (or a
    whole second copy) shows up as repeated pages rather than as a second document."""
    groups: list[list[PageReading]] = []
    positions: list[list[int]] = []
    orphans: list[tuple[int, PageReading]] = []
    for pos, page in enumerate(pages):
        page.scan_position = pos  # files' names are their hashes: the order sent is kept here
        if not _has_identity(page):
            orphans.append((pos, page))
            continue
        fits = [g for g, members in enumerate(groups) if _compatible(members, page)]
        if fits:
            # the likeliest of the forms it may belong to, not the first: numbered schools' names
            # differ by a numeral or two (seed 373: "…第六十九中学", its code unread, agrees with
            # "…第十八中学" at 87 and joined that form instead of its own)
            g = max(fits, key=lambda g: _likeness(groups[g], page))
            groups[g].append(page)
            positions[g].append(pos)
        else:
            groups.append([page])
            positions.append([pos])
    for pos, page in orphans:  # no readable identity: join the document it sits in, if it fits
        g = _host(positions, groups, pos, page)
        if g is None:
            groups.append([page])
            positions.append([pos])
        else:
            groups[g].append(page)
            positions[g].append(pos)
    _join_split_runs(groups, positions)
    docs = [_document(members) for members in groups]
    _flag_foreign(docs, positions)
    return docs


def _one_print_run(a: list[PageReading], b: list[PageReading]) -> bool:
    """Two groups that are one printed form whose names were read too differently to join (a
    black-and-white scan's "关津市…第二十中学" for 天津市…第二十二中学): the same valid code, read
    exactly, the same page count, page numbers that do not repeat, and the same print time where
    both were read. Not a venue beside its owner: a venue carries its owner's code but its name
    is the owner's with a word added, and its form is a print run of its own (its pages repeat the
    owner's numbers, or its print time differs)."""
    code = _majority([p.identity.uscc for p in a])
    if not code or code != _majority([p.identity.uscc for p in b]) or not uscc.is_valid(str(code)):
        return False
    totals = {_majority([p.identity.page_total for p in g]) for g in (a, b)} - {None}
    times = [{p.identity.print_time for p in g if p.identity.print_time} for g in (a, b)]
    nos = [{p.identity.page_no for p in g if p.identity.page_no} for g in (a, b)]
    names = [_clean_name(_majority([p.identity.unit_name for p in g])) for g in (a, b)]
    one_inside_other = all(names) and (names[0] in names[1] or names[1] in names[0]) and names[0] != names[1]
    return (len(totals) <= 1 and not (nos[0] & nos[1]) and not one_inside_other
            and (not times[0] or not times[1] or times[0] == times[1]))


def _completing_run(a: list[PageReading], b: list[PageReading], pos_a: list[int], pos_b: list[int]) -> bool:
    """Two groups side by side in one file that complete one print run: the same print time and
    page total read on both, page numbers that do not repeat, names at least NAME_NEAR alike and no
    two valid codes that differ. A page's name and code misread too far to join (_compatible) on a
    black-and-white scan, where the print time and page numbers were still read."""
    if {p.source for p in a} != {p.source for p in b} or len({p.source for p in a}) != 1:
        return False
    if not (max(pos_a) + 1 == min(pos_b) or max(pos_b) + 1 == min(pos_a)):
        return False
    times = [{p.identity.print_time for p in g} for g in (a, b)]
    totals = [{p.identity.page_total for p in g} for g in (a, b)]
    nos = [[p.identity.page_no for p in g] for g in (a, b)]
    if any(None in t or len(t) != 1 for t in (*times, *totals)) or times[0] != times[1] or totals[0] != totals[1]:
        return False
    if None in nos[0] + nos[1] or len(set(nos[0] + nos[1])) != len(nos[0]) + len(nos[1]):
        return False
    codes = {c for p in a + b if (c := p.identity.uscc) and uscc.is_valid(c)}
    names = [_clean_name(_majority([p.identity.unit_name for p in g])) for g in (a, b)]
    return (len(codes) <= 1 and bool(names[0] and names[1]) and abs(len(names[0]) - len(names[1])) <= 1
            and fuzz.ratio(names[0], names[1]) >= NAME_NEAR)


def _join_split_runs(groups: list[list[PageReading]], positions: list[list[int]]) -> None:
    """Join groups that are one print run (_one_print_run, _completing_run) into the first of them,
    in place."""
    g = 0
    while g < len(groups):
        other = next((h for h in range(g + 1, len(groups)) if _one_print_run(groups[g], groups[h])
                      or _completing_run(groups[g], groups[h], positions[g], positions[h])), None)
        if other is None:
            g += 1
            continue
        groups[g] += groups.pop(other)
        positions[g] += positions.pop(other)


def _host(positions: list[list[int]], groups: list[list[PageReading]], pos: int, page: PageReading) -> int | None:
    """The document a page with no readable identity sits in: one whose pages it stands beside or
    between and whose page number it does not repeat. Between two documents, the one it can
    complete: a form whose pages 1 to n were all read takes no further page, while the next one,
    whose first number read is 2, lacks the page before it (seed 127: an unreadable page 1 in a
    merged PDF had joined the complete form before it)."""
    fits = []
    for g, ps in enumerate(positions):
        if min(ps) - 1 <= pos <= max(ps) + 1:
            nos = {p.identity.page_no for p in groups[g]}
            if page.identity.page_no is None or page.identity.page_no not in nos:
                fits.append(g)
    lacking = [g for g in fits if _lacks_page_at(groups[g], before=pos < min(positions[g]))]
    return (lacking or fits or [None])[0]


def _lacks_page_at(members: list[PageReading], before: bool) -> bool:
    """Does the document lack a page before its first (or after its last) page number read?"""
    nos = [p.identity.page_no for p in members if p.identity.page_no]
    total = _majority([p.identity.page_total for p in members])
    if not nos:
        return True
    return min(nos) > 1 if before else (total is None or max(nos) < total)


def _majority(values: list) -> object:  # noqa: ANN401
    vals = [v for v in values if v]
    return Counter(vals).most_common(1)[0][0] if vals else None


def _document(members: list[PageReading]) -> DocumentReading:
    members = sorted(members, key=lambda p: (p.identity.page_no or 10**6, p.index))
    total = _majority([p.identity.page_total for p in members])
    nos = [p.identity.page_no for p in members if p.identity.page_no]
    counts = Counter(nos)
    doc = DocumentReading(
        unit_name=_majority([p.identity.unit_name for p in members]),
        uscc=_majority([p.identity.uscc for p in members]),
        page_total=total,
        print_time=_majority([p.identity.print_time for p in members]),
        pages=members,
        missing_pages=[n for n in range(1, total + 1) if n not in counts] if total else [],
        repeated_pages=sorted(n for n, c in counts.items() if c > 1),
    )
    if doc.missing_pages:
        doc.problems.append("缺页：第 " + "、".join(map(str, doc.missing_pages)) + " 页")
    if doc.repeated_pages:
        doc.problems.append("重复页：第 " + "、".join(map(str, doc.repeated_pages)) + " 页")
    if not doc.uscc:
        doc.problems.append("统一社会信用代码未能可靠识别")
    if not doc.unit_name:
        doc.problems.append("单位名称未能识别")
    if any(p.identity.page_no is None for p in members):
        doc.problems.append("有页面页码无法识别")
    times = {p.identity.print_time for p in members if p.identity.print_time}
    if len(times) > 1:
        doc.problems.append("各页打印时间不一致（可能混入其他版本的页面）")
    return doc


def _flag_foreign(docs: list[DocumentReading], positions: list[list[int]]) -> None:
    """A short document whose pages sit inside another document's run of pages: a foreign page."""
    for i, ps in enumerate(positions):
        for j, other in enumerate(positions):
            if i != j and len(ps) < len(other) and min(other) < min(ps) and max(ps) < max(other):
                docs[i].problems.append("夹在其他单位扫描件中的页面（外来页）")
                docs[j].problems.append("混入了其他单位的页面")
                break
