"""A throw-away PostgreSQL server on 127.0.0.1 for tests (see shared/spec/TEST-SERVERS.md)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found and "/usr/local/bin" not in found:
        return found
    cands = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not cands:
        raise RuntimeError(f"PostgreSQL binary {name} not found: install postgresql-15")
    return cands[-1]


@dataclass
class PostgresServer:
    root: Path
    port: int
    password: str = "kptj-test"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _as_postgres(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *cmd], check=True, capture_output=True, text=True)

    def start(self) -> None:
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        (self.root / "sock").mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root / "sock", "postgres", "postgres")
        self._as_postgres(_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth-local=trust",
                          "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        self.resume()
        self.psql(f"CREATE ROLE kptj LOGIN SUPERUSER PASSWORD '{self.password}'")

    def resume(self) -> None:
        """Start the server on its existing data (after `stop`)."""
        self._as_postgres(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "pg.log"), "-w", "-o",
                          f"-p {self.port} -k {self.root / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off",
                          "start")

    def psql(self, sql: str) -> str:
        return self._as_postgres(_bin("psql"), "-h", str(self.root / "sock"), "-p", str(self.port), "-U",
                                 "postgres", "-d", "postgres", "-tAc", sql).stdout

    def create_database(self, name: str) -> str:
        self.psql(f"CREATE DATABASE {name} OWNER kptj")
        return f"postgresql+psycopg://kptj:{self.password}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_postgres(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


def start_postgres() -> PostgresServer:
    """Start a server in a fresh directory whose parents are all traversable by the postgres user."""
    base = Path(tempfile.mkdtemp(prefix="kptj-pg-", dir="/tmp"))
    server = PostgresServer(base, free_port())
    server.start()
    return server
