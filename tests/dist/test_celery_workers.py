"""Reading on Celery: a real redis-server, two `kptj worker` processes and PostgreSQL; one worker
is killed (-9, with its pool) in the middle of a document. Every page must be read into the
database exactly once and the findings must equal those of the embedded (local pool) run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.dist.helpers import Worker, import_world, kptj, pick_mail, world

pytestmark = pytest.mark.postgres
START = re.compile(r"page (\w{12})/(\d+) start")


def _findings(home: Path, db: str | None = None) -> list[tuple]:
    r = kptj(home, "findings", "--format", "json", "--all", db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    keys = ("account", "kind", "severity", "indicator", "online", "scanned", "page", "attachment")
    return sorted(tuple(str(f.get(k)) for k in keys) for f in json.loads(r.stdout))


def test_two_workers_one_killed_mid_document_read_every_page_once(tmp_path, postgres_server, redis_server):
    wdir = tmp_path / "world"
    truth = world(wdir)
    mail = tmp_path / "mail"
    pages, picked = pick_mail(truth, wdir, mail, ["single_pdf", "page_images"])  # a 3-page PDF, 2 images
    pdf = picked[0]["attachments"][0]["sha256"][:12]

    embedded = tmp_path / "embedded"
    import_world(embedded, wdir)
    r = kptj(embedded, "run", "--source", str(mail))
    assert r.returncode == 0, r.stdout + r.stderr

    db = postgres_server.create_database("kptj_dist")
    home = tmp_path / "dist"
    import_world(home, wdir, db=db)
    env = dict(os.environ, KPTJ_BROKER_VISIBILITY="15")  # a dead machine's page comes back after 15 s
    a = Worker(home, db, redis_server.url, "wA@test", tmp_path / "wA.log", env)
    b = Worker(home, db, redis_server.url, "wB@test", tmp_path / "wB.log", env)
    try:
        a.wait_ready()
        b.wait_ready()
        run = subprocess.Popen([sys.executable, "-m", "kptj", "--home", str(home), "--db", db, "run", "--source",
                                str(mail), "--executor", "celery", "--broker", redis_server.url],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        killed = None
        deadline = time.monotonic() + 240
        while killed is None and run.poll() is None and time.monotonic() < deadline:
            # the PDF's pages are queued together and both workers take one: killing A while it reads
            # one leaves the document half read (B reads another page of it meanwhile)
            mid = [(sha, int(i)) for sha, i in START.findall(a.text()) if sha == pdf]
            if mid:
                a.kill9()
                killed = mid[0]
            time.sleep(0.05)
        out, _ = run.communicate(timeout=240)
    finally:
        a.stop()
        b.stop()
    assert killed is not None, "worker A never started a page of the PDF:\n" + a.text()
    assert run.returncode == 0, out
    assert "识别报表" in out

    engine = create_engine(db)
    with engine.connect() as c:
        results = c.execute(text("SELECT substr(sha256, 1, 12), page, worker FROM page_results")).all()
        page_rows = c.execute(text("SELECT attachment_id, source_index, count(*) FROM pages "
                                   "GROUP BY attachment_id, source_index")).all()
    engine.dispose()
    assert len(results) == pages and len({(s, p) for s, p, _ in results}) == pages
    assert len(page_rows) == pages and all(n == 1 for _a, _i, n in page_rows), (page_rows, out)
    by_key = {(s, p): w for s, p, w in results}
    assert by_key[killed] == "wB@test", "the killed worker's page was redelivered and read by the other"
    assert set(by_key.values()) <= {"wA@test", "wB@test"}
    assert f"page {killed[0]}/{killed[1]} stored" in b.text()

    assert _findings(home, db) == _findings(embedded)
    assert _findings(embedded), "the sample has findings to compare"
