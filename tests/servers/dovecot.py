"""A throw-away Dovecot 2.3 for tests: IMAP (STARTTLS), IMAPS and LMTP on 127.0.0.1.

Start one per pytest session (start ~0.3 s, stop ~2.6 s). Everything lives under one
directory of its own: config, users file, self-signed CA + server certificate, mail.
Facts behind each setting: /work/shared/spec/TEST-SERVERS.md.
Installs nothing: `dovecot` (dovecot-imapd, dovecot-lmtpd) must be on the machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import smtplib
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

NOBODY = 65534


def free_port() -> int:
    """A port nobody listens on right now (bind 0 and release)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def make_ca_and_cert(directory: Path) -> tuple[Path, Path, Path]:
    """A private CA and a server certificate for localhost/127.0.0.1 signed by it.

    Returns (ca_cert, server_cert, server_key)."""
    d = directory
    ca_key, ca_crt = d / "ca.key", d / "ca.crt"
    key, csr, crt, ext = d / "server.key", d / "server.csr", d / "server.crt", d / "san.ext"
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", str(ca_key), "-out", str(ca_crt), "-subj", "/CN=kptj test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
        "-subj", "/CN=localhost")
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    run("openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-out", str(crt), "-extfile", str(ext))
    return ca_crt, crt, key


CONFIG = """\
instance_name = kptj-test-{tag}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
# LMTP from the test Postfix names full addresses (unit1@kptj.test): the mailbox is the local part
auth_username_format = %Ln
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u/Maildir
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={root}/mail/%u allow_all_users=yes
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Processed {{
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
service auth {{
  inet_listener auth-smtp {{
    address = 127.0.0.1
    port = {auth_port}
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


@dataclass
class Dovecot:
    """A running Dovecot; use `start()` and `stop()` (or the context manager)."""

    root: Path
    imap_port: int = 0
    imaps_port: int = 0
    lmtp_port: int = 0
    auth_port: int = 0  # SASL for the test Postfix (tests/servers/postfix.py)
    ca_cert: Path = field(default=Path())
    users: dict[str, str] = field(default_factory=dict)
    _master_pid: int | None = None
    _users_epoch: int = field(default_factory=lambda: int(time.time()))
    _users_version: int = 0

    host = "127.0.0.1"

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    @classmethod
    def start(cls, root: Path | None = None) -> Dovecot:
        if shutil.which("dovecot") is None:
            raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)")
        root = Path(root or tempfile.mkdtemp(prefix="kptj-dovecot-"))
        root.mkdir(parents=True, exist_ok=True)
        _open_path_for_others(root)
        for sub in ("run", "state", "mail", "tls"):
            (root / sub).mkdir(exist_ok=True)
        os.chown(root / "mail", NOBODY, NOBODY)
        server = cls(root=root)
        server.ca_cert, cert, key = make_ca_and_cert(root / "tls")
        (root / "users").write_text("")
        for _attempt in range(5):
            server.imap_port, server.imaps_port, server.lmtp_port = free_port(), free_port(), free_port()
            server.auth_port = free_port()
            ports = {server.imap_port, server.imaps_port, server.lmtp_port, server.auth_port}
            if len(ports) == 4 and not any(_port_taken(p) for p in ports):
                break
        server.config.write_text(CONFIG.format(
            tag=root.name, root=root, cert=cert, key=key, uid=NOBODY,
            imap_port=server.imap_port, imaps_port=server.imaps_port, lmtp_port=server.lmtp_port,
            auth_port=server.auth_port))
        # The daemon keeps inherited pipes open: give it files, not pipes.
        with open(root / "start.log", "wb") as out:
            subprocess.run(["dovecot", "-c", str(server.config)], check=True, stdout=out,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server._wait_ready()
        return server

    def _wait_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid_file = self.root / "run" / "master.pid"
            if pid_file.exists() and pid_file.read_text().strip().isdigit() \
                    and all(_port_taken(p) for p in (self.imap_port, self.imaps_port, self.lmtp_port)):
                self._master_pid = int(pid_file.read_text().strip())
                return
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start; log:\n{self.log()}")

    def log(self) -> str:
        p = self.root / "dovecot.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def stop(self) -> None:
        if self._master_pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._master_pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(self._master_pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self._master_pid = None

    def __enter__(self) -> Dovecot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- accounts and mail -------------------------------------------------------------
    def add_user(self, name: str, password: str) -> str:
        """Add (or replace) a login; the passwd-file is re-read on each login."""
        self.users[name] = password
        lines = "".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items())
        tmp = self.root / "users.tmp"
        tmp.write_text(lines)
        # Dovecot re-reads the file when its mtime changes (whole seconds): make each write newer.
        self._users_version += 1
        stamp = self._users_epoch + self._users_version
        os.utime(tmp, (stamp, stamp))
        tmp.replace(self.root / "users")
        # The auth process looks at the file at most about once a second: wait until it sees it.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = subprocess.run(["doveadm", "-c", str(self.config), "auth", "test", name, password],
                                   capture_output=True, text=True)
            if probe.returncode == 0:
                return name
            time.sleep(0.1)
        raise RuntimeError(f"dovecot did not accept the new user {name}")

    def deliver(self, user: str, raw: bytes, sender: str = "sender@example.cn") -> None:
        """Deliver like an MTA does, over LMTP (one recipient per call)."""
        with smtplib.LMTP(self.host, self.lmtp_port) as lmtp:
            lmtp.sendmail(sender, [user], raw)

    def maildir(self, user: str) -> Path:
        return self.root / "mail" / user / "Maildir"

    def doveadm(self, *args: str) -> str:
        out = subprocess.run(["doveadm", "-c", str(self.config), *args], check=True,
                             capture_output=True, text=True)
        return out.stdout

    def change_uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        """Give a folder a new UIDVALIDITY, as a server does when a mailbox is recreated."""
        current = int(self.doveadm("-f", "flow", "mailbox", "status", "-u", user,
                                   "uidvalidity", folder).split("=")[1])
        new = current + 1000
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(new), folder)
        return new

    def message_count(self, user: str, folder: str = "INBOX") -> int:
        out = self.doveadm("-f", "flow", "mailbox", "status", "-u", user, "messages", folder)
        return int(out.split("=")[1])

    def imap_pids(self) -> list[int]:
        """Pids of this server's `imap` mail processes (to drop connections mid-fetch)."""
        pids = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if cmd and cmd[0].endswith(b"/imap"):
                status = (proc / "status").read_text()
                ppid = int(next(x for x in status.splitlines() if x.startswith("PPid:")).split()[1])
                if ppid == self._master_pid:
                    pids.append(int(proc.name))
        return pids


def _open_path_for_others(path: Path) -> None:
    """Dovecot's login and mail processes run as other users: every parent needs o+x."""
    for p in [path, *path.parents]:
        mode = p.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(p, mode | stat.S_IXOTH)
