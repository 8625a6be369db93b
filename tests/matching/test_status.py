"""Status per unit and per administrator subtree, on a real database."""

import json
import subprocess
import sys
from datetime import date

from sqlalchemy import select

from matching.findings import NewFinding, sync_findings
from matching.status import admin_summaries, unit_statuses
from registry.db import open_db
from registry.models import Attachment, Document, Message, Unit
from registry.roster_import import import_roster
from tests.registry.builders import ROSTER_HEADER, roster_rows, write_csv


def _world(tmp_path):
    url = f"sqlite:///{tmp_path / 'kptj.sqlite3'}"
    s = open_db(url)()
    import_roster(s, write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows()), 2024)
    msg = Message(account="test", folder="INBOX", uid=1, uidvalidity=1, sha256="0" * 64, state="processed")
    s.add(msg)
    s.flush()
    att = Attachment(message_id=msg.id, name="a.pdf", sha256="1" * 64, status="document")
    s.add(att)
    s.flush()
    ids = {u.account: u.id for u in s.scalars(select(Unit))}
    docs = {}
    for acc in ("hp_kjj", "hp_school1", "sj_kx"):
        d = Document(attachment_id=att.id, unit_id=ids[acc], status="read")
        s.add(d)
        s.flush()
        docs[acc] = d
    s.commit()
    return s, ids, docs


def test_district_bureau_sees_exactly_its_missing_subtree(tmp_path):
    s, ids, docs = _world(tmp_path)
    sts = unit_statuses(s, 2024, "hp_kjj", today=date(2025, 7, 3))
    missing = sorted(x.unit.account for x in sts if x.scan == "missing")
    assert missing == ["hp_jyj", "hp_school2", "hp_wlj", "hp_wlj_kjg"]  # schools and venue included, city units not
    assert all(x.days_overdue == 3 for x in sts if x.scan == "missing")
    summaries = {a.admin.account: a for a in admin_summaries(s, 2024, unit_statuses(s, 2024))}
    assert sorted(u.account for u in summaries["hp_jyj"].missing) == ["hp_jyj", "hp_school2"]
    assert summaries["hp_kjj"].total == 6 and summaries["sj_kx"].counts["missing"] == 1


def test_open_error_on_the_current_scan_makes_a_problem_and_resolving_makes_it_ok(tmp_path):
    s, ids, docs = _world(tmp_path)
    nf = NewFinding("seal_missing", ids["hp_school1"], document_id=docs["hp_school1"].id,
                    detail={"reason": "第2页未见公章"})
    sync_findings(s, 2024, ["seal_missing"], [nf])
    s.commit()
    by = {x.unit.account: x for x in unit_statuses(s, 2024)}
    assert by["hp_school1"].scan == "problem" and by["hp_school1"].open_findings == 1
    assert by["hp_kjj"].scan == "ok"
    sync_findings(s, 2024, ["seal_missing"], [])
    s.commit()
    assert {x.unit.account: x.scan for x in unit_statuses(s, 2024)}["hp_school1"] == "ok"


def test_a_figure_the_policy_let_pass_stays_listed_but_needs_nobody(tmp_path):
    s, ids, docs = _world(tmp_path)
    doc = docs["hp_school1"].id
    sync_findings(s, 2024, ["figure_unreadable"], [
        NewFinding("figure_unreadable", ids["hp_school1"], indicator="P01", document_id=doc, severity="info",
                   detail={"accepted_by": "acceptance-policy"}),
        NewFinding("figure_unreadable", ids["sj_kx"], indicator="P01", document_id=docs["sj_kx"].id,
                   severity="warning")])
    s.commit()
    by = {x.unit.account: x for x in unit_statuses(s, 2024)}
    assert by["hp_school1"].scan == "ok" and by["hp_school1"].open_findings == 1
    assert by["sj_kx"].scan == "received"


def test_status_command_json_has_the_documented_fields(tmp_path):
    s, ids, docs = _world(tmp_path)
    r = subprocess.run([sys.executable, "-m", "kptj", "--home", str(tmp_path), "status", "--admin", "hp_jyj",
                        "--format", "json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data[0]) >= {"account", "unit", "admin", "scan", "online_status", "received_at", "open_findings"}
    assert {d["account"]: d["scan"] for d in data} == {"hp_jyj": "missing", "hp_school1": "ok",
                                                       "hp_school2": "missing"}


def test_the_daily_report_counts_and_lists_missing_as_the_status_lists_do(tmp_path):
    from collections import Counter

    from matching.daily import daily_report
    from matching.status import SCAN_LABEL

    s, ids, docs = _world(tmp_path)
    sync_findings(s, 2024, ["seal_missing"], [NewFinding("seal_missing", ids["hp_school1"],
                                                          document_id=docs["hp_school1"].id)])
    s.commit()
    day = date(2025, 7, 3)
    rep = daily_report(s, 2024, day)
    statuses = unit_statuses(s, 2024, today=day)
    assert rep.status_counts == dict(Counter(SCAN_LABEL[x.scan] for x in statuses))
    assert rep.status_counts["有问题"] == 1 and rep.status_counts["未收到"] >= 4
    assert rep.missing_by_admin == [
        {"account": a.admin.account, "admin": a.admin.name, "total": a.total,
         "missing": [{"account": u.account, "unit": u.name} for u in a.missing]}
        for a in admin_summaries(s, 2024, statuses)]
    assert {m["account"]: len(m["missing"]) for m in rep.missing_by_admin}["hp_jyj"] == 2
