"""Thin wrapper around RapidOCR 3 (PP-OCR ONNX models shipped in the wheel, offline).

Uses its three stages separately (detect / orientation-classify / recognise) so that the page
reader can upright the page between detection and recognition and recognise only what it needs.
One engine per process (`get_engine`), loaded lazily.
"""

from __future__ import annotations

import os
from functools import cache

import cv2
import numpy as np

NAME = "rapidocr"
DET_MAX_SIDE = 1408  # detection resolution: A4 text lines stay > 10 px high
REC_BATCH = 16       # crops of one padded width read in one call: the same input as one at a time,
                     # the same output (1,879 crops of 8 forms), 8 % less CPU than one per call
DET_MIN_SIDE = 736   # RapidOCR's detector brings an image's shorter side up to this


def version() -> str:
    from rapidocr import _version
    return _version.version


def engine_id() -> str:
    return f"{NAME} {version()}"


def runtime_id() -> str:
    """What runs the detector and classifier (printed by the benchmarks)."""
    from ocr.engines import openvino_run
    return f"openvino {openvino_run.version()}" if openvino_run.wanted() else f"onnxruntime {_ort_version()}"


def _ort_version() -> str:
    import onnxruntime
    return onnxruntime.__version__


@cache
def get_engine():  # noqa: ANN201 - RapidOCR has no public type for the instance
    from rapidocr import RapidOCR

    from ocr.engines import openvino_run
    threads = int(os.environ.get("KPTJ_OCR_THREADS", "0")) or -1
    engine = RapidOCR(params={
        "Global.log_level": "error",
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1 if threads > 0 else -1,
        # the recogniser pads every crop to at least 320 px wide by default; most of our lines are
        # short (codes, units, figures), so a 96 px minimum nearly halves recognition time
        "Rec.rec_img_shape": [3, 48, 96],
        # a batch pads every crop to its widest, and a weak crop then read differently with other
        # neighbours ("0" at 0.47 or nothing): `recognise` batches only crops of one padded width
        "Rec.rec_batch_num": REC_BATCH,
    })
    if openvino_run.wanted():
        openvino_run.swap_sessions(engine, threads)
    return engine


def page_scale(h: int, w: int) -> float:
    """The factor a page of this size is detected at."""
    return min(1.0, DET_MAX_SIDE / max(h, w))


def detect(img: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Text-line quadrilaterals (N×4×2 float32, image coordinates) of a BGR page; with `scale`, of a
    part of a page, detected at that scale (its page's, page_scale, or larger)."""
    if scale is not None:
        return _detect_part(img, scale)
    eng = get_engine()
    h, w = img.shape[:2]
    scale = page_scale(h, w)
    small = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else img
    res = eng._load_det_model()(small)
    if res.boxes is None or len(res.boxes) == 0:
        return np.zeros((0, 4, 2), np.float32)
    return (np.asarray(res.boxes, np.float32) / scale).astype(np.float32)


def _detect_part(img: np.ndarray, scale: float) -> np.ndarray:
    """RapidOCR's detector enlarges an image whose shorter side is under DET_MIN_SIDE (a band of a
    page seen three times larger finds other lines); here the part is brought to `scale` only and
    padded with paper to the network's multiple of 32."""
    det = get_engine()._load_det_model()
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    ph, pw = -(-small.shape[0] // 32) * 32, -(-small.shape[1] // 32) * 32
    padded = cv2.copyMakeBorder(small, 0, ph - small.shape[0], 0, pw - small.shape[1], cv2.BORDER_CONSTANT,
                                value=(255, 255, 255))
    pre = det.get_preprocess()
    boxes, _ = det.postprocess_op(det.session(np.expand_dims(pre.permute(pre.normalize(padded)), 0).astype(np.float32)),
                                  padded.shape[:2])
    if boxes is None or len(boxes) == 0:
        return np.zeros((0, 4, 2), np.float32)
    return (np.asarray(det.sorted_boxes(np.asarray(boxes)), np.float32) / scale).astype(np.float32)


def crop(img: np.ndarray, quad: np.ndarray, pad: float = 0.0) -> np.ndarray:
    """The quad's content as an upright strip (tall strips turned as RapidOCR does)."""
    from rapidocr.utils.process_img import get_rotate_crop_image
    q = quad.astype(np.float32).copy()
    if pad:
        c = q.mean(axis=0)
        q = c + (q - c) * (1 + pad)
    return get_rotate_crop_image(img, q)


def classify(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Per-crop orientation: ("0"|"180", score)."""
    if not crops:
        return []
    res = get_engine()._load_cls_model()(list(crops))
    return [(str(lab), float(s)) for lab, s in (res.cls_res or [])]


def recognise(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Text and confidence per crop (recognition only, no detection). Each crop reads as it would
    alone: RapidOCR pads a batch to its widest crop, so crops are batched by padded width only."""
    if not crops:
        return []
    from rapidocr.ch_ppocr_rec import TextRecInput
    rec = get_engine()._load_rec_model()
    _, h, w = rec.rec_image_shape
    by_width: dict[int, list[int]] = {}
    for k, c in enumerate(crops):  # the width RapidOCR pads a crop to (resize_norm_img)
        by_width.setdefault(int(h * max(w / h, c.shape[1] / max(1, c.shape[0]))), []).append(k)
    out = [("", 0.0)] * len(crops)
    for idx in by_width.values():
        res = rec(TextRecInput(img=[crops[k] for k in idx], return_word_box=False))
        for k, t, s in zip(idx, res.txts or (), res.scores or (), strict=False):
            out[k] = (str(t), float(s))
    return out
