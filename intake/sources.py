"""Where mail comes from: IMAP folders, a Maildir, or a folder of .eml files.

Source strings:  imap://user@host:port/FOLDER  (STARTTLS)   imaps://user@host:port/FOLDER  (implicit TLS)
                 maildir:PATH                                 PATH (a folder holding .eml files)
Accounts may also be described in a TOML file (see `load_accounts`). Passwords come from an
environment variable or a file and are never stored or logged.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

DEFAULT_PASSWORD_ENV = "KPTJ_IMAP_PASSWORD"


class SourceError(Exception):
    """A source cannot be read at all (login, TLS, network); the message is for people (Chinese)."""


@dataclass
class SourceSpec:
    kind: str                          # imap | imaps | maildir | folder
    account: str                       # stored with each message: user@host, or the local path
    folder: str                        # IMAP folder, or the local path
    host: str | None = None
    port: int | None = None
    user: str | None = None
    path: Path | None = None
    password_env: str | None = None
    password_file: Path | None = None
    ca_file: Path | None = None
    verify_tls: bool = True
    action: str = "move:Processed"     # move:FOLDER | flag:\\Seen | none
    subject_contains: str | None = None
    send_id: bool = True
    timeout: float = 60.0
    label: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def describe(self) -> str:
        if self.kind in ("imap", "imaps"):
            return f"{self.kind}://{self.user}@{self.host}:{self.port}/{self.folder}"
        return f"{self.kind}:{self.path}"

    def password(self) -> str:
        if self.password_file:
            try:
                return self.password_file.read_text(encoding="utf-8").strip("\r\n")
            except OSError as exc:
                raise SourceError(f"无法读取密码文件 {self.password_file}：{exc.strerror}") from exc
        env = self.password_env or DEFAULT_PASSWORD_ENV
        value = os.environ.get(env)
        if value is None:
            raise SourceError(f"未提供邮箱 {self.user}@{self.host} 的密码：请设置环境变量 {env} 或在配置中给出 password_file")
        return value


def parse_source(text: str, **options: object) -> SourceSpec:
    if text.startswith(("imap://", "imaps://")):
        url = urlsplit(text)
        if not url.hostname or not url.username:
            raise SourceError(f"邮箱地址格式不对：{text}（应为 imaps://用户名@服务器:端口/文件夹）")
        kind = url.scheme
        port = url.port or (993 if kind == "imaps" else 143)
        folder = unquote(url.path.lstrip("/")) or "INBOX"
        user = unquote(url.username)
        spec = SourceSpec(kind=kind, account=f"{user}@{url.hostname}", folder=folder, host=url.hostname,
                          port=port, user=user)
    elif text.startswith("maildir:"):
        path = Path(text[len("maildir:"):]).expanduser().resolve()
        spec = SourceSpec(kind="maildir", account="maildir", folder=str(path), path=path, action="none")
    else:
        path = Path(text[len("folder:"):] if text.startswith("folder:") else text).expanduser().resolve()
        spec = SourceSpec(kind="folder", account="folder", folder=str(path), path=path, action="none")
    for key, value in options.items():
        if value is None:
            continue
        if key in ("password_file", "ca_file"):
            value = Path(str(value)).expanduser()
        if hasattr(spec, key):
            setattr(spec, key, value)
        else:
            spec.extra[key] = value
    return spec


def load_accounts(path: Path) -> dict[str, SourceSpec]:
    """Accounts from TOML:

        [account.collect]
        source = "imaps://kpdc2024@imap.163.com:993/INBOX"
        password_env = "KPTJ_163_PASSWORD"     # or password_file = "/etc/kptj/163.pw"
        ca_file = "/etc/kptj/ca.pem"            # optional: a private CA
        action = "move:已处理"                   # or "flag:\\\\Seen", or "none"
        subject_contains = "科普"                # optional server-side filter
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"无法读取账户配置 {path}：{exc}") from exc
    accounts = {}
    for name, conf in (data.get("account") or {}).items():
        conf = dict(conf)
        source = conf.pop("source", None)
        if not source:
            raise SourceError(f"账户配置 {path} 中 [{name}] 缺少 source")
        if "password" in conf:
            raise SourceError(f"账户配置 [{name}] 不能直接写密码：请用 password_env 或 password_file")
        accounts[name] = parse_source(source, label=name, **conf)
    return accounts


@dataclass
class Fetched:
    uid: int | None
    raw: bytes


class Connection(Protocol):
    """An open source folder."""

    uidvalidity: int | None

    def poll(self, after_uid: int) -> list[int]:
        """UIDs newer than after_uid (IMAP); local sources return an empty list and use `local_items`."""

    def fetch(self, uid: int) -> bytes | None: ...

    def local_items(self) -> Iterator[Fetched]: ...

    def server_action(self, uids: list[int]) -> None: ...

    def close(self) -> None: ...


def open_source(spec: SourceSpec) -> Connection:
    if spec.kind in ("imap", "imaps"):
        from intake.imap_source import ImapConnection
        return ImapConnection(spec)
    from intake.local_sources import LocalConnection
    return LocalConnection(spec)
