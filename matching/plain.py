"""Make values JSON-safe for the database: numpy scalars and tuples from OCR become plain Python, and
infinite or NaN floats become null (JSON has no Infinity: PostgreSQL refuses it, SQLite stores it)."""

from __future__ import annotations

import math
from typing import Any


def plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if hasattr(v, "item") and callable(v.item):  # numpy scalar
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        # JSON has no Infinity: PostgreSQL refuses it (a blocking acceptance weight is inf);
        # None is how the policy already writes a blocking weight per figure
        return None
    return v
