"""Delivery-status notifications (RFC 3464) that come back into the collection mailbox.

Intake already classifies them (`Message.classification == "bounce"`, intake.classify.is_bounce)
and takes nothing from them as a submission. Here each one is read once (UNIQUE on the incoming
message): the failed recipients (Action: failed) mark the outgoing mail failed and the address bad,
so no later draft uses it. The mail it bounced is found by the Message-ID of the returned original
(message/rfc822 or text/rfc822-headers part), else by our X-Kptj-Outbox header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message as EmailMsg

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import archive
from kptj.workspace import Workspace
from outbox.compose import HEADER_OUTBOX
from registry.clock import utc_now
from registry.models import Message
from registry.outbox_models import BadAddress, Bounce, OutgoingMail

_MID = re.compile(r"<[^<>\s]+>")
# our Message-IDs (outbox.compose.new_message_id): found in the text of a non-standard 退信 too
_OUR_MID = re.compile(rb"<kptj-[a-z_]+-[0-9a-f]{32}@[^<>\s]+>")


@dataclass
class Dsn:
    failed: list[str] = field(default_factory=list)
    status: str | None = None
    diagnostic: str | None = None
    original_message_id: str | None = None
    outbox_header: str | None = None


def parse_dsn(raw: bytes) -> Dsn:
    msg = message_from_bytes(raw, policy=policy.compat32)
    out = Dsn()
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            _status_fields(part, out)
        elif ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            _original(part, out)
    return out


def _status_fields(part: EmailMsg, out: Dsn) -> None:
    # the payload is a list of header blocks: the per-message one, then one per recipient
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        text = part.get_payload(decode=True) or b""
        blocks = [message_from_bytes(b) for b in re.split(rb"\r?\n\r?\n", text) if b.strip()]
    for block in blocks:
        action = (block.get("Action") or "").strip().lower()
        recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
        if action == "failed" and recipient:
            out.failed.append(recipient.split(";", 1)[-1].strip().strip("<>").lower())
            out.status = out.status or (block.get("Status") or "").strip() or None
            out.diagnostic = out.diagnostic or (block.get("Diagnostic-Code") or "").strip() or None


def _original(part: EmailMsg, out: Dsn) -> None:
    inner = part.get_payload()
    if isinstance(inner, list) and inner:
        head = inner[0]
    else:
        head = message_from_bytes(part.get_payload(decode=True) or b"")
    found = _MID.search(str(head.get("Message-ID") or ""))
    out.original_message_id = out.original_message_id or (found.group(0) if found else None)
    out.outbox_header = out.outbox_header or (str(head.get(HEADER_OUTBOX)) if head.get(HEADER_OUTBOX) else None)


def record_bounces(ws: Workspace, s: Session) -> int:
    """Handle every bounce intake stored and nobody has read yet; the caller commits. Returns how many."""
    done = select(Bounce.message_id)
    q = select(Message).where(Message.classification == "bounce", Message.id.not_in(done)).order_by(Message.id)
    count = 0
    for msg in s.scalars(q):
        try:
            raw = archive.resolve(ws.archive_dir, msg.archive_path or "").read_bytes()
        except OSError:
            raw = b""
        dsn = parse_dsn(raw) if raw else Dsn()
        mail = None
        if dsn.original_message_id:
            mail = s.scalar(select(OutgoingMail).where(OutgoingMail.message_id == dsn.original_message_id))
        if mail is None and dsn.outbox_header:
            parts = dsn.outbox_header.split()
            if len(parts) == 2 and parts[1].isdigit():
                mail = s.get(OutgoingMail, int(parts[1]))
        if mail is None and raw:
            # a provider's own 退信 format (no RFC 3464 report): our Message-ID quoted in its text
            for found in _OUR_MID.findall(raw):
                mail = s.scalar(select(OutgoingMail).where(OutgoingMail.message_id == found.decode()))
                if mail is not None:
                    break
        if mail is not None and not dsn.failed and len(mail.recipients) == 1:
            dsn.failed = [mail.recipients[0].lower()]  # one recipient: it can only be that one
        reason = f"退信（{dsn.status or '?'}）：{dsn.diagnostic or '投递失败'}"
        if mail is not None and dsn.failed:
            ours = {a.lower() for a in mail.recipients}
            bad = [a for a in dsn.failed if a in ours] or []
            if bad:
                mail.state, mail.permanent, mail.failed_at = "failed", True, utc_now()
                mail.smtp_answer = f"{reason}；退信邮件 #{msg.id}；无法投递：{'、'.join(bad)}"
                known = set(s.scalars(select(BadAddress.address)))
                for a in set(bad) - known:
                    s.add(BadAddress(address=a, reason=f"{reason}（退信邮件 #{msg.id}）", mail_id=mail.id,
                                     created_at=utc_now()))
        s.add(Bounce(message_id=msg.id, mail_id=mail.id if mail else None, addresses=dsn.failed or None,
                     status=dsn.status, diagnostic=(dsn.diagnostic or "")[:2000] or None, created_at=utc_now()))
        count += 1
    return count
