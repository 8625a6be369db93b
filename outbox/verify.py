"""After a crash: was a mail left in `sending` handed over or not? Every mail is also sent (Bcc, in
the envelope only) to a copy mailbox (`copy_to`); the copy is looked up there by its Message-ID
over IMAP (`verify`). The copy travels in the same SMTP transaction as the mail itself, so the
server accepted both or neither.
"""

from __future__ import annotations

import contextlib
import ssl

from imap_tools import AND, H, MailBox, MailBoxStartTls
from imap_tools.errors import ImapToolsError

from intake.sources import SourceError, parse_source
from outbox.config import MailConfig, MailConfigError


class CopyMailbox:
    def __init__(self, cfg: MailConfig) -> None:
        if not cfg.verify_url:
            raise MailConfigError("未配置存档邮箱（verify）")
        try:
            self.spec = parse_source(cfg.verify_url, ca_file=cfg.ca_file)
        except SourceError as exc:
            raise MailConfigError(str(exc)) from exc
        self.password = cfg.verify_password()
        if self.password is None:
            raise MailConfigError("未提供存档邮箱的密码：请设置环境变量 KPTJ_VERIFY_PASSWORD 或配置 verify_password_file")
        self.box: MailBox | None = None

    def __enter__(self) -> CopyMailbox:
        spec = self.spec
        ctx = ssl.create_default_context(cafile=str(spec.ca_file) if spec.ca_file else None)
        try:
            box = (MailBox(spec.host, spec.port, ssl_context=ctx) if spec.kind == "imaps"
                   else MailBoxStartTls(spec.host, spec.port, ssl_context=ctx))
            box.login(spec.user or "", self.password or "", initial_folder=spec.folder)
        except (OSError, ssl.SSLError, ImapToolsError) as exc:
            raise MailConfigError(f"无法登录存档邮箱 {spec.describe()}：{exc}") from exc
        self.box = box
        return self

    def __exit__(self, *exc: object) -> None:
        if self.box is not None:
            with contextlib.suppress(OSError, ImapToolsError):
                self.box.logout()

    def has(self, message_id: str) -> bool:
        assert self.box is not None
        self.box.client.noop()  # see deliveries that arrived since login
        return bool(self.box.uids(AND(header=H("Message-ID", message_id))))
