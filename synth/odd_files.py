"""Files that are not scans: an encrypted PDF, a zip bomb, an image of absurd size, a spreadsheet."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook


def encrypt_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    w.encrypt(user_password="123456", owner_password="kptj-owner", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def zip_bomb(size: int) -> bytes:
    """A zip whose single member unpacks to `size` bytes of zeros (ratio about 1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z, \
            z.open("2024年度科普统计调查表.pdf", "w", force_zip64=True) as f:
        block = bytes(1024 * 1024)
        for _ in range(size // len(block)):
            f.write(block)
    return buf.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """A white 1-bit PNG of width×height pixels (tiny file, huge image)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    body = comp.compress(row * height) + comp.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def tiny_xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(["姓名", "单位", "电话"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
