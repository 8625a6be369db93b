"""Run-level guarantees: one run at a time, failures recorded and retried, the CLI for staff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from intake import run_intake
from intake.lock import IntakeBusy, intake_lock
from kptj.workspace import Workspace
from registry.models import Message
from tests.intake.conftest import imaps_source
from tests.intake.mailfactory import mail, pdf_bytes, raw
from tests.servers.dovecot import Dovecot


def kptj(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kptj", "--home", str(home), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": os.getcwd(), **(env or {})})


def write_mails(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"{i}.eml").write_bytes(raw(mail(subject=f"单位{i}", attachments=[(f"{i}.pdf", pdf_bytes())])))


def test_a_second_run_is_refused_while_one_holds_the_lock(ws: Workspace, tmp_path: Path) -> None:
    write_mails(tmp_path / "in", 1)
    ws.sessions()
    with intake_lock(ws.home):
        with pytest.raises(IntakeBusy):
            run_intake(ws, [str(tmp_path / "in")])
        busy = kptj(ws.home, "intake", "--source", str(tmp_path / "in"))
        assert busy.returncode == 3 and "另一个收取任务正在运行" in busy.stdout
    assert run_intake(ws, [str(tmp_path / "in")]).sources[0].archived == 1


def test_a_failing_message_is_recorded_retried_and_never_stops_the_run(ws: Workspace, tmp_path: Path) -> None:
    write_mails(tmp_path / "in", 3)
    calls: list[str] = []

    def flaky_reader(_s, message: Message, docs) -> None:
        calls.append(message.subject or "")
        if message.subject == "单位1":
            raise RuntimeError("识别程序崩溃")

    report = run_intake(ws, [str(tmp_path / "in")], on_attachments=flaky_reader, max_attempts=2)
    assert (report.sources[0].processed, report.sources[0].failed) == (2, 1)
    with ws.session() as s:
        bad = s.scalar(select(Message).where(Message.subject == "单位1"))
        assert bad is not None and (bad.state, bad.error_stage, bad.attempts) == ("error", "extracted", 1)
        assert "识别程序崩溃" in (bad.last_error or "")
    run_intake(ws, [str(tmp_path / "in")], on_attachments=flaky_reader, max_attempts=2)
    run_intake(ws, [str(tmp_path / "in")], on_attachments=flaky_reader, max_attempts=2)
    assert calls.count("单位1") == 2 and calls.count("单位0") == 1  # retried up to the limit only
    with ws.session() as s:
        assert s.scalar(select(Message.attempts).where(Message.subject == "单位1")) == 2
    run_intake(ws, [str(tmp_path / "in")], on_attachments=lambda *_: None, retry_errors=True)  # cause fixed
    with ws.session() as s:
        assert {m.state for m in s.scalars(select(Message))} == {"done"}


def test_cli_intake_from_toml_accounts_and_messages_listing(dovecot: Dovecot, mailbox_user: str,
                                                            tmp_path: Path) -> None:
    dovecot.deliver(mailbox_user, raw(mail(subject="南开区科协 科普统计表", attachments=[("南开.pdf", pdf_bytes(2))])))
    (tmp_path / "pw").write_text(os.environ["KPTJ_IMAP_PASSWORD"] + "\n")
    (tmp_path / "accounts.toml").write_text(
        f'[account.collect]\nsource = "{imaps_source(dovecot, mailbox_user)}"\n'
        f'password_file = "{tmp_path / "pw"}"\nca_file = "{dovecot.ca_cert}"\naction = "move:已处理"\n',
        encoding="utf-8")
    home = tmp_path / "home"
    run = kptj(home, "intake", "--config", str(tmp_path / "accounts.toml"), env={"KPTJ_IMAP_PASSWORD": ""})
    assert run.returncode == 0, run.stdout + run.stderr
    assert dovecot.message_count(mailbox_user, "已处理") == 1
    listing = json.loads(kptj(home, "messages", "--format", "json").stdout)
    [m] = listing
    assert (m["subject"], m["state"], m["classification"]) == ("南开区科协 科普统计表", "done", "attachments")
    assert [(a["name"], a["status"], a["pages"]) for a in m["attachments"]] == [("南开.pdf", "document", 2)]
    table = kptj(home, "messages", env={"COLUMNS": "200"}).stdout
    assert "南开.pdf" in table and "扫描件" in table and "完成" in table
    password = os.environ["KPTJ_IMAP_PASSWORD"]
    assert not any(password.encode() in p.read_bytes() for p in home.rglob("*") if p.is_file())
