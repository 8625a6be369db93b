"""Content-addressed, crash-safe storage of raw mail and extracted files.

Paths stored in the database are relative to `Workspace.archive_dir`; `resolve()` turns them back.
A file is written to a temporary name, fsynced, then renamed: a crash leaves either nothing or the
complete file, and writing the same content twice is a no-op.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def relative_path(kind: str, digest: str, suffix: str) -> str:
    return f"{kind}/{digest[:2]}/{digest}{suffix}"


def store(archive_dir: Path, kind: str, data: bytes, suffix: str = "", digest: str | None = None,
          durable: bool = True) -> str:
    """Write `data` under archive_dir/kind/ab/<sha256><suffix>; return the relative path.

    durable=True fsyncs the file before the rename (raw mail: the only copy once the server
    moves it). Files extracted from a mail can always be derived again from it, so they skip it.
    """
    digest = digest or sha256(data)
    rel = relative_path(kind, digest, suffix)
    target = archive_dir / rel
    if target.exists() and target.stat().st_size == len(data):
        return rel
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, target)
    return rel


def resolve(archive_dir: Path, rel: str) -> Path:
    return archive_dir / rel


def remove_stale_temp_files(archive_dir: Path) -> int:
    """Temp files left by a killed run (call only while holding the intake lock)."""
    count = 0
    for kind in ("mail", "files"):
        for tmp in (archive_dir / kind).glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)
            count += 1
    return count
