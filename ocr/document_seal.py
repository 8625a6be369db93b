"""A second read of a grey scan's pages with the document's own seal taken out (ocr.seal_template).

Pages are read one by one (in parallel, or on other machines); only once they are grouped into a
document are its seal impressions side by side. Then, for each page whose figures under the seal
were not read plainly, the page is read again with the learned seal made paper, and those figures
take the second reading where it is surer. A figure read that way is tagged SEAL_TAKEN_OUT_TAG:
taking the seal out can also take a stroke of print that was no darker than the seal (a printed
"8943" read "6943" on seed 53), so such a reading confirms the record and never claims a
difference (`clean` False; ocr.decide.evidence weighs another figure read there as a guess).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import cv2

from ocr import seal_search, seal_template
from ocr.cell_figure import MERGED_INK_TAG, SEAL_TAKEN_OUT_TAG
from ocr.confidence import DASH_DIFFERS_MIN, MATCH_MIN, SEAL_FREE_MIN, UNDER_SEAL_ALONE
from ocr.decide import DISCOUNTED_MARK_TAGS, read_as_dash
from ocr.model import DOUBT_SEAL_OUT, DocumentReading, FigureReading, OcrLine, PageReading

UNDER_SEAL_REACH = 1.05  # seal radii from its centre: a figure's box reaching this near is under the seal
# An incomplete ring below this share of the document's own seal's radius is not that seal. Nine
# worlds' grey pages left `uncertain` measured 0.75 and 1.7 of it on stamped pages (a fit to the
# lettering's arc, and a fit across the ring and print) and 0.47 on the one unstamped page.
SMALLER_THAN_STAMP = 0.6

# (page image path, the learned seal, the page's key in it, the page's first lines and table) -> the page
# read again (ocr.seal_reread), or None when its seal could not be taken out (as dark as its print)
Job = tuple[str, seal_template.DocumentSeal, int, list[OcrLine], dict | None]
Reread = Callable[[list[Job]], list[PageReading | None]]


def plainly_read(fig: FigureReading) -> bool:
    """A reading the policy can take as it is: a number or a dash, clean, sure enough, and not
    contradicted or discounted by the reader itself. A dash must be sure enough to stand against
    a number online (DASH_DIFFERS_MIN): a printed "0" under the seal's ring was taken for a dash at
    0.65 (seed 53), which blocks its document when the record says 0."""
    dash = read_as_dash(fig)
    tags = (*DISCOUNTED_MARK_TAGS, MERGED_INK_TAG, SEAL_TAKEN_OUT_TAG)
    sure = DASH_DIFFERS_MIN if dash else MATCH_MIN
    return ((fig.value is not None or dash) and fig.clean and fig.confidence >= sure
            and fig.agreed is not False and not any(t in fig.engine for t in tags))


def _seal_disc(page: PageReading) -> tuple[float, float, float] | None:
    """(centre x, centre y, radius) of the page's seal box, None without one."""
    box = page.seal.box if page.seal is not None else None
    if box is None:
        return None
    x, y, w, h = box
    return x + w / 2, y + h / 2, max(w, h) / 2


def _grey_sealed(page: PageReading) -> bool:
    s = page.seal
    return (s is not None and s.box is not None and s.status != "absent" and s.method == "grey"
            and page.image_path is not None and page.method == "ocr")


def alone_under_seal(fig: FigureReading, page: PageReading) -> bool:
    """A number under a grey page's seal read plainly by one engine, with no second engine agreeing:
    the seal's strokes can change a digit there ("0.10" for a printed 0.11 at 0.998, a stroke of
    the lettering across the last 1; seed 239). As on a colour scan (UNDER_SEAL_ALONE), it may
    confirm the record but claims a difference only when the view without the seal reads it alike."""
    return fig.value is not None and fig.agreed is not True and plainly_read(fig) and _seal_reaches(fig, page)


def _seal_reaches(fig: FigureReading, page: PageReading) -> bool:
    """The seal's disc reaches into the figure's box, not only over its centre: the ring across a
    figure's first digit hides it (seed 257: a printed 7680 read "680" at 0.9998, its centre 1.08
    radii from the seal's), and the lettering just before a figure is read into it (seed 347: a
    printed 0 read "20" in its cell, the "化" of the lettering before it; read "0" once the seal
    was taken out)."""
    disc = _seal_disc(page)
    if fig.box is None or disc is None:
        return False
    cx, cy, radius = disc
    nx, ny = min(max(cx, fig.box[0]), fig.box[2]), min(max(cy, fig.box[1]), fig.box[3])
    return math.hypot(nx - cx, ny - cy) <= UNDER_SEAL_REACH * radius


