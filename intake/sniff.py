"""What a file is, from its first bytes: declared MIME types and names lie in real mail."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

# Header names that open an RFC 822 message (a forwarded .eml saved as a file).
_MAIL_HEADER = re.compile(
    rb"^(Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To|X-[\w-]+"
    rb"|Content-Type|Reply-To|Sender|DKIM-Signature|Authentication-Results):[ \t]", re.I)


def sniff(data: bytes) -> str:
    """One of: pdf jpeg png tiff gif bmp webp zip docx ooxml rar 7z gzip ole2 eml text binary."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _zip_kind(data)
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"  # .doc/.xls/.msg: old Office, not unpacked
    if _looks_like_mail(head):
        return "eml"
    if _looks_like_text(head):
        return "text"
    return "binary"


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return "zip"  # broken: the zip reader reports it as corrupt
    if "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names:
        return "ooxml"
    return "zip"


def _looks_like_mail(head: bytes) -> bool:
    lines = head.lstrip(b"\r\n").splitlines()[:3]
    if not lines:
        return False
    if lines[0].startswith(b"From ") and len(lines) > 1:  # mbox separator line
        lines = lines[1:]
    return bool(_MAIL_HEADER.match(lines[0]))


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError:
        pass
    try:
        head.decode("gb18030")
        return True
    except UnicodeDecodeError:
        return False


EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "tiff": ".tif", "gif": ".gif", "bmp": ".bmp",
              "webp": ".webp", "zip": ".zip", "docx": ".docx", "ooxml": ".zip", "rar": ".rar",
              "7z": ".7z", "gzip": ".gz", "ole2": ".ole", "eml": ".eml", "text": ".txt"}
