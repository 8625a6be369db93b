"""Builders for test mail: real bytes made with the email package, Pillow, pypdf and zipfile."""

from __future__ import annotations

import io
import itertools
import zipfile
from email.message import EmailMessage

from PIL import Image
from pypdf import PdfWriter

_counter = itertools.count(1)


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": f"scan {next(_counter)}"})  # distinct bytes per call
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (620, 877), frames: int = 1, seed: int | None = None) -> bytes:
    seed = next(_counter) if seed is None else seed
    imgs = [Image.new("RGB", size, ((seed * 37 + i * 11) % 256, 200, 200)) for i in range(frames)]
    out = io.BytesIO()
    if frames > 1:
        imgs[0].save(out, fmt, save_all=True, append_images=imgs[1:])
    else:
        imgs[0].save(out, fmt)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes], gbk_names: bool = False) -> bytes:
    """A ZIP; with gbk_names, names are raw GBK bytes without the UTF-8 flag (as Windows in China writes)."""
    placeholders: dict[bytes, bytes] = {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members.items()):
            if gbk_names and any(ord(c) > 127 for c in name):
                gbk = name.encode("gbk")
                ascii_name = f"~{i}~".ljust(len(gbk), "x").encode()  # same length: offsets stay valid
                placeholders[ascii_name] = gbk
                name = ascii_name.decode()
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    data = out.getvalue()
    for ascii_name, gbk in placeholders.items():
        data = data.replace(ascii_name, gbk)  # names are not covered by any CRC
    return data


def docx_bytes(images: list[bytes]) -> bytes:
    members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    for i, img in enumerate(images, 1):
        members[f"word/media/image{i}.jpeg"] = img
    return zip_bytes(members)


def mail(subject: str = "2024年度科普统计调查表（盖章扫描件）", sender: str = "和平区科技局 <heping@example.cn>",
         body: str = "您好，附件是我单位的盖章扫描件。", attachments: list[tuple[str, bytes]] | None = None,
         headers: dict[str, str] | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "kpdc@example.cn"
    m["Subject"] = subject
    m["Date"] = "Mon, 25 Nov 2024 10:00:00 +0800"
    m["Message-ID"] = f"<t{next(_counter)}@example.cn>"
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(body)
    for name, data in attachments or []:
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return m


def raw(m: EmailMessage) -> bytes:
    return bytes(m)


def rar4_stored(members: dict[str, bytes]) -> bytes:
    """A RAR 4 archive with stored (uncompressed) members, written by hand (no free RAR writer).

    Names are GBK bytes without the Unicode flag, as WinRAR 4 on Chinese Windows writes them."""
    import struct
    import zlib

    def block(head_type: int, flags: int, body: bytes) -> bytes:
        rest = struct.pack("<BHH", head_type, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(rest) & 0xFFFF) + rest

    dos_time = (((2024 - 1980) << 9 | 11 << 5 | 25) << 16) | (10 << 11)  # 2024-11-25 10:00
    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\x00" * 6)
    for name, data in members.items():
        raw_name = name.encode("gbk")
        body = struct.pack("<IIBIIBBHI", len(data), len(data), 2, zlib.crc32(data), dos_time, 29, 0x30,
                           len(raw_name), 0x20) + raw_name  # host Win32, version 2.9, method "store"
        out += block(0x74, 0x8000, body) + data  # LONG_BLOCK: data follows the header
    return out + block(0x7B, 0x4000, b"")
