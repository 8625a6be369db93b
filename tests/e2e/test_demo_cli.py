"""`kptj demo`'s edges that are cheap to check: its default, a bad --units, and the closing message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from intake import IntakeReport
from kptj.commands.run import DEMO_UNITS, _demo_closing
from kptj.daily_run import RunSummary
from kptj.workspace import Workspace


def test_demo_default_is_one_the_generator_accepts() -> None:
    import random

    from synth.roster import build_roster

    assert len(build_roster(DEMO_UNITS, random.Random(1))) == DEMO_UNITS


def test_demo_with_too_few_units_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "kptj", "--home", str(tmp_path / "ws"), "demo", "--units", "20"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "错误" in r.stderr and "Traceback" not in r.stdout + r.stderr


def test_demo_closing_names_the_folder_the_reports_went_to(tmp_path: Path) -> None:
    ws = Workspace(home=tmp_path / "ws")
    day_dir = ws.reports_dir / "20261129"
    day_dir.mkdir()
    (day_dir / "日报.txt").write_text("x", encoding="utf-8")
    summary = RunSummary("r1", IntakeReport(), reports=sorted(day_dir.iterdir()))
    assert f"报告已写入：    {day_dir}" in _demo_closing(ws, summary)
    assert f"报告已写入：    {ws.reports_dir}" in _demo_closing(ws, RunSummary("r2", IntakeReport()))
