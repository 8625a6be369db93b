"""Hypothesis profiles for the fuzzers. CI runs the bounded `ci` profile on every change; a long
session: `HYPOTHESIS_PROFILE=long python -m pytest tests/fuzz --hypothesis-show-statistics`.

`derandomize`: CI is reproducible (the same inputs every run, chosen from the seed corpus in
tests/fuzz/corpus); the `long` profile explores new ones and keeps failures in .hypothesis/."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_common = {"suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture], "print_blob": True}
settings.register_profile("ci", max_examples=int(os.environ.get("KPTJ_FUZZ_EXAMPLES", "60")), deadline=20_000,
                          derandomize=True, database=None,
                          phases=[Phase.explicit, Phase.generate, Phase.shrink], **_common)
settings.register_profile("long", max_examples=2000, deadline=60_000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
