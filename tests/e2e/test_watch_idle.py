"""Watch mode: `kptj run --watch` waits on IMAP IDLE, so a mail delivered to Dovecot while it runs
has its unit's status updated within two minutes, though the polling interval is ten minutes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from registry.template import default_template
from synth import demo_unit, demo_values, images_to_pdf, make_pages
from tests.registry.builders import ROSTER_HEADER, record_row, records_header, write_csv

T = default_template()


def _kptj(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kptj", "--home", str(home), *args], capture_output=True,
                          text=True, timeout=120)


def _scan_status(home: Path, account: str) -> str:
    r = _kptj(home, "status", "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    return {s["account"]: s["scan"] for s in json.loads(r.stdout)}[account]


def test_watch_reacts_to_a_delivered_mail_through_idle(tmp_path: Path, dovecot) -> None:
    rng = random.Random(7)
    unit = demo_unit()
    values = demo_values(unit, rng)
    pages = make_pages(unit, values, rng, layout="A", print_time=datetime(2025, 6, 18, 9, 30), dpi=150)
    pdf = images_to_pdf([p.image for p in pages], dpi=150)
    online = {c: ("-" if values.get(c) is None else f"{values[c]:.{T.indicator(c).decimals}f}") for c in T.codes}
    home = tmp_path / "ws"
    roster = write_csv(tmp_path / "roster.csv", ROSTER_HEADER,
                       [[unit.account, unit.name, unit.uscc, "区科技局", "和平区", "", "否", "", "", "", ""]])
    records = write_csv(tmp_path / "records.csv", records_header(),
                        [record_row(unit.account, unit.name, unit.uscc, modified="2025-06-10 08:00:00", **online)])
    assert _kptj(home, "registry", "import", str(roster)).returncode == 0
    assert _kptj(home, "records", "import", str(records)).returncode == 0

    user = "watcher"
    dovecot.add_user(user, "watch-pw")
    env = dict(os.environ, KPTJ_IMAP_PASSWORD="watch-pw")
    src = f"imaps://{user}@127.0.0.1:{dovecot.imaps_port}/INBOX"
    watch = subprocess.Popen([sys.executable, "-m", "kptj", "--home", str(home), "run", "--watch", "--interval", "600",
                              "--source", src, "--ca-file", str(dovecot.ca_cert)], env=env,
                             stdout=open(tmp_path / "watch.out", "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
    log = home / "logs" / "kptj.log"
    try:
        deadline = time.monotonic() + 120
        while not (log.exists() and "end:" in log.read_text(encoding="utf-8")):  # the first run found nothing
            assert watch.poll() is None and time.monotonic() < deadline, (tmp_path / "watch.out").read_text()
            time.sleep(0.2)
        assert _scan_status(home, unit.account) == "missing"
        time.sleep(2)  # the watcher is idling now (mail arriving earlier is caught too: it checks UIDs first)

        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "unit@qq.com", "collect@tj.gov.cn", "科普统计调查表（盖章扫描件）"
        m.set_content("请查收")
        m.add_attachment(pdf, maintype="application", subtype="pdf", filename="调查表.pdf")
        delivered = time.monotonic()
        dovecot.deliver(user, bytes(m))
        status = "missing"
        while status == "missing" and time.monotonic() - delivered < 120:
            time.sleep(2)
            status = _scan_status(home, unit.account)
        took = time.monotonic() - delivered
        assert status != "missing", f"not read within 2 minutes:\n{log.read_text(encoding='utf-8')}"
        print(f"watch: status {status} {took:.0f} s after delivery")
        assert watch.poll() is None  # still watching
        assert dovecot.message_count(user, "INBOX") == 0  # processed and moved
    finally:
        watch.send_signal(signal.SIGINT)
        try:
            watch.wait(30)
        except subprocess.TimeoutExpired:
            watch.kill()
            watch.wait(10)
