"""Find the document's own seal on a grey page where no ring was seen (ocr.seal_template).

A light impression, or one pressed half off the page's edge, can leave too little of its ring for
the page's own seal test (ocr.seal), which then says `absent`: a false error that sends the unit a
demand to stamp a page it stamped. The document's other pages show the same stamp; learned from
them (ocr.seal_template.learn), it is looked for on that page at every turn and place, also partly
off the page. It counts only where it fits as well as two impressions of one stamp must
(seal_template.SAME_STAMP) and stands out from every other place on the page: print alone (rulings,
lettering) fits a seal's pattern here and there about equally.

Measured on six worlds' grey pages called `absent` whose documents had a learned seal (docs/
acceptance-policy.md): the two real impressions fit 0.33 and 0.38; the 16 pages without a seal
at most 0.27. A find is the seal only when sure (SEARCH_SURE, STANDS_OUT_SURE, measured below).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.seal_template import SAME_STAMP, DocumentSeal, Placement, correlation, patch_at

SHRINK = 4          # the coarse search runs on the page and the seal made this many times smaller
TURN_STEP = 5       # degrees between the turns tried in the coarse search
STANDS_OUT = 1.25   # the best place's coarse fit over the best elsewhere (a seal radius away)
ON_PAGE = 0.3       # least share of the seal's disc on the page to judge the fit by
# A search tries every turn and place, so print's best chance fit runs higher than one alignment's:
# below this, a find is a suspected stamp for a person, not a seal (seven worlds' unstamped grey
# pages: at most 0.27, and 0.32 on seed 283; found light impressions 0.33, 0.38, and 0.50 on 271)
SEARCH_SURE = 0.4
# ... or where the find stands out from every other place on the page this much (its coarse fit
# over the best a seal's radius away): print's chance fits lie all over a page alike, a stamp's
# impression is one place. Ten worlds' grey pages with no ring seen, searched with the stamp
# learned from their documents: the planted unstamped pages stood out 1.07-1.30 (the one found,
# seed 283, fit 0.32 and 1.29); stamped pages found 1.49-2.81, those below SEARCH_SURE 1.49,
# 1.57, 1.73, 2.02 and 2.07 (seeds 281-313), and the test form's light impression 1.76.
STANDS_OUT_SURE = 1.5


def _coarse(grey: np.ndarray, seal: DocumentSeal) -> tuple[float, float, tuple[float, float], float] | None:
    """(fit, turn, centre in page pixels, best fit elsewhere) of the best coarse match."""
    small = cv2.resize(seal.patch, None, fx=1 / SHRINK, fy=1 / SHRINK, interpolation=cv2.INTER_AREA)
    side = small.shape[0]
    page = cv2.resize(grey, None, fx=1 / SHRINK, fy=1 / SHRINK, interpolation=cv2.INTER_AREA).astype(np.float32)
    pad = side // 2  # the seal may hang off the page by half
    paper = float(np.percentile(page, 90))
    page = cv2.copyMakeBorder(page, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=paper)
    page += np.random.default_rng(0).normal(0.0, 0.5, page.shape).astype(np.float32)  # no flat windows
    best: tuple[float, float, tuple[int, int], np.ndarray] | None = None
    for turn in range(0, 360, TURN_STEP):
        m = cv2.getRotationMatrix2D((side / 2, side / 2), turn, 1.0)
        turned = cv2.warpAffine(small, m, (side, side), flags=cv2.INTER_LINEAR, borderValue=255)
        res = cv2.matchTemplate(page, turned, cv2.TM_CCOEFF_NORMED)
        _, top, _, at = cv2.minMaxLoc(res)
        if best is None or top > best[0]:
            best = (float(top), float(turn), at, res)
    if best is None:
        return None
    top, turn, (lx, ly), res = best
    yy, xx = np.mgrid[0:res.shape[0], 0:res.shape[1]]
    elsewhere = res[np.hypot(xx - lx, yy - ly) > side / 2]
    centre = ((lx - pad + side / 2) * SHRINK, (ly - pad + side / 2) * SHRINK)
    return top, turn, centre, float(elsewhere.max()) if elsewhere.size else 0.0


def _masked_fit(grey: np.ndarray, seal: DocumentSeal, centre: tuple[float, float], angle: float) -> float:
    """Correlation of the page's patch at `centre`, turned by `angle`, with the learned seal, over
    the part of the seal's disc that lies on the page."""
    r = seal.radius
    patch = patch_at(grey, centre, r, angle)
    on = patch_at(np.ones_like(grey), centre, r, angle, border=0, flags=cv2.INTER_NEAREST) > 0
    yy, xx = np.mgrid[0:2 * r, 0:2 * r]
    where = on & (np.hypot(xx - r, yy - r) <= r)
    if where.mean() < ON_PAGE:
        return 0.0
    return correlation(patch[where], seal.patch[where])


def sure(place: Placement) -> bool:
    """A find by search that is the stamp, not print's chance fit: as sure as SEARCH_SURE, or
    standing out from the rest of the page by STANDS_OUT_SURE."""
    return place.fit >= SEARCH_SURE or place.stands_out >= STANDS_OUT_SURE


def find(grey: np.ndarray, seal: DocumentSeal) -> Placement | None:
    """The learned seal's placement on `grey` (a page where no ring was seen), or None."""
    coarse = _coarse(grey, seal)
    if coarse is None:
        return None
    top, turn, (cx, cy), elsewhere = coarse
    ratio = top / max(elsewhere, 1e-6)
    if ratio < STANDS_OUT:
        return None
    best = Placement((cx, cy), -turn, 1.0, -1.0)
    for dturn in range(-4, 5):  # a degree and two pixels at a time, round the coarse match
        for dx in range(-6, 7, 2):
            for dy in range(-6, 7, 2):
                fit = _masked_fit(grey, seal, (cx + dx, cy + dy), -(turn + dturn))
                if fit > best.fit:
                    best = Placement((cx + dx, cy + dy), -(turn + dturn), 1.0, fit, ratio)
    return best if best.fit >= SAME_STAMP else None
