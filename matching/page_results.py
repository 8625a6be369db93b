"""Stored page readings of distributed reading (registry.exec_models.PageResult).

Key: (attachment sha256, page index, reader version). The reader version changes with the
reading code, the engines and the template, so a result is reused only when reading again would
compute the same thing. Writes are insert-or-ignore on the UNIQUE key: a redelivered task
stores nothing twice.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from functools import cache
from pathlib import Path

from sqlalchemy import select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ocr.model import PageReading
from registry.exec_models import PageResult
from registry.template import Template

OCR_DIR = Path(__file__).resolve().parents[1] / "ocr"


@cache
def _code_digest() -> str:
    from ocr.engines import rapid, tess

    h = hashlib.sha256()
    for p in sorted(OCR_DIR.rglob("*.py")):
        h.update(p.relative_to(OCR_DIR).as_posix().encode())
        h.update(p.read_bytes())
    h.update(f"{rapid.version()}|{tess.version()}".encode())
    return h.hexdigest()[:20]


def reader_version(template: Template) -> str:
    """e.g. 'r3f2a…:kp-2024-v1': the ocr/ code and engine versions, and the template read against."""
    return f"r{_code_digest()}:{template.id}"[:64]


def pack(reading: PageReading) -> bytes:
    return zlib.compress(pickle.dumps(reading, protocol=pickle.HIGHEST_PROTOCOL), 3)


def unpack(blob: bytes) -> PageReading:
    # Only our own workers write this table (the database is trusted like the archive).
    return pickle.loads(zlib.decompress(blob))  # noqa: S301


def store(session: Session, sha256: str, page: int, version: str, reading: PageReading,
          worker: str | None = None) -> bool:
    """Insert-or-ignore one page's result; True when this call stored it (commits)."""
    values = {"sha256": sha256, "page": page, "reader_version": version, "reading": pack(reading),
              "worker": (worker or "")[:200] or None, "seconds": float(reading.seconds or 0.0)}
    dialect = session.get_bind().dialect.name
    ins = (postgresql if dialect == "postgresql" else sqlite).insert(PageResult).values(**values)
    ins = ins.on_conflict_do_nothing(index_elements=["sha256", "page", "reader_version"]).returning(PageResult.id)
    stored = session.execute(ins).first() is not None  # no row back: the key was there already
    session.commit()
    return stored


def exists(session: Session, sha256: str, page: int, version: str) -> bool:
    return session.scalar(select(PageResult.id).where(
        PageResult.sha256 == sha256, PageResult.page == page, PageResult.reader_version == version)) is not None


def load(session: Session, keys: list[tuple[str, int]], version: str) -> dict[tuple[str, int], PageReading]:
    """The stored readings among `keys` (sha256, page)."""
    out: dict[tuple[str, int], PageReading] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        rows = session.execute(select(PageResult.sha256, PageResult.page, PageResult.reading).where(
            PageResult.reader_version == version, tuple_(PageResult.sha256, PageResult.page).in_(chunk)))
        for sha, page, blob in rows:
            out[(sha, page)] = unpack(blob)
    return out
