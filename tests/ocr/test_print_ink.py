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
