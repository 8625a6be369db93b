"""The per-stage CPU clock books each stage once, nested timed calls outside their lap."""

from __future__ import annotations

import time

from ocr.stages import StageClock


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_laps_and_timed_calls_are_booked_once() -> None:
    # os.times() counts in 10 ms ticks: burn long enough that a tick either way does not matter
    clock = StageClock()
    _burn(0.2)
    clock.lap("first")
    inner = clock.timed("inner", _burn)
    _burn(0.2)
    inner(0.4)
    clock.lap("second")
    spent = clock.spent
    assert set(spent) == {"first", "inner", "second"}
    assert 0.17 <= spent["first"] < 0.3
    assert 0.37 <= spent["inner"] < 0.5
    # the timed call inside the second lap is not counted twice
    assert 0.17 <= spent["second"] < 0.3
