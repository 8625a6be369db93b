"""The print alone (ocr.print_ink.ink_copy): seal ink unmixed out of the red channel, print kept."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.print_ink import ink_copy

PAPER = 250.0
PALE_STAR = np.array([0.60, 0.60, 0.92])   # transmittance per channel (B, G, R) of a pale red seal


def _page_with_print_under_a_pale_star() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Multiplicative layers, as ink on paper: a grey printed "0" partly under a filled pale
    star-like disc. Returns (page, the digit's mask, the disc's mask)."""
    h, w = 120, 240
    digit = np.zeros((h, w), np.uint8)
    cv2.putText(digit, "0", (100, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 255, 3)
    disc = np.zeros((h, w), np.uint8)
    cv2.circle(disc, (120, 60), 50, 255, -1)
    trans = np.ones((h, w, 3), np.float32)
    trans[digit > 0] *= 0.68                      # light grey print (the antialiased scan of a thin digit)
    trans[disc > 0] *= PALE_STAR
    return (PAPER * trans).astype(np.uint8), digit > 0, (disc > 0) & (digit == 0)


def test_print_over_a_pale_seal_stays_and_the_seal_goes() -> None:
    """A printed 0 over a pale star: red 156, green 102 (red enough, and brighter than 140 in red,
    for the rule this replaced to erase it); the star alone: 230, 150."""
    page, digit, star_only = _page_with_print_under_a_pale_star()
    under = digit & ~star_only & (cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) < 200)
    ink = ink_copy(page)
    assert float(np.median(ink[star_only])) >= PAPER - 8        # the star is paper now
    assert float(np.median(ink[under])) <= 0.75 * PAPER          # the digit is still ink
    assert float(np.median(ink[digit])) <= 0.75 * PAPER


def test_neutral_print_and_grey_pages_are_the_red_channel() -> None:
    page, _, _ = _page_with_print_under_a_pale_star()
    page[:, :60] = (30, 30, 30)                                 # black print: not touched
    ink = ink_copy(page)
    assert np.array_equal(ink[:, :60], page[:, :60, 2])
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    assert ink_copy(grey) is grey


def test_a_seal_whose_ratio_varies_goes_entirely_and_black_print_under_it_stays() -> None:
    """One seal, two inkings: red transmittance 0.85 on the left half (ratio ~0.16 to green/blue
    at 0.36) and 0.70 on the right (~0.35), as a phone camera's colour processing leaves a stamp.
    Taken out at the median ratio, the right half stayed as a ghost 30 levels below paper; and a
    black digit under the denser half must still be ink."""
    h, w = 120, 240
    disc = np.zeros((h, w), np.uint8)
    cv2.circle(disc, (120, 60), 50, 255, -1)
    digit = np.zeros((h, w), np.uint8)
    cv2.putText(digit, "8", (125, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 255, 3)
    trans = np.ones((h, w, 3), np.float32)
    left, right = disc.copy(), disc.copy()
    left[:, 120:], right[:, :120] = 0, 0
    trans[left > 0] *= np.array([0.36, 0.36, 0.85])
    trans[right > 0] *= np.array([0.36, 0.36, 0.70])
    trans[digit > 0] *= 0.25
    page = (PAPER * trans).astype(np.uint8)
    ink = ink_copy(page)
    seal_only = (disc > 0) & (cv2.dilate(digit, np.ones((5, 5), np.uint8)) == 0)
    assert float(np.percentile(ink[seal_only & (right > 0)], 10)) >= PAPER - 12   # no ghost
    assert float(np.median(ink[seal_only & (left > 0)])) >= PAPER - 8
    assert float(np.median(ink[digit > 0])) <= 0.6 * PAPER                          # the 8 stays


def test_print_under_the_densest_seal_keeps_its_density() -> None:
    """Under a dense seal (green/blue at a tenth of the paper) a grey ruling drives green/blue
    nearly to nothing; their density there is the print's, not more seal. The seal's share taken
    out is at most the seal alone's: the ruling keeps most of its density (it was halved, and
    on a real page the rest broke into a stub read as a 1)."""
    h, w = 120, 240
    disc = np.zeros((h, w), np.uint8)
    cv2.circle(disc, (120, 60), 50, 255, -1)
    pale = disc.copy()
    pale[:, 120:] = 0
    trans = np.ones((h, w, 3), np.float32)
    trans[disc > 0] *= np.array([0.10, 0.10, 0.80])
    trans[pale > 0] *= np.array([1.0, 1.0, 0.75])               # a part where the seal's ratio is higher
    trans[58:62, :] *= 0.5                                       # a ruling through the seal
    page = (PAPER * trans).astype(np.uint8)
    ink = ink_copy(page)
    under = ink[58:62, 140:170]
    assert float(np.median(under)) <= 160                        # print density >= 0.45
    assert float(np.median(ink[30:50, 140:170])) >= PAPER - 8    # the seal alone is paper
