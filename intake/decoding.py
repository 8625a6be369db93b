"""Header and filename decoding for Chinese mail as it really arrives.

- RFC 2047 encoded words; adjacent words of one charset are joined before decoding because
  GBK clients split multi-byte characters across words.
- gb2312/gbk/euc-cn/cp936 labels are decoded as GB18030 (a superset: "gb2312" headers
  routinely hold GBK-only characters, which a strict gb2312 decoder drops).
- Raw 8-bit header bytes: UTF-8 if valid, else GB18030.
- Every fallback or U+FFFD is reported as a warning for the message's decode_warnings.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
import unicodedata
from email.message import Message
from email.utils import collapse_rfc2231_value, getaddresses

_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_GB_LABELS = {"gb2312", "gbk", "euc-cn", "euccn", "cp936", "x-gbk", "gb_2312-80", "csgb2312", "x-euc-cn",
              "chinese", "ms936", "windows-936", "gb18030"}
_FOLD = re.compile(rb"\r?\n[ \t]")


def charset_for(label: str | None) -> str:
    """The Python codec to use for a declared charset label."""
    name = (label or "").strip().strip('"').lower().split("*")[0]  # RFC 2231 language suffix
    if name in _GB_LABELS:
        return "gb18030"
    if name in ("", "us-ascii", "ascii", "unknown-8bit", "x-unknown"):
        return "utf-8"
    return name


def decode_bytes(data: bytes, label: str | None, warnings: list[str], what: str) -> str:
    codec = charset_for(label)
    try:
        return data.decode(codec)
    except LookupError:
        warnings.append(f"{what}: unknown charset {label!r}")
        return decode_8bit(data, warnings, what)
    except UnicodeDecodeError:
        if codec != "gb18030":
            try:
                text = data.decode("gb18030")
                warnings.append(f"{what}: declared {label!r} but decoded as GB18030")
                return text
            except UnicodeDecodeError:
                pass
        warnings.append(f"{what}: undecodable bytes in {label!r} replaced by U+FFFD")
        return data.decode(codec, errors="replace")


def decode_8bit(data: bytes, warnings: list[str], what: str) -> str:
    """Bytes with no declared charset: UTF-8 if valid, else GB18030 (what Chinese clients send)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        warnings.append(f"{what}: raw 8-bit bytes decoded as GB18030")
        return text
    except UnicodeDecodeError:
        warnings.append(f"{what}: undecodable raw bytes replaced by U+FFFD")
        return data.decode("utf-8", errors="replace")


def _decode_word_payload(enc: bytes, payload: bytes) -> bytes:
    if enc.upper() == b"B":
        payload += b"=" * (-len(payload) % 4)
        try:
            return base64.b64decode(payload)
        except binascii.Error:
            return base64.b64decode(payload + b"==", validate=False)
    return quopri.decodestring(payload.replace(b"_", b" "), header=True)


def decode_header_bytes(raw: bytes, warnings: list[str], what: str = "header") -> str:
    """Decode one raw header value (bytes as on the wire, folded or not)."""
    raw = _FOLD.sub(b" ", raw).strip()
    pieces: list[tuple[bytes, str | None]] = []  # (bytes, charset or None for plain text)
    pos = 0
    for m in _ENCODED_WORD.finditer(raw):
        between = raw[pos:m.start()]
        # Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
        if between and not (pieces and pieces[-1][1] is not None and not between.strip()):
            pieces.append((between, None))
        try:
            data = _decode_word_payload(m.group(2), m.group(3))
        except (binascii.Error, ValueError):
            warnings.append(f"{what}: broken encoded word kept as text")
            pieces.append((m.group(0), None))
            pos = m.end()
            continue
        label = m.group(1).decode("ascii", "replace")
        if pieces and pieces[-1][1] is not None and charset_for(pieces[-1][1]) == charset_for(label):
            pieces[-1] = (pieces[-1][0] + data, pieces[-1][1])
        else:
            pieces.append((data, label))
        pos = m.end()
    if pos < len(raw):
        pieces.append((raw[pos:], None))
    out = []
    for data, label in pieces:
        out.append(decode_8bit(data, warnings, what) if label is None
                   else decode_bytes(data, label, warnings, what))
    text = "".join(out)
    if "\ufffd" in text and not any("U+FFFD" in w for w in warnings):
        warnings.append(f"{what}: contains U+FFFD")
    return text


def header_raw(msg: Message, name: str) -> bytes | None:
    """The undecoded bytes of a header (compat32 keeps 8-bit bytes as surrogate escapes)."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            if not isinstance(value, str):
                value = str(value)
            return value.encode("ascii", "surrogateescape") if _is_ascii_or_escaped(value) \
                else value.encode("utf-8", "surrogateescape")
    return None


def _is_ascii_or_escaped(value: str) -> bool:
    return all(ord(c) < 128 or 0xDC80 <= ord(c) <= 0xDCFF for c in value)


def header_str(msg: Message, name: str) -> str:
    """A header as plain text for matching keywords ("" if absent). With raw 8-bit bytes in it the
    email package (compat32) returns a Header object instead of a str."""
    value = msg.get(name)
    return "" if value is None else value if isinstance(value, str) else str(value)


def header_text(msg: Message, name: str, warnings: list[str]) -> str | None:
    raw = header_raw(msg, name)
    return None if raw is None else decode_header_bytes(raw, warnings, name)


def sender_text(msg: Message, warnings: list[str]) -> str | None:
    value = header_text(msg, "From", warnings)
    if value is None:
        return None
    pairs = getaddresses([value])
    if pairs and pairs[0][1]:
        name, addr = pairs[0]
        return f"{name} <{addr}>" if name else addr
    return value


def param_text(part: Message, param: str, header: str, warnings: list[str]) -> str | None:
    """A MIME parameter (filename/name): RFC 2231 or, as Chinese clients do, RFC 2047 in quotes."""
    value = part.get_param(param, header=header)
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded latin-1 text)
        charset, _lang, text = value
        data = text.encode("latin-1", "surrogateescape") if isinstance(text, str) else bytes(text)
        if not charset:
            return decode_8bit(data, warnings, param)
        return decode_bytes(data, charset, warnings, param)
    value = collapse_rfc2231_value(value)
    raw = value.encode("ascii", "surrogateescape") if _is_ascii_or_escaped(value) \
        else value.encode("utf-8", "surrogateescape")
    return decode_header_bytes(raw, warnings, param)


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def sanitize_filename(name: str | None, max_len: int = 180) -> str | None:
    """A safe display/storage name: last path component, no control or reserved characters."""
    if not name:
        return None
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        return None
    if len(name) > max_len:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        name = (stem if dot else name)[: max_len - len(ext) - 1] + ("." + ext if ext else "")
    return name


def unsafe_name_reason(name: str | None) -> str | None:
    """Why a name was changed by sanitize_filename (zip-slip, absolute paths, control characters)."""
    if not name:
        return None
    if ".." in name.replace("\\", "/").split("/") or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "文件名含路径跳转（已去除路径）"
    if "/" in name or "\\" in name:
        return "文件名含路径（已去除路径）"
    if re.search(r"[\x00-\x1f\x7f]", name):
        return "文件名含控制字符（已替换）"
    return None
