"""Perspective a page still shows after flattening, corrected from its table's rulings."""

from __future__ import annotations

import cv2
import numpy as np

from ocr import normalise, rulings

W, H = 1654, 2339


def _form() -> np.ndarray:
    """A white page with a ruled table and some print in its cells."""
    page = np.full((H, W, 3), 246, np.uint8)
    top, bottom, xs = 300, 2150, (150, 330, 1050, 1250, 1500)
    for y in range(top, bottom + 1, 50):
        cv2.line(page, (xs[0], y), (xs[-1], y), (30, 30, 30), 2)
    for x in xs:
        cv2.line(page, (x, top), (x, bottom), (30, 30, 30), 2)
    for k, y in enumerate(range(top + 35, bottom, 50)):
        cv2.putText(page, f"P{k:02d}", (170, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20), 2)
        cv2.putText(page, str(37 * k), (1300, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20), 2)
    cv2.putText(page, "2024", (700, 200), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (20, 20, 20), 5)
    return page


def _keystone(img: np.ndarray, dst: list[list[float]], size: tuple[int, int], fill: tuple[int, int, int]
              ) -> np.ndarray:
    src = np.array([[0, 0], [W, 0], [W, H], [0, H]], np.float32)
    m = cv2.getPerspectiveTransform(src, np.array(dst, np.float32))
    return cv2.warpPerspective(img, m, size, flags=cv2.INTER_CUBIC, borderValue=fill)


