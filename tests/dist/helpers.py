"""Shared by the distributed-reading test and benchmark: a small generated mailbox, kptj processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


def kptj(home: Path, *args: str, db: str | None = None, env: dict | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "kptj", "--home", str(home), *(["--db", db] if db else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


def world(out: Path, seed: int = 2024) -> dict:
    """`kptj synth` at its smallest (50 units, reportlab printing: about 15 s)."""
    r = subprocess.run([sys.executable, "-m", "kptj", "synth", "--units", "50", "--seed", str(seed), "--out",
                        str(out), "--printer", "reportlab", "--format", "json"], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads((out / "truth.json").read_text(encoding="utf-8"))


def pick_mail(truth: dict, wdir: Path, dest: Path, shapes: list[str]) -> tuple[int, list[dict]]:
    """Copy the smallest message of each shape into dest; returns their pages and the messages."""
    dest.mkdir(parents=True, exist_ok=True)
    total, picked = 0, []

    def pages(m: dict) -> int:
        return sum(len(d["pages"]) for a in m["attachments"] for d in a["documents"])

    for shape in shapes:
        m = min((m for m in truth["messages"] if m["shape"] == shape and all(
            a["expected_status"] == "document" for a in m["attachments"])), key=pages)
        shutil.copy(wdir / m["file"], dest / Path(m["file"]).name)
        total += pages(m)
        picked.append(m)
    return total, picked


def import_world(home: Path, wdir: Path, db: str | None = None) -> None:
    for what, name in (("registry", "roster.xlsx"), ("records", "records.xlsx")):
        r = kptj(home, what, "import", str(wdir / name), db=db)
        assert r.returncode == 0, r.stdout + r.stderr


class Worker:
    """A `kptj worker` in a session of its own, so kill() takes its pool processes too."""

    def __init__(self, home: Path, db: str, broker: str, name: str, log: Path, env: dict | None = None,
                 concurrency: int = 1) -> None:
        self.name, self.log = name, log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kptj", "--home", str(home), "--db", db, "worker", "--broker", broker,
             "-c", str(concurrency), "--name", name],
            stdout=open(log, "wb"), stderr=subprocess.STDOUT, env=env, start_new_session=True)  # noqa: SIM115

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while "ready." not in self.text():
            assert self.proc.poll() is None, self.text()
            assert time.monotonic() < deadline, f"worker {self.name} not ready:\n{self.text()}"
            time.sleep(0.2)

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
