"""A throw-away redis-server on 127.0.0.1 for tests (Debian package `redis-server`)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.servers.postgres import free_port


@dataclass
class RedisServer:
    root: Path
    port: int
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        log = open(self.root / "redis.log", "wb")  # noqa: SIM115 - the server keeps writing to it
        self.proc = subprocess.Popen([exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.root), "--daemonize", "no"],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start: {(self.root / 'redis.log').read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


def start_redis() -> RedisServer:
    if shutil.which("redis-server") is None and not Path("/usr/bin/redis-server").exists():
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    return RedisServer(Path(tempfile.mkdtemp(prefix="kptj-redis-")), free_port()).start()
