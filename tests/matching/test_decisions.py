"""Human decisions change a unit's scan status; the reader's findings stay as they were read."""

from datetime import date

import pytest
from sqlalchemy import select

from matching.decisions import Actor, DecisionError, decide, rescan_requests
from matching.findings import NewFinding, sync_findings
from matching.status import unit_statuses
from registry.db import open_db
from registry.models import Attachment, Document, Finding, Message, Unit
from registry.portal_models import AuditEntry
from registry.roster_import import import_roster
from tests.registry.builders import ROSTER_HEADER, roster_rows, write_csv

WHO = Actor("staff1", None, "10.1.2.3")


@pytest.fixture
def world(tmp_path):
    s = open_db(f"sqlite:///{tmp_path / 'kptj.sqlite3'}")()
    import_roster(s, write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows()), 2024)
    msg = Message(account="t", folder="INBOX", uid=1, uidvalidity=1, sha256="0" * 64, state="processed")
    s.add(msg)
    s.flush()
    att = Attachment(message_id=msg.id, name="a.pdf", sha256="1" * 64, status="document")
    s.add(att)
    s.flush()
    unit = s.scalar(select(Unit).where(Unit.account == "hp_school1"))
    doc = Document(attachment_id=att.id, unit_id=unit.id, status="read")
    s.add(doc)
    s.flush()
    sync_findings(s, 2024, ["signature_missing", "figure_unreadable"], [
        NewFinding("signature_missing", unit.id, indicator="负责人", document_id=doc.id),
        NewFinding("figure_unreadable", unit.id, indicator="P01", online_value="12", document_id=doc.id)])
    s.commit()
    f = {x.kind: x for x in s.scalars(select(Finding))}
    return s, f


def _scan(s):
    return {x.unit.account: (x.scan, x.open_findings) for x in unit_statuses(s, 2024, today=date(2025, 6, 1))}


def test_accept_and_a_matching_correction_clear_the_unit(world):
    s, f = world
    assert _scan(s)["hp_school1"] == ("problem", 2)
    decide(s, f["signature_missing"], "accept", "签字在", WHO)
    s.commit()
    assert _scan(s)["hp_school1"] == ("received", 1)  # the unreadable figure still needs a person
    decide(s, f["figure_unreadable"], "correct", "看清是12", WHO, value="12")
    s.commit()
    assert _scan(s)["hp_school1"] == ("ok", 0)
    assert f["figure_unreadable"].state == "open"  # the reader's finding is kept as read
    log = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.ip, e.reason) for e in log] == [("decision.accept", "10.1.2.3", "签字在"),
                                                         ("decision.correct", "10.1.2.3", "看清是12")]


def test_a_different_correction_a_confirmation_and_a_rescan_make_a_problem(world):
    s, f = world
    decide(s, f["figure_unreadable"], "correct", "纸上是15", WHO, value="15")
    decide(s, f["signature_missing"], "accept", "签字在", WHO)
    s.commit()
    assert _scan(s)["hp_school1"] == ("problem", 1)  # a warning turned into a confirmed difference
    decide(s, f["signature_missing"], "rescan", "扫描太淡，请重新扫描", WHO)  # the newest decision counts
    s.commit()
    assert _scan(s)["hp_school1"] == ("problem", 2)
    assert [d.reason for d in rescan_requests(s)] == ["扫描太淡，请重新扫描"]


@pytest.mark.parametrize("kind,reason,value,message", [
    ("accept", "  ", None, "请填写理由"), ("erase", "x", None, "未知"), ("correct", "x", "abc", "请填写看到的数值"),
    ("correct", "x", "-3", "负数")])
def test_bad_decisions_are_refused_with_a_reason(world, kind, reason, value, message):
    s, f = world
    with pytest.raises(DecisionError, match=message):
        decide(s, f["figure_unreadable"], kind, reason, WHO, value=value)
    with pytest.raises(DecisionError, match="数值类"):
        decide(s, f["signature_missing"], "correct", "x", WHO, value="1")


def test_the_findings_list_shows_who_decided_what_and_why(world):
    from matching.reports import finding_cells, finding_rows

    s, f = world
    decide(s, f["signature_missing"], "accept", "签字在", WHO)
    s.commit()
    rows = {r.finding.kind: r for r in finding_rows(s, 2024)}
    assert finding_cells(rows["signature_missing"])[-1] == "待处理；人工处理：接受（无需处理），staff1：签字在"
    assert rows["signature_missing"].as_json()["detail"]["decision"]["effect"] == "cleared"
    assert "decision" not in rows["figure_unreadable"].as_json()["detail"]
