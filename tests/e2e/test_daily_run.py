"""The daily job as staff run it: `kptj run` against a real Dovecot, real scans, real OCR."""

import json
import random
import subprocess
import sys
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from registry.template import default_template
from synth import demo_unit, demo_values, images_to_pdf, make_pages
from tests.registry.builders import ROSTER_HEADER, code, record_row, records_header, write_csv

T = default_template()


def _kptj(home: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kptj", "--home", str(home), *args], capture_output=True,
                          text=True, env=env, timeout=600)


def _mail(subject: str, sender: str, body: str, attachment: tuple[str, bytes] | None = None,
          headers: dict | None = None) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, "gongzhixian02@tj.gov.cn", subject
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(body)
    if attachment:
        m.add_attachment(attachment[1], maintype="application", subtype="pdf", filename=attachment[0])
    return bytes(m)


def test_daily_run_from_imap_reports_status_and_findings(tmp_path, dovecot, monkeypatch):
    import os

    rng = random.Random(5)
    unit = demo_unit()
    values = demo_values(unit, rng)
    pages = make_pages(unit, values, rng, layout="A", print_time=datetime(2025, 6, 18, 9, 30), dpi=200,
                       profile="colour")
    pdf = images_to_pdf([p.image for p in pages], dpi=200)
    other = ["qt_school", "天津市和平区某某小学", code(77), "中小学", "和平区", unit.account, "否", "", "", "", ""]
    roster = write_csv(tmp_path / "roster.csv", ROSTER_HEADER, [
        [unit.account, unit.name, unit.uscc, "区科技局", "和平区", "", "否", "", "", "", ""], other])
    online = {c: ("-" if values.get(c) is None else f"{values[c]:.{T.indicator(c).decimals}f}") for c in T.codes}
    online["A02"] = str(int(online["A02"]) + 4000 if online["A02"] != "-" else 4000)  # changed online after printing
    records = write_csv(tmp_path / "records.csv", records_header(), [
        record_row(unit.account, unit.name, unit.uscc, modified="2025-06-10 08:00:00", **online)], encoding="gbk")
    home = tmp_path / "ws"
    assert _kptj(home, "registry", "import", str(roster)).returncode == 0
    assert _kptj(home, "records", "import", str(records)).returncode == 0

    user = "collector"
    dovecot.add_user(user, "collect-pw")
    dovecot.deliver(user, _mail("和平区科技局-2024年度科普统计调查表（盖章扫描件）", "hpkjj@qq.com", "请查收",
                                ("科普统计调查表.pdf", pdf)))
    dovecot.deliver(user, _mail("自动回复：您的邮件已收到", "someone@163.com", "我现在不在办公室",
                                headers={"Auto-Submitted": "auto-replied"}))
    env = dict(os.environ, KPTJ_IMAP_PASSWORD="collect-pw")
    src = f"imaps://{user}@127.0.0.1:{dovecot.imaps_port}/INBOX"
    r = _kptj(home, "run", "--source", src, "--ca-file", str(dovecot.ca_cert), env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "识别报表 1 份：确定单位 1 份" in r.stdout
    assert dovecot.message_count(user, "INBOX") == 0 and dovecot.message_count(user, "Processed") == 2

    status = {s["account"]: s for s in json.loads(_kptj(home, "status", "--format", "json").stdout)}
    assert status[unit.account]["scan"] == "problem" and status["qt_school"]["scan"] == "missing"
    findings = json.loads(_kptj(home, "findings", "--format", "json").stdout)
    mism = [f for f in findings if f["kind"] == "figure_mismatch"]
    assert [(f["account"], f["indicator"], f["online"]) for f in mism] == [(unit.account, "A02", online["A02"])]
    assert mism[0]["page"] is not None and mism[0]["attachment"] == "科普统计调查表.pdf"
    assert not [f for f in findings if f["kind"] == "scan_stale"]  # printed after the last online change
    reports = sorted(p.name for p in (home / "reports").rglob("*") if p.is_file())
    assert {"日报.txt", "问题清单.html", "问题清单.xlsx", "扫描件状态.xlsx", "status.json"} <= set(reports)
    log = (home / "logs" / "kptj.log").read_text(encoding="utf-8")
    assert all("[run " in line for line in log.splitlines() if line.strip())
    assert "collect-pw" not in log

    again = _kptj(home, "run", "--source", src, "--ca-file", str(dovecot.ca_cert), env=env)
    assert again.returncode == 0 and "没有新邮件" in again.stdout
    daily = _kptj(home, "report", "daily")
    assert "收到邮件 2 封" in daily.stdout and "识别出报表 1 份" in daily.stdout
    assert "按接受规则自动通过的报表 0 份" in daily.stdout  # a figure differs: never accepted
