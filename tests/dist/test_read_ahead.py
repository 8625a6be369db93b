"""Read-ahead: with `prepare`, intake extracts every pending message first and hands over their ids
before the first message's hook runs, so a distributed executor can queue all pages at once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from intake import run_intake
from kptj.workspace import Workspace
from registry.models import Attachment, Message
from tests.intake.mailfactory import mail, pdf_bytes, raw


def test_prepare_sees_every_extracted_message_before_the_first_hook(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.eml").write_bytes(raw(mail(subject=f"单位{i}", attachments=[(f"{i}.pdf", pdf_bytes(2))])))
    ws = Workspace(home=tmp_path / "ws")
    calls: list[tuple] = []

    def prepare(ids: list[int]) -> None:
        with ws.session() as s:
            states = [s.get(Message, i).state for i in ids]
            docs = s.scalars(select(Attachment.message_id).where(Attachment.status == "document")).all()
        calls.append(("prepare", ids, states, sorted(docs)))

    def hook(_s, msg: Message, docs: list[Attachment]) -> None:
        calls.append(("hook", msg.id, len(docs)))

    report = run_intake(ws, [str(folder)], on_attachments=hook, prepare=prepare)
    assert report.sources[0].processed == 3
    ids = calls[0][1]
    assert calls[0] == ("prepare", ids, ["extracted"] * 3, ids) and len(ids) == 3
    assert calls[1:] == [("hook", i, 1) for i in ids]
    with ws.session() as s:
        assert {m.state for m in s.scalars(select(Message))} == {"done"}
