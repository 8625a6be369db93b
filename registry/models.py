"""SQLAlchemy 2 models: the registry of units, online records, arrivals and findings.

Schema changes go through Alembic revisions in registry/migrations/versions/.
Figures are stored as canonical decimal strings: NULL means "no value", which is not "0".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class SurveyYear(Base):
    __tablename__ = "survey_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64))
    deadlines: Mapped[dict | None] = mapped_column(JSON)


class ImportBatch(Base):
    """One run of `registry import` or `records import`."""
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # roster | records
    year: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_created: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    rows_skipped: Mapped[int] = mapped_column(Integer, default=0)


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("year", "account"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    unit_type: Mapped[str | None] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(32))
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    is_venue: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    contact: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(200))
    updated_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    admin: Mapped[Unit | None] = relationship(remote_side="Unit.id", foreign_keys=[admin_id])
    owner: Mapped[Unit | None] = relationship(remote_side="Unit.id", foreign_keys=[owner_id])


class UnitChange(Base):
    """What a roster re-import changed, field by field."""
    __tablename__ = "unit_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    field: Mapped[str] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)


class OnlineRecord(Base):
    __tablename__ = "online_records"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # 未填报 / 已提交 / 审核通过 / 退回修改
    last_modified: Mapped[datetime | None] = mapped_column(DateTime)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    unit: Mapped[Unit] = relationship()
    values: Mapped[list[RecordValue]] = relationship(back_populates="record", cascade="all, delete-orphan")


class RecordValue(Base):
    __tablename__ = "record_values"
    __table_args__ = (UniqueConstraint("record_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("online_records.id"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    value: Mapped[str | None] = mapped_column(String(32))  # NULL = no value

    record: Mapped[OnlineRecord] = relationship(back_populates="values")


class RecordChange(Base):
    """A figure, status or date that a later records import changed."""
    __tablename__ = "record_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("online_records.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    field: Mapped[str] = mapped_column(String(32))  # an indicator code, "status" or "last_modified"
    old: Mapped[str | None] = mapped_column(String(64))
    new: Mapped[str | None] = mapped_column(String(64))


class Message(Base):
    """One mail as fetched; identity is (account, folder, uidvalidity, uid) plus the raw sha256."""
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("account", "folder", "uidvalidity", "uid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    archive_path: Mapped[str | None] = mapped_column(String(500))
    size: Mapped[int | None] = mapped_column(Integer)
    message_id_header: Mapped[str | None] = mapped_column(String(500))
    sender: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    state: Mapped[str] = mapped_column(String(16), default="fetched", index=True)
    classification: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    decode_warnings: Mapped[list | None] = mapped_column(JSON)
    # intake (revision 0002): the stage that failed last, so a retry resumes there; when it ended.
    error_stage: Mapped[str | None] = mapped_column(String(16))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    name: Mapped[str | None] = mapped_column(String(500))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    declared_type: Mapped[str | None] = mapped_column(String(200))
    detected_type: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    archive_path: Mapped[str | None] = mapped_column(String(500))  # relative to Workspace.archive_dir
    # intake (revision 0002)
    member_path: Mapped[str | None] = mapped_column(Text)  # containers it came from: "a.eml › b.zip"
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    page_count: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)  # status "link": where the file must be downloaded
    position: Mapped[int] = mapped_column(Integer, default=0)  # order within the message


class IntakeFolder(Base):
    """Sync state of one mailbox folder: UIDs up to last_uid (under uidvalidity) are archived."""
    __tablename__ = "intake_folders"
    __table_args__ = (UniqueConstraint("account", "folder"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class Document(Base):
    """A per-unit form found in one attachment (a merged PDF may yield several)."""
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="new")
    page_count: Mapped[int | None] = mapped_column(Integer)
    pages_expected: Mapped[int | None] = mapped_column(Integer)
    print_time: Mapped[datetime | None] = mapped_column(DateTime)
    match_detail: Mapped[dict | None] = mapped_column(JSON)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Page(Base):
    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    source_index: Mapped[int] = mapped_column(Integer)  # page or image index within the attachment
    image_path: Mapped[str | None] = mapped_column(String(500))
    rotation: Mapped[int | None] = mapped_column(Integer)
    unit_name_read: Mapped[str | None] = mapped_column(String(200))
    uscc_read: Mapped[str | None] = mapped_column(String(32))
    page_no: Mapped[int | None] = mapped_column(Integer)
    page_total: Mapped[int | None] = mapped_column(Integer)
    print_time: Mapped[datetime | None] = mapped_column(DateTime)
    seal: Mapped[str | None] = mapped_column(String(16))  # present / absent / uncertain
    seal_score: Mapped[float | None] = mapped_column(Float)
    seal_box: Mapped[list | None] = mapped_column(JSON)
    signatures: Mapped[dict | None] = mapped_column(JSON)
    detail: Mapped[dict | None] = mapped_column(JSON)


class Reading(Base):
    """One figure read off a page, with its evidence."""
    __tablename__ = "readings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    text: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float | None] = mapped_column(Float)
    box: Mapped[list | None] = mapped_column(JSON)
    crop_path: Mapped[str | None] = mapped_column(String(500))
    engine: Mapped[str | None] = mapped_column(String(64))
    engine_version: Mapped[str | None] = mapped_column(String(32))
    template_id: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str | None] = mapped_column(String(16))  # matches / differs / unreadable


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(8))  # error / warning / info
    rule: Mapped[str | None] = mapped_column(String(64))
    indicator: Mapped[str | None] = mapped_column(String(64))
    online_value: Mapped[str | None] = mapped_column(String(64))
    scanned_value: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    box: Mapped[list | None] = mapped_column(JSON)
    detail: Mapped[dict | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="open")
    resolved_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    unit: Mapped[Unit | None] = relationship()
from registry import exec_models as _exec_models  # noqa: E402,F401  (distributed reading's table)
from registry import outbox_models  # noqa: E402,F401  (outgoing mail tables, issue 19)
from registry import portal_models as _portal_models  # noqa: E402,F401  (portal tables in the same metadata)
