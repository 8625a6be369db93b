"""CPU seconds per reading stage of one page, so a benchmark can print where the time goes.

CPU time, not wall time: it does not depend on what else the machine runs. Tesseract runs as a
subprocess; its time counts once the subprocess has finished (children's times).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class StageClock:
    """Laps: each `lap(name)` books the CPU time since the previous lap under `name`."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._last = cpu_now()

    def lap(self, name: str) -> None:
        now = cpu_now()
        self.add(name, now - self._last)
        self._last = now

    def add(self, name: str, seconds: float) -> None:
        self.spent[name] = self.spent.get(name, 0.0) + seconds

    def timed(self, name: str, fn: Callable[..., T]) -> Callable[..., T]:
        """`fn` whose calls are booked under `name` (and not under the lap that contains them)."""
        def wrapper(*args: object, **kwargs: object) -> T:
            t0 = cpu_now()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = cpu_now() - t0
                self.add(name, spent)
                self._last += spent  # the enclosing lap must not count it again
        return wrapper

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.spent.items()}
