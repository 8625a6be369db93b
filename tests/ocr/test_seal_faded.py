"""Weak but real seal evidence must reach a human ("uncertain"), never a silent "absent".

Real generated pages (synth world: print -> stamp -> scan), no mocks.
"""

from __future__ import annotations

import numpy as np
import pytest

from ocr.seal import ABSENT, PRESENT, UNCERTAIN, detect_seal
from ocr.seal_masks import is_bilevel
from tests.ocr.seal_pages import jpeg, synth_case


@pytest.mark.parametrize("quality", [None, 60, 45])
def test_black_and_white_scan_is_recognised_even_as_jpeg(quality: int | None) -> None:
    image = synth_case(1, "bw", seed=31, seal=False).image
    assert is_bilevel(image if quality is None else jpeg(image, quality))


@pytest.mark.parametrize("profile", ["grey", "clean", "phone", "colour"])
def test_soft_edged_scans_are_not_bilevel(profile: str) -> None:
    assert not is_bilevel(synth_case(1, profile, seed=31, seal=False).image)


def test_blank_sheet_is_not_judged_bilevel() -> None:
    assert not is_bilevel(np.full((1754, 1240), 255, np.uint8))


def test_pale_seal_lost_in_black_and_white_scan_is_not_absent() -> None:
    # A pale seal (strength 0.42) vanishes under the scanner's threshold: the page may be stamped.
    case = synth_case(1, "bw", seed=32, seal_kwargs={"strength": 0.42, "partial": 0.0})
    result = detect_seal(case.image)
    assert result.status == UNCERTAIN, result


def test_lightly_pressed_seal_in_grey_is_not_absent() -> None:
    # Half the ring faded out (partial 0.24, strength 0.40): ring arc, star and text are weak.
    case = synth_case(
        1, "grey", seed=200193, layout="C", dpi=200, seal_kwargs={"strength": 0.405, "partial": 0.236}
    )
    result = detect_seal(case.image)
    assert result.status != ABSENT, result


@pytest.mark.parametrize(
    ("seed", "layout", "decoys", "seal_kwargs"),
    [
        (100097, "B", ("red_text", "red_loop"), None),  # pale star on a table, half the ring pale
        (100013, "C", (), {"strength": 0.42191, "partial": 0.39171}),  # one side pressed lightly
    ],
    ids=["pale-star-on-table", "half-pressed"],
)
def test_faint_seal_on_jpeg_grey_scan_is_not_absent(
    seed: int, layout: str, decoys: tuple[str, ...], seal_kwargs: dict | None
) -> None:
    # Mailed scans are JPEG pages (quality 35-70): the pale star must still count as a star.
    case = synth_case(1, "grey", seed=seed, layout=layout, dpi=200, decoys=decoys, seal_kwargs=seal_kwargs)
    result = detect_seal(jpeg(case.image, 45))
    assert result.status != ABSENT, result


@pytest.mark.parametrize("profile", ["colour", "grey"])
def test_seal_on_a_washed_out_scan_is_found(profile: str) -> None:
    # Over-exposed scans keep print and seal in the top grey levels only (here 230-255).
    case = synth_case(1, profile, seed=33)
    washed = (230 + case.image.astype(np.float32) * (25 / 255)).astype(np.uint8)
    assert detect_seal(case.image).status == PRESENT
    assert detect_seal(washed).status == PRESENT
    blank = (230 + synth_case(1, profile, seed=33, seal=False).image.astype(np.float32) * (25 / 255)).astype(np.uint8)
    assert detect_seal(blank).status != PRESENT
