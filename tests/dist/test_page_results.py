"""Stored page results: insert-or-ignore on (sha256, page, reader version), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from matching import page_results
from ocr.model import FigureReading, PageIdentity, PageReading
from registry.db import open_db
from registry.exec_models import PageResult
from registry.template import default_template


def _reading(name: str) -> PageReading:
    fig = FigureReading("A02", "12", "12", 0.97, (1, 2, 3, 4), "rapidocr")
    return PageReading(source="/a.pdf", index=1, rotation=0, skew=0.0, method="ocr",
                       identity=PageIdentity(unit_name=name), figures={"A02": fig})


def test_a_page_result_is_stored_once_and_comes_back_whole(db_url: str) -> None:
    sessions = open_db(db_url)
    sha = "ab" * 32
    with sessions() as s:
        assert page_results.store(s, sha, 1, "v1", _reading("甲单位"), "w1")
        assert not page_results.store(s, sha, 1, "v1", _reading("乙单位"), "w2")  # a redelivery
        assert page_results.store(s, sha, 1, "v2", _reading("丙单位"), "w1")      # another reader version
        assert s.scalar(select(func.count()).select_from(PageResult)) == 2
        got = page_results.load(s, [(sha, 1), (sha, 2)], "v1")
    assert list(got) == [(sha, 1)]
    assert got[(sha, 1)].identity.unit_name == "甲单位" and got[(sha, 1)].figures["A02"].box == (1, 2, 3, 4)


def test_reader_version_names_the_template_and_the_code() -> None:
    t = default_template()
    v = page_results.reader_version(t)
    assert v.endswith(f":{t.id}") and len(v) <= 64
    assert page_results.reader_version(replace(t, id="kp-2025-v1")) != v
