"""Finding the sheet in a phone photo: its four corners, also when one corner lies in shadow."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.normalise import find_page_quad, quad_from_sides

CORNERS = np.array([[210, 330], [1550, 310], [1440, 2110], [200, 2270]], np.float32)  # tl tr br bl


def _photo(shadow_corner: bool) -> np.ndarray:
    img = np.full((2339, 1654, 3), (70, 95, 120), np.uint8)  # a brown desk
    cv2.fillPoly(img, [CORNERS.astype(np.int32)], (225, 232, 236))
    for y in range(400, 2200, 45):  # some print, so the sheet is not a flat blob
        cv2.line(img, (300, y), (1350, y - 12), (40, 40, 40), 2)
    if shadow_corner:  # a hand's shadow over the top-left corner: darker than the desk's threshold
        yy, xx = np.mgrid[0:img.shape[0], 0:img.shape[1]]
        shade = np.exp(-(((xx - 200) / 330.0) ** 2 + ((yy - 560) / 520.0) ** 2))
        img = (img * (1 - 0.75 * shade)[:, :, None]).astype(np.uint8)
    return img


def test_sheet_corners_are_found_on_an_evenly_lit_photo() -> None:
    quad = find_page_quad(_photo(False))
    assert quad is not None and np.abs(quad - CORNERS).max() < 12


def test_a_corner_in_shadow_is_rebuilt_from_the_sheets_four_sides() -> None:
    quad = find_page_quad(_photo(True))
    assert quad is not None, "the shadow cut a side into two: the outline has five corners"
    assert np.abs(quad - CORNERS).max() < 15


def test_a_flat_scan_has_no_sheet_to_find() -> None:
    scan = np.full((2339, 1654, 3), 235, np.uint8)
    cv2.putText(scan, "2024", (400, 400), cv2.FONT_HERSHEY_SIMPLEX, 4, (20, 20, 20), 6)
    assert find_page_quad(scan) is None


def test_a_long_cut_is_left_out_rather_than_a_short_side_of_the_sheet() -> None:
    # outline of a seed-59 phone photo (900 px frame): the shadow's cut across the bottom-left
    # corner (341 px) is longer than what is left of the bottom side (338 px)
    outline = np.array([[21, 86], [583, 109], [595, 871], [257, 877], [31, 622]])
    quad = quad_from_sides(outline)
    assert quad is not None
    expected = np.array([[21, 86], [583, 109], [595, 871], [37, 881]], np.float32)
    assert np.abs(quad[np.argsort(quad.sum(axis=1))] - expected[np.argsort(expected.sum(axis=1))]).max() < 6
