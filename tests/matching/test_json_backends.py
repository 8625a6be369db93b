"""What matching stores as JSON is valid JSON on every backend. The acceptance weight of a document
with a blocking figure is infinite; PostgreSQL refused it and the whole message failed there."""

from __future__ import annotations

from sqlalchemy import select

from matching import policy
from matching.plain import plain
from registry.db import open_db
from registry.models import Attachment, Document, Message


def test_a_blocked_acceptance_is_stored_on_every_backend(db_url):
    s = open_db(db_url)()
    msg = Message(account="t", folder="INBOX", sha256="0" * 64, state="processed")
    s.add(msg)
    s.flush()
    att = Attachment(message_id=msg.id, name="a.pdf", status="document")
    s.add(att)
    s.flush()
    blocked = policy.Acceptance(False, ["有读数与网上不同但不够确定"], weight=policy.BLOCK,
                                unverified=[{"code": "A01", "why": "reads_other", "weight": None}])
    s.add(Document(attachment_id=att.id, status="read", match_detail=plain({"acceptance": blocked.as_json(),
                                                                           "nan": float("nan")})))
    s.commit()
    stored = s.scalar(select(Document)).match_detail
    assert stored["acceptance"]["weight"] is None and stored["nan"] is None
    assert stored["acceptance"]["unverified"][0]["code"] == "A01"
