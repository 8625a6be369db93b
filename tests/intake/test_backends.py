"""The intake schema (revision 0002) and its exactly-once rules on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import func, select

from intake import message_listing, run_intake
from kptj.workspace import Workspace
from registry.db import alembic_config
from registry.models import Attachment, IntakeFolder, Message
from tests.intake.mailfactory import mail, pdf_bytes, raw, zip_bytes


def test_intake_on_each_backend_stores_once_and_migrates_both_ways(db_url: str, tmp_path: Path) -> None:
    scan = pdf_bytes(2)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.eml").write_bytes(raw(mail(subject="和平区", attachments=[("和平.pdf", scan)])))
    (folder / "b.eml").write_bytes(raw(mail(subject="转发：和平区", attachments=[("包.zip", zip_bytes({"x.pdf": scan}))])))
    ws = Workspace(home=tmp_path / "home", db_url=db_url)
    assert run_intake(ws, [str(folder)]).ok
    assert run_intake(ws, [str(folder)]).sources[0].archived == 0
    with ws.session() as s:
        listing = message_listing(s)
        assert s.scalar(select(func.count()).select_from(Message)) == 2
    [first], [again] = (m["attachments"] for m in listing)
    assert (first["status"], again["status"], again["duplicate_of"]) == ("document", "duplicate", first["id"])

    engine = ws.sessions().kw["bind"]
    for target in ("0001", "head"):
        with engine.begin() as conn:
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            (command.downgrade if target == "0001" else command.upgrade)(cfg, target)
    with ws.session() as s:  # the intake columns and table are back and usable
        s.add(IntakeFolder(account="a", folder="INBOX", uidvalidity=1, last_uid=0))
        s.commit()
        assert s.scalar(select(func.count()).select_from(Attachment)) == 2
