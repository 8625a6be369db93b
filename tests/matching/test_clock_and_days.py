"""Time convention (stored UTC, people's days and clocks in KPTJ_TZ) and the finding list's query count."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from matching.daily import daily_report
from matching.findings import NewFinding, sync_findings
from matching.process import Outcome, _supersede_older
from matching.reports import finding_rows, status_cells
from matching.status import unit_statuses
from registry.clock import day_bounds_utc, local_tz, to_local, utc_now
from registry.db import open_db
from registry.models import Attachment, Document, Finding, Message, Page, Reading, Unit
from registry.roster_import import import_roster
from tests.registry.builders import ROSTER_HEADER, roster_rows, write_csv

D = date(2026, 11, 28)
LATE_UTC = datetime(2026, 11, 28, 23, 30)  # 2026-11-29 07:30 in Tianjin


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    maker = open_db(f"sqlite:///{tmp_path / 'kptj.sqlite3'}")
    s = maker()
    import_roster(s, write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows()), 2024)
    s.commit()
    yield s
    s.close()


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPTJ_TZ", raising=False)  # the default must be Tianjin's zone


@pytest.fixture
def machine_in_utc_plus_8(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's own local time is UTC+8, so code using datetime.now() would store local time."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _message(s: Session, uid: int, fetched_at: datetime) -> Message:
    msg = Message(account="t", folder="INBOX", uid=uid, uidvalidity=1, sha256=f"{uid:064d}", state="done",
                  fetched_at=fetched_at)
    s.add(msg)
    s.flush()
    return msg


def _document(s: Session, account: str, created_at: datetime | None = None) -> Document:
    msg = _message(s, 900 + len(s.scalars(select(Message)).all()), created_at or utc_now())
    att = Attachment(message_id=msg.id, name="a.pdf", status="document")
    s.add(att)
    s.flush()
    doc = Document(attachment_id=att.id, unit_id=s.scalar(select(Unit.id).where(Unit.account == account)),
                   status="read", created_at=created_at or utc_now())
    s.add(doc)
    s.flush()
    return doc


# --- registry.clock ---------------------------------------------------------------------------------------


def test_day_bounds_are_local_midnights_in_utc(shanghai: None) -> None:
    assert str(local_tz()) == "Asia/Shanghai"
    assert day_bounds_utc(D) == (datetime(2026, 11, 27, 16, 0), datetime(2026, 11, 28, 16, 0))
    assert to_local(LATE_UTC) == datetime(2026, 11, 29, 7, 30)
    assert to_local(None) is None


def test_kptj_tz_chooses_the_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPTJ_TZ", "UTC")
    assert day_bounds_utc(D) == (datetime(2026, 11, 28), datetime(2026, 11, 29))
    assert to_local(LATE_UTC) == LATE_UTC


def test_utc_now_is_naive_utc(machine_in_utc_plus_8: None) -> None:
    now = utc_now()
    assert now.tzinfo is None
    assert abs(now - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)


# --- the daily report's day -------------------------------------------------------------------------------


def test_mail_fetched_at_0730_beijing_counts_on_that_beijing_day(session: Session, shanghai: None) -> None:
    _message(session, 1, LATE_UTC)
    _message(session, 2, datetime(2026, 11, 28, 1, 0))  # 09:00 on the 28th in Tianjin
    session.commit()
    assert daily_report(session, 2024, D + timedelta(days=1)).messages == 1
    assert daily_report(session, 2024, D).messages == 1  # only the 09:00 one, not the 23:30 UTC one


def test_kptj_tz_utc_puts_the_same_mail_on_the_utc_day(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPTJ_TZ", "UTC")
    _message(session, 1, LATE_UTC)
    session.commit()
    assert daily_report(session, 2024, D).messages == 1
    assert daily_report(session, 2024, D + timedelta(days=1)).messages == 0


# --- stored times are UTC ---------------------------------------------------------------------------------


def test_resolved_finding_stores_utc(session: Session, machine_in_utc_plus_8: None) -> None:
    unit_id = session.scalar(select(Unit.id).where(Unit.account == "hp_kjj"))
    sync_findings(session, 2024, ["seal_missing"], [NewFinding("seal_missing", unit_id)])
    session.commit()
    assert sync_findings(session, 2024, ["seal_missing"], []) == (0, 1)
    session.commit()
    f = session.scalar(select(Finding).where(Finding.kind == "seal_missing"))
    assert f is not None and f.state == "resolved" and f.resolved_at is not None
    assert abs(f.resolved_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)


def test_superseded_scan_stores_utc(session: Session, machine_in_utc_plus_8: None) -> None:
    old, new = _document(session, "hp_kjj"), _document(session, "hp_kjj")
    session.add(Finding(year=2024, unit_id=old.unit_id, kind="seal_missing", severity="error",
                        document_id=old.id, state="open"))
    session.flush()
    msg = session.get(Message, session.get(Attachment, new.attachment_id).message_id)
    _supersede_older(session, Outcome(), 2024, new, new.unit_id, msg)
    session.commit()
    times = session.scalars(select(Finding.resolved_at).where(Finding.document_id == old.id)).all()
    now = datetime.now(UTC).replace(tzinfo=None)
    assert len(times) == 2 and all(abs(t - now) < timedelta(minutes=1) for t in times)


# --- times people read are local --------------------------------------------------------------------------


def test_status_shows_received_time_in_local_time(session: Session, shanghai: None) -> None:
    _document(session, "hp_kjj", created_at=LATE_UTC)
    session.commit()
    st = {x.unit.account: x for x in unit_statuses(session, 2024, today=D)}["hp_kjj"]
    assert st.as_json()["received_at"] == "2026-11-29T07:30+08:00"
    assert status_cells(st)[5] == "2026-11-29 07:30"


def test_status_json_offset_follows_kptj_tz(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPTJ_TZ", "UTC")
    _document(session, "hp_kjj", created_at=LATE_UTC)
    session.commit()
    st = {x.unit.account: x for x in unit_statuses(session, 2024, today=D)}["hp_kjj"]
    assert st.as_json()["received_at"] == "2026-11-28T23:30+00:00"


# --- finding list: a constant number of queries ----------------------------------------------------------


def _findings_with_everything(s: Session, tmp_path: Path, n: int) -> None:
    """n findings, each with its own message, attachment, page and reading (the worst case for N+1)."""
    units = s.scalars(select(Unit).order_by(Unit.account)).all()
    for i in range(n):
        msg = _message(s, 100 + i, utc_now())
        att = Attachment(message_id=msg.id, name=f"扫描件{i}.pdf", status="document")
        s.add(att)
        s.flush()
        unit = units[i % len(units)]
        doc = Document(attachment_id=att.id, unit_id=unit.id, status="read")
        s.add(doc)
        s.flush()
        page = Page(attachment_id=att.id, document_id=doc.id, source_index=0, page_no=1)
        s.add(page)
        s.flush()
        s.add(Reading(page_id=page.id, code="P01", crop_path=str(tmp_path / f"crop{i}.png")))
        s.add(Finding(year=2024, unit_id=unit.id, kind="figure_mismatch", severity="error", indicator="P01",
                      message_id=msg.id, attachment_id=att.id, document_id=doc.id, page_id=page.id, state="open"))
    s.commit()


def _count_statements(tmp_path: Path, n: int, admin: str | None = None) -> tuple[int, list]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    maker = open_db(f"sqlite:///{tmp_path / f'n{n}.sqlite3'}")
    with maker() as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows()), 2024)
        _findings_with_everything(s, tmp_path, n)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = maker.kw["bind"]
    with maker() as s:  # a fresh session: nothing cached in the identity map
        event.listen(engine, "before_cursor_execute", count)
        try:
            rows = finding_rows(s, 2024, admin)
            _ = [(r.unit and r.unit.name, r.page_label, r.message and r.message.id,
                  r.attachment and r.attachment.name, r.crop_path) for r in rows]
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(statements), rows


def test_finding_rows_query_count_does_not_grow_with_findings(tmp_path: Path) -> None:
    few, few_rows = _count_statements(tmp_path, 5)
    many, many_rows = _count_statements(tmp_path, 50)
    assert len(few_rows) == 5 and len(many_rows) == 50
    assert many == few, (few, many)
    assert few <= 4
    r = many_rows[7]
    assert r.unit is not None and r.page is not None and r.page_label == 1
    assert r.attachment is not None and r.message is not None and r.attachment.name.startswith("扫描件")
    assert r.crop_path is not None and r.crop_path.endswith(".png")
    assert r.attachment.message_id == r.message.id == r.finding.message_id


def test_finding_rows_admin_scope_keeps_constant_queries(tmp_path: Path) -> None:
    few, few_rows = _count_statements(tmp_path / "a", 5, admin="hp_kjj")
    many, many_rows = _count_statements(tmp_path / "b", 50, admin="hp_kjj")
    assert many == few
    assert 0 < len(few_rows) < len(many_rows) < 50  # the scope cut the city-level units' findings


# --- the reports people get: folder per local day, CLI day -------------------------------------------------


def _workspace_with_late_mail(tmp_path: Path):  # type: ignore[no-untyped-def]
    from kptj.workspace import Workspace

    ws = Workspace(home=tmp_path / "ws")
    with ws.session() as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows()), ws.year)
        _message(s, 1, LATE_UTC)
        _document(s, "hp_kjj", created_at=LATE_UTC)
        s.commit()
    return ws


def test_written_daily_report_counts_the_late_mail_on_the_beijing_day(tmp_path: Path, shanghai: None) -> None:
    import json

    from kptj.daily_run import write_reports

    ws = _workspace_with_late_mail(tmp_path)
    paths = write_reports(ws, D + timedelta(days=1))
    assert paths[0].parent.name == "20261129"
    daily = json.loads((paths[0].parent / "daily.json").read_text(encoding="utf-8"))[0]
    assert daily["day"] == "2026-11-29" and daily["messages"] == 2 and daily["documents"] == 1
    status = json.loads((paths[0].parent / "status.json").read_text(encoding="utf-8"))
    assert {x["account"]: x["received_at"] for x in status}["hp_kjj"] == "2026-11-29T07:30+08:00"
    before = json.loads((write_reports(ws, D)[0].parent / "daily.json").read_text(encoding="utf-8"))[0]
    assert before["messages"] == 0 and before["documents"] == 0


def test_report_daily_command_uses_kptj_tz(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    ws = _workspace_with_late_mail(tmp_path)

    def messages(day: date, tz: str) -> int:
        r = subprocess.run([sys.executable, "-m", "kptj", "--home", str(ws.home), "report", "daily", "--date",
                            day.isoformat(), "--format", "json"], capture_output=True, text=True,
                           env=dict(os.environ, KPTJ_TZ=tz), timeout=120)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)[0]["messages"]

    # _document() adds a second message at the same instant: two mails at 23:30 UTC on the 28th
    assert (messages(D, "Asia/Shanghai"), messages(D + timedelta(days=1), "Asia/Shanghai")) == (0, 2)
    assert (messages(D, "UTC"), messages(D + timedelta(days=1), "UTC")) == (2, 0)
