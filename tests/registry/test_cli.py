"""The registry commands as staff run them: a real `kptj` process on a real workspace."""

import json
import subprocess
import sys

from tests.registry.builders import (
    ROSTER_HEADER,
    code,
    consistent_values,
    record_row,
    records_header,
    roster_rows,
    write_csv,
)


def kptj(home, *args):
    return subprocess.run([sys.executable, "-m", "kptj", "--home", str(home), *args], capture_output=True, text=True)


def test_import_audit_and_subtree_from_the_command_line(tmp_path):
    home = tmp_path / "ws"
    r = kptj(home, "registry", "import", str(write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows(), "gbk")))
    assert r.returncode == 0 and "新增 8" in r.stdout
    rows = [record_row("hp_kjj", "天津市和平区科学技术局", code(1), **(consistent_values() | {"F09": "1"}))]
    r = kptj(home, "records", "import", str(write_csv(tmp_path / "d.csv", records_header(), rows)))
    assert r.returncode == 0, r.stderr
    r = kptj(home, "audit")
    assert r.returncode == 0 and "发现 1 处违反审核规则" in r.stdout
    r = kptj(home, "units", "--admin", "hp_jyj", "--format", "json")
    assert [u["account"] for u in json.loads(r.stdout)] == ["hp_jyj", "hp_school1", "hp_school2"]
    r = kptj(home, "units")
    assert "天津市和平区鞍山道小学" in r.stdout and "天津科学技术馆" in r.stdout
    assert (home / "kptj.sqlite3").exists()


def test_failed_import_exits_nonzero_with_row_messages(tmp_path):
    rows = roster_rows()
    rows[2][5] = "nobody"
    r = kptj(tmp_path / "ws", "registry", "import", str(write_csv(tmp_path / "r.csv", ROSTER_HEADER, rows)))
    assert r.returncode == 2
    assert "第 4 行「上级管理单位账号」列值「nobody」：引用的账号不在名单中" in r.stderr
    assert "数据库未作任何修改" in r.stderr


def test_unknown_admin_account_is_reported(tmp_path):
    r = kptj(tmp_path / "ws", "units", "--admin", "nope")
    assert r.returncode == 2 and "没有账号 nope" in r.stderr
