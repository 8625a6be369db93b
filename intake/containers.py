"""Unpacking archives safely: ZIP (GBK names), Word .docx images, RAR/7z via `unar`.

Member names are only labels: bytes go to the content-addressed archive, never to a path built
from a name, so zip-slip names cannot write anywhere; they are still flagged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from intake.limits import Limits


@dataclass
class Member:
    name: str             # as stored in the archive, decoded
    data: bytes | None    # None when the member could not be read (see status/detail)
    status: str | None = None
    detail: str | None = None


class ArchiveRefused(Exception):
    """The archive as a whole gets a status (too_large, encrypted, corrupt, unsupported)."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """Without the UTF-8 flag (bit 11) names are raw bytes: Windows in China writes GBK."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")  # zipfile decoded as cp437: this gets the bytes back
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def _check_totals(count: int, total: int, packed: int, limits: Limits) -> None:
    if count > limits.max_archive_members:
        raise ArchiveRefused("too_large", f"压缩包内文件过多（{count} 个，上限 {limits.max_archive_members}）")
    if total > limits.max_archive_total:
        raise ArchiveRefused("too_large", f"压缩包解压后过大（{total} 字节，上限 {limits.max_archive_total}）")
    if packed > 0 and total / packed > limits.max_archive_ratio and total > 1024 * 1024:
        raise ArchiveRefused("too_large", f"压缩比异常（{total / packed:.0f} 倍，疑似压缩炸弹），未解压")


def unpack_zip(data: bytes, limits: Limits, only_prefix: str | None = None) -> list[Member]:
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise ArchiveRefused("corrupt", f"ZIP 压缩包已损坏（{exc}）") from exc
    if only_prefix is not None:
        infos = [i for i in infos if i.filename.startswith(only_prefix)]
    _check_totals(len(infos), sum(i.file_size for i in infos), sum(i.compress_size for i in infos) or len(data),
                  limits)
    members = []
    for info in infos:
        name = zip_member_name(info)
        if info.flag_bits & 0x1:
            members.append(Member(name, None, "encrypted", "压缩包内文件已加密（需要密码）"))
            continue
        try:
            with zf.open(info) as fh:
                # Read at most the declared size + 1: a lying header cannot make us inflate more.
                content = fh.read(min(info.file_size, limits.max_attachment_bytes) + 1)
            if len(content) > limits.max_attachment_bytes:
                members.append(Member(name, None, "too_large", "压缩包内文件过大，未解压"))
                continue
            members.append(Member(name, content))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
            members.append(Member(name, None, "corrupt", f"压缩包内文件已损坏（{exc}）"))
    return members


def unpack_docx(data: bytes, limits: Limits) -> list[Member]:
    """The scans pasted into a Word file live in word/media/."""
    return unpack_zip(data, limits, only_prefix="word/media/")


# RAR 4 written on Chinese Windows stores names as GBK bytes; unar's guess (often Shift_JIS) is
# wrong for them. Unicode names (RAR 5, 7z, RAR 4 with the Unicode flag) are not affected.
LEGACY_NAMES = ("-e", "GB18030")


def archive_tool() -> tuple[str, str] | None:
    lsar, unar = shutil.which("lsar"), shutil.which("unar")
    return (lsar, unar) if lsar and unar else None


def unpack_with_unar(data: bytes, kind: str, limits: Limits) -> list[Member]:
    """RAR and 7z through The Unarchiver's `lsar`/`unar` (Debian package `unar`)."""
    tools = archive_tool()
    if tools is None:
        raise ArchiveRefused("unsupported", f"{kind.upper()} 压缩包：本机没有解压工具（unar），未解压")
    lsar, unar = tools
    with tempfile.TemporaryDirectory(prefix="kptj-unar-") as tmp:
        src = Path(tmp) / f"in.{kind}"
        src.write_bytes(data)
        try:
            listing = subprocess.run([lsar, "-j", *LEGACY_NAMES, str(src)], capture_output=True,
                                     timeout=limits.archive_tool_timeout)
            info = json.loads(listing.stdout.decode("utf-8", "replace") or "{}")
        except (subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
            raise ArchiveRefused("corrupt", f"{kind.upper()} 压缩包无法读取（{type(exc).__name__}）") from exc
        entries = [e for e in info.get("lsarContents", []) if not e.get("XADIsDirectory")]
        if listing.returncode != 0 and not entries:
            raise ArchiveRefused("corrupt", f"{kind.upper()} 压缩包已损坏，无法读取")
        if any(e.get("XADIsEncrypted") for e in entries) or info.get("lsarEncrypted"):
            raise ArchiveRefused("encrypted", f"{kind.upper()} 压缩包已加密（需要密码）")
        total = sum(int(e.get("XADFileSize", 0) or 0) for e in entries)
        _check_totals(len(entries), total, len(data), limits)
        out = Path(tmp) / "out"
        done = subprocess.run([unar, "-q", "-f", "-D", *LEGACY_NAMES, "-o", str(out), str(src)], capture_output=True,
                              timeout=limits.archive_tool_timeout)
        members = []
        if out.exists():
            for path in sorted(out.rglob("*")):
                if path.is_symlink() or not path.is_file():
                    continue
                if path.stat().st_size > limits.max_attachment_bytes:
                    members.append(Member(path.name, None, "too_large", "压缩包内文件过大"))
                    continue
                members.append(Member(os.path.relpath(path, out), path.read_bytes()))
        if done.returncode != 0 and not members:
            raise ArchiveRefused("corrupt", f"{kind.upper()} 压缩包解压失败")
        return members
