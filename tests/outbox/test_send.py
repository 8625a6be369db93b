"""Mail to units through a real Postfix, read back over IMAP from the real Dovecot."""

from __future__ import annotations

import statistics
from email import message_from_bytes
from email.header import decode_header

from sqlalchemy import select
from typer.testing import CliRunner

from kptj.cli import app
from outbox.config import load_mail_config
from outbox.sending import send_approved
from registry.outbox_models import BadAddress, OutgoingMail
from tests.outbox.conftest import IN_WINDOW, SMTP_PASSWORD, UNITS, MailWorld, raw_mailbox, roster
from tests.outbox.scans import intake, read_as, send_scan
from tests.servers.postfix import DEFER_4XX, REJECT_5XX

runner = CliRunner()


def kptj(w: MailWorld, *args: str) -> str:
    res = runner.invoke(app, ["--home", str(w.ws.home), *args])
    assert res.exit_code == 0, res.output
    return flat(res.output)


def flat(text: str) -> str:
    """Rich wraps long lines at the terminal width (80 here): compare without the line breaks."""
    return text.replace("\n", "")


def test_receipts_rescans_reminders_arrive_once_each_with_encoded_headers_and_threading(world: MailWorld) -> None:
    w = world
    roster(w, UNITS)
    send_scan(w, "u1", "第一中学", "<scan-1@school.test>", references="<earlier@school.test>")
    intake(w)
    read_as(w, "<scan-1@school.test>", "u1", [
        {"kind": "seal_missing", "severity": "error", "page": 3},
        {"kind": "signature_missing", "severity": "error", "indicator": "单位负责人", "page": 3},
        {"kind": "figure_unreadable", "severity": "warning", "indicator": "P01", "page": 1}])  # ours, not theirs

    out = kptj(w, "mail", "preview", "--today", IN_WINDOW.isoformat())
    assert "没有可用邮箱" in out and "天津市和平区图书馆" in out  # u4: no address, listed for staff
    with w.ws.session() as s:
        rows = {(m.kind, m.unit.account if m.unit else None): m for m in s.scalars(select(OutgoingMail))}
    assert rows[("receipt", "u1")].state == "approved"  # receipts are approved by the configuration
    assert len(rows[("receipt", "u1")].about["findings"]) == 2  # what it is about: seal and signature
    assert rows[("rescan", "u1")].state == "draft"      # rescan requests wait for a person
    assert {k for k in rows if k[0] == "reminder"} == {("reminder", a) for a in ("hp_kjj", "u2", "u3", "u4")}
    assert rows[("reminder", "u4")].recipients == []
    assert "u4" not in [a for k, m in rows.items() for a in m.recipients]
    assert list((w.ws.home / "outbox" / "preview").rglob("*.eml"))

    out = kptj(w, "mail", "approve", "--all", "--by", "张三")
    assert "已批准 5 封" in out and "不能批准" in out  # rescan, 3 reminders, admin list; not u4's
    out = kptj(w, "mail", "send")
    assert "已发送 6 封" in out, out
    w.postfix.wait_idle()

    # one mail per unit and kind, read back over IMAP
    u1 = w.inbox("u1")
    assert sorted(m["Subject"] for m in u1) == sorted([rows[("receipt", "u1")].subject, rows[("rescan", "u1")].subject])
    receipt = next(m for m in u1 if m["Message-ID"] == rows[("receipt", "u1")].message_id)
    assert receipt["In-Reply-To"] == "<scan-1@school.test>"
    assert receipt["References"].split() == ["<earlier@school.test>", "<scan-1@school.test>"]
    assert receipt["Auto-Submitted"] == "auto-replied"
    body = receipt.get_content()
    assert "天津市和平区第一中学" in body and "第 3 页未盖章" in body and "单位负责人未签字" in body
    assert "P01" not in body and "需要修改" in receipt["Subject"]
    rescan = next(m for m in u1 if m["Message-ID"] == rows[("rescan", "u1")].message_id)
    assert rescan["In-Reply-To"] == "<scan-1@school.test>"
    assert "第 3 页未盖章" in rescan.get_content()
    for local in ("u2", "u3"):
        got = w.inbox(local)
        assert len(got) == 1 and "2025-06-15" in got[0]["Subject"] and "尚未收到您单位的盖章扫描件" in got[0].get_content()
    kjj = w.inbox("kjj")
    assert len(kjj) == 2  # its own reminder and the list of its missing units
    listing = next(m for m in kjj if "下属单位" in m["Subject"]).get_content()
    assert "天津市和平区鞍山道小学" in listing and "天津市和平区图书馆" in listing
    assert "天津市和平区第一中学" not in listing  # it has sent
    # on the wire: RFC 2047 subject, UTF-8 body in a transfer encoding, nothing raw 8-bit
    wire = raw_mailbox(w.dovecot, w.user("u2"))[0]
    head = wire.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in wire else wire.split(b"\n\n", 1)[0]
    subject_line = next(x for x in head.decode("ascii").splitlines() if x.startswith("Subject:"))
    assert "=?utf-8?" in subject_line.lower()
    assert "".join(t.decode(c or "ascii") if isinstance(t, bytes) else t
                   for t, c in decode_header(subject_line[len("Subject:"):].strip())).startswith("提醒：")
    assert b'charset="utf-8"' in wire.lower() or b"charset=utf-8" in wire.lower()
    assert all(b < 128 for b in wire)
    # the Bcc copy: every mail once, in the copy mailbox only (not in any To/Cc header)
    assert len(raw_mailbox(w.dovecot, w.copy)) == 6
    assert all(w.copy not in (m["To"] or "") for m in u1)
    with w.ws.session() as s:
        sent = s.scalars(select(OutgoingMail).where(OutgoingMail.state == "sent")).all()
        assert len(sent) == 6 and all(m.smtp_answer.startswith("250") and m.attempts == 1 for m in sent)
        assert {m.approved_by for m in sent} == {"张三", "自动（配置 auto_approve）"}

    # sending again sends nothing
    assert "已发送 0 封" in kptj(w, "mail", "send")


