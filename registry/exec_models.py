"""Results of distributed reading: one row per (attachment sha256, page, reader version).

A page read by a Celery worker is stored here before its task is acknowledged; the daily run
takes it from here. The UNIQUE key makes every write insert-or-ignore, so a task delivered twice
(its worker died after storing, before the acknowledgement) never stores a page twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from registry.models import Base


class PageResult(Base):
    __tablename__ = "page_results"
    __table_args__ = (UniqueConstraint("sha256", "page", "reader_version", name="uq_page_results_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))       # the attachment's content
    page: Mapped[int] = mapped_column(Integer)            # 0-based page/image index in the file
    reader_version: Mapped[str] = mapped_column(String(64))
    # ocr.model.PageReading, pickled and zlib-compressed: it already crosses process boundaries
    # that way in the local pool, and seal/signature results are dataclasses the matcher uses.
    reading: Mapped[bytes] = mapped_column(LargeBinary)
    worker: Mapped[str | None] = mapped_column(String(200))
    seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
