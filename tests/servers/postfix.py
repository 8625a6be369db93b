"""A throw-away Postfix for tests: SMTP with STARTTLS and SMTPS (implicit TLS) on 127.0.0.1,
delivering every mail over LMTP into a test Dovecot (tests/servers/dovecot.py), so what the tool
sends is read back over IMAP.

Everything lives under one directory of its own (config, queue, data, log); the Postfix master runs
in the foreground as a child of the test (`master -c DIR -d`, started as root like every Postfix;
its daemons drop to the `postfix` user). SMTP AUTH goes through Dovecot's auth service (the
Dovecot fixture's auth listener), so the password is a real login checked by a real server.
Unknown recipients are accepted at SMTP time and rejected by Dovecot's LMTP, so Postfix writes a
real delivery-status notification (RFC 3464) back to the envelope sender, as a production relay does.
Installs nothing: Debian's `postfix` must be on the machine.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers.dovecot import Dovecot, _open_path_for_others, _port_taken, free_port

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = {root}/postfix.log
maillog_file_prefixes = {root}
myhostname = smtp.kptj.test
mydomain = kptj.test
myorigin = kptj.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains = static:ALL
smtpd_reject_unlisted_recipient = no
local_recipient_maps =
alias_maps =
alias_database =
biff = no
relay_transport = lmtp:inet:127.0.0.1:{lmtp_port}
default_transport = lmtp:inet:127.0.0.1:{lmtp_port}
transport_maps = regexp:{root}/etc/transport
lmtp_host_lookup = native
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:{auth_port}
smtpd_sasl_auth_enable = yes
smtpd_tls_auth_only = yes
smtpd_relay_restrictions = permit_sasl_authenticated, permit_mynetworks, reject
smtpd_recipient_restrictions = check_recipient_access regexp:{root}/etc/rcpt_access
bounce_queue_lifetime = 0
maximal_queue_lifetime = 1h
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
"""

MASTER_CF = """\
127.0.0.1:{smtp_port} inet n - n - - smtpd
127.0.0.1:{smtps_port} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""

NO_SUCH = "nosuch"      # recipients whose local part contains this bounce (a DSN comes back)
REJECT_5XX = "reject5"  # ... contains this: refused with 550 at RCPT time
DEFER_4XX = "defer4"    # ... contains this: refused with 450 at RCPT time
QUEUE_DIRS = ("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming",
              "private", "public", "saved", "trace")


@dataclass
class Postfix:
    root: Path
    dovecot: Dovecot
    smtp_port: int = 0
    smtps_port: int = 0
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    host = "127.0.0.1"

    @property
    def ca_cert(self) -> Path:
        return self.dovecot.ca_cert  # the same private CA signed both servers' certificates

    @classmethod
    def start(cls, dovecot: Dovecot, root: Path | None = None) -> Postfix:
        if not Path("/usr/lib/postfix/sbin/master").exists():
            raise RuntimeError("postfix is not installed (apt-get install postfix)")
        if not dovecot.auth_port:
            raise RuntimeError("the Dovecot fixture has no auth listener for SMTP AUTH")
        root = Path(root or tempfile.mkdtemp(prefix="kptj-postfix-"))
        (root / "etc").mkdir(parents=True, exist_ok=True)
        _open_path_for_others(root)  # the daemons run as `postfix` and must reach the queue
        uid, gid = pwd.getpwnam("postfix").pw_uid, grp.getgrnam("postfix").gr_gid
        postdrop = grp.getgrnam("postdrop").gr_gid
        queue = root / "queue"
        queue.mkdir(exist_ok=True)
        for sub in QUEUE_DIRS:
            (queue / sub).mkdir(exist_ok=True)
            os.chown(queue / sub, uid, gid)
            os.chmod(queue / sub, 0o700)
        (queue / "pid").mkdir(exist_ok=True)  # master.pid, owned by root
        (queue / "maildrop").mkdir(exist_ok=True)
        os.chown(queue / "maildrop", uid, postdrop)
        os.chmod(queue / "maildrop", 0o730)
        (root / "data").mkdir(exist_ok=True)
        os.chown(root / "data", uid, gid)
        tls = dovecot.root / "tls"
        # the daemons run as `postfix`: the key must be readable before privileges are dropped (it
        # is, smtpd opens it as root), the log file is written by postlogd as root
        server = cls(root=root, dovecot=dovecot)
        for _attempt in range(5):
            server.smtp_port, server.smtps_port = free_port(), free_port()
            if server.smtp_port != server.smtps_port and not any(
                    _port_taken(p) for p in (server.smtp_port, server.smtps_port)):
                break
        (root / "etc" / "main.cf").write_text(MAIN_CF.format(
            root=root, lmtp_port=dovecot.lmtp_port, auth_port=dovecot.auth_port,
            cert=tls / "server.crt", key=tls / "server.key"))
        # a mailbox that does not exist: bounced by Postfix with a real DSN to the envelope sender
        (root / "etc" / "transport").write_text(f"/{NO_SUCH}[^@]*@/ error:5.1.1 mailbox unavailable\n")
        # refused at RCPT time: a permanent (5xx) and a temporary (4xx) answer from a real server
        (root / "etc" / "rcpt_access").write_text(f"/{REJECT_5XX}[^@]*@/ 550 5.1.1 mailbox does not exist\n"
                                                  f"/{DEFER_4XX}[^@]*@/ 450 4.2.0 mailbox busy, try later\n")
        (root / "etc" / "master.cf").write_text(MASTER_CF.format(
            smtp_port=server.smtp_port, smtps_port=server.smtps_port))
        log = open(root / "master.out", "wb")  # noqa: SIM115 - the daemon keeps it open
        server._proc = subprocess.Popen(["/usr/lib/postfix/sbin/master", "-c", str(root / "etc"), "-d"],
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server._wait_ready()
        return server

    def _wait_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                break
            if _port_taken(self.smtp_port) and _port_taken(self.smtps_port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"postfix did not start; output:\n{self.log()}")

    def log(self) -> str:
        parts = []
        for name in ("master.out", "postfix.log"):
            p = self.root / name
            if p.exists():
                parts.append(p.read_text(errors="replace"))
        return "\n".join(parts)

    def queue_empty(self) -> bool:
        queue = self.root / "queue"
        return not any(f.is_file() for sub in ("incoming", "active", "deferred") for f in (queue / sub).rglob("*"))

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait until every accepted mail has left the queue (delivered or bounced)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.queue_empty():
                return
            time.sleep(0.1)
        raise RuntimeError(f"postfix queue not empty after {timeout} s; log:\n{self.log()}")

    def stop(self) -> None:
        if self._proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self._proc.send_signal(signal.SIGTERM)
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None
        shutil.rmtree(self.root / "queue", ignore_errors=True)

    def __enter__(self) -> Postfix:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
