"""Record the readings of one `kptj run` and replay them in another, so a second database backend
runs the matching stage on the same readings without paying for OCR again (test-only).

Readings are keyed by the sha256 of the files read; on replay every page's `source` is pointed at
the replaying workspace's own archived copy, which is how matching ties pages to attachments."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from matching.executor import LocalExecutor


def _sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Readings:
    def __init__(self) -> None:
        self.store: dict[tuple[str, ...], tuple[list, dict[str, str]] | BaseException] = {}
        self.calls = 0
        self.replayed = 0
        self._replay = [False]

    def _wrap(self, real: Callable) -> Callable:
        """matching.executor.LocalExecutor.read_pages, recorded or replayed (pages of the files)."""
        def call(executor: Any, files: list, *args: Any, **kwargs: Any) -> list:
            paths = [f.path for f in files]
            key = tuple(_sha(p) for p in paths)
            if replay_now[0]:
                got = self.store[key]  # a file the first run never read: the worlds differ, a test bug
                self.replayed += 1
                if isinstance(got, BaseException):
                    raise got
                pages, source_sha = got
                new_path = dict(zip(key, paths, strict=True))
                pages = copy.deepcopy(pages)
                for page in pages:
                    page.source = new_path[source_sha[page.source]]
                return pages
            self.calls += 1
            try:
                pages = real(executor, files, *args, **kwargs)
            except Exception as e:  # the product turns this into an attachment finding: replay it too
                self.store[key] = e
                raise
            self.store[key] = (copy.deepcopy(pages), dict(zip(paths, key, strict=True)))
            return pages
        replay_now = self._replay
        return call

    def save(self, path: Path) -> None:
        import pickle
        path.write_bytes(pickle.dumps((self.store, self.calls)))

    def load(self, path: Path) -> None:
        import pickle
        self.store, self.calls = pickle.loads(path.read_bytes())

    @contextmanager
    def active(self, replay: bool) -> Iterator[None]:
        self._replay[0] = replay
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(LocalExecutor, "read_pages", self._wrap(LocalExecutor.read_pages))
            if replay:  # nothing is read on replay, so nothing is read ahead either
                mp.setattr(LocalExecutor, "submit", lambda *_a, **_k: None)
            yield
