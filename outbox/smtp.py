"""SMTP through the standard library's smtplib: implicit TLS (smtps://, port 465) or STARTTLS
(smtp://, required, never plain), certificates verified (a private CA may be added). The password
comes from the environment or a file (outbox.config) and is never stored or logged.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from pathlib import Path

from outbox.config import MailConfig, MailConfigError, smtp_endpoint


class SendError(Exception):
    """One mail could not be handed over. permanent: 5xx, never retried; else retried with backoff."""

    def __init__(self, answer: str, permanent: bool, connection: bool = False) -> None:
        super().__init__(answer)
        self.answer, self.permanent, self.connection = answer, permanent, connection


def _answer(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}".strip()


class SmtpTransport:
    def __init__(self, cfg: MailConfig) -> None:
        if not cfg.smtp_url:
            raise MailConfigError("未配置发信服务器：请在邮件配置 [mail] 中写 smtp = \"smtps://用户名@服务器:465\"")
        self.cfg = cfg
        self.scheme, self.host, self.port, self.user = smtp_endpoint(cfg.smtp_url)
        self.conn: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cfg.ca_file) if self.cfg.ca_file else None)

    def open(self) -> None:
        where = f"{self.host}:{self.port}"
        password = self.cfg.password() if self.user else None
        if self.user and password is None:
            raise MailConfigError(f"未提供发信邮箱 {self.user} 的密码：请设置环境变量 "
                                  f"{self.cfg.password_env or 'KPTJ_SMTP_PASSWORD'} 或在配置中给出 password_file")
        try:
            if self.scheme == "smtps":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.cfg.timeout,
                                                      context=self._context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.cfg.timeout)
                conn.ehlo()
                if not conn.has_extn("starttls"):
                    conn.close()
                    raise MailConfigError(f"发信服务器 {where} 不支持 STARTTLS 加密，拒绝明文发送；请改用 smtps:// 端口 465")
                conn.starttls(context=self._context())
                conn.ehlo()
            if self.user:
                conn.login(self.user, password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise MailConfigError(f"登录发信邮箱 {self.user}@{self.host} 失败：用户名或密码（授权码）错误") from exc
        except ssl.SSLCertVerificationError as exc:
            raise MailConfigError(f"发信服务器 {where} 的证书校验失败（{exc.verify_message}）；"
                                  "如使用内部证书，请在配置中用 ca_file 指定其 CA 证书") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"无法连接发信服务器 {where}：{exc}", permanent=False, connection=True) from exc
        self.conn = conn

    def send(self, msg: EmailMessage, mail_from: str, rcpts: list[str],
             copy_to: str | None = None) -> tuple[str, dict[str, str]]:
        """Hand one mail over. Returns (the server's answer to DATA, {refused recipient: answer}).
        The copy address (Bcc) is added only once a real recipient was accepted."""
        if self.conn is None:
            self.open()
        conn = self.conn
        assert conn is not None
        raw = msg.as_bytes(policy=policy.SMTP)  # CRLF, RFC 2047 headers, UTF-8 body in base64
        try:
            code, text = conn.mail(mail_from)
            if code != 250:
                self._reset()
                raise SendError(_answer(code, text), permanent=code >= 500)
            refused: dict[str, str] = {}
            codes = []
            for r in rcpts:
                code, text = conn.rcpt(r)
                if code not in (250, 251):
                    refused[r] = _answer(code, text)
                    codes.append(code)
            if len(refused) == len(rcpts):
                self._reset()
                raise SendError("；".join(f"{r}: {a}" for r, a in refused.items()),
                                permanent=all(c >= 500 for c in codes))
            if copy_to:
                code, text = conn.rcpt(copy_to)
                if code not in (250, 251):
                    refused[copy_to] = _answer(code, text)
            code, text = conn.data(raw)
            if code != 250:
                raise SendError(_answer(code, text), permanent=code >= 500)
            return _answer(code, text), refused
        except SendError:
            raise
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise SendError(f"与发信服务器的连接中断：{exc}", permanent=False, connection=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise SendError(_answer(exc.smtp_code, exc.smtp_error), permanent=exc.smtp_code >= 500) from exc

    def _reset(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            assert self.conn is not None
            self.conn.rset()

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.conn.quit()
            with contextlib.suppress(OSError):
                self.conn.close()
        self.conn = None


def write_eml(msg: EmailMessage, folder: Path, name: str) -> Path:
    """Dry run and preview: the exact bytes that would be sent."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    path.write_bytes(msg.as_bytes(policy=policy.SMTP))
    return path
