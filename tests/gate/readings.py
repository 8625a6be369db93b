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

import matching.process


def _sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Readings:
    def __init__(self) -> None:
        self.store: dict[tuple[str, ...], tuple[list, dict[str, str]] | BaseException] = {}
        self.calls = 0
        self.replayed = 0

    def _wrap(self, real: Callable, many: bool, replay: bool) -> Callable:
        def call(paths: Any, *args: Any, **kwargs: Any) -> list:
            files = [str(p) for p in (paths if many else [paths])]
            key = tuple(_sha(p) for p in files)
            if replay:
                got = self.store[key]  # a file the first run never read: the worlds differ, a test bug
                self.replayed += 1
                if isinstance(got, BaseException):
                    raise got
                docs, source_sha = got
                new_path = dict(zip(key, files, strict=True))
                docs = copy.deepcopy(docs)
                for d in docs:
                    for p in d.pages:
                        p.source = new_path[source_sha[p.source]]
                return docs
            self.calls += 1
            try:
                docs = real(paths, *args, **kwargs)
            except Exception as e:  # the product turns this into an attachment finding: replay it too
                self.store[key] = e
                raise
            self.store[key] = (copy.deepcopy(docs), dict(zip(files, key, strict=True)))
            return docs
        return call

    def save(self, path: Path) -> None:
        import pickle
        path.write_bytes(pickle.dumps((self.store, self.calls)))

    def load(self, path: Path) -> None:
        import pickle
        self.store, self.calls = pickle.loads(path.read_bytes())

    @contextmanager
    def active(self, replay: bool) -> Iterator[None]:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(matching.process, "read_file", self._wrap(matching.process.read_file, False, replay))
            mp.setattr(matching.process, "read_files", self._wrap(matching.process.read_files, True, replay))
            yield
