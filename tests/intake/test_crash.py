"""Crash safety with real processes: `kptj intake` SIGKILLed at random points, then a clean rerun."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from kptj.workspace import Workspace
from registry.models import Attachment, Message
from tests.intake.conftest import imaps_source
from tests.intake.mailfactory import image_bytes, mail, pdf_bytes, raw, zip_bytes
from tests.servers.dovecot import Dovecot

MESSAGES = 40
KILLS = 20
FETCH_KILLS = 6


def expected_statuses(i: int) -> list[str]:
    return [["document"], ["document", "document"], ["document", "corrupt"], ["document", "document", "empty"]][i % 4]


def make_mail(i: int) -> bytes:
    kind = i % 4
    if kind == 0:
        atts = [(f"{i}.pdf", pdf_bytes(2))]
    elif kind == 1:
        atts = [(f"{i}.zip", zip_bytes({"第1页.jpg": image_bytes("JPEG"), "第2页.png": image_bytes("PNG")},
                                       gbk_names=True))]
    elif kind == 2:
        atts = [(f"{i}.tif", image_bytes("TIFF", frames=2)), ("坏.pdf", b"%PDF-1.7 broken")]
    else:
        atts = [(f"{i}a.jpg", image_bytes("JPEG")), (f"{i}b.pdf", pdf_bytes()), ("空.txt", b"")]
    return raw(mail(subject=f"单位{i:02d} 科普统计表", attachments=atts))


def wait_until_working(proc: subprocess.Popen, lock_file: Path, timeout: float = 120) -> None:
    """The run writes its pid into the lock file once it holds the lock: the real work starts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if lock_file.exists() and lock_file.read_text().strip() == str(proc.pid):
            return
        time.sleep(0.01)


def wait_for_archive(proc: subprocess.Popen, mail_dir: Path, target: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if mail_dir.exists() and sum(1 for _ in mail_dir.glob("*/*.eml")) >= target:
            return
        time.sleep(0.002)


def test_sigkill_at_random_points_then_rerun_gives_each_mail_and_file_once(
        dovecot: Dovecot, mailbox_user: str, ws: Workspace) -> None:
    for i in range(MESSAGES):
        dovecot.deliver(mailbox_user, make_mail(i))
    cmd = [sys.executable, "-m", "kptj", "--home", str(ws.home), "intake", "-q",
           "--source", imaps_source(dovecot, mailbox_user), "--ca-file", str(dovecot.ca_cert)]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    # Create the schema first: registry/db.py's first migration is not crash-safe on SQLite
    # (pysqlite runs CREATE TABLE outside a transaction), which is not what this test is about.
    ws.sessions()
    rng = random.Random(20241125)
    # The first kills come when the raw archive reaches random sizes (often right after a file is
    # written and before its row commits); the rest at random times after start-up, which lands
    # in extraction, commits and the MOVE.
    archive_targets = sorted(rng.sample(range(1, MESSAGES), FETCH_KILLS))
    killed = 0
    progress: list[tuple[int, int]] = []  # (messages stored, messages done) after each kill
    for n in range(KILLS):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_working(proc, ws.home / "intake.lock")  # start-up time varies with machine load
        if n < FETCH_KILLS:
            wait_for_archive(proc, ws.archive_dir / "mail", archive_targets[n])
        else:
            time.sleep(rng.uniform(0.0, 1.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        with ws.session() as s:
            states = [m.state for m in s.scalars(select(Message))]
        progress.append((len(states), states.count("done")))
    assert killed >= KILLS // 2, "the intake finished too early for the kills to mean anything"
    mid_fetch = [p for p in progress if 0 < p[0] < MESSAGES]
    mid_processing = [p for p in progress if p[0] == MESSAGES and p[1] < MESSAGES]
    assert mid_fetch and mid_processing, progress  # kills landed while fetching and while processing
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr

    with ws.session() as s:
        messages = s.scalars(select(Message)).all()
        subjects = Counter(m.subject for m in messages)
        assert len(messages) == MESSAGES and max(subjects.values()) == 1
        assert {m.state for m in messages} == {"done"}
        for m in messages:
            i = int((m.subject or "")[2:4])
            got = [a.status for a in s.scalars(select(Attachment).where(Attachment.message_id == m.id)
                                               .order_by(Attachment.position))]
            assert got == expected_statuses(i), (i, got)
    assert len(list((ws.archive_dir / "mail").rglob("*.eml"))) == MESSAGES
    assert not list(ws.archive_dir.rglob(".*.tmp"))  # what killed runs left half-written is gone
    assert dovecot.message_count(mailbox_user, "INBOX") == 0
    assert dovecot.message_count(mailbox_user, "Processed") == MESSAGES
