"""Read an exported table (XLSX or CSV in UTF-8, UTF-8-BOM or GBK/GB18030) into header + rows.

Row numbers are the ones a person sees in Excel (header = row 1), so error messages can point there.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook


class TableError(ValueError):
    pass


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number, column -> text)
    encoding: str


def decode_csv_bytes(raw: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM) first, else GB18030 (a superset of GBK/GB2312)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as e:
        raise TableError(f"无法识别文件编码（不是 UTF-8 也不是 GBK/GB18030）：第 {e.start} 字节附近") from e


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _clean_header(h: str) -> str:
    return h.replace("\ufeff", "").strip()


def read_table(path: str | Path) -> Table:
    p = Path(path)
    if not p.exists():
        raise TableError(f"文件不存在：{p}")
    raw = p.read_bytes()
    if raw[:4] == b"PK\x03\x04":
        return _read_xlsx(raw)
    text, enc = decode_csv_bytes(raw)
    return _read_csv(text, enc)


def _read_csv(text: str, encoding: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""))
    all_rows = list(reader)
    if not all_rows:
        raise TableError("文件为空")
    header = [_clean_header(h) for h in all_rows[0]]
    rows = []
    for n, r in enumerate(all_rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        rows.append((n, {h: (r[i].strip() if i < len(r) else "") for i, h in enumerate(header) if h}))
    return Table(header, rows, encoding)


def _read_xlsx(raw: bytes) -> Table:
    # calamine (Rust) reads a 3,000 x 93 export ~20x faster than openpyxl's pure-Python parser.
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(raw)).get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except Exception as e:  # calamine raises its own error types for broken files
        raise TableError(f"无法读取 XLSX 文件：{e}") from e
    if not data:
        raise TableError("文件为空")
    header = [_clean_header(_cell_text(v)) for v in data[0]]
    rows = []
    for n, r in enumerate(data[1:], start=2):
        cells = [_cell_text(v) for v in r]
        if not any(cells):
            continue
        rows.append((n, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}))
    return Table(header, rows, "xlsx")
