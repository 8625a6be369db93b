"""The executor seam: how the pages of a message's files get read.

`LocalExecutor` (default) is the process pool of ocr.reader on this machine, so one command runs
everything with SQLite. `kptj.dist.CeleryExecutor` sends one task per page to Celery workers
(`kptj worker`) on other machines and takes their results from the database. Both return the
same PageReadings; grouping them into documents and matching stay in the daily run's process,
inside the message's transaction, so findings are written exactly once whatever the executor.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ocr.model import PageReading
    from registry.template import Template

_PageKey = tuple[str, int, str]  # file path, page index, crops folder


@dataclass(frozen=True)
class FileJob:
    """One archived attachment to read: where this process finds it, and its identity."""
    path: str           # absolute path here (PageReading.source is set to it)
    sha256: str         # the content: with page and reader version, the key of a stored result
    archive_path: str   # relative to the workspace's archive folder (what a remote worker opens)


class PageExecutor(Protocol):
    def read_pages(self, files: list[FileJob], template: Template, crops_dir: Path) -> list[PageReading]:
        """Every page of every file, in file then page order. Raises when a file cannot be opened."""
        ...


class LocalExecutor:
    """Today's reading: a process pool on this machine (models loaded once per pool worker).

    Pages handed over ahead (`submit`, for every message of a run before the first is matched) are
    read in the background, up to AHEAD pages per worker beyond those being read, so the workers
    read the next message's pages while this process groups and matches the last one's (reading
    message by message left a worker idle at every message's end and during its matching)."""

    AHEAD = 3

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self._waiting: deque[_PageKey] = deque()
        self._reading: dict[_PageKey, Future[PageReading]] = {}
        self._template: Template | None = None

    def submit(self, files: list[FileJob], template: Template, crops_dir: Path) -> None:
        from ocr import sources

        if self.workers <= 1:
            return
        self._template = template
        self._waiting.extend((f.path, i, str(crops_dir)) for f in files for i in range(sources.count_pages(f.path)))
        self._top_up()

    def read_pages(self, files: list[FileJob], template: Template, crops_dir: Path) -> list[PageReading]:
        from ocr import read_pages, sources

        if self.workers <= 1 or template is not self._template:
            return read_pages([f.path for f in files], template, crops_dir=crops_dir, workers=self.workers)
        keys = [(f.path, i, str(crops_dir)) for f in files for i in range(sources.count_pages(f.path))]
        pages = []
        for key in keys:
            future = self._reading.pop(key, None)
            if future is None:  # not handed over ahead, or still waiting its turn: read it now
                if key in self._waiting:
                    self._waiting.remove(key)
                future = self._start(key)
            self._top_up()
            pages.append(self._result(key, future))
        return pages

    def _result(self, key: _PageKey, future: Future[PageReading]) -> PageReading:
        """The page's reading. A worker that died (killed for memory, say) breaks the pool and
        every page it held: those are read once more on a new pool; a page that kills its worker
        again fails its file, as reading without a pool ahead does."""
        try:
            return future.result()
        except BrokenProcessPool:
            from ocr.reader import reset_pool

            reset_pool(self.workers)
            for k, f in list(self._reading.items()):
                if not f.done() or f.exception() is not None:
                    self._reading[k] = self._start(k)
            return self._start(key).result()

    def _start(self, key: _PageKey) -> Future[PageReading]:
        from ocr.reader import submit_page

        path, index, crops = key
        return submit_page(path, index, self._template, crops, self.workers)

    def _top_up(self) -> None:
        busy = sum(1 for f in self._reading.values() if not f.done())
        while self._waiting and busy < self.workers * (1 + self.AHEAD):
            key = self._waiting.popleft()
            self._reading[key] = self._start(key)
            busy += 1