def _ruling_angles(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Angles (degrees) of the long near-horizontal and near-vertical segments: off 0 and off 90."""
    horizontal, vertical = rulings.ruling_segments(img)
    def angles(segs: np.ndarray) -> np.ndarray:
        return np.degrees(np.arctan2(segs[:, 3] - segs[:, 1], segs[:, 2] - segs[:, 0])) % 180
    a, b = angles(horizontal), angles(vertical)
    return np.minimum(a, 180 - a), np.abs(b - 90)


def test_a_page_still_in_perspective_gets_level_rows_and_upright_columns() -> None:
    # the table's columns fan out toward the bottom, as after a photo flattened from a wrong outline
    page = _keystone(_form(), [[60, 40], [1600, 0], [1654, 2339], [0, 2300]], (W, H), (246, 246, 246))
    rows, columns = _ruling_angles(page)
    assert max(rows.max(), columns.max()) > 1.0, "the test page must start out of true"
    fix = rulings.rectifying_homography(page)
    assert fix is not None
    flat = cv2.warpPerspective(page, fix[0], fix[1], flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))
    rows, columns = _ruling_angles(flat)
    assert len(rows) >= 10 and len(columns) >= 4
    assert rows.max() < 0.3 and columns.max() < 0.3


def test_the_whole_page_stays_in_the_picture() -> None:
    page = _keystone(_form(), [[60, 40], [1600, 0], [1654, 2339], [0, 2300]], (W, H), (246, 246, 246))
    fix = rulings.rectifying_homography(page)
    assert fix is not None
    m, (w, h) = fix
    corners = cv2.perspectiveTransform(np.array([[[0, 0], [W, 0], [W, H], [0, H]]], np.float32), m)[0]
    assert (corners >= -1).all() and (corners[:, 0] <= w + 1).all() and (corners[:, 1] <= h + 1).all()


def test_a_flat_scan_is_left_alone() -> None:
    assert rulings.rectifying_homography(_form()) is None


def test_a_slightly_rotated_scan_is_left_to_deskew() -> None:
    m = cv2.getRotationMatrix2D((W / 2, H / 2), 0.3, 1.0)
    scan = cv2.warpAffine(_form(), m, (W, H), borderValue=(246, 246, 246))
    assert rulings.rectifying_homography(scan) is None


def test_a_page_without_a_table_is_left_alone() -> None:
    page = np.full((H, W, 3), 246, np.uint8)
    for k in range(30):
        cv2.putText(page, "science 2024", (200, 300 + 60 * k), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 2)
    page = _keystone(page, [[60, 40], [1600, 0], [1654, 2339], [0, 2300]], (W, H), (246, 246, 246))
    assert rulings.rectifying_homography(page) is None


def test_a_sheet_running_out_of_the_frame_is_flattened_by_its_rulings() -> None:
    # no outline to find: the sheet fills the photo and runs past its right edge (a desk as light
    # as the page, so that only the table's rulings are measured afterwards)
    photo = _keystone(_form(), [[40, 60], [1700, 20], [1760, 2330], [0, 2290]], (W, H), (246, 246, 246))
    assert normalise.find_page_quad(photo) is None
    rows, columns = _ruling_angles(normalise.flatten(photo))
    assert rows.max() < 0.3 and columns.max() < 0.3


def test_a_photo_flattened_right_by_its_outline_is_not_warped_again() -> None:
    photo = np.full((H + 200, W + 200, 3), (70, 95, 120), np.uint8)
    sheet = _keystone(_form(), [[150, 130], [1700, 110], [1760, 2420], [120, 2480]], (W + 200, H + 200), (0, 0, 0))
    paper = _keystone(np.full((H, W, 3), 255, np.uint8), [[150, 130], [1700, 110], [1760, 2420], [120, 2480]],
                      (W + 200, H + 200), (0, 0, 0))
    photo = np.where(paper > 0, sheet, photo)
    quad = normalise.find_page_quad(photo)
    assert quad is not None
    assert np.array_equal(normalise.flatten(photo), normalise.warp(photo, *normalise.quad_homography(quad)))


def test_a_shadow_that_cuts_the_paper_mask_diagonally_does_not_lose_the_page() -> None:
    """A sheet on a desk, running out of the frame at the bottom, its lower right half in shadow as
    dark as the desk: the paper mask is a wedge whose four "corners" are no sheet (one side 312 px
    against 2,306), and warping it as one left a blank page. The rulings flatten it instead."""
    size = (W + 200, H + 100)
    corners = [[150, 130], [1700, 200], [1760, 2520], [120, 2560]]
    sheet = _keystone(_form(), corners, size, (0, 0, 0))
    paper = _keystone(np.full((H, W, 3), 255, np.uint8), corners, size, (0, 0, 0))
    photo = np.where(paper > 0, sheet, np.full_like(sheet, (150, 170, 180)))
    yy, xx = np.mgrid[0:size[1], 0:size[0]]
    shade = np.clip((xx / size[0] + yy / size[1] - 1.0) * 1.6, 0, 0.35)
    photo = (photo * (1 - shade)[:, :, None]).astype(np.uint8)
    horizontal, vertical = rulings.ruling_segments(normalise.flatten(photo))
    long_rows = np.hypot(horizontal[:, 2] - horizontal[:, 0], horizontal[:, 3] - horizontal[:, 1]) >= 1000
    assert long_rows.sum() >= 38 and len(vertical) >= 5   # the table's 38 row rulings and 5 columns


def test_a_table_in_the_shadowed_edge_of_a_phone_photo_is_read() -> None:
    """A generated phone photo (seed 37, 150 dpi) whose right edge lies in shadow: the paper mask
    cut the sheet diagonally, and painting "the desk" white erased the lower figures (16 of 26
    read as nothing). Inside the table's rulings it is the sheet."""
    from pathlib import Path

    from ocr.page import read_page
    from ocr.sources import PageSource
    from registry.template import default_template
    img = cv2.imread(str(Path(__file__).parent / "photos" / "shadowed-right-edge.jpg"))
    page = read_page(PageSource(2, img, "image-file"), default_template())
    printed = {"M06": "-", "M07": "-", "M08": "-", "M09": "-", "M10": "-", "M11": "-", "M12": "-",
               "M13": "0", "M14": "-", "M15": "-", "A01": "0", "A02": "0", "A03": "-", "A04": "-",
               "A05": "-", "A06": "0", "A07": "-", "A08": "0", "A09": "-", "A10": "-", "A11": "-",
               "A12": "-", "A13": "-", "A14": "-", "A15": "-", "A16": "-"}
    read = {c: f.text for c, f in page.figures.items() if f.confidence >= 0.5}
    wrong = {c: read[c] for c in printed if c in read and read[c] != printed[c]}
    assert wrong == {}
    assert sum(read.get(c) == t for c, t in printed.items()) >= 25   # M06 lies under the seal's star
    assert page.identity.print_time is not None


def test_a_table_ruled_across_only_ends_where_its_rows_end() -> None:
    page = np.full((H, W), 246, np.uint8)
    for y in range(300, 2150, 50):
        cv2.line(page, (150, y), (1500, y), 30, 2)        # row rulings only, no upright line
    edges = rulings.upright_rulings(page)
    assert len(edges) == 2
    (lx0, _, lx1, _), (rx0, _, rx1, _) = edges
    assert abs(lx0 - 150) < 6 and abs(lx1 - 150) < 6 and abs(rx0 - 1500) < 6 and abs(rx1 - 1500) < 6
    ruled = _form()
    xs = sorted(round((a + b) / 2) for a, _, b, _ in rulings.upright_rulings(cv2.cvtColor(ruled, cv2.COLOR_BGR2GRAY)))
    assert all(any(abs(x - c) < 6 for x in xs) for c in (150, 330, 1050, 1250, 1500))