def cap_alone_under_seal(doc: DocumentReading) -> int:
    """Caps every grey page's figures read alone under its seal at UNDER_SEAL_ALONE; returns how many."""
    capped = 0
    for p in doc.pages:
        if not _grey_sealed(p):
            continue
        for f in p.figures.values():
            if alone_under_seal(f, p) and f.confidence > UNDER_SEAL_ALONE:
                f.confidence = UNDER_SEAL_ALONE
                capped += 1
    return capped


def pages_to_reread(doc: DocumentReading) -> list[int]:
    """Indexes of the document's grey-scan pages with a figure under the seal not read plainly, or
    read by one engine alone where the seal reaches into it (as capped: its view without the seal
    is the one look that can still claim a difference)."""
    return [i for i, p in enumerate(doc.pages) if _grey_sealed(p)
            and any((_seal_reaches(f, p) and not plainly_read(f)) or alone_under_seal(f, p) for f in p.figures.values())]


def learn(doc: DocumentReading) -> seal_template.DocumentSeal | None:
    stamps = {}
    for i, p in enumerate(doc.pages):
        if _grey_sealed(p):
            grey = cv2.imread(str(p.image_path), cv2.IMREAD_GRAYSCALE)
            if grey is not None:
                stamps[i] = (grey, p.seal.box, float(p.seal.score))
    return seal_template.learn(stamps)


def merge(page: PageReading, again: PageReading) -> list[str]:
    """Figures under the seal not read plainly take the second reading when it is surer (never
    clean); a weaker second reading of a figure is kept as its `seal_free` view. Returns the codes
    that changed."""
    changed = []
    for code, fig in list(page.figures.items()):
        new = again.figures.get(code)
        if new is None:
            continue
        if alone_under_seal(fig, page):  # the second look ocr.decide.seal_free_confirms asks for
            if fig.seal_free is None and new.value is not None and new.confidence >= SEAL_FREE_MIN:
                fig.seal_free = new.value
                changed.append(code)
            continue
        if plainly_read(fig) or not _seal_reaches(fig, page):
            continue
        dash = read_as_dash(new)
        if new.value is None and not dash:
            continue
        if new.confidence > fig.confidence:
            page.figures[code] = replace(new, engine=new.engine + SEAL_TAKEN_OUT_TAG, doubts=(*new.doubts, DOUBT_SEAL_OUT),
                                         crop_path=fig.crop_path, found_by=fig.found_by)
            changed.append(code)
        elif fig.seal_free is None and new.confidence >= SEAL_FREE_MIN:
            fig.seal_free = "-" if dash else new.value
            changed.append(code)
    return changed


def _grey_seal_unproven(page: PageReading) -> bool:
    """A grey page where no ring was seen, or only an incomplete one (not a black-and-white scan's
    page, which has no ring box: its seal may have gone with the colour)."""
    s = page.seal
    return (s is not None and s.method == "grey" and page.image_path is not None and page.method == "ocr"
            and (s.status == "absent" or (s.status == "uncertain" and s.box is not None)))


Learned = dict[int, "seal_template.DocumentSeal | None"]  # by the document's place in its list


