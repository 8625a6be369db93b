"""OpenVINO running RapidOCR's own ONNX models in place of onnxruntime (same files, same inputs).

On this project's machines (Xeon, AVX-512) OpenVINO's CPU plugin runs the PP-OCR detector about
three times faster than onnxruntime at one thread, with the same numbers out (f32; measured in
docs/benchmarks.md). Precision is pinned to f32: on a CPU with AMX the plugin's default is bf16,
which changes the detector's map by up to 0.14 and so which lines are found.

KPTJ_OCR_RUNTIME=onnxruntime keeps onnxruntime (also used when openvino is not installed).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np


def wanted() -> bool:
    if os.environ.get("KPTJ_OCR_RUNTIME", "openvino") == "onnxruntime":
        return False
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


def version() -> str:
    import openvino
    return openvino.__version__.split("-")[0]


class Session:
    """Callable like RapidOCR's inference sessions: one input array -> the first output."""

    def __init__(self, model_path: str, threads: int) -> None:
        import openvino as ov
        self.model_path = model_path
        # no pinning: each pool (or Celery) worker is its own process, and each pinned its one
        # inference thread to the same first core, so two workers' detection took turns on one
        # core while the other idled (20 pages, 2 workers: 30-41 s wall pinned, 25-32 s not)
        config: dict[str, Any] = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY",
                                  "ENABLE_CPU_PINNING": False}
        if threads > 0:
            config["INFERENCE_NUM_THREADS"] = threads
        self.request = ov.Core().compile_model(model_path, "CPU", config).create_infer_request()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.request.infer([x])
        return self.request.get_output_tensor(0).data.copy()  # the request reuses its buffer


def swap_sessions(engine: Any, threads: int) -> None:  # noqa: ANN401 - RapidOCR has no public types
    """Run the engine's detector and orientation classifier on OpenVINO (their pre- and
    post-processing stay RapidOCR's). The recogniser stays on onnxruntime: its crops come in
    dozens of widths, and OpenVINO pays for each new input shape (235 crops of 3 pages: 5.3 s
    on OpenVINO the first time, 3.5 s once every width was seen, 3.0-3.4 s on onnxruntime)."""
    for load in (engine._load_det_model, engine._load_cls_model):
        model = load()
        path = model.session.session._model_path  # onnxruntime's InferenceSession of the wheel's file
        model.session = Session(path, threads)
