"""Crash safety of the whole daily job: `kptj run` SIGKILLed (with its reading workers) while it reads,
matches, audits and writes reports, then rerun. Nothing is lost or doubled - messages, attachments,
documents, findings - and the reports equal those of an undisturbed run on the same mail."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kptj.workspace import Workspace
from registry.clock import local_today
from registry.models import Attachment, Document, Finding, Message, Page, Unit
from registry.template import default_template
from synth import demo_unit, demo_values, images_to_pdf, make_pages
from tests.intake.mailfactory import mail, pdf_bytes, raw
from tests.registry.builders import ROSTER_HEADER, record_row, records_header, write_csv

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20  # per stage
CJK_SPACE = "空间"  # the Chinese word for (disk) space in a full-disk message
T = default_template()


def _units() -> list:
    from dataclasses import replace

    from registry.uscc import make_code
    base = demo_unit()
    return [base, replace(base, account="tj120101jyj", name="天津市和平区教育局",
                          uscc=make_code("1", "1", "120101", "00002345")),
            replace(base, account="tj120103kjj", name="天津市河西区科学技术局", district="河西区",
                    uscc=make_code("1", "1", "120103", "00003456"), division="120103")]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three units' scans of the form's first page (one with a figure that differs online; three
    files keep the reading pool busy at the least cost), one sent twice, broken and blank files, a
    download link: every stage of the run has work to do."""
    d = tmp_path_factory.mktemp("run-crash")
    rng = random.Random(3)
    roster, records, scans = [], [], []
    for i, unit in enumerate(_units()):
        values = demo_values(unit, rng)
        pages = make_pages(unit, values, rng, layout="A", print_time=datetime(2025, 6, 18, 9, 30), dpi=150,
                           profile="clean")
        scans.append((unit, images_to_pdf([p.image for p in pages[:1]], dpi=150)))
        online = {c: ("-" if values.get(c) is None else f"{values[c]:.{T.indicator(c).decimals}f}") for c in T.codes}
        if i == 0:  # a planted difference
            online["P01"] = str(int(online["P01"]) + 7) if online["P01"] != "-" else "7"
        roster.append([unit.account, unit.name, unit.uscc, "区科技局", unit.district, "", "否", "", "", "", ""])
        records.append(record_row(unit.account, unit.name, unit.uscc, modified="2025-06-10 08:00:00", **online))
    write_csv(d / "roster.csv", ROSTER_HEADER, roster)
    write_csv(d / "records.csv", records_header(), records)
    box = d / "mail"
    box.mkdir()
    mails = [mail(subject=f"{u.name} 科普统计调查表", attachments=[("调查表.pdf", pdf)]) for u, pdf in scans]
    mails += [
        mail(subject="再次发送", attachments=[("调查表（重发）.pdf", scans[0][1])]),       # a duplicate
        mail(subject="坏文件", attachments=[("坏.pdf", b"%PDF-1.7 broken"), ("空.pdf", b"")]),
        mail(subject="空白扫描", attachments=[("空白.pdf", pdf_bytes(1))]),                 # nothing to read
        mail(subject="超大附件", body="下载：https://mail.qq.com/cgi-bin/ftnExs_download?k=1 调查表.zip"),
    ]
    for i, m in enumerate(mails):
        (box / f"{i:02d}.eml").write_bytes(raw(m))
    return {"dir": d, "mail": box, "roster": d / "roster.csv", "records": d / "records.csv"}


def _cmd(home: Path, *args: str, db: str | None = None) -> list[str]:
    return [sys.executable, "-m", "kptj", "--home", str(home), *(["--db", db] if db else []), *args]


