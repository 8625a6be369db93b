"""From a message's document attachments to per-unit documents, figure decisions and findings.

Called by the daily run for every message that intake extracted. Bad input never stops the run:
an attachment that cannot be read becomes an `attachment_unreadable` finding.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching import policy
from matching.evaluate import DocFinding, evaluate
from matching.executor import FileJob, LocalExecutor, PageExecutor
from matching.identify import Candidate, Identification, UnitIndex
from matching.persist import store_document
from matching.plain import plain
from ocr import split
from ocr.model import DocumentReading
from ocr.reader import reread_under_seal
from registry.clock import utc_now
from registry.models import Attachment, Document, Finding, Message, OnlineRecord, Page, RecordValue, Unit
from registry.template import Template

log = logging.getLogger(__name__)
IMAGE_TYPES = {"jpeg", "png", "tiff", "gif", "bmp"}


@dataclass
class Outcome:
    documents: int = 0
    pages: int = 0
    identified: int = 0
    unknown: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.findings[kind] = self.findings.get(kind, 0) + 1


def unit_index(session: Session, year: int) -> UnitIndex:
    return UnitIndex([Candidate(u.id, u.account, u.name, u.uscc)
                      for u in session.scalars(select(Unit).where(Unit.year == year))])


def _online(session: Session, unit_id: int, year: int) -> tuple[dict[str, str | None] | None, str | None,
                                                                  datetime | None]:
    rec = session.scalar(select(OnlineRecord).where(OnlineRecord.unit_id == unit_id, OnlineRecord.year == year))
    if rec is None:
        return None, None, None
    values = dict(session.execute(select(RecordValue.code, RecordValue.value).where(RecordValue.record_id == rec.id)).all())
    return values, rec.status, rec.last_modified


def _job(a: Attachment, path: str) -> FileJob:
    return FileJob(path=path, sha256=a.sha256 or "", archive_path=a.archive_path or "")


def _batches(att_paths: list[tuple[Attachment, str]]) -> tuple[list[tuple[Attachment, str]],
                                                                 list[tuple[Attachment, str]]]:
    """(PDFs and others, read one by one; page images, read together: one image per page makes one form)."""
    images = [(a, p) for a, p in att_paths if (a.detected_type or "") in IMAGE_TYPES]
    return [(a, p) for a, p in att_paths if (a.detected_type or "") not in IMAGE_TYPES], images


def _read(att_paths: list[tuple[Attachment, str]], template: Template, crops: Path,
          executor: PageExecutor) -> tuple[list[DocumentReading], list[tuple[Attachment, str]]]:
    docs: list[DocumentReading] = []
    failed: list[tuple[Attachment, str]] = []
    others, images = _batches(att_paths)
    for a, p in others:
        try:
            got = split.group_pages(executor.read_pages([_job(a, p)], template, crops / f"att{a.id}"))
        except Exception as e:  # any decoder/engine failure is this file's problem only
            log.warning("attachment %s unreadable: %s", a.id, e)
            failed.append((a, f"{type(e).__name__}: {e}"))
            continue
        if not got:
            failed.append((a, "未识别出任何报表页"))
        docs += got
    if images:
        try:
            docs += split.group_pages(executor.read_pages([_job(a, p) for a, p in images], template,
                                                          crops / f"att{images[0][0].id}"))
        except Exception as e:
            failed += [(a, f"{type(e).__name__}: {e}") for a, _ in images]
    try:
        # grey scans: the pages' figures under the seal read again with the document's seal taken
        # out; on this machine's pool whatever the executor (few pages: those with such figures)
        reread_under_seal(docs, template, workers=getattr(executor, "workers", 2))
    except Exception as e:  # noqa: BLE001 - the first readings stand
        log.warning("second reading under the seal failed: %s", e)
    return docs, failed


def queue_message(session: Session, message_id: int, template: Template, pages_dir: Path, archive_dir: Path,
                  executor: PageExecutor) -> None:
    """Hand a message's pages to an executor that reads ahead (kptj.dist.CeleryExecutor.submit), with
    the same files and crops folders process_message will ask for, so it finds them read."""
    submit = getattr(executor, "submit", None)
    if submit is None:
        return
    atts = session.scalars(select(Attachment).where(Attachment.message_id == message_id,
                                                    Attachment.status == "document")).all()
    paths = [(a, str(archive_dir / a.archive_path)) for a in atts
             if a.archive_path and (archive_dir / a.archive_path).exists()]
    others, images = _batches(paths)
    for a, p in others:
        try:
            submit([_job(a, p)], template, pages_dir / f"att{a.id}")
        except Exception as e:  # noqa: BLE001 - process_message meets the same file and records why
            log.info("attachment %s not queued ahead: %s", a.id, e)
    if images:
        submit([_job(a, p) for a, p in images], template, pages_dir / f"att{images[0][0].id}")


def process_message(session: Session, message: Message, template: Template, year: int, pages_dir: Path,
                    archive_dir: Path, workers: int = 2, index: UnitIndex | None = None,
                    attachments: list[Attachment] | None = None, executor: PageExecutor | None = None) -> Outcome:
    """Read the message's `document` attachments (archive paths are relative to archive_dir)
    with `executor` (default: the local process pool with `workers` processes)."""
    out = Outcome()
    index = index or unit_index(session, year)
    atts = attachments if attachments is not None else list(session.scalars(
        select(Attachment).where(Attachment.message_id == message.id, Attachment.status == "document")))
    located = [(a, archive_dir / a.archive_path if a.archive_path else None) for a in atts]
    paths = [(a, str(p)) for a, p in located if p is not None and p.exists()]
    for a, p in located:
        if p is None or not p.exists():
            _add(session, out, year, DocFinding("attachment_unreadable", "error",
                                                detail={"reason": "附件存档文件缺失"}), None, message, a, None, [])
    docs, failed = _read(paths, template, pages_dir, executor or LocalExecutor(workers))
    for a, why in failed:
        _add(session, out, year, DocFinding("attachment_unreadable", "warning", detail={"reason": why,
             "attachment": a.name}), None, message, a, None, [])
    by_path = {p: a.id for a, p in paths}
    for doc in docs:
        _process_document(session, out, doc, template, year, message, by_path, index)
    session.flush()
    return out


def _process_document(session: Session, out: Outcome, doc: DocumentReading, template: Template, year: int,
                      message: Message, by_path: dict[str, int], index: UnitIndex) -> None:
    ident: Identification = index.identify(doc.unit_name, doc.uscc)
    online, status, modified = _online(session, ident.unit_id, year) if ident.known else (None, None, None)
    found, decisions = evaluate(doc, template, online, status, modified) if ident.known else ([], [])
    acceptance = policy.decide_document(policy.Policy.of(template), doc, found, decisions, modified) \
        if decisions else None
    if acceptance is not None:
        policy.apply(acceptance, found)
    row, pages = store_document(session, doc, by_path, ident.unit_id,
                                {"method": ident.method, "confidence": ident.confidence, **ident.explanation,
                                 "acceptance": acceptance.as_json() if acceptance else None},
                                template, {d.code: d.kind for d in decisions} if decisions else None)
    out.documents += 1
    out.pages += len(doc.pages)
    att = session.get(Attachment, row.attachment_id)
    row.status = "read"
    if not ident.known:
        out.unknown += 1
        _add(session, out, year, DocFinding("unit_unknown", "warning", detail={
            "reason": ident.explanation.get("reason", "无法确定单位"), "name_read": doc.unit_name,
            "code_read": doc.uscc, "candidates": ident.explanation.get("candidates", [])}),
            None, message, att, row, pages)
        return
    out.identified += 1
    for f in found:
        _add(session, out, year, f, ident.unit_id, message, att, row, pages)
    _supersede_older(session, out, year, row, ident.unit_id, message)  # type: ignore[arg-type]


def _supersede_older(session: Session, out: Outcome, year: int, new: Document, unit_id: int, message: Message) -> None:
    """The newest scan of a unit counts; older ones stay as history, their open findings resolved."""
    older = session.scalars(select(Document).where(Document.unit_id == unit_id, Document.id != new.id,
                                                   Document.superseded_by.is_(None))).all()
    now = utc_now()  # stored times are naive UTC (registry.clock)
    for d in older:
        d.superseded_by = new.id
        for f in session.scalars(select(Finding).where(Finding.document_id == d.id, Finding.state == "open")):
            f.state, f.resolved_reason, f.resolved_at = "resolved", "superseded", now
        session.add(Finding(year=year, unit_id=unit_id, kind="superseded", severity="info", document_id=d.id,
                            message_id=message.id, attachment_id=d.attachment_id, state="resolved",
                            resolved_reason="superseded", resolved_at=now,
                            detail={"reason": f"已被较新的扫描件（文档 {new.id}）替代", "new_document": new.id}))
        out.count("superseded")


def _add(session: Session, out: Outcome, year: int, f: DocFinding, unit_id: int | None, message: Message,
         att: Attachment | None, doc: Document | None, pages: list[Page]) -> None:
    page = pages[f.page_index] if f.page_index is not None and f.page_index < len(pages) else None
    session.add(Finding(year=year, unit_id=unit_id, kind=f.kind, severity=f.severity, indicator=f.indicator,
                        online_value=f.online, scanned_value=f.scanned, message_id=message.id,
                        attachment_id=att.id if att else None, document_id=doc.id if doc else None,
                        page_id=page.id if page else None, box=plain(f.box), detail=plain(f.detail), state="open"))
    out.count(f.kind)
