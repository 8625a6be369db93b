"""Local sources: a Maildir (new/ and cur/) or a folder of .eml files. No server action."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from intake.sources import Fetched, SourceError, SourceSpec


class LocalConnection:
    uidvalidity: int | None = None

    def __init__(self, spec: SourceSpec) -> None:
        assert spec.path is not None
        if not spec.path.is_dir():
            raise SourceError(f"找不到邮件文件夹：{spec.path}")
        self.spec = spec

    def _files(self) -> list[Path]:
        root = self.spec.path
        assert root is not None
        if self.spec.kind == "maildir":
            files = [p for sub in ("new", "cur") if (root / sub).is_dir() for p in (root / sub).iterdir()]
        else:
            files = [p for p in root.rglob("*") if p.suffix.lower() == ".eml"]
        return sorted(p for p in files if p.is_file() and not p.name.startswith("."))

    def poll(self, after_uid: int) -> list[int]:
        return []

    def fetch(self, uid: int) -> bytes | None:
        return None

    def local_items(self) -> Iterator[Fetched]:
        for path in self._files():
            try:
                yield Fetched(None, path.read_bytes())
            except OSError:
                continue  # vanished between listing and reading: it will be read next run

    def server_action(self, uids: list[int]) -> None:
        return None

    def close(self) -> None:
        return None
