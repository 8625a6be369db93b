from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from registry.db import open_db


@pytest.fixture
def session(db_url: str):
    sessions = open_db(db_url)
    with sessions() as s:
        yield s
    sessions.kw["bind"].dispose()


def counts(s: Session) -> dict[str, int]:
    from sqlalchemy import func, select

    from registry.models import ImportBatch, OnlineRecord, RecordChange, RecordValue, Unit, UnitChange
    return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Unit, UnitChange, OnlineRecord, RecordValue, RecordChange, ImportBatch)}
