"""After a records re-import: flag figures that changed online after a unit's scan was matched."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.status import current_documents
from registry.models import Finding, OnlineRecord, Page, Reading, RecordChange


def flag_changes_after_scan(session: Session, batch_id: int, year: int) -> int:
    """One `record_changed_after_scan` finding per changed indicator of a unit with a current scan."""
    changes = session.execute(select(RecordChange, OnlineRecord.unit_id).join(OnlineRecord)
                              .where(RecordChange.batch_id == batch_id)).all()
    if not changes:
        return 0
    docs = current_documents(session, {uid for _, uid in changes})
    added = 0
    for ch, unit_id in changes:
        doc = docs.get(unit_id)
        if doc is None or ch.field in ("status", "last_modified"):  # figures only
            continue
        reading = session.execute(select(Reading, Page).join(Page).where(Page.document_id == doc.id,
                                                                         Reading.code == ch.field)).first()
        paper = reading[0].value if reading else None
        session.add(Finding(year=year, unit_id=unit_id, kind="record_changed_after_scan", severity="warning",
                            indicator=ch.field, online_value=ch.new, scanned_value=paper, document_id=doc.id,
                            attachment_id=doc.attachment_id, page_id=reading[1].id if reading else None,
                            box=reading[0].box if reading else None, state="open",
                            detail={"reason": f"扫描件核对后网上数据由 {ch.old or '-'} 改为 {ch.new or '-'}",
                                    "old_online": ch.old, "batch": batch_id}))
        added += 1
    session.commit()
    return added
