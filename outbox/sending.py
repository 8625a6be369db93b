"""Sending approved mail exactly once: draft → approved → sending → sent | failed.

For each mail: commit `sending` (attempts + 1), hand it to the SMTP server, commit `sent` with the
server's answer. Only one sender runs per workspace (a lock the kernel drops when the process dies),
so a `sending` row found at start-up belongs to a process that died. Its fate is uncertain only in
one window: after the server accepted the DATA and before `sent` was committed (the time is
measured: `SendReport.window_ms`). Such a row is resolved by looking for its Bcc copy in the copy
mailbox by Message-ID (outbox.verify): found → sent; not found after `verify_grace_seconds` →
approved again and resent with the SAME Message-ID. Without a copy mailbox the tool cannot know, so
it never guesses: the row becomes `failed` with a note, and staff re-approve it after checking
(at most once, never twice).
Temporary failures (4xx, connection) are retried with exponential backoff; 5xx is permanent.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kptj.workspace import Workspace
from outbox.compose import build_message, envelope_recipients
from outbox.config import MailConfig
from outbox.smtp import SendError, SmtpTransport, write_eml
from registry.clock import utc_now
from registry.outbox_models import BadAddress, OutgoingMail

MAX_BACKOFF = 6 * 3600.0


class SendBusy(Exception):
    pass


@dataclass
class SendReport:
    sent: int = 0
    retry_later: int = 0
    failed: int = 0
    recovered_sent: int = 0      # crashed mid-send, copy found: it had gone out
    recovered_resend: int = 0    # crashed mid-send, no copy: approved again (same Message-ID)
    uncertain: int = 0           # crashed mid-send and nothing to check with: left to staff
    pending_check: int = 0       # crashed so recently that the copy may still be on its way
    dry_run_files: list[Path] = field(default_factory=list)
    window_ms: list[float] = field(default_factory=list)  # server's answer → `sent` committed
    stopped: str | None = None   # why the run stopped early (e.g. the server cannot be reached)


@contextmanager
def send_lock(home: Path) -> Iterator[None]:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "mail-send.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise SendBusy(f"另一个发信任务正在运行（进程 {holder}），请等它结束后再试") from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def backoff(cfg: MailConfig, attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF, cfg.backoff_seconds * 2 ** max(0, attempts - 1)))


def due_ids(s: Session, limit: int | None = None) -> list[int]:
    q = (select(OutgoingMail.id).where(OutgoingMail.state == "approved",
                                       or_(OutgoingMail.next_attempt_at.is_(None),
                                           OutgoingMail.next_attempt_at <= utc_now()))
         .order_by(OutgoingMail.id))
    return list(s.scalars(q.limit(limit) if limit else q))


def recover(ws: Workspace, cfg: MailConfig, report: SendReport) -> None:
    """Decide what each `sending` row left by a dead process means (see the module doc)."""
    with ws.session() as s:
        ids = list(s.scalars(select(OutgoingMail.id).where(OutgoingMail.state == "sending")))
    if not ids:
        return
    if not (cfg.copy_to and cfg.verify_url):
        with ws.sessions().begin() as s:
            for row in s.scalars(select(OutgoingMail).where(OutgoingMail.id.in_(ids))):
                row.state, row.failed_at = "failed", utc_now()
                row.smtp_answer = (f"发送过程中断，无法确认对方是否已收到（未配置存档邮箱）；请核实后用 "
                                   f"kptj mail approve --id {row.id} 重新批准发送")
                report.uncertain += 1
        return
    from outbox.verify import CopyMailbox

    with CopyMailbox(cfg) as copies:
        for mail_id in ids:
            with ws.sessions().begin() as s:
                row = s.get(OutgoingMail, mail_id)
                if row is None or row.state != "sending":
                    continue
                if copies.has(row.message_id):
                    row.state, row.sent_at = "sent", utc_now()
                    row.smtp_answer = "发送过程中断；存档邮箱中已有此邮件（按 Message-ID 核对），确认已发出"
                    report.recovered_sent += 1
                elif row.sending_at and (utc_now() - row.sending_at).total_seconds() < cfg.verify_grace_seconds:
                    report.pending_check += 1  # its copy may still be on its way: decide next run
                else:
                    row.state, row.next_attempt_at = "approved", None
                    row.smtp_answer = "发送过程中断；存档邮箱中没有此邮件，按原 Message-ID 重新发送"
                    report.recovered_resend += 1


def send_approved(ws: Workspace, cfg: MailConfig, *, dry_run: bool = False, limit: int | None = None,
                  transport: SmtpTransport | None = None, sleep: Callable[[float], None] = time.sleep,
                  progress: Callable[[str], None] = lambda _m: None) -> SendReport:
    report = SendReport()
    with send_lock(ws.home):
        if dry_run or cfg.dry_run:
            folder = ws.home / "outbox" / "dry-run" / utc_now().strftime("%Y%m%d-%H%M%S")
            with ws.session() as s:
                for mail_id in due_ids(s, limit):
                    row = s.get(OutgoingMail, mail_id)
                    assert row is not None
                    report.dry_run_files.append(write_eml(build_message(row, cfg), folder, f"{row.id:06d}-{row.kind}"))
            return report
        recover(ws, cfg, report)
        with ws.session() as s:
            ids = due_ids(s, limit)
        if not ids:
            return report
        smtp = transport or SmtpTransport(cfg)
        interval = 60.0 / cfg.rate_per_minute if cfg.rate_per_minute > 0 else 0.0
        last = 0.0
        try:
            for mail_id in ids:
                wait = last + interval - time.monotonic()
                if wait > 0:
                    sleep(wait)
                last = time.monotonic()
                if not _send_one(ws, cfg, smtp, mail_id, report, progress):
                    break
        finally:
            smtp.close()
    return report


def _send_one(ws: Workspace, cfg: MailConfig, smtp: SmtpTransport, mail_id: int, report: SendReport,
              progress: Callable[[str], None]) -> bool:
    """Send one mail; False when the run should stop (the server cannot be reached)."""
    sessions = ws.sessions()
    if smtp.conn is None:  # connect and log in before claiming: a login error leaves the mail approved
        try:
            smtp.open()
        except SendError as exc:
            report.stopped = exc.answer
            return False
    with sessions.begin() as s:  # claim it: committed before a byte goes to the server
        row = s.get(OutgoingMail, mail_id)
        if row is None or row.state != "approved" or not row.recipients:
            return True
        row.state, row.attempts, row.sending_at = "sending", (row.attempts or 0) + 1, utc_now()
        msg, rcpts, attempts = build_message(row, cfg), envelope_recipients(row), row.attempts
    progress(f"发送邮件 #{mail_id}")
    try:
        answer, refused = smtp.send(msg, cfg.sender_address, rcpts, cfg.copy_to)
    except SendError as exc:
        with sessions.begin() as s:
            row = s.get(OutgoingMail, mail_id)
            assert row is not None
            row.smtp_answer = exc.answer[:2000]
            if exc.permanent or attempts >= cfg.max_attempts:
                row.state, row.failed_at, row.permanent = "failed", utc_now(), exc.permanent
                report.failed += 1
                if exc.permanent:
                    _mark_bad(s, [a for a in row.recipients if a.lower() in exc.answer.lower()], row.id, exc.answer)
            else:
                row.state, row.next_attempt_at = "approved", utc_now() + backoff(cfg, attempts)
                report.retry_later += 1
        if exc.connection:
            report.stopped = exc.answer
            return False
        return True
    t0 = time.perf_counter()
    with sessions.begin() as s:
        row = s.get(OutgoingMail, mail_id)
        assert row is not None
        row.state, row.sent_at, row.smtp_answer = "sent", utc_now(), answer[:2000]
        if refused:
            row.smtp_answer += "；部分收件人被拒绝：" + "；".join(f"{r}: {a}" for r, a in refused.items())
            _mark_bad(s, [r for r, a in refused.items() if a.startswith("5") and r != cfg.copy_to], row.id,
                      "；".join(refused.values()))
    report.window_ms.append((time.perf_counter() - t0) * 1000)
    report.sent += 1
    return True


def _mark_bad(s: Session, addresses: list[str], mail_id: int, reason: str) -> None:
    known = set(s.scalars(select(BadAddress.address)))
    for a in {x.lower() for x in addresses} - known:
        s.add(BadAddress(address=a, reason=reason[:2000], mail_id=mail_id, created_at=utc_now()))
