"""The local pool reads pages handed over ahead in the background (matching.executor.LocalExecutor),
a bounded window at a time, and gives the same readings as reading them when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.executor import FileJob, LocalExecutor
from registry.template import default_template

PHOTOS = Path(__file__).parents[1] / "ocr" / "photos"
PAGES = ["first-name-stroke-on-the-signing-line.jpg", "shadowed-right-edge.jpg", "name-stroke-like-a-box-edge.jpg"]


def _files() -> list[FileJob]:
    return [FileJob(str(PHOTOS / n), f"sha{i}", n) for i, n in enumerate(PAGES)]


def _seen(page) -> tuple:  # noqa: ANN001
    return ([(ln.text, ln.box) for ln in page.lines],
            {c: (f.value, f.text, f.confidence) for c, f in page.figures.items()}, page.identity)


@pytest.fixture(scope="module")
def template():  # noqa: ANN201
    return default_template()


def test_pages_handed_over_ahead_start_at_once_within_the_window(template, tmp_path) -> None:
    ex = LocalExecutor(workers=2)
    ex.AHEAD = 0  # two pages in flight for two workers: the third waits its turn
    ex.submit(_files(), template, tmp_path)
    assert len(ex._reading) == 2 and len(ex._waiting) == 1
    first = ex.read_pages(_files()[:1], template, tmp_path)
    assert len(first) == 1 and len(ex._reading) + len(ex._waiting) == 2
    rest = ex.read_pages(_files()[1:], template, tmp_path)
    assert [p.source for p in first + rest] == [f.path for f in _files()]
    assert not ex._reading and not ex._waiting


def test_read_ahead_reads_what_reading_when_asked_reads(template, tmp_path) -> None:
    ahead = LocalExecutor(workers=2)
    ahead.submit(_files(), template, tmp_path / "a")
    got = ahead.read_pages(_files(), template, tmp_path / "a")
    asked = LocalExecutor(workers=2).read_pages(_files(), template, tmp_path / "b")
    assert [_seen(p) for p in got] == [_seen(p) for p in asked]
    assert all(p.figures or p.lines for p in got)


def test_a_page_never_handed_over_is_read_when_asked(template, tmp_path) -> None:
    ex = LocalExecutor(workers=2)
    ex.submit(_files()[:1], template, tmp_path)
    other = ex.read_pages(_files()[2:], template, tmp_path)
    assert [p.source for p in other] == [_files()[2].path] and other[0].method == "ocr"


def test_workers_killed_mid_read_cost_no_page(template, tmp_path) -> None:
    """Every worker of the pool killed while it reads ahead (as the kernel kills for memory): the
    pool breaks, and each page is read on a new one."""
    from ocr import reader

    ex = LocalExecutor(workers=2)
    ex.submit(_files(), template, tmp_path)
    for process in list(reader._pools[2]._processes.values()):  # the pool's own workers
        process.kill()
    pages = ex.read_pages(_files(), template, tmp_path)
    assert [p.source for p in pages] == [f.path for f in _files()]
    assert all(p.method == "ocr" and p.lines for p in pages)