def test_implicit_tls_dry_run_and_the_password_stays_out_of_database_and_logs(world: MailWorld) -> None:
    w = world
    w.write_config(smtp=f"smtps://{w.collector}@127.0.0.1:{w.postfix.smtps_port}",
                   auto_approve=["reminder", "admin_reminder"])
    roster(w, UNITS[:3])
    kptj(w, "mail", "preview", "--today", IN_WINDOW.isoformat())
    out = kptj(w, "mail", "send", "--dry-run")
    assert "试运行：4 封" in out  # 3 reminders and the bureau's list
    emls = list((w.ws.home / "outbox" / "dry-run").rglob("*.eml"))
    assert len(emls) == 4 and not w.inbox("u1")
    cfg = load_mail_config(w.ws.home)
    assert cfg is not None
    rep = send_approved(w.ws, cfg)
    assert rep.sent == 4 and rep.failed == 0
    print(f"\nanswer → 'sent' committed: median {statistics.median(rep.window_ms):.1f} ms, "
          f"max {max(rep.window_ms):.1f} ms over {len(rep.window_ms)} mails")
    w.postfix.wait_idle()
    assert len(w.inbox("u1")) == 1
    secret = b"smtp-Secret-9x"
    for p in w.ws.home.rglob("*"):
        if p.is_file():
            assert secret not in p.read_bytes(), p


def test_wrong_password_is_a_chinese_message_and_exit_2(world: MailWorld, monkeypatch) -> None:  # noqa: ANN001
    w = world
    roster(w, UNITS[:2])
    w.write_config(auto_approve=["reminder", "admin_reminder"])
    kptj(w, "mail", "preview", "--today", IN_WINDOW.isoformat())
    monkeypatch.setenv("KPTJ_SMTP_PASSWORD", "wrong")
    res = runner.invoke(app, ["--home", str(w.ws.home), "mail", "send"])
    assert res.exit_code == 2 and "用户名或密码" in flat(res.output) and "Traceback" not in res.output
    with w.ws.session() as s:
        assert {m.state for m in s.scalars(select(OutgoingMail))} == {"approved"}  # nothing lost


