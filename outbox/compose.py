"""Mail text from templates kept as data, and the MIME message built from an outbox row.

A template is a UTF-8 text file: the first line is the subject, then one empty line, then the body,
with `${name}` placeholders (Python string.Template). The package's templates
(outbox/templates/KIND.txt) are overridden by a file of the same name in the workspace's
`mail-templates/` folder (or `templates_dir` in the configuration), so staff edit words, not code.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from importlib import resources
from pathlib import Path
from string import Template

from outbox.config import MailConfig, MailConfigError
from registry.clock import local_tz
from registry.outbox_models import OutgoingMail

# RFC 3834: tells the units' auto-responders not to answer (no mail loops with 自动回复).
AUTO_SUBMITTED = {"receipt": "auto-replied", "rescan": "auto-generated", "reminder": "auto-generated",
                  "admin_reminder": "auto-generated"}
HEADER_OUTBOX = "X-Kptj-Outbox"


def template_text(kind: str, override_dir: Path | None) -> str:
    if override_dir is not None and (override_dir / f"{kind}.txt").is_file():
        return (override_dir / f"{kind}.txt").read_text(encoding="utf-8")
    return resources.files("outbox").joinpath("templates", f"{kind}.txt").read_text(encoding="utf-8")


def render(kind: str, values: dict[str, object], override_dir: Path | None) -> tuple[str, str]:
    """(subject, body) of template `kind` filled with `values`."""
    text = template_text(kind, override_dir).replace("\r\n", "\n")
    subject, _, body = text.partition("\n")
    try:
        subject = Template(subject).substitute(values).strip()
        body = Template(body.lstrip("\n")).substitute(values).rstrip() + "\n"
    except KeyError as exc:
        raise MailConfigError(f"邮件模板 {kind}.txt 中有不认识的占位符 ${{{exc.args[0]}}}") from exc
    except ValueError as exc:
        raise MailConfigError(f"邮件模板 {kind}.txt 格式有误（$ 要写成 $$）：{exc}") from exc
    if not subject:
        raise MailConfigError(f"邮件模板 {kind}.txt 的第一行（邮件主题）为空")
    return subject, body


def new_message_id(kind: str, domain: str) -> str:
    """Fixed when the mail is drafted and sent unchanged on every attempt: a resend after a crash
    carries the same Message-ID, so the copy mailbox and the unit's mail client can recognise it."""
    return f"<kptj-{kind}-{uuid.uuid4().hex}@{domain}>"


def build_message(mail: OutgoingMail, cfg: MailConfig) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(mail.recipients)
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(datetime.now(local_tz()))
    msg["Message-ID"] = mail.message_id
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        msg["References"] = mail.references
    msg["Auto-Submitted"] = AUTO_SUBMITTED.get(mail.kind, "auto-generated")
    msg[HEADER_OUTBOX] = f"{mail.kind} {mail.id}"
    msg.set_content(mail.body, charset="utf-8")
    return msg


def envelope_recipients(mail: OutgoingMail) -> list[str]:
    """The real recipients; the copy (Bcc, `copy_to`) is added by the transport, in the envelope only."""
    return [a for _n, a in getaddresses(mail.recipients) if a]
