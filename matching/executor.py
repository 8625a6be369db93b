"""The executor seam: how the pages of a message's files get read.

`LocalExecutor` (default) is the process pool of ocr.reader on this machine, so one command runs
everything with SQLite. `kptj.dist.CeleryExecutor` sends one task per page to Celery workers
(`kptj worker`) on other machines and takes their results from the database. Both return the
same PageReadings; grouping them into documents and matching stay in the daily run's process,
inside the message's transaction, so findings are written exactly once whatever the executor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ocr.model import PageReading
    from registry.template import Template


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
    """Today's reading: a process pool on this machine (models loaded once per pool worker)."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers

    def read_pages(self, files: list[FileJob], template: Template, crops_dir: Path) -> list[PageReading]:
        from ocr import read_pages

        return read_pages([f.path for f in files], template, crops_dir=crops_dir, workers=self.workers)
