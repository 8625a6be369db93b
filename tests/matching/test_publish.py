"""Reports are replaced whole: a write that dies half-way leaves yesterday's complete file."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.reports import publish, publish_text, remove_partial, write_xlsx


def test_a_write_that_dies_half_way_leaves_the_old_report_and_no_partial_file(tmp_path):
    report = publish_text(tmp_path / "日报.txt", "旧的完整日报\n")

    def dies(tmp: Path) -> None:
        tmp.write_text("新日报的前半", encoding="utf-8")
        raise OSError(28, "No space left on device")
    with pytest.raises(OSError):
        publish(report, dies)
    assert report.read_text(encoding="utf-8") == "旧的完整日报\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["日报.txt"]


def test_a_killed_writers_temporary_file_is_removed_by_the_next_run(tmp_path):
    (tmp_path / "日报.txt").write_text("完整\n", encoding="utf-8")
    (tmp_path / ".日报.txt.4242.tmp").write_text("半", encoding="utf-8")  # SIGKILL: nobody cleaned up
    remove_partial(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["日报.txt"]


def test_xlsx_goes_through_the_same_rename(tmp_path):
    path = write_xlsx(tmp_path / "表.xlsx", [("表", ["列"], [["值"]])])
    assert path.read_bytes()[:2] == b"PK" and not list(tmp_path.glob(".*"))
