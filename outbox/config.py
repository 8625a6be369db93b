"""Mail configuration: the `[mail]` table of the TOML file `kptj run --config` reads (accounts.toml),
or `WORKSPACE/mail.toml`, or the file named by KPTJ_MAIL_CONFIG. Passwords never live in it:
only the name of an environment variable or a password file.

    [mail]
    smtp = "smtps://kpdc2024@smtp.163.com:465"     # smtps:// implicit TLS, smtp:// STARTTLS (port 587/25)
    from = "天津市科学技术信息研究所 <gongzhixian02@tj.gov.cn>"
    password_env = "KPTJ_SMTP_PASSWORD"             # or password_file = "/etc/kptj/smtp.pw"
    ca_file = "/etc/kptj/ca.pem"                    # optional: a private CA
    auto_approve = ["receipt"]                      # kinds approved without a person
    rate_per_minute = 20
    reminder_days_before = 3                        # remind N days before each deadline
    copy_to = "kptj-sent@tj.gov.cn"                 # optional Bcc of every mail, checked after a crash
    verify = "imaps://kptj-sent@imap.tj.gov.cn:993/INBOX"   # where that copy is looked for
    verify_password_env = "KPTJ_VERIFY_PASSWORD"
    dry_run = false                                 # true: write .eml files, send nothing
    send_after_run = false                          # true: `kptj run` also sends what is approved
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from matching.status import DEFAULT_DEADLINES

DEFAULT_PASSWORD_ENV = "KPTJ_SMTP_PASSWORD"
# The plan's deadlines a unit can still act on (方案 五、报送时间), with the words a unit reads.
DEADLINE_LABELS = {"online_submit": "完成网上填报并提交", "institute_audit": "报送盖章扫描件",
                   "scan": "全市数据复核"}
REMINDER_DEADLINES = ("institute_audit", "scan")
KINDS = ("receipt", "rescan", "reminder", "admin_reminder")


class MailConfigError(Exception):
    """The mail configuration cannot be used; the message is for people (Chinese)."""


@dataclass
class MailConfig:
    sender: str                         # the From header (the collection mailbox, so replies come back)
    smtp_url: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    ca_file: Path | None = None
    timeout: float = 30.0
    auto_approve: set[str] = field(default_factory=lambda: {"receipt"})
    rate_per_minute: float = 20.0
    max_attempts: int = 5
    backoff_seconds: float = 60.0       # first retry after this; doubles each attempt, at most 6 h
    reminder_days_before: int = 3
    deadlines: dict[str, date] = field(default_factory=lambda: {k: DEFAULT_DEADLINES[k] for k in REMINDER_DEADLINES})
    receipt_max_age_days: int = 3       # older mail gets no receipt when mail is switched on later
    copy_to: str | None = None
    verify_url: str | None = None
    verify_password_env: str | None = None
    verify_password_file: Path | None = None
    verify_grace_seconds: float = 120.0  # a copy may take this long to arrive after a crash
    dry_run: bool = False
    send_after_run: bool = False        # `kptj run` also sends what is approved (else `kptj mail send`)
    templates_dir: Path | None = None

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]

    @property
    def domain(self) -> str:
        return self.sender_address.rpartition("@")[2] or "localhost"

    def password(self) -> str | None:
        return _secret(self.password_file, self.password_env or DEFAULT_PASSWORD_ENV, "发信邮箱")

    def verify_password(self) -> str | None:
        return _secret(self.verify_password_file, self.verify_password_env or "KPTJ_VERIFY_PASSWORD", "存档邮箱")


def _secret(path: Path | None, env: str, what: str) -> str | None:
    if path:
        try:
            return path.read_text(encoding="utf-8").strip("\r\n")
        except OSError as exc:
            raise MailConfigError(f"无法读取{what}密码文件 {path}：{exc.strerror}") from exc
    return os.environ.get(env)


def smtp_endpoint(url: str) -> tuple[str, str, int, str | None]:
    """(scheme, host, port, user) of smtp://user@host:587 (STARTTLS) or smtps://user@host:465."""
    u = urlsplit(url)
    if u.scheme not in ("smtp", "smtps") or not u.hostname:
        raise MailConfigError(f"发信服务器地址格式不对：{url}（应为 smtps://用户名@服务器:465 或 smtp://用户名@服务器:587）")
    port = u.port or (465 if u.scheme == "smtps" else 587)
    return u.scheme, u.hostname, port, unquote(u.username) if u.username else None


def config_files(home: Path, given: Path | None = None) -> list[Path]:
    """Where a `[mail]` table may be, in order: the file given (`--config`), KPTJ_MAIL_CONFIG, WORKSPACE/mail.toml."""
    return [Path(p) for p in (given, os.environ.get("KPTJ_MAIL_CONFIG"), home / "mail.toml") if p and Path(p).exists()]


def load_mail_config(home: Path, given: Path | None = None) -> MailConfig | None:
    """The first `[mail]` table found, or None when mail to units is not configured (nothing is drafted)."""
    for path in config_files(home, given):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise MailConfigError(f"无法读取邮件配置 {path}：{exc}") from exc
        if "mail" in data:
            return parse_mail_config(data["mail"], path, home)
    return None


def parse_mail_config(conf: dict, path: Path, home: Path) -> MailConfig:
    conf = dict(conf)
    if "password" in conf or "verify_password" in conf:
        raise MailConfigError(f"邮件配置 {path} 不能直接写密码：请用 password_env 或 password_file")
    sender = conf.pop("from", None)
    if not sender or "@" not in parseaddr(sender)[1]:
        raise MailConfigError(f"邮件配置 {path} 的 [mail] 缺少有效的 from（发件人地址）")
    cfg = MailConfig(sender=sender)
    deadlines = conf.pop("deadlines", None)
    if deadlines:
        try:
            cfg.deadlines = {k: v if isinstance(v, date) else date.fromisoformat(str(v)) for k, v in deadlines.items()}
        except ValueError as exc:
            raise MailConfigError(f"邮件配置 {path} 的截止日期格式不对（应为 YYYY-MM-DD）：{exc}") from exc
    renames = {"smtp": "smtp_url", "verify": "verify_url"}
    for key, value in conf.items():
        name = renames.get(key, key)
        if not hasattr(cfg, name) or name in ("sender", "deadlines"):
            raise MailConfigError(f"邮件配置 {path} 中有不认识的设置 {key}")
        if name in ("password_file", "ca_file", "verify_password_file", "templates_dir"):
            value = (path.parent / Path(str(value)).expanduser()).resolve()
        if name == "auto_approve":
            unknown = set(value) - set(KINDS)
            if unknown:
                raise MailConfigError(f"auto_approve 中有不认识的邮件类型：{'、'.join(sorted(unknown))}（可用：{'、'.join(KINDS)}）")
            value = set(value)
        setattr(cfg, name, value)
    if cfg.smtp_url:
        smtp_endpoint(cfg.smtp_url)
    if cfg.templates_dir is None:
        cfg.templates_dir = home / "mail-templates"
    return cfg

