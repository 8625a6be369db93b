"""Where the reader's CPU goes: mean CPU seconds per page and stage, from what read_page recorded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping


def stage_line(per_page: Iterable[Mapping[str, float]]) -> str:
    totals: dict[str, float] = defaultdict(float)
    n = 0
    for stages in per_page:
        n += 1
        for k, v in stages.items():
            totals[k] += v
    if not n:
        return "reader CPU per page by stage: no pages"
    whole = sum(totals.values()) / n
    parts = ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(totals.items(), key=lambda kv: -kv[1]))
    return f"reader CPU per page by stage (s, {n} pages): {parts}; sum {whole:.2f}"
