"""Fixtures for mail to units: a real Postfix (SMTP) delivering into the session's real Dovecot,
a small roster whose units have mailboxes there, and the `[mail]` configuration pointing at both."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from imap_tools import MailBox

from kptj.workspace import Workspace
from registry import uscc
from registry.roster_import import import_roster
from tests.registry.builders import ROSTER_HEADER, write_csv
from tests.servers.dovecot import Dovecot
from tests.servers.postfix import Postfix

_worlds = itertools.count(1)
SMTP_PASSWORD = "smtp-Secret-9x"  # noqa: S105 - a test login on the throw-away server


@pytest.fixture(scope="session")
def postfix(dovecot: Dovecot) -> Iterator[Postfix]:
    server = Postfix.start(dovecot)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@dataclass
class MailWorld:
    ws: Workspace
    dovecot: Dovecot
    postfix: Postfix
    tag: str
    config: Path
    collector: str     # the collection mailbox: From of every mail, where DSNs come back
    copy: str          # the copy mailbox (Bcc), checked after a crash

    def addr(self, local: str) -> str:
        return f"{self.tag}{local}@kptj.test"

    def user(self, local: str) -> str:
        """An IMAP login for the unit mailbox `local` (created on first use)."""
        name = f"{self.tag}{local}"
        if name not in self.dovecot.users:
            self.dovecot.add_user(name, "pw")
        return name

    def inbox(self, local: str) -> list[EmailMessage]:
        """Every mail in that mailbox, parsed from the raw bytes fetched over IMAP."""
        return read_mailbox(self.dovecot, self.user(local))

    def write_config(self, **extra: object) -> Path:
        lines = [f'{k} = {_toml(v)}' for k, v in {**BASE_CONFIG(self), **extra}.items() if v is not None]
        self.config.write_text("[mail]\n" + "\n".join(lines) + "\n", encoding="utf-8")
        return self.config


def _toml(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + " }"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def BASE_CONFIG(w: MailWorld) -> dict[str, object]:  # noqa: N802
    return {
        "smtp": f"smtp://{w.collector}@127.0.0.1:{w.postfix.smtp_port}",
        "from": f"天津市科学技术信息研究所 <{w.collector}@kptj.test>",
        "password_env": "KPTJ_SMTP_PASSWORD",
        "ca_file": str(w.postfix.ca_cert),
        "auto_approve": ["receipt"],
        "rate_per_minute": 0,
        "copy_to": f"{w.copy}@kptj.test",
        "verify": f"imaps://{w.copy}@127.0.0.1:{w.dovecot.imaps_port}/INBOX",
        "verify_password_env": "KPTJ_VERIFY_PASSWORD",
        "verify_grace_seconds": 3,
        "deadlines": {"institute_audit": "2025-06-15", "scan": "2025-06-30"},
        "reminder_days_before": 3,
    }


def read_mailbox(dovecot: Dovecot, user: str, folder: str = "INBOX") -> list[EmailMessage]:
    with MailBox(dovecot.host, dovecot.imaps_port, ssl_context=_ctx(dovecot)).login(user, dovecot.users[user],
                                                                                   initial_folder=folder) as box:
        return [message_from_bytes(m.obj.as_bytes(), policy=policy.default)  # type: ignore[misc]
                for m in box.fetch(mark_seen=False, bulk=True)]


def raw_mailbox(dovecot: Dovecot, user: str) -> list[bytes]:
    """The raw bytes of each delivered mail, straight from the Maildir Dovecot wrote."""
    root = dovecot.maildir(user)
    return [p.read_bytes() for sub in ("new", "cur") if (root / sub).exists() for p in sorted((root / sub).iterdir())]


def _ctx(dovecot: Dovecot):  # noqa: ANN202
    import ssl
    return ssl.create_default_context(cafile=str(dovecot.ca_cert))


def roster(w: MailWorld, units: list[tuple[str, str, str, str]]) -> None:
    """units: (account, name, admin account, email local part or "" for none)."""
    rows = []
    for i, (acc, name, admin, local) in enumerate(units, 1):
        rows.append([acc, name, uscc.make_code("1", "2", "120101", f"{i:08d}"), "区级部门", "和平区", admin, "否", "",
                     "", "", w.addr(local) if local else ""])
    path = write_csv(w.ws.home / "roster.csv", ROSTER_HEADER, rows)
    with w.ws.session() as s:
        import_roster(s, path, w.ws.year)


@pytest.fixture
def world(tmp_path: Path, dovecot: Dovecot, postfix: Postfix, monkeypatch: pytest.MonkeyPatch) -> MailWorld:
    tag = f"w{next(_worlds)}"
    ws = Workspace(home=tmp_path / "home")
    ws.home.mkdir(parents=True)
    w = MailWorld(ws, dovecot, postfix, tag, ws.home / "mail.toml", f"{tag}collector", f"{tag}copy")
    dovecot.add_user(w.collector, SMTP_PASSWORD)
    dovecot.add_user(w.copy, "copy-pw")
    monkeypatch.setenv("KPTJ_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("KPTJ_VERIFY_PASSWORD", "copy-pw")
    monkeypatch.setenv("KPTJ_IMAP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("KPTJ_TZ", "Asia/Shanghai")
    w.write_config()
    return w


# A district bureau with four units under it; one unit has no address in the roster.
UNITS = [("hp_kjj", "天津市和平区科学技术局", "", "kjj"),
         ("u1", "天津市和平区第一中学", "hp_kjj", "u1"),
         ("u2", "天津市和平区鞍山道小学", "hp_kjj", "u2"),
         ("u3", "天津市和平区文化馆", "hp_kjj", "u3"),
         ("u4", "天津市和平区图书馆", "hp_kjj", "")]
IN_WINDOW = date(2025, 6, 13)  # two days before the scan deadline of 2025-06-15
