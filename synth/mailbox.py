"""Serialize synthetic mails to .eml in the shapes of WORLD.md §5.

A Mail is built from plain data (sender, subject, body, attachments) plus *styles* that decide the
wire encoding, so the same content can arrive as RFC 2047 UTF-8, GBK, "gb2312" holding GBK-only
characters, raw 8-bit GBK headers, RFC 2231 filenames, nested message/rfc822, and so on.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

COLLECT_ADDR = "gongzhixian02@tj.gov.cn"
RAW8_MARK = "X-RAW8-SUBJECT-PLACEHOLDER"


@dataclass
class Attachment:
    name: str
    data: bytes
    ctype: str = "application/pdf"
    name_style: str = "rfc2231"      # rfc2231 | rfc2047_utf8 | rfc2047_gbk | gb2312_label | ascii
    truth: list[dict] = field(default_factory=list)  # one entry per file (zip: one per member)


@dataclass
class Mail:
    date: datetime
    sender_name: str
    sender_addr: str
    subject: str
    body: str
    kind: str = "scan"
    attachments: list[Attachment] = field(default_factory=list)
    subject_style: str = "utf8"      # utf8 | gbk | gb2312_label | raw8bit | plain
    body_charset: str = "utf-8"      # utf-8 | gbk
    forwarded: Mail | None = None    # a message/rfc822 part (its attachments count too)
    message_id: str = ""
    extra_headers: dict[str, str] = field(default_factory=dict)
    report: str | None = None        # bounces: the delivery-status text
    html: str | None = None
    shape: str = ""                  # which WORLD.md §5 shape this mail shows (truth only)
    link_attachment: dict | None = None  # 超大附件: {"name", "url", "truth"} instead of a file


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def all_attachments(m: Mail) -> list[Attachment]:
    """The mail's attachments, then those of the message it forwards (and so on)."""
    out = list(m.attachments)
    if m.forwarded is not None:
        out += all_attachments(m.forwarded)
    return out


def _ew(text: str, charset: str, label: str | None = None) -> str:
    """An RFC 2047 encoded word; label lets GBK bytes travel under a 'gb2312' label."""
    raw = text.encode(charset)
    return f"=?{label or charset}?B?{base64.b64encode(raw).decode()}?="


def _subject(m: Mail) -> str:
    if m.subject_style == "plain" or not m.subject or m.subject.isascii():
        return m.subject
    if m.subject_style == "gbk":
        return _ew(m.subject, "gb18030", "GBK")
    if m.subject_style == "gb2312_label":
        return _ew(m.subject, "gbk", "gb2312")
    if m.subject_style == "raw8bit":
        return RAW8_MARK
    return Header(m.subject, "utf-8").encode()


def _from(m: Mail, style: str) -> str:
    if not m.sender_name:
        return m.sender_addr
    if style in ("gbk", "gb2312_label", "raw8bit"):
        return f"{_ew(m.sender_name, 'gb18030', 'GBK')} <{m.sender_addr}>"
    return formataddr((m.sender_name, m.sender_addr), charset="utf-8")


_PAYLOADS: dict[str, bytes] = {}


def _attachment_part(a: Attachment) -> MIMEBase:
    maintype, subtype = a.ctype.split("/", 1)
    part = MIMEBase(maintype, subtype)
    # the generator writes big payloads line by line (slow): leave a marker, splice base64 in later
    mark = f"@@KPTJ-PAYLOAD-{len(_PAYLOADS)}-{id(a)}@@"
    _PAYLOADS[mark] = a.data
    part.set_payload(mark)
    part["Content-Transfer-Encoding"] = "base64"
    if a.name_style == "ascii" or a.name.isascii():
        part.add_header("Content-Disposition", "attachment", filename=a.name)
        part.set_param("name", a.name)
    elif a.name_style == "rfc2231":
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", a.name))
        part.set_param("name", ("utf-8", "", a.name))
    else:
        if a.name_style == "rfc2047_gbk":
            enc = _ew(a.name, "gb18030", "GBK")
        elif a.name_style == "gb2312_label":
            enc = _ew(a.name, "gbk", "gb2312")
        else:
            enc = _ew(a.name, "utf-8")
        del part["Content-Type"]
        part["Content-Type"] = f'{a.ctype}; name="{enc}"'
        part["Content-Disposition"] = f'attachment; filename="{enc}"'
    return part


def build_message(m: Mail) -> MIMEMultipart | MIMEText:
    text_part = MIMEText(m.body, "plain", "gbk" if m.body_charset == "gbk" else "utf-8")
    if m.report is not None:
        msg = MIMEMultipart("report", report_type="delivery-status")
        msg.attach(text_part)
        from email import message_from_string
        ds = MIMEBase("message", "delivery-status")
        del ds["MIME-Version"]
        ds.set_payload([message_from_string(block.strip() + "\n") for block in m.report.split("\n\n") if block.strip()])
        msg.attach(ds)
        if m.forwarded is not None:
            msg.attach(MIMEMessage(build_message(m.forwarded)))
    elif not m.attachments and m.forwarded is None and m.html is None:
        msg = text_part
    else:
        msg = MIMEMultipart("mixed")
        if m.html is not None:
            alt = MIMEMultipart("alternative")
            alt.attach(text_part)
            alt.attach(MIMEText(m.html, "html", "utf-8"))
            msg.attach(alt)
        else:
            msg.attach(text_part)
        for a in m.attachments:
            msg.attach(_attachment_part(a))
        if m.forwarded is not None:
            msg.attach(MIMEMessage(build_message(m.forwarded)))
    msg["From"] = _from(m, m.subject_style)
    msg["To"] = COLLECT_ADDR
    msg["Subject"] = _subject(m)
    msg["Date"] = format_datetime(m.date.astimezone() if m.date.tzinfo else m.date.replace(tzinfo=_CST))
    msg["Message-ID"] = m.message_id
    msg["MIME-Version"] = "1.0"
    for k, v in m.extra_headers.items():
        msg[k] = v
    return msg


def to_bytes(m: Mail) -> bytes:
    _PAYLOADS.clear()
    data = build_message(m).as_bytes()
    if _PAYLOADS:
        chunks = []
        pos = 0
        for mark, payload in _PAYLOADS.items():
            i = data.index(mark.encode(), pos)
            chunks += [data[pos:i], base64.encodebytes(payload).rstrip(b"\n")]
            pos = i + len(mark)
        chunks.append(data[pos:])
        data = b"".join(chunks)
        _PAYLOADS.clear()
    if m.subject_style == "raw8bit":
        data = data.replace(RAW8_MARK.encode(), m.subject.encode("gbk"), 1)
    return data


class GBKZipInfo(zipfile.ZipInfo):
    """A zip member whose name is stored in GBK without the UTF-8 flag (Windows 'send to zip')."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own name
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def make_zip(members: list[tuple[str, bytes]], gbk_names: bool = True, when: datetime | None = None) -> bytes:
    buf = io.BytesIO()
    dt = (when or datetime(2025, 6, 20, 10, 0)).timetuple()[:6]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in members:
            zi = GBKZipInfo(name, dt) if gbk_names else zipfile.ZipInfo(name, dt)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return buf.getvalue()


from datetime import timedelta, timezone  # noqa: E402

_CST = timezone(timedelta(hours=8))
