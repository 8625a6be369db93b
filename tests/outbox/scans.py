"""A unit's mail with a scan, received by the real intake; the reader's result is written as rows
(the reader is tested in tests/matching; here only what the outbox makes of its findings matters)."""

from __future__ import annotations

from sqlalchemy import select

from intake import parse_source, run_intake
from registry.models import Attachment, Document, Finding, Message, Page, Unit
from tests.intake.mailfactory import mail, pdf_bytes, raw
from tests.outbox.conftest import MailWorld


def send_scan(w: MailWorld, local: str, name: str, message_id: str, references: str | None = None) -> None:
    m = mail(subject="2024年度科普统计调查表（盖章扫描件）", sender=f"{name} <{w.addr(local)}>",
             attachments=[("科普统计表.pdf", pdf_bytes(3))])
    del m["Message-ID"]
    m["Message-ID"] = message_id
    if references:
        m["References"] = references
    w.dovecot.deliver(w.collector, raw(m), sender=w.addr(local))


def intake(w: MailWorld) -> None:
    src = parse_source(f"imaps://{w.collector}@127.0.0.1:{w.dovecot.imaps_port}/INBOX", ca_file=w.postfix.ca_cert)
    report = run_intake(w.ws, [src])
    assert report.ok, report


def read_as(w: MailWorld, message_id: str, account: str, problems: list[dict]) -> int:
    """Rows as the reader writes them: a document of `account` on that mail, its pages, its findings."""
    with w.ws.sessions().begin() as s:
        msg = s.scalar(select(Message).where(Message.message_id_header == message_id))
        assert msg is not None, message_id
        att = s.scalar(select(Attachment).where(Attachment.message_id == msg.id, Attachment.status == "document"))
        unit = s.scalar(select(Unit).where(Unit.account == account))
        assert att is not None and unit is not None
        doc = Document(attachment_id=att.id, unit_id=unit.id, status="read", page_count=3, pages_expected=3)
        s.add(doc)
        s.flush()
        pages = []
        for i in range(3):
            p = Page(attachment_id=att.id, document_id=doc.id, source_index=i, page_no=i + 1, page_total=3)
            s.add(p)
            pages.append(p)
        s.flush()
        for pr in problems:
            page = pages[pr.pop("page") - 1] if "page" in pr else None
            s.add(Finding(year=w.ws.year, unit_id=unit.id, document_id=doc.id, message_id=msg.id,
                          attachment_id=att.id, page_id=page.id if page else None, state="open", **pr))
        return doc.id
