"""Raw 8-bit bytes in Date and Message-ID (the email package then hands back Header objects, not
text): the mail is still processed, its attachments kept, the odd header recorded as a warning.
Found by the MIME fuzzer (tests/fuzz): such mails ended in `error` and their scans were never read."""

from __future__ import annotations

from sqlalchemy import select

from intake import run_intake
from kptj.workspace import Workspace
from registry.models import Attachment, Message
from tests.intake.mailfactory import mail, pdf_bytes, raw


def test_eight_bit_content_disposition_and_auto_submitted_do_not_stop_a_mail(tmp_path):
    data = raw(mail(subject="科普统计表", attachments=[("表.pdf", pdf_bytes(1))],
                    headers={"Auto-Submitted": "no", "Precedence": "bulk"}))
    data = data.replace(b"Content-Disposition: attachment;", b"Content-Disposition: attachment\xb8\xbd;", 1)
    data = data.replace(b"Auto-Submitted: no", b"Auto-Submitted: no\xd6\xd0", 1)
    data = data.replace(b"Precedence: bulk", b"Precedence: bulk\xd6\xd0", 1)
    box = tmp_path / "box"
    box.mkdir()
    (box / "m.eml").write_bytes(data)
    ws = Workspace(home=tmp_path / "ws")
    assert run_intake(ws, [str(box)]).ok
    with ws.session() as s:
        m = s.scalar(select(Message))
        assert (m.state, m.last_error, m.classification) == ("done", None, "attachments")
        assert [a.status for a in s.scalars(select(Attachment))] == ["document"]


def test_eight_bit_date_and_message_id_do_not_stop_a_mail(tmp_path):
    data = raw(mail(subject="科普统计表", attachments=[("表.pdf", pdf_bytes(1))]))
    data = data.replace(b"Date: Mon, 25 Nov 2024 10:00:00 +0800", b"Date: Mon, 25 Nov 2024 10:00:00 +0800 \xd6\xd0")
    data = data.replace(b"Message-ID: <", b"Message-ID: \xb1\xed<", 1)
    box = tmp_path / "box"
    box.mkdir()
    (box / "m.eml").write_bytes(data)
    ws = Workspace(home=tmp_path / "ws")
    assert run_intake(ws, [str(box)]).ok
    with ws.session() as s:
        m = s.scalar(select(Message))
        assert (m.state, m.last_error) == ("done", None)
        assert [a.status for a in s.scalars(select(Attachment))] == ["document"]
        assert m.message_id_header and "@example.cn>" in m.message_id_header