def find_faint_stamps(docs: list[DocumentReading], learned: Learned | None = None) -> int:
    """Grey pages with no ring or an incomplete one, checked against the seal learned from the
    document's pages: an incomplete ring that aligned with a clear seal in learning is that stamp,
    a page with no ring is searched for it (ocr.seal_search). Such a page is `uncertain` and names
    the page whose stamp it is (matching.evaluate lists it as info); an incomplete ring far smaller
    than the stamp, where the stamp is not found, is no seal (`_not_this_seal`). Returns how many
    pages changed.
    `learned` keeps each seal learned here for reread_under_seal, unless a page of its document
    changed here (its new ring then takes part in learning the seal again)."""
    found = 0
    for k, doc in enumerate(docs):
        pages = [i for i, p in enumerate(doc.pages) if _grey_seal_unproven(p)]
        if not pages:
            continue
        seal = learn(doc)
        if learned is not None:
            learned[k] = seal
        if seal is None:
            continue
        ref = seal.reference
        if doc.pages[ref].seal.status != "present":
            continue  # nothing clear to compare with
        ref_no = doc.pages[ref].identity.page_no or ref + 1
        for i in (i for i in pages if i != ref):
            place = seal.placements.get(i)
            by_search = place is None
            if by_search:
                grey = cv2.imread(str(doc.pages[i].image_path), cv2.IMREAD_GRAYSCALE)
                place = seal_search.find(grey, seal) if grey is not None else None
            if place is None:
                found += _not_this_seal(doc.pages[i], doc.pages[ref], seal, ref_no)
                continue
            r = seal.radius / seal_template.RING_MARGIN
            x, y = place.centre
            box = (int(x - r), int(y - r), int(2 * r), int(2 * r))
            searched = by_search and not seal_search.sure(place)   # suspected only
            if searched:
                reason = (f"未见印章环线，按未盖章处理；页面上疑似有与本文件第 {ref_no} 页相同的很浅的印章印迹"
                          f"（图样相关度 {place.fit:.2f}，与印刷内容难以区分），请人工核对")
            else:
                apart = f"，明显高于页面其他位置（{place.stands_out:.1f} 倍）" if by_search else ""
                reason = (f"未见完整的印章环线，但页面上有与本文件第 {ref_no} 页相同的印章印迹"
                          f"（图样相关度 {place.fit:.2f}{apart}），印章较浅或部分盖在页面以外，视为同一枚公章")
            doc.pages[i].seal = replace(doc.pages[i].seal, status="uncertain", score=round(place.fit, 3), box=box,
                                        reason=reason, same_stamp_as=ref_no, searched=searched)
            found += 1
            if learned is not None:
                learned.pop(k, None)
    return found


def _ring_radius(page: PageReading) -> float | None:
    box = page.seal.box if page.seal is not None else None
    return max(box[2], box[3]) / 2 if box is not None else None


def _not_this_seal(page: PageReading, ref: PageReading, seal: seal_template.DocumentSeal, ref_no: int) -> int:
    """An incomplete ring far smaller than the document's own seal, on a page where that seal was
    searched for and not found, is print or handwriting that happens to curve, not the stamp: a
    stamp's ring, even partly pressed, fits at the stamp's size (impressions agree within
    seal_template.RADIUS_AGREE), and the largest inner arc of a seal (its lettering) fits at about
    0.75 of it. The page is `absent` (an error) instead of `uncertain` (a warning). Returns 1 when
    the page changed."""
    radius = _ring_radius(page)
    if page.seal is None or page.seal.status != "uncertain" or radius is None:
        return 0
    # the stamp's ring on this page, from the clearest impression, scaled by the pages' sizes
    scale = min(page.size) / min(ref.size) if min(page.size) > 0 and min(ref.size) > 0 else 1.0
    stamp = seal.radius / seal_template.RING_MARGIN * scale
    if radius >= SMALLER_THAN_STAMP * stamp:
        return 0
    reason = (f"页面上只有不完整的弧形笔画（半径约 {radius:.0f} 像素），远小于本文件第 {ref_no} 页的公章"
              f"（半径约 {stamp:.0f} 像素），且在页面上未找到该公章的印迹：该页未盖章")
    page.seal = replace(page.seal, status="absent", reason=reason)
    return 1


def reread_under_seal(docs: list[DocumentReading], reread: Reread, learned: Learned | None = None) -> int:
    """Second reads for every document that needs one (with the seal `learned` by
    find_faint_stamps where it kept one); returns how many figures changed."""
    jobs: list[tuple[PageReading, Job]] = []
    for k, doc in enumerate(docs):
        cap_alone_under_seal(doc)
        wanted = pages_to_reread(doc)
        if not wanted:
            continue
        seal = learned[k] if learned is not None and k in learned else learn(doc)
        if seal is None:
            continue
        jobs += [(doc.pages[i], (str(doc.pages[i].image_path), seal, i, doc.pages[i].lines, doc.pages[i].table))
                 for i in wanted if i in seal.placements]
    if not jobs:
        return 0
    changed = 0
    for (page, _), again in zip(jobs, reread([j for _, j in jobs]), strict=True):
        if again is not None:
            changed += len(merge(page, again))
            page.cpu_seconds = round(page.cpu_seconds + again.cpu_seconds, 3)
            page.stage_cpu["seal_taken_out"] = again.cpu_seconds
    return changed

