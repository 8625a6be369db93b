"""`kptj mail send` SIGKILLed at random points ×20, then run again: every approved mail is on the
server exactly once (counted in the recipients' Maildirs and in the copy mailbox)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from email import message_from_bytes

from sqlalchemy import select

from registry.clock import utc_now
from tests.outbox.conftest import MailWorld, raw_mailbox, roster
from tests.outbox.test_send import kptj

MAILS = 40
KILLS = 20
STARTUP_KILLS = 5  # killed at a random time after start-up (recovery, login); the rest while sending
ARMED_KILLS = 4    # of KILLS: killed from inside (tests/e2e/killpoint.py) once the server has a mail,
                   # so the window between the server's answer and `sent` is hit on any machine


def wait_for_lock(proc: subprocess.Popen, lock, timeout: float = 60) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if lock.exists() and lock.read_text().strip() == str(proc.pid):
            return
        time.sleep(0.005)


def wait_for_sending(proc: subprocess.Popen, db: str, started: datetime, timeout: float = 30) -> None:
    """Until this run has claimed a mail (polled with plain sqlite3, read-only; times are naive UTC)."""
    deadline = time.monotonic() + timeout
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if con.execute("SELECT count(*) FROM outbox_mails WHERE sending_at > ?",
                           (started.isoformat(sep=" "),)).fetchone()[0]:
                return
            time.sleep(0.003)
    finally:
        con.close()


def test_sigkill_during_send_then_rerun_delivers_every_mail_exactly_once(world: MailWorld) -> None:
    from registry.outbox_models import OutgoingMail

    w = world
    roster(w, [(f"c{i:02d}", f"测试单位{i:02d}", "", f"c{i:02d}") for i in range(MAILS)])
    w.write_config(auto_approve=["reminder"], rate_per_minute=1500, verify_grace_seconds=3)
    kptj(w, "mail", "preview", "--today", "2025-06-13")
    with w.ws.session() as s:
        expected = {m.recipients[0]: m.message_id for m in s.scalars(select(OutgoingMail))}
        assert len(expected) == MAILS and {m.state for m in s.scalars(select(OutgoingMail))} == {"approved"}
    cmd = [sys.executable, "-m", "kptj", "--home", str(w.ws.home), "mail", "send"]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    rng = random.Random(20261203)
    killed, interrupted, progress = 0, set(), []  # interrupted: mails a kill left in `sending`
    for n in range(KILLS):
        started = utc_now()
        if STARTUP_KILLS <= n < STARTUP_KILLS + ARMED_KILLS:  # die right after the server took a mail
            armed = [sys.executable, "-m", "tests.e2e.killpoint", "send", str(rng.randint(1, 3)), "after", "0", "--",
                     *cmd[3:]]
            proc = subprocess.Popen(armed, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
            killed += proc.wait() == -signal.SIGKILL
            with w.ws.session() as s:
                interrupted |= set(s.scalars(select(OutgoingMail.id).where(OutgoingMail.state == "sending")))
                progress.append(Counter(s.scalars(select(OutgoingMail.state)))["sent"])
            continue
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_lock(proc, w.ws.home / "mail-send.lock")
        if n < STARTUP_KILLS:
            time.sleep(rng.uniform(0.0, 0.6))  # start-up, recovery of the last kill's mail, login
        else:
            wait_for_sending(proc, str(w.ws.home / "kptj.sqlite3"), started)
            time.sleep(rng.uniform(0.0, 0.1))  # somewhere in a send: before, during or after SMTP
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        with w.ws.session() as s:
            states = Counter(s.scalars(select(OutgoingMail.state)))
            interrupted |= set(s.scalars(select(OutgoingMail.id).where(OutgoingMail.state == "sending")))
        progress.append(states["sent"])
    assert killed >= KILLS // 2, "the sender finished too early for the kills to mean anything"
    assert len(interrupted) >= 2, f"no kill landed while a mail was being sent: {progress}"
    assert progress[0] < MAILS, progress
    w.postfix.wait_idle()
    time.sleep(3.5)  # past verify_grace_seconds: an unconfirmed mail is now resent, not waited for
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr
    w.postfix.wait_idle()

    with w.ws.session() as s:
        rows = list(s.scalars(select(OutgoingMail)))
    assert {m.state for m in rows} == {"sent"}
    delivered = Counter()
    for rcpt, mid in expected.items():
        got = [message_from_bytes(b)["Message-ID"] for b in raw_mailbox(w.dovecot, rcpt.split("@")[0])]
        delivered[len(got)] += 1
        assert got == [mid], (rcpt, got)
    copies = Counter(message_from_bytes(b)["Message-ID"] for b in raw_mailbox(w.dovecot, w.copy))
    assert copies == Counter(expected.values())
    confirmed = sum(1 for m in rows if "存档邮箱中已有此邮件" in (m.smtp_answer or ""))
    resent = sum(1 for m in rows if m.attempts > 1)
    print(f"\ncrash test: {killed} kills left {len(interrupted)} mails in 'sending'; after restart "
          f"{confirmed} confirmed sent by their copy (the window between the server's answer and the commit), "
          f"{resent} needed a second SMTP attempt (same Message-ID); deliveries per recipient {dict(delivered)}; "
          f"sent after each kill {progress}")
