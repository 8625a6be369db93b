"""OpenVINO runs RapidOCR's detector and orientation classifier with onnxruntime's numbers
(ocr.engines.openvino_run), on a real scanned page: the detector's map, and the classifier's
output on the page's own lines."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest

from ocr.engines import openvino_run, rapid

PAGE = Path(__file__).parent / "photos" / "first-name-stroke-on-the-signing-line.jpg"

pytestmark = pytest.mark.skipif(not openvino_run.wanted(), reason="the reader runs on onnxruntime here")


def _ort(path: str) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def _both(model: object, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    session = model.session
    assert isinstance(session, openvino_run.Session)
    ref = _ort(session.model_path)
    return session(x), ref.run(None, {ref.get_inputs()[0].name: x})[0]


def test_the_detector_map_is_onnxruntimes() -> None:
    det = rapid.get_engine()._load_det_model()
    page = cv2.imread(str(PAGE))
    h, w = page.shape[:2]
    s = rapid.page_scale(h, w)
    x = det.get_preprocess()(cv2.resize(page, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA))
    ov_map, ort_map = _both(det, x)
    assert ov_map.shape == ort_map.shape and float(np.abs(ov_map - ort_map).max()) < 1e-3


def test_the_orientation_classifier_is_onnxruntimes() -> None:
    cls = rapid.get_engine()._load_cls_model()
    page = cv2.imread(str(PAGE))
    quads = rapid.detect(page)
    assert len(quads) > 20
    for q in quads[:: max(1, len(quads) // 20)]:
        x = cls.resize_norm_img(rapid.crop(page, q))[None].astype(np.float32)
        ov_out, ort_out = _both(cls, x)
        assert float(np.abs(ov_out - ort_out).max()) < 1e-3


def test_onnxruntime_when_asked(monkeypatch) -> None:
    monkeypatch.setenv("KPTJ_OCR_RUNTIME", "onnxruntime")
    assert not openvino_run.wanted()
    assert rapid.runtime_id().startswith("onnxruntime")


def test_a_pool_worker_does_not_pin_its_inference_thread() -> None:
    """Each pool or Celery worker is its own process with one inference thread; pinned, every
    worker's thread went to the same first core and the other cores idled."""
    session = openvino_run.Session(rapid.get_engine()._load_det_model().session.model_path, threads=1)
    compiled = session.request.get_compiled_model()
    assert compiled.get_property("ENABLE_CPU_PINNING") is False
    assert compiled.get_property("INFERENCE_NUM_THREADS") == 1
