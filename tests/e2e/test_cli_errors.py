"""Every `kptj` command, given bad arguments or a broken workspace, says what is wrong in Chinese and
ends with an exit code the README documents; never a traceback (only with --debug).

Most cases run in-process through the root command's own entry (`KptjGroup.main`, what the `kptj`
script calls); a few run the real script as a subprocess."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from kptj.cli import app
from kptj.errors import EXIT_BUSY, EXIT_DATABASE, EXIT_FILES, EXIT_USAGE
from tests.registry.builders import ROSTER_HEADER, record_row, records_header, roster_rows, write_csv

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def documented_codes() -> set[int]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit codes", 1)[1].split("###", 1)[0]
    return {int(m) for m in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}


def leaf_commands() -> set[str]:
    def walk(cmd, prefix: str):  # noqa: ANN001, ANN202
        subs = getattr(cmd, "commands", None)
        if not subs:
            yield prefix
            return
        for name, sub in subs.items():
            yield from walk(sub, f"{prefix} {name}".strip())
    return set(walk(get_command(app), ""))


def kptj(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = get_command(app).main(list(args), prog_name="kptj", standalone_mode=False)
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_clear_error(code: int, out: str, err: str, expected: int, *words: str) -> None:
    assert code == expected, (code, out, err)
    assert code in documented_codes()
    assert "Traceback" not in out + err and "Error:" not in out + err, out + err
    assert err.startswith("错误：") or CJK.search(err), err
    for w in words:
        assert w in out + err, (w, out, err)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    rows = roster_rows()
    (d / "mail").mkdir()
    from PIL import Image

    Image.new("RGB", (40, 40), "white").save(d / "page.png")
    return {"roster": write_csv(d / "roster.csv", ROSTER_HEADER, rows),
            "records": write_csv(d / "records.csv", records_header(), [record_row(*rows[0][:3])]),
            "mail": d / "mail", "png": d / "page.png", "dir": d}


def minimal_args(inputs: dict[str, Path]) -> dict[str, list[str]]:
    """The smallest valid arguments of every command (None: the command has no workspace)."""
    return {
        "registry import": [str(inputs["roster"])], "records import": [str(inputs["records"])],
        "audit": [], "units": [], "intake": ["--source", str(inputs["mail"])], "messages": [],
        "status": [], "findings": [], "report daily": [], "run": ["--source", str(inputs["mail"])],
        "demo": [], "read": ["--crops", str(inputs["png"])], "synth": None,
        "mail preview": [], "mail approve": ["--all"], "mail send": ["--dry-run"],
        "worker": ["--broker", "redis://127.0.0.1:1/0"],
        "serve": ["--port", "1"], "user add": ["someone", "--role", "staff", "--password-stdin"],
    }


def test_the_table_below_covers_every_command(inputs):
    assert set(minimal_args(inputs)) == leaf_commands()


@pytest.mark.parametrize("command", sorted(leaf_commands()))
def test_unknown_option_is_a_chinese_usage_error(capsys, tmp_path, command):
    code, out, err = kptj(capsys, "--home", str(tmp_path), *command.split(), "--no-such-option")
    assert_clear_error(code, out, err, EXIT_USAGE, "没有这个选项", "--no-such-option")


@pytest.mark.parametrize("args, words", [
    (["nosuch"], ["没有这个命令：nosuch"]),
    (["status", "extra"], ["多余的参数：extra"]),
    (["status", "--format", "pdf"], ["--format", "table、json、xlsx"]),
    (["findings", "--kind", "nonsense"], ["--kind", "没有“nonsense”这种问题类型", "figure_mismatch"]),
    (["findings", "--admin", "nobody"], ["nobody"]),
    (["status", "--admin", "nobody"], ["nobody"]),
    (["units", "--admin", "nobody"], ["nobody"]),
    (["status", "--today", "2025-02-30"], ["2025-02-30", "YYYY-MM-DD"]),
    (["report", "daily", "--date", "30.06.2025"], ["30.06.2025", "YYYY-MM-DD"]),
    (["run", "--workers", "two", "--source", "x"], ["--workers", "整数"]),
    (["run"], ["--source"]),
    (["run", "--source", "imaps://collector@"], []),
    (["synth", "--units", "5"], ["--units", "50"]),
    (["synth", "--printer", "inkjet"], []),
    (["read"], ["缺少参数"]),
    (["read", "/no/such/scan.pdf"], ["/no/such/scan.pdf"]),
    (["registry", "import"], ["缺少参数"]),
    (["registry", "import", "/no/such/roster.xlsx"], ["/no/such/roster.xlsx"]),
    (["records", "import", "/no/such/records.csv"], ["/no/such/records.csv"]),
    (["--year", "last", "status"], ["--year", "整数"]),
])
def test_bad_values_are_chinese_usage_errors(capsys, tmp_path, args, words):
    code, out, err = kptj(capsys, "--home", str(tmp_path / "ws"), *args)
    assert_clear_error(code, out, err, EXIT_USAGE, *words)


@pytest.mark.parametrize("command", ["run", "intake"])
@pytest.mark.parametrize("toml, words", [
    (None, ["无法读取账户配置"]),
    ('[account.a]\nsource = "imaps://u@mail.example.cn/INBOX"\npassword = "secret"\n', ["不能直接写密码"]),
    ('[account.a]\npassword_env = "X"\n', ["缺少 source"]),
    ("[account.a\nsource = ", ["无法读取账户配置"]),
])
def test_mail_source_configuration_errors(capsys, tmp_path, command, toml, words):
    config = tmp_path / "accounts.toml"
    if toml is not None:
        config.write_text(toml, encoding="utf-8")
    code, out, err = kptj(capsys, "--home", str(tmp_path / "ws"), command, "--config", str(config))
    assert_clear_error(code, out, err, EXIT_USAGE, *words)
    assert "secret" not in out + err


def test_an_imap_source_without_a_password_fails_that_source_only(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("KPTJ_IMAP_PASSWORD", raising=False)
    (tmp_path / "box").mkdir()
    code, out, err = kptj(capsys, "--home", str(tmp_path / "ws"), "run", "--source", "imaps://u@127.0.0.1:1/INBOX",
                          "--source", str(tmp_path / "box"))
    assert code == 1 and "未提供邮箱" in out and "Traceback" not in out + err
    assert "box：新收 0 封" in out  # the other source was still processed


def test_run_watch_stops_cleanly_on_ctrl_c(tmp_path):
    import signal
    import time

    (tmp_path / "box").mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "kptj", "--home", str(tmp_path / "ws"), "run", "--watch",
                             "--interval", "60", "--source", str(tmp_path / "box")], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            # as in a terminal's foreground: a test run started in the background
                            # (`cmd &`) would hand its children SIGINT ignored
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (tmp_path / "ws" / "logs" / "kptj.log").exists():
        time.sleep(0.2)
    time.sleep(3)  # into the sleep between polls
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    assert "秒后再次收取" in out and "Traceback" not in out + err


def test_a_missing_mail_folder_is_a_failed_source_exit_1(capsys, tmp_path):
    code, out, err = kptj(capsys, "--home", str(tmp_path), "run", "--source", str(tmp_path / "no-such-folder"))
    assert code == 1 and "找不到邮件文件夹" in out and "Traceback" not in out + err


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BROKEN = ["home_is_a_file", "home_not_creatable", "database_file_damaged", "database_unreachable"]


def _broken(kind: str, tmp_path: Path) -> tuple[list[str], int, str]:
    """Global options that give a broken workspace, the expected code, a word of the message."""
    if kind == "home_is_a_file":
        f = tmp_path / "not-a-dir"
        f.write_text("x")
        return ["--home", str(f)], EXIT_FILES, "工作目录"
    if kind == "home_not_creatable":
        return ["--home", "/proc/kptj-x"], EXIT_FILES, "/proc/kptj-x"
    if kind == "database_file_damaged":
        home = tmp_path / "ws"
        home.mkdir()
        (home / "kptj.sqlite3").write_bytes(b"this is not a database" * 200)
        return ["--home", str(home)], EXIT_FILES, "数据库文件"
    url = f"postgresql+psycopg://kptj:s3cret-pw@127.0.0.1:{_closed_port()}/kptj"
    return ["--home", str(tmp_path / "ws"), "--db", url], EXIT_DATABASE, "无法连接数据库"


@pytest.mark.parametrize("broken", BROKEN)
@pytest.mark.parametrize("command", sorted(leaf_commands()))
def test_every_command_on_a_broken_workspace(capsys, tmp_path, inputs, command, broken):
    args = minimal_args(inputs)[command]
    if args is None:  # synth has no workspace: its broken place is the output folder
        if broken != "home_is_a_file":
            pytest.skip("synth writes only its --out folder")
        (tmp_path / "file").write_text("x")
        code, out, err = kptj(capsys, "synth", "--out", str(tmp_path / "file" / "world"))
        assert_clear_error(code, out, err, EXIT_FILES, "无法读写")
        return
    options, expected, word = _broken(broken, tmp_path)
    if command == "read" and broken == "database_unreachable":
        pytest.skip("read does not use the database")
    if command == "read" and broken == "database_file_damaged":
        pytest.skip("read does not use the database")
    code, out, err = kptj(capsys, *options, *command.split(), *args)
    assert_clear_error(code, out, err, expected, word)
    assert "s3cret-pw" not in out + err  # the password never shown


def test_a_locked_workspace_is_exit_3_for_run_and_intake(capsys, tmp_path, inputs):
    home = tmp_path / "ws"
    home.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from intake.lock import intake_lock\n"
        f"with intake_lock(Path({str(home)!r})):\n    print('locked', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for command in ("run", "intake"):
            code, out, err = kptj(capsys, "--home", str(home), command, "--source", str(inputs["mail"]))
            assert code == EXIT_BUSY and "另一个收取任务正在运行" in out + err, (out, err)
            assert "Traceback" not in out + err
    finally:
        holder.kill()
        holder.wait()


def _script(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kptj", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)


def test_the_real_script_hides_the_traceback_unless_debug(tmp_path):
    r = _script("--home", "/proc/kptj-x", "status")
    assert r.returncode == EXIT_FILES and r.stdout == ""
    assert r.stderr.startswith("错误：无法创建工作目录 /proc/kptj-x") and "Traceback" not in r.stderr
    r = _script("--home", "/proc/kptj-x", "--debug", "status")
    assert r.returncode == EXIT_FILES and "Traceback" in r.stderr and "错误：无法创建工作目录" in r.stderr
    r = _script("--home", str(tmp_path), "findings", "--kind", "nonsense",
                env=dict(os.environ, KPTJ_DEBUG="1"))
    assert r.returncode == EXIT_USAGE and "nonsense" in r.stderr  # a usage error has no traceback to show


def test_an_unexpected_error_is_code_70_with_a_hint_and_debug_shows_it(capsys, tmp_path, monkeypatch):
    import matching.status

    def boom(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise ZeroDivisionError("bug")
    monkeypatch.setattr(matching.status, "unit_statuses", boom)
    code, out, err = kptj(capsys, "--home", str(tmp_path), "status")
    assert code == 70 and "内部错误" in err and "--debug" in err and "Traceback" not in err
    code, out, err = kptj(capsys, "--home", str(tmp_path), "--debug", "status")
    assert code == 70 and "Traceback" in err and "ZeroDivisionError" in err


def test_piped_output_keeps_whole_cells(tmp_path, inputs):
    home = str(tmp_path / "ws")
    assert _script("--home", home, "registry", "import", str(inputs["roster"])).returncode == 0
    r = _script("--home", home, "status")  # stdout is a pipe here
    assert r.returncode == 0, r.stderr
    assert "…" not in r.stdout
    for account, name, *_ in roster_rows():
        assert account in r.stdout and name in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) > 80


def test_help_is_not_an_error():
    r = _script("--help")
    assert r.returncode == 0 and "天津市科普统计调查表" in r.stdout


def test_help_screens_name_their_parts_in_chinese():
    r = subprocess.run([sys.executable, "-m", "kptj", "run", "--help"], capture_output=True, text=True, cwd=ROOT,
                       timeout=60, env={**os.environ, "COLUMNS": "100"})
    assert r.returncode == 0 and "选项" in r.stdout and "[默认：300]" in r.stdout, r.stdout
    assert "Options" not in r.stdout and "default:" not in r.stdout
