"""One intake run at a time per workspace: an fcntl lock the kernel drops when the process dies.

POSIX record locks (lockf), not flock: a flock belongs to the open file, so the OCR pool's forked
workers inherited it and kept the workspace locked after the run that started them had ended.
A record lock belongs to the process that took it and is never inherited by a fork.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class IntakeBusy(Exception):
    pass


_held: set[Path] = set()  # record locks do not conflict inside one process: refuse re-entry here


def _busy(path: Path, holder: str) -> IntakeBusy:
    return IntakeBusy(f"另一个收取任务正在运行（进程 {holder or '?'}，锁文件 {path}），请等它结束后再试")


@contextmanager
def intake_lock(home: Path) -> Iterator[None]:
    home.mkdir(parents=True, exist_ok=True)
    path = (home / "intake.lock").resolve()
    if path in _held:
        raise _busy(path, str(os.getpid()))
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise _busy(path, os.pread(fd, 32, 0).decode(errors="replace").strip()) from exc
        _held.add(path)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        _held.discard(path)
        os.close(fd)  # closing releases the lock
