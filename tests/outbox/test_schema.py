"""The outbox tables (revision 0003_outbox) on SQLite and PostgreSQL: the migration equals the models,
dedupe keys are unique, and the revision goes down and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kptj.workspace import Workspace
from registry.db import alembic_config
from registry.models import Base
from registry.outbox_models import OutgoingMail

OUTBOX_TABLES = {"outbox_mails", "outbox_bad_addresses", "outbox_bounces"}


def _mail(key: str, mid: str) -> OutgoingMail:
    return OutgoingMail(year=2024, kind="reminder", dedupe_key=key, recipients=["a@b.cn"], subject="提醒",
                        body="正文", message_id=mid, references="<x@y>", state="draft", attempts=0, permanent=False)


def test_outbox_schema_matches_models_dedupes_and_migrates_both_ways(db_url: str, tmp_path: Path) -> None:
    ws = Workspace(home=tmp_path / "home", db_url=db_url)
    engine = ws.sessions().kw["bind"]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diff if any(t in repr(d) for t in OUTBOX_TABLES)]
    assert ours == [], ours
    with ws.session() as s:
        s.add(_mail("reminder:scan:2025-06-30:1", "<m1@kptj>"))
        s.commit()
        s.add(_mail("reminder:scan:2025-06-30:1", "<m2@kptj>"))
        with pytest.raises(IntegrityError):
            s.commit()
        s.rollback()
        assert s.scalar(select(OutgoingMail.references)) == "<x@y>"  # a reserved word in PostgreSQL
    for target in ("0002", "heads"):
        with engine.begin() as conn:
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            (command.downgrade if target == "0002" else command.upgrade)(cfg, target)
    with ws.session() as s:
        s.add(_mail("k", "<m3@kptj>"))
        s.commit()
