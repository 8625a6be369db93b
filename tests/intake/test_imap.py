"""Intake from a real Dovecot: TLS, moves, new mail during a run, UIDVALIDITY, drops, bad logins."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import func, select

from intake import SourceError, parse_source, run_intake
from intake.imap_source import ImapConnection
from kptj.workspace import Workspace
from registry.models import Attachment, IntakeFolder, Message
from tests.intake.conftest import imaps_source
from tests.intake.mailfactory import image_bytes, mail, pdf_bytes, raw
from tests.servers.dovecot import Dovecot


def deliver_scans(server: Dovecot, user: str, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        server.deliver(user, raw(mail(subject=f"第{i}号单位 科普统计表", attachments=[(f"{i}.pdf", pdf_bytes())])))


def count(ws: Workspace, model: type) -> int:
    with ws.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_imaps_with_custom_ca_archives_and_moves_each_mail_once(dovecot: Dovecot, mailbox_user: str,
                                                                  ws: Workspace) -> None:
    deliver_scans(dovecot, mailbox_user, 3)
    spec = parse_source(imaps_source(dovecot, mailbox_user), ca_file=dovecot.ca_cert)
    report = run_intake(ws, [spec])
    assert report.ok and report.sources[0].done == 3
    assert dovecot.message_count(mailbox_user, "INBOX") == 0
    assert dovecot.message_count(mailbox_user, "Processed") == 3
    with ws.session() as s:
        msgs = s.scalars(select(Message)).all()
        assert sorted(m.subject for m in msgs) == [f"第{i}号单位 科普统计表" for i in range(3)]
        assert {m.state for m in msgs} == {"done"} and all(m.uidvalidity for m in msgs)
    # capabilities re-read after login, so imap-tools uses real MOVE, not COPY + EXPUNGE
    conn = ImapConnection(spec)
    try:
        assert "MOVE" in conn.box.client.capabilities
    finally:
        conn.close()
    run_intake(ws, [spec])
    assert count(ws, Message) == 3 and count(ws, Attachment) == 3


def test_starttls_and_flag_action_leave_mail_in_place(dovecot: Dovecot, mailbox_user: str, ws: Workspace) -> None:
    deliver_scans(dovecot, mailbox_user, 2)
    spec = parse_source(f"imap://{mailbox_user}@127.0.0.1:{dovecot.imap_port}/INBOX", ca_file=dovecot.ca_cert,
                        action="flag:\\Seen")
    assert run_intake(ws, [spec]).sources[0].done == 2
    assert dovecot.message_count(mailbox_user, "INBOX") == 2
    assert dovecot.doveadm("search", "-u", mailbox_user, "mailbox", "INBOX", "SEEN").count("\n") == 2
    deliver_scans(dovecot, mailbox_user, 1, start=10)
    assert run_intake(ws, [spec]).sources[0].archived == 1  # only the new one: last_uid, not flags
    # `UID n:*` still answers with the newest message; it must not be taken again
    assert run_intake(ws, [spec]).sources[0].archived == 0 and count(ws, Message) == 3


def test_wrong_ca_fails_verification_with_a_clear_message(dovecot: Dovecot, mailbox_user: str, ws: Workspace) -> None:
    deliver_scans(dovecot, mailbox_user, 1)
    report = run_intake(ws, [imaps_source(dovecot, mailbox_user)])  # system CAs do not know our CA
    assert not report.ok and "证书校验失败" in (report.sources[0].error or "")
    assert count(ws, Message) == 0 and dovecot.message_count(mailbox_user) == 1


def test_wrong_password_is_reported_in_chinese_and_stores_nothing(dovecot: Dovecot, mailbox_user: str,
                                                                   ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    deliver_scans(dovecot, mailbox_user, 1)
    monkeypatch.setenv("KPTJ_IMAP_PASSWORD", "wrong-password")
    spec = parse_source(imaps_source(dovecot, mailbox_user), ca_file=dovecot.ca_cert)
    with pytest.raises(SourceError, match="用户名或密码"):
        ImapConnection(spec)
    report = run_intake(ws, [spec])
    assert "用户名或密码" in (report.sources[0].error or "") and "wrong-password" not in str(report)
    assert count(ws, Message) == 0 and count(ws, IntakeFolder) == 0
    assert dovecot.message_count(mailbox_user) == 1


def test_mail_delivered_during_a_run_is_taken_in_the_same_run(dovecot: Dovecot, mailbox_user: str,
                                                                ws: Workspace) -> None:
    deliver_scans(dovecot, mailbox_user, 2)
    delivered = []

    def hook(_session, message, _docs) -> None:  # the reading stage's place: mail arrives meanwhile
        if not delivered:
            delivered.append(message.id)
            deliver_scans(dovecot, mailbox_user, 2, start=100)

    spec = parse_source(imaps_source(dovecot, mailbox_user), ca_file=dovecot.ca_cert)
    report = run_intake(ws, [spec], on_attachments=hook)
    assert report.sources[0].archived == 4 and report.sources[0].done == 4
    assert dovecot.message_count(mailbox_user) == 0


def test_changed_uidvalidity_rescans_without_duplicates(dovecot: Dovecot, mailbox_user: str, ws: Workspace) -> None:
    deliver_scans(dovecot, mailbox_user, 3)
    spec = parse_source(imaps_source(dovecot, mailbox_user), ca_file=dovecot.ca_cert, action="flag:\\Seen")
    run_intake(ws, [spec])
    new_validity = dovecot.change_uidvalidity(mailbox_user)
    deliver_scans(dovecot, mailbox_user, 1, start=50)
    report = run_intake(ws, [spec])
    assert report.sources[0].archived == 4  # all re-read after the change ...
    assert count(ws, Message) == 4 and count(ws, Attachment) == 4  # ... but stored once each
    with ws.session() as s:
        assert {m.uidvalidity for m in s.scalars(select(Message))} == {new_validity}


def test_connection_dropped_mid_fetch_is_resumed(dovecot: Dovecot, mailbox_user: str, ws: Workspace) -> None:
    n = 12
    deliver_scans(dovecot, mailbox_user, n)
    killed: list[int] = []

    def observer(event: str, _data: dict) -> None:
        if event == "archived" and not killed:
            for pid in dovecot.imap_pids():
                os.kill(pid, signal.SIGKILL)  # the server side of our session dies mid-fetch
                killed.append(pid)

    spec = parse_source(imaps_source(dovecot, mailbox_user), ca_file=dovecot.ca_cert)
    report = run_intake(ws, [spec], observer=observer)
    assert killed and report.sources[0].reconnects >= 1
    assert report.ok and count(ws, Message) == n and count(ws, Attachment) == n
    assert dovecot.message_count(mailbox_user, "INBOX") == 0


def test_utf8_subject_filter_takes_only_matching_mail(dovecot: Dovecot, mailbox_user: str, ws: Workspace) -> None:
    dovecot.deliver(mailbox_user, raw(mail(subject="科普统计调查表", attachments=[("a.png", image_bytes("PNG"))])))
    dovecot.deliver(mailbox_user, raw(mail(subject="会议通知")))
    spec = parse_source(imaps_source(dovecot, mailbox_user), ca_file=dovecot.ca_cert, subject_contains="科普统计",
                        action="none")
    run_intake(ws, [spec])
    with ws.session() as s:
        assert [m.subject for m in s.scalars(select(Message))] == ["科普统计调查表"]
