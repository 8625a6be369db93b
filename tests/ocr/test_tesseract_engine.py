"""The second opinion runs Tesseract in process; it reads what the command-line program reads."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.engines import tess


def _digits(text: str, height: int = 40) -> np.ndarray:
    img = np.full((height, 30 * len(text) + 20), 255, np.uint8)
    cv2.putText(img, text, (8, int(height * 0.8)), cv2.FONT_HERSHEY_SIMPLEX, height / 40, 0, 2)
    return img


def test_in_process_tesseract_is_used_and_agrees_with_the_program() -> None:
    assert tess._api() is not None, "tesserocr and Tesseract's model folder must be found"
    for text in ("1234", "56.7", "908"):
        crop = _digits(text)
        got, conf = tess.read_digits(crop)
        cli = "".join(t for t, _ in tess._cli_words(tess._prepare(crop)))
        assert got == text == cli
        assert 0.5 < conf <= 1.0


def test_a_blank_cell_is_silence() -> None:
    assert tess.read_digits(np.full((30, 80), 255, np.uint8)) == ("", 0.0)


@pytest.mark.parametrize("height", [14, 22])
def test_small_cells_are_upscaled_before_reading(height: int) -> None:
    assert tess._prepare(_digits("12", height)).shape[0] == 40 + 20
