"""The daily job drafts the day's mail; reminders are idempotent; a bounce marks the address bad."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from registry.clock import local_today
from registry.models import Attachment, Message
from registry.outbox_models import BadAddress, Bounce, OutgoingMail
from tests.outbox.conftest import UNITS, MailWorld, roster
from tests.outbox.test_send import kptj
from tests.servers.postfix import NO_SUCH


def _deadline_in_two_days(w: MailWorld, **extra: object) -> None:
    soon = local_today() + timedelta(days=2)
    w.write_config(deadlines={"institute_audit": soon.isoformat()}, auto_approve=["reminder", "admin_reminder"],
                   **extra)


def test_reminders_run_twice_the_same_day_send_nothing_the_second_time(world: MailWorld) -> None:
    w = world
    roster(w, UNITS)
    _deadline_in_two_days(w)
    (w.ws.home / "empty").mkdir()
    out = kptj(w, "run", "--source", str(w.ws.home / "empty"), "--config", str(w.config))
    assert "催报提醒 5" in out and "管理单位催报汇总 1" in out, out  # hp_kjj, u1-u4; one list for hp_kjj
    assert "已发送 5 封" in kptj(w, "mail", "send")  # u4 has no address: drafted, listed, never sent
    w.postfix.wait_idle()
    before = {u: len(w.inbox(u)) for u in ("kjj", "u1", "u2", "u3")}
    assert before == {"kjj": 2, "u1": 1, "u2": 1, "u3": 1}

    out = kptj(w, "run", "--source", str(w.ws.home / "empty"), "--config", str(w.config))
    assert "新起草 无" in out, out
    assert "已发送 0 封" in kptj(w, "mail", "send")
    w.postfix.wait_idle()
    assert {u: len(w.inbox(u)) for u in before} == before
    with w.ws.session() as s:
        assert len(s.scalars(select(OutgoingMail)).all()) == 6


def test_a_bounce_in_the_collection_mailbox_marks_mail_and_address_bad_and_is_no_submission(world: MailWorld) -> None:
    w = world
    roster(w, [("a", "单位甲", "", f"{NO_SUCH}a"), ("b", "单位乙", "", "b")])
    _deadline_in_two_days(w)
    source = f"imaps://{w.collector}@127.0.0.1:{w.dovecot.imaps_port}/INBOX"
    kptj(w, "run", "--source", source, "--ca-file", str(w.postfix.ca_cert), "--config", str(w.config))
    assert "已发送 2 封" in kptj(w, "mail", "send")  # Postfix accepts both; the bad one bounces later
    w.postfix.wait_idle()
    assert w.dovecot.message_count(w.collector) == 1  # the DSN, written by Postfix

    out = kptj(w, "run", "--source", source, "--ca-file", str(w.postfix.ca_cert), "--config", str(w.config))
    assert "处理退信 1 封" in out, out
    with w.ws.session() as s:
        msg = s.scalar(select(Message))
        assert msg is not None and msg.classification == "bounce"
        assert not s.scalars(select(Attachment).where(Attachment.message_id == msg.id)).all()  # no submission
        by = {m.unit.account: m for m in s.scalars(select(OutgoingMail))}
        assert by["a"].state == "failed" and by["a"].permanent and "5.1.1" in by["a"].smtp_answer
        assert by["b"].state == "sent"
        assert s.scalar(select(BadAddress.address)) == w.addr(f"{NO_SUCH}a")
        bounce = s.scalar(select(Bounce))
        assert bounce is not None and bounce.mail_id == by["a"].id and bounce.status == "5.1.1"
    # a later reminder for the same unit leaves the bad address out: listed for staff instead
    w.write_config(deadlines={"scan": (local_today() + timedelta(days=1)).isoformat()}, auto_approve=["reminder"])
    kptj(w, "run", "--source", source, "--ca-file", str(w.postfix.ca_cert), "--config", str(w.config))
    with w.ws.session() as s:
        later = s.scalar(select(OutgoingMail).where(OutgoingMail.dedupe_key.like("reminder:scan:%"),
                                                    OutgoingMail.unit_id == by["a"].unit_id))
        assert later is not None and later.recipients == [] and later.state == "draft"


def test_send_after_run_sends_in_the_daily_job_and_a_second_run_sends_nothing(world: MailWorld) -> None:
    w = world
    roster(w, UNITS[:3])
    _deadline_in_two_days(w, send_after_run=True)
    (w.ws.home / "empty").mkdir()
    run = ("run", "--source", str(w.ws.home / "empty"), "--config", str(w.config))
    assert "已发送 4 封" in kptj(w, *run)  # hp_kjj, u1, u2 and the bureau's list
    assert "新起草 无" in (out := kptj(w, *run)) and "已发送 0 封" in out, out
    w.postfix.wait_idle()
    assert [len(w.inbox(u)) for u in ("kjj", "u1", "u2")] == [2, 1, 1]


def test_a_staff_decision_to_request_a_rescan_is_approved_by_that_person_once(world: MailWorld) -> None:
    from outbox.config import load_mail_config
    from outbox.drafting import request_rescan
    from tests.outbox.scans import intake, read_as, send_scan

    w = world
    roster(w, UNITS[:2])
    send_scan(w, "u1", "第一中学", "<scan-9@school.test>")
    intake(w)
    doc_id = read_as(w, "<scan-9@school.test>", "u1", [])  # read clean; a person still wants a better scan
    cfg = load_mail_config(w.ws.home)
    assert cfg is not None
    with w.ws.session() as s:
        row = request_rescan(w.ws, s, cfg, doc_id, ["第 2 页扫描件过暗，请重新扫描"], by="李四")
        assert row is not None and row.state == "approved" and row.approved_by == "李四"
        assert request_rescan(w.ws, s, cfg, doc_id, ["再次"], by="李四") is None  # one per document
        s.commit()
    assert "已发送 1 封" in kptj(w, "mail", "send")
    w.postfix.wait_idle()
    [got] = w.inbox("u1")
    assert got["In-Reply-To"] == "<scan-9@school.test>" and "第 2 页扫描件过暗" in got.get_content()


def test_a_rescan_decided_in_the_portal_is_drafted_by_the_next_job_approved_by_its_person(world: MailWorld) -> None:
    from matching.decisions import Actor, decide
    from registry.models import Finding
    from tests.outbox.scans import intake, read_as, send_scan

    w = world
    roster(w, UNITS[:2])
    w.write_config()
    send_scan(w, "u1", "第一中学", "<scan-10@school.test>")
    intake(w)
    read_as(w, "<scan-10@school.test>", "u1", [{"kind": "figure_unreadable", "severity": "warning",
                                               "indicator": "P01", "page": 2}])
    with w.ws.session() as s:
        finding = s.scalar(select(Finding).where(Finding.kind == "figure_unreadable"))
        decide(s, finding, "rescan", "第 2 页太暗，数值看不清", Actor("王敏", ip="127.0.0.1"))
        s.commit()
    kptj(w, "mail", "preview")
    kptj(w, "mail", "preview")  # a second job drafts nothing more
    with w.ws.session() as s:
        rows = s.scalars(select(OutgoingMail).where(OutgoingMail.kind == "rescan")).all()
        assert len(rows) == 1 and rows[0].state == "approved" and rows[0].approved_by == "王敏"
        assert "第 2 页太暗" in rows[0].body
