"""The daily run's attachment findings (kptj.daily_run._attachment_findings) on SQLite and PostgreSQL:
links, unreadable files and files received twice each get exactly one finding, and a run does not
resolve the findings that reading (matching.process) made for its own attachments."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from kptj.daily_run import _attachment_findings
from matching.findings import NewFinding, sync_findings
from registry.db import open_db
from registry.models import Attachment, Document, Finding, Message, Unit
from registry.roster_import import import_roster
from tests.registry.builders import ROSTER_HEADER, roster_rows, write_csv

_uid = itertools.count(1)


def _message(s, *atts: dict) -> tuple[Message, list[Attachment]]:
    n = next(_uid)
    msg = Message(account="test", folder="INBOX", uid=n, uidvalidity=1, sha256=f"{n:064x}", state="processed",
                  sender="unit@example.cn", subject=f"科普统计 {n}")
    s.add(msg)
    s.flush()
    rows = []
    for i, a in enumerate(atts):
        row = Attachment(message_id=msg.id, position=i, **a)
        s.add(row)
        s.flush()
        rows.append(row)
    return msg, rows


def _open(s, *kinds: str) -> list[Finding]:
    return list(s.scalars(select(Finding).where(Finding.kind.in_(kinds), Finding.state == "open")
                          .order_by(Finding.id)))


def test_a_second_unreadable_file_or_link_in_a_later_run_gets_its_own_finding(db_url):
    s = open_db(db_url)()
    _message(s, {"name": "表.pdf", "status": "corrupt", "detail": "PDF 已损坏"})
    assert _attachment_findings(s, 2024) == 1
    s.commit()
    # a later run: another unit sends another corrupt file and another link
    _, (bad, link) = _message(s, {"name": "扫描件.pdf", "status": "corrupt", "detail": "PDF 已损坏"},
                              {"name": "超大附件", "status": "link", "url": "https://example.cn/d/1"})
    _message(s, {"name": "另一个.zip", "status": "link", "url": "https://example.cn/d/2"})
    assert _attachment_findings(s, 2024) == 3
    s.commit()
    unreadable = _open(s, "attachment_unreadable")
    assert len(unreadable) == 2 and bad.id in {f.attachment_id for f in unreadable}
    links = _open(s, "attachment_link")
    assert len(links) == 2 and link.id in {f.attachment_id for f in links}
    assert {f.detail["url"] for f in links} == {"https://example.cn/d/1", "https://example.cn/d/2"}
    assert _attachment_findings(s, 2024) == 0  # a rerun adds nothing and resolves nothing
    s.commit()
    assert len(_open(s, "attachment_unreadable", "attachment_link")) == 4


def test_reading_failures_of_the_same_run_stay_open(db_url):
    s = open_db(db_url)()
    msg, (doc_att, corrupt) = _message(s, {"name": "看不清.pdf", "status": "document", "detected_type": "pdf"},
                                       {"name": "坏.pdf", "status": "corrupt"})
    # what matching.process adds when a `document` attachment cannot be read
    s.add(Finding(year=2024, kind="attachment_unreadable", severity="warning", message_id=msg.id,
                  attachment_id=doc_att.id, detail={"reason": "未识别出任何报表页"}, state="open"))
    s.flush()
    _attachment_findings(s, 2024)
    s.commit()
    open_ids = {f.attachment_id for f in _open(s, "attachment_unreadable")}
    assert open_ids == {doc_att.id, corrupt.id}


def test_a_file_received_twice_gets_one_duplicate_finding_on_its_unit(db_url, tmp_path):
    s = open_db(db_url)()
    import_roster(s, write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows()), 2024)
    unit = s.scalar(select(Unit).where(Unit.account == "hp_school1"))
    _, (first,) = _message(s, {"name": "表.pdf", "sha256": "a" * 64, "status": "document"})
    s.add(Document(attachment_id=first.id, unit_id=unit.id, status="read"))
    msg2, (again,) = _message(s, {"name": "表（重发）.pdf", "sha256": "a" * 64, "status": "duplicate",
                                  "duplicate_of": first.id})
    assert _attachment_findings(s, 2024) == 1
    s.commit()
    (dup,) = _open(s, "duplicate")
    assert (dup.unit_id, dup.attachment_id, dup.message_id, dup.severity) == (unit.id, again.id, msg2.id, "info")
    assert "表.pdf" in dup.detail["reason"] and dup.detail["duplicate_of"] == first.id
    assert _attachment_findings(s, 2024) == 0
    assert len(_open(s, "duplicate")) == 1


def test_sync_keeps_findings_of_different_attachments_apart(db_url):
    """The de-duplication key itself: same kind and rule, different attachment or message."""
    s = open_db(db_url)()
    m1, (a1,) = _message(s, {"name": "1.pdf", "status": "corrupt"})
    m2, (a2,) = _message(s, {"name": "2.pdf", "status": "corrupt"})
    found = [NewFinding("attachment_unreadable", None, rule="corrupt", message_id=m.id, attachment_id=a.id)
             for m, a in ((m1, a1), (m2, a2))]
    assert sync_findings(s, 2024, ["attachment_unreadable"], found) == (2, 0)
    assert sync_findings(s, 2024, ["attachment_unreadable"], found[1:]) == (0, 1)
