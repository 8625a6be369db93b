"""Walk one raw mail and find every file in it, however it is wrapped.

Produces a flat list of `Found` items (leaves), each with the chain of containers it came from.
Containers that unpack fine (ZIP, RAR, 7z, .docx, attached mails) contribute their members and
get no item of their own; containers that fail get one item with the reason. Types come from
content sniffing, never from the declared MIME type or file name.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import Message

from intake import containers, decoding
from intake.classify import find_download_links
from intake.inspect_files import check_image, check_pdf
from intake.limits import Limits
from intake.sniff import sniff

IMAGE_KINDS = {"jpeg", "png", "tiff"}


@dataclass
class Found:
    name: str | None
    data: bytes | None
    detected_type: str | None
    status: str
    detail: str | None = None
    declared_type: str | None = None
    origin: list[str] = field(default_factory=list)
    pages: int | None = None
    url: str | None = None

    @property
    def member_path(self) -> str | None:
        return " › ".join(self.origin) if self.origin else None


@dataclass
class ParsedMail:
    msg: Message
    warnings: list[str]
    found: list[Found]
    body_text: str


def parse(raw: bytes) -> Message:
    # compat32 keeps raw 8-bit header bytes (as surrogate escapes) so we can decode them ourselves.
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def extract(raw: bytes, limits: Limits, skip_attachments: bool = False) -> ParsedMail:
    msg = parse(raw)
    walker = _Walker(limits)
    if not skip_attachments:
        walker.walk_message(msg, origin=[], depth=0)
    return ParsedMail(msg, walker.warnings, walker.found, walker.body_text)


class _Walker:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.warnings: list[str] = []
        self.found: list[Found] = []
        self.body_text = ""

    def walk_message(self, msg: Message, origin: list[str], depth: int) -> None:
        bodies: list[str] = []
        self._walk(msg, origin, depth, bodies)
        text = "\n".join(bodies)
        if depth == 0:
            self.body_text = text
        for url, name in find_download_links(text):
            self.found.append(Found(decoding.sanitize_filename(name), None, "link", "link",
                                    f"正文中的超大附件下载链接，需人工下载：{url}", origin=list(origin), url=url))

    def _walk(self, part: Message, origin: list[str], depth: int, bodies: list[str]) -> None:
        if part.get_content_maintype() == "message" and isinstance(part.get_payload(), list):
            inner = part.get_payload()
            if not inner:
                return
            nested = inner[0]
            label = (decoding.sanitize_filename(decoding.param_text(part, "filename", "content-disposition", []))
                     or decoding.header_text(nested, "Subject", []) or "(附带的邮件)")
            if depth + 1 > self.limits.max_depth:
                self.found.append(Found(label, None, "eml", "unsupported",
                                        f"嵌套层数过多（超过 {self.limits.max_depth} 层），未展开", None, list(origin)))
                return
            before = len(self.found)
            self.walk_message(nested, [*origin, label], depth + 1)
            if len(self.found) == before:
                self.found.append(Found(label, None, "eml", "unsupported",
                                        "附带的邮件中没有附件", "message/rfc822", list(origin)))
            return
        if part.is_multipart():
            for sub in part.get_payload():
                self._walk(sub, origin, depth, bodies)
            return
        self._part(part, origin, depth, bodies)

    def _part(self, part: Message, origin: list[str], depth: int, bodies: list[str]) -> None:
        ctype = part.get_content_type()
        disposition = decoding.header_str(part, "Content-Disposition").split(";")[0].strip().lower()
        raw_name = (decoding.param_text(part, "filename", "content-disposition", self.warnings)
                    or decoding.param_text(part, "name", "content-type", self.warnings))
        if ctype in ("message/delivery-status", "text/rfc822-headers", "message/disposition-notification"):
            return
        if part.get_content_maintype() == "text" and not raw_name and disposition != "attachment":
            bodies.append(self._text_of(part))
            return
        data = part.get_payload(decode=True)
        if data is None:
            data = b""
        self.leaf(data, raw_name, ctype, origin, depth)

    def _text_of(self, part: Message) -> str:
        data = part.get_payload(decode=True) or b""
        return decoding.decode_bytes(data, part.get_content_charset(), [], "body") \
            if part.get_content_charset() else decoding.decode_8bit(data, [], "body")

    def leaf(self, data: bytes, raw_name: str | None, declared: str | None, origin: list[str], depth: int) -> None:
        name = decoding.sanitize_filename(raw_name)
        reason = decoding.unsafe_name_reason(raw_name)
        label = name or "(无文件名)"

        def add(status: str, detail: str | None = None, kind: str | None = None, pages: int | None = None,
                keep: bool = True) -> None:
            notes = "；".join(x for x in (detail, reason) if x) or None
            self.found.append(Found(name, data if keep else None, kind, status, notes, declared,
                                    list(origin), pages))

        if not data:
            add("empty", "文件为空（0 字节）", None)
            return
        if len(data) > self.limits.max_attachment_bytes:
            add("too_large", f"文件过大（{len(data)} 字节，上限 {self.limits.max_attachment_bytes}）", None)
            return
        kind = sniff(data)
        if kind == "pdf":
            v = check_pdf(data, self.limits)
            add(v.status, v.detail, kind, v.pages)
        elif kind in IMAGE_KINDS:
            v = check_image(data, kind, self.limits)
            add(v.status, v.detail, kind, v.pages)
        elif kind in ("zip", "docx", "rar", "7z", "eml"):
            if depth >= self.limits.max_depth:
                add("unsupported", f"嵌套层数过多（超过 {self.limits.max_depth} 层），未展开", kind)
                return
            self._container(data, kind, label, add, origin, depth)
        elif kind in ("gif", "bmp", "webp"):
            add("unsupported", f"不支持的图片格式（{kind.upper()}），请以 PDF/JPG/PNG/TIFF 发送", kind)
        elif kind == "ooxml":
            add("unsupported", "Office 文件（非 Word），不是扫描件", kind)
        elif kind == "ole2":
            add("unsupported", "旧版 Office 文件（.doc/.xls），未提取", kind)
        else:
            add("unsupported", f"不是扫描件（识别为 {kind}）", kind)

    def _container(self, data: bytes, kind: str, label: str, add, origin: list[str], depth: int) -> None:  # type: ignore[no-untyped-def]
        inner = [*origin, label]
        if kind == "eml":
            before = len(self.found)
            self.walk_message(parse(data), inner, depth + 1)
            if len(self.found) == before:
                add("unsupported", "附带的邮件中没有附件", kind)
            return
        try:
            if kind == "zip":
                members = containers.unpack_zip(data, self.limits)
            elif kind == "docx":
                members = containers.unpack_docx(data, self.limits)
            else:
                members = containers.unpack_with_unar(data, kind, self.limits)
        except containers.ArchiveRefused as refused:
            add(refused.status, refused.detail, kind)
            return
        if not members:
            if kind == "docx":
                add("unsupported", "Word 文件中没有图片", kind)
            else:
                add("empty", "压缩包中没有文件", kind)
            return
        for member in members:
            if member.data is None:
                name = decoding.sanitize_filename(member.name)
                notes = "；".join(x for x in (member.detail, decoding.unsafe_name_reason(member.name)) if x)
                self.found.append(Found(name, None, None, member.status or "corrupt", notes or None, None, inner))
            else:
                self.leaf(member.data, member.name, None, inner, depth + 1)
