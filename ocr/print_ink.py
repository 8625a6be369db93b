"""The print alone: a grey image of the page with the red seal's ink taken out, by colour unmixing.

Ink on paper absorbs light (Beer-Lambert): in optical density OD = ln(paper / pixel) per channel,
layers add. Black print absorbs all channels alike; seal ink absorbs green and blue strongly and
red weakly, in a ratio RHO = OD_red / OD_green that is the ink's own and is learned from each page's
clearly red pixels. Where a pixel holds both, the print's density is what is left after the
seal's share is taken out of the red channel:

    print = (OD_red - RHO * OD_green) / (1 - RHO)

A printed "0" over a pale star (red 157, green 80 on paper 250) keeps density 0.3 and stays; the
star around it (228, 150) goes to the paper. The rule it replaces (a pixel red enough and brighter
than 140 in red is seal) erased such print over pale seal ink, and kept dense seal cores (red below
140) as ink. Neutral pixels (black print, rulings, grey scans) are the red channel unchanged.
"""

from __future__ import annotations

import cv2
import numpy as np

SEAL_REDNESS = 50     # red minus the stronger of green/blue: clearly seal ink, where RHO is learned
REDDISH = 20          # pixels at least this red may hold seal ink and are unmixed; others are kept
SEAL_MIN_PIXELS = 200  # fewer clearly red pixels than this: no seal on the page to learn from
RHO_MAX = 0.5         # red seal inks measured 0.04-0.25; a page whose "red" is brown or orange
                      # (a warm phone photo) must not divide by a vanishing 1 - RHO
GREEN_MIN_OD = 0.2    # RHO is learned where the seal is dense enough for a stable ratio


def paper_level(grey: np.ndarray) -> np.ndarray:
    """Local paper brightness: a max filter on a coarse copy removes print, keeps lighting."""
    h, w = grey.shape[:2]
    small = cv2.resize(grey, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    small = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7)))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def ink_copy(bgr: np.ndarray) -> np.ndarray:
    """Grey image for judging and re-reading ink under a seal: the red channel, with the seal's
    ink unmixed out of every reddish pixel (set to the paper's own brightness where nothing else
    is there: on a dim phone photo pure white would make the paper around look like ink)."""
    if bgr.ndim != 3:
        return bgr
    out = bgr[:, :, 2].copy()
    b, g, r = (bgr[:, :, i].astype(np.int16) for i in range(3))
    redness = r - np.maximum(g, b)
    seal = redness > SEAL_REDNESS
    if int(seal.sum()) < SEAL_MIN_PIXELS:
        return out
    ys, xs = np.nonzero(redness > REDDISH)
    paper_r = paper_level(out).astype(np.float32)
    green_over_red = _paper_tint(bgr, redness)
    red = bgr[ys, xs, 2].astype(np.float32)
    other = np.minimum(bgr[ys, xs, 0], bgr[ys, xs, 1]).astype(np.float32)  # the seal's darker channel
    pr = paper_r[ys, xs]
    od_red = np.maximum(np.log(pr / np.maximum(red, 1.0)), 0.0)
    od_other = np.maximum(np.log(pr * green_over_red / np.maximum(other, 1.0)), 0.0)
    rho = _seal_rho(od_red, od_other, seal[ys, xs])
    density = np.maximum((od_red - rho * od_other) / (1.0 - rho), 0.0)
    out[ys, xs] = np.clip(pr * np.exp(-density), 0, 255).astype(np.uint8)
    return out


def _paper_tint(bgr: np.ndarray, redness: np.ndarray) -> float:
    """The paper's darker-of-green/blue level relative to its red (a warm photo's paper is not
    white): measured on bright, neutral pixels."""
    sample = (slice(None, None, 4), slice(None, None, 4))
    r = bgr[sample][:, :, 2].astype(np.float32)
    other = np.minimum(bgr[sample][:, :, 0], bgr[sample][:, :, 1]).astype(np.float32)
    paper = (redness[sample] < REDDISH) & (r >= np.percentile(r, 75))
    if not paper.any():
        return 1.0
    return float(np.median(other[paper]) / max(1.0, float(np.median(r[paper]))))


def _seal_rho(od_red: np.ndarray, od_other: np.ndarray, clearly_seal: np.ndarray) -> float:
    dense = clearly_seal & (od_other >= GREEN_MIN_OD)
    if not dense.any():
        return 0.0
    # the median: the ratio varies within one seal (0.15-0.34 from quartile to 90th percentile on a
    # phone photo, where the median leaves a ghost of the seal's text); the 90th percentile took that
    # ghost out but erased print under seals in three worlds: a "7" became a "-" (a false
    # difference), a "0" a dash, a "5" nothing
    return float(np.clip(np.median(od_red[dense] / od_other[dense]), 0.0, RHO_MAX))
