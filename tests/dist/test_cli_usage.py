"""Usage errors of distributed reading: a Chinese message and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kptj.errors import EXIT_DATABASE


def _kptj(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("KPTJ_BROKER", "KPTJ_DB", "KPTJ_EXECUTOR")}
    return subprocess.run([sys.executable, "-m", "kptj", "--home", str(home), *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_celery_reading_needs_postgresql(tmp_path: Path) -> None:
    (tmp_path / "mail").mkdir()
    r = _kptj(tmp_path / "ws", "run", "--source", str(tmp_path / "mail"), "--executor", "celery",
              "--broker", "redis://127.0.0.1:1/0")
    assert r.returncode == 2 and "PostgreSQL" in r.stderr and "Traceback" not in r.stdout + r.stderr


def test_unknown_executor_and_missing_broker_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "mail").mkdir()
    r = _kptj(tmp_path / "ws", "run", "--source", str(tmp_path / "mail"), "--executor", "spark")
    assert r.returncode == 2 and "未知的识别方式" in r.stderr
    r = _kptj(tmp_path / "ws", "worker")
    assert r.returncode == 2 and "KPTJ_BROKER" in r.stderr and "Traceback" not in r.stdout + r.stderr


def test_a_worker_without_its_database_says_so(tmp_path: Path) -> None:
    r = _kptj(tmp_path / "ws", "--db", "postgresql+psycopg://kptj:x@127.0.0.1:1/kptj", "worker",
              "--broker", "redis://127.0.0.1:1/0")
    # kptj/errors.py: an unreachable database is exit 5, said before Celery starts
    assert r.returncode == EXIT_DATABASE and "数据库" in r.stderr and "Traceback" not in r.stdout + r.stderr