def _setup(home: Path, inputs: dict[str, Path], db: str | None = None) -> None:
    for what in ("registry", "records"):
        r = subprocess.run(_cmd(home, what, "import", str(inputs[what if what == "records" else "roster"]), db=db),
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr


def _run(home: Path, inputs: dict[str, Path], db: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(home, "run", "--source", str(inputs["mail"]), db=db), capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def state(home: Path, db: str | None = None) -> dict:
    """Everything a run leaves, without ids and times (they differ between workspaces)."""
    ws = Workspace.from_options(str(home), db)
    with ws.session() as s:
        msg_sha = {m.id: m.sha256 for m in s.scalars(select(Message))}
        att = {a.id: a for a in s.scalars(select(Attachment))}
        acc = {u.id: u.account for u in s.scalars(select(Unit))}
        pages = {p.id: p.page_no for p in s.scalars(select(Page))}
        out = {
            "messages": sorted((m.sha256, m.state, m.classification or "") for m in s.scalars(select(Message))),
            "attachments": sorted((msg_sha[a.message_id], a.name or "", a.sha256 or "", a.status)
                                  for a in att.values()),
            "documents": sorted((att[d.attachment_id].sha256 or "", acc.get(d.unit_id, ""), d.status,
                                 d.superseded_by is not None) for d in s.scalars(select(Document))),
            "findings": sorted((f.kind, f.severity, f.state, acc.get(f.unit_id, ""), f.indicator or "",
                                att[f.attachment_id].sha256 if f.attachment_id else "",
                                pages.get(f.page_id) or 0) for f in s.scalars(select(Finding))),
        }
    day = ws.reports_dir / f"{local_today():%Y%m%d}"
    out["reports"] = sorted(p.name for p in day.iterdir()) if day.exists() else []
    if day.exists():
        out["日报"] = (day / "日报.txt").read_text(encoding="utf-8")
        out["findings.json"] = sorted(json.dumps({k: v for k, v in f.items() if k not in ("message_id", "detail")},
                                                 ensure_ascii=False, sort_keys=True)
                                      for f in json.loads((day / "findings.json").read_text(encoding="utf-8")))
        out["status.json"] = [{k: v for k, v in x.items() if k != "received_at"}
                              for x in json.loads((day / "status.json").read_text(encoding="utf-8"))]
    return out


def _done(home: Path) -> int:
    """Messages done so far (plain sqlite3: polled every 20 ms while the run works)."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{home / 'kptj.sqlite3'}?mode=ro", uri=True, timeout=1) as c:
            return c.execute("select count(*) from messages where state = 'done'").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory) -> tuple[dict, float]:  # noqa: ANN001
    """An undisturbed run: what every disturbed one must end up with, and how long it takes."""
    ref = tmp_path_factory.mktemp("ref")
    _setup(ref, inputs)
    t0 = time.monotonic()
    r = _run(ref, inputs)
    assert r.returncode == 0, r.stdout + r.stderr
    want = state(ref)
    assert want["reports"] and any(f[0] == "figure_mismatch" for f in want["findings"])
    assert any(f[0] == "duplicate" for f in want["findings"])
    assert any(f[0] == "attachment_unreadable" for f in want["findings"])
    return want, time.monotonic() - t0


def _start(home: Path, inputs: dict[str, Path], db: str | None = None, **out: object) -> subprocess.Popen:
    return subprocess.Popen(_cmd(home, "run", "--source", str(inputs["mail"]), db=db), cwd=ROOT,
                            stdout=out.get("stdout", subprocess.DEVNULL), stderr=out.get("stderr", subprocess.DEVNULL),
                            start_new_session=True)


def _finish_and_compare(home: Path, inputs: dict[str, Path], want: dict, db: str | None = None) -> None:
    r = _run(home, inputs, db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert state(home, db) == want
    r = _run(home, inputs, db)  # and once more: no new mail changes nothing
    assert r.returncode == 0 and state(home, db) == want


def _armed(home: Path, inputs: dict[str, Path], stage: str, call: int, when: str = "-",
           delay: float = 0.0) -> subprocess.CompletedProcess:
    """`kptj run` that SIGKILLs its own process group at the given point (tests/e2e/killpoint.py)."""
    cmd = [sys.executable, "-m", "tests.e2e.killpoint", stage, str(call), when, f"{delay:.2f}", "--",
           "--home", str(home), "run", "--source", str(inputs["mail"])]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600, start_new_session=True)


def _kill_20_times(tmp_path: Path, inputs: dict[str, Path], want: dict, stage: str,
                   point: Callable[[random.Random], tuple[int, str, float]], seed: int) -> list[str]:
    """KILLS runs killed in `stage`, each followed by the next (armed) run on the same workspace. A
    run that reaches its end unkilled has finished the world: it must equal the undisturbed run,
    and the kills go on in a fresh workspace."""
    rng, kills, log, n = random.Random(seed), 0, [], 0
    home = tmp_path / "ws0"
    _setup(home, inputs)
    while kills < KILLS:
        call, when, delay = point(rng)
        r = _armed(home, inputs, stage, call, when, delay)
        if r.returncode == -signal.SIGKILL:
            kills += 1
            log.append(f"{call}{when[0]}{delay:.1f}:{_done(home)}")
            continue
        assert r.returncode == 0, r.stdout + r.stderr
        assert "Traceback" not in r.stdout + r.stderr
        assert state(home) == want, f"after kills {log}"
        log.append("finished")
        n += 1
        home = tmp_path / f"ws{n}"
        _setup(home, inputs)
    print(f"\nCRASH {stage}: {kills} kills (call/when/delay:mails done) {' '.join(log)}")
    return log


def test_kill_9_x20_while_reading_then_rerun(tmp_path, inputs, reference):
    """Killed while the pool reads a file: at the first or second file this run reads, at any
    moment of it (the delay spans a file's reading and its matching)."""
    want, undisturbed = reference
    per_file = undisturbed / 4  # four files are read: three scans and the blank one
    _kill_20_times(tmp_path, inputs, want, "read",
                   lambda rng: (rng.choice([1, 1, 2]), "timer", rng.uniform(0.0, per_file)), seed=21)
    home = max(tmp_path.glob("ws*"), key=lambda p: int(p.name[2:]))
    _finish_and_compare(home, inputs, want)


def test_kill_9_x20_while_matching_then_rerun(tmp_path, inputs, reference):
    """Killed before or after a document's readings, findings and supersessions are written, before
    its message is committed."""
    want, _ = reference
    _kill_20_times(tmp_path, inputs, want, "match",
                   lambda rng: (rng.choice([1, 1, 1, 2, 3]), rng.choice(["before", "after"]), 0.0), seed=22)
    home = max(tmp_path.glob("ws*"), key=lambda p: int(p.name[2:]))
    _finish_and_compare(home, inputs, want)


REPORT_STEPS = 9  # audit, attachment findings, seven report files (mail to units: tests/outbox)


def test_kill_9_x20_after_the_mail_then_rerun(tmp_path, inputs, reference):
    """The audit, the attachment findings and the reports come after the last mail: a run killed there has no new mail left for its rerun, which must finish them all the
    same. A killed report write leaves the last complete file, never a torn one."""
    want, _ = reference
    log = _kill_20_times(tmp_path, inputs, want, "report",
                         lambda rng: (rng.randint(1, REPORT_STEPS), "-", 0.0), seed=23)
    assert len({entry.split("-")[0] for entry in log}) >= 6, f"the kills did not spread over the steps: {log}"
    home = max(tmp_path.glob("ws*"), key=lambda p: int(p.name[2:]))
    day = home / "reports" / f"{local_today():%Y%m%d}"
    for f in day.glob("*.json") if day.exists() else []:
        json.loads(f.read_text(encoding="utf-8"))  # a killed run's report is whole or absent
    _finish_and_compare(home, inputs, want)


@pytest.mark.postgres
def test_database_stopped_in_the_middle_of_a_run_then_back(tmp_path, inputs, reference):
    """PostgreSQL goes away while the run reads and matches: the run ends with the database's exit
    code and a Chinese message, no traceback; once the server is back a rerun finishes the work."""
    from sqlalchemy import create_engine, text

    from kptj.errors import EXIT_DATABASE
    from tests.servers.postgres import start_postgres

    want, undisturbed = reference
    server = start_postgres()  # its own server: stopping the shared one would hit other tests
    try:
        url = server.create_database("restart")
        home = tmp_path / "pgstop"
        _setup(home, inputs, url)
        engine = create_engine(url)

        def done() -> int:
            try:
                with engine.connect() as c:
                    return c.execute(text("select count(*) from messages where state = 'done'")).scalar_one()
            except Exception:  # noqa: BLE001 - polled while the run creates and fills the tables
                return 0
        proc = _start(home, inputs, url, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + undisturbed * 3
        while time.monotonic() < deadline and proc.poll() is None and done() < 1:
            time.sleep(0.05)
        engine.dispose()
        assert proc.poll() is None, "the run ended before the database could be stopped"
        server.stop()
        out, err = proc.communicate(timeout=300)
        text_out = out.decode() + err.decode()
        assert proc.returncode == EXIT_DATABASE, text_out
        assert "Traceback" not in text_out and "数据库" in err.decode(), text_out
        server.resume()
        _finish_and_compare(home, inputs, want, url)
    finally:
        server.stop()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small file system needs root (CI runs as root)")
def test_disk_full_in_the_middle_of_a_run_then_room_again(tmp_path, inputs, reference):
    """The workspace's disk fills while the run archives, reads and writes: the run ends with a
    documented exit code and a Chinese message, no traceback; with room again a rerun finishes the
    work and everything equals an undisturbed run."""
    from tests.e2e.test_cli_errors import documented_codes

    want, _ = reference
    small = tmp_path / "small"
    small.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", str(small)], check=True)
    try:
        home = small / "ws"
        _setup(home, inputs)
        used_kb = int(subprocess.run(["df", "-k", "--output=used", str(small)], capture_output=True, text=True,
                                     check=True).stdout.split()[-1])
        # room for a little more than the roster and records: the first scans fill it
        subprocess.run(["mount", "-o", f"remount,size={used_kb + 400}k", str(small)], check=True)
        r = _run(home, inputs)
        said = r.stdout + r.stderr
        assert r.returncode != 0 and r.returncode in documented_codes(), said
        assert "Traceback" not in said and CJK_SPACE in said, said
        subprocess.run(["mount", "-o", "remount,size=200m", str(small)], check=True)
        _finish_and_compare(home, inputs, want)
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