def test_5xx_is_permanent_and_shown_4xx_is_retried_later(world: MailWorld) -> None:
    w = world
    roster(w, [("a", "单位甲", "", f"{REJECT_5XX}a"), ("b", "单位乙", "", f"{DEFER_4XX}b"), ("c", "单位丙", "", "c")])
    w.write_config(auto_approve=["reminder"], backoff_seconds=600)
    kptj(w, "mail", "preview", "--today", IN_WINDOW.isoformat())
    res = runner.invoke(app, ["--home", str(w.ws.home), "mail", "send"])
    assert res.exit_code == 1 and "已发送 1 封；稍后重试 1 封；发送失败 1 封" in flat(res.output), res.output
    with w.ws.session() as s:
        by = {m.unit.account: m for m in s.scalars(select(OutgoingMail))}
        assert by["a"].state == "failed" and by["a"].permanent and by["a"].smtp_answer.startswith(
            f"{w.addr(REJECT_5XX + 'a')}: 550")
        assert by["b"].state == "approved" and by["b"].attempts == 1 and by["b"].next_attempt_at is not None
        assert "450" in by["b"].smtp_answer
        assert by["c"].state == "sent"
        assert s.scalar(select(BadAddress.address)) == w.addr(REJECT_5XX + "a")
    assert "已发送 0 封；稍后重试 0 封；发送失败 0 封" in kptj(w, "mail", "send")  # b is not due yet; a never again
    out = kptj(w, "mail", "preview", "--state", "failed")
    assert "发送失败" in out and "550" in out


def test_without_a_copy_mailbox_an_interrupted_mail_goes_to_staff_and_bulk_sends_are_spaced(world: MailWorld) -> None:
    w = world
    roster(w, UNITS[:4])
    w.write_config(auto_approve=["reminder", "admin_reminder"], copy_to="", verify="", rate_per_minute=120)
    kptj(w, "mail", "preview", "--today", IN_WINDOW.isoformat())
    with w.ws.sessions().begin() as s:  # what a kill between the claim and the commit leaves
        first = s.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).first()
        assert first is not None
        first.state, first.attempts = "sending", 1
    cfg = load_mail_config(w.ws.home)
    assert cfg is not None and not cfg.copy_to
    waits: list[float] = []
    rep = send_approved(w.ws, cfg, sleep=waits.append)
    assert (rep.uncertain, rep.sent) == (1, 4)
    assert len(waits) == 3 and all(0.3 < x <= 0.5 for x in waits)  # 120 a minute: 0.5 s apart
    with w.ws.session() as s:
        row = s.get(OutgoingMail, first.id)
        assert row is not None and row.state == "failed" and "无法确认" in row.smtp_answer
    mailbox = first.recipients[0].split("@")[0]

    def arrived() -> list[str]:
        w.postfix.wait_idle()
        return [m for m in (message_from_bytes(b)["Message-ID"] for b in raw_mailbox(w.dovecot, mailbox))
                if m == first.message_id]

    assert arrived() == []
    kptj(w, "mail", "approve", "--id", str(first.id))  # staff checked: it never arrived
    assert "已发送 1 封" in kptj(w, "mail", "send")
    assert arrived() == [first.message_id]


def test_certificates_are_verified_and_the_password_may_come_from_a_file(world: MailWorld, monkeypatch) -> None:  # noqa: ANN001
    w = world
    roster(w, UNITS[:2])
    w.write_config(auto_approve=["reminder", "admin_reminder"], ca_file=None)  # the private CA not given
    kptj(w, "mail", "preview", "--today", IN_WINDOW.isoformat())
    res = runner.invoke(app, ["--home", str(w.ws.home), "mail", "send"])
    assert res.exit_code == 2 and "证书校验失败" in flat(res.output), res.output
    (w.ws.home / "smtp.pw").write_text(SMTP_PASSWORD + "\n")
    monkeypatch.delenv("KPTJ_SMTP_PASSWORD")
    w.write_config(auto_approve=["reminder", "admin_reminder"], password_env=None, password_file="smtp.pw")
    assert "已发送 3 封" in kptj(w, "mail", "send")  # relative to the configuration file
