"""Fuzzing the roster and records imports (XLSX and CSV in UTF-8 / UTF-8-BOM / GBK, and bytes that
are neither): every file is either imported or rejected with Chinese problems, a rejected file leaves
the database exactly as it was, and nothing else escapes."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.db import open_db
from registry.models import OnlineRecord, RecordValue, Unit
from registry.problems import ImportRejected
from registry.records_import import import_records
from registry.roster_import import import_roster
from registry.template import default_template
from tests.registry.builders import ROSTER_HEADER, record_row, records_header, roster_rows, write_xlsx

T = default_template()
CELLS = st.one_of(
    st.sampled_from(["", " ", "-", "0", "-1", "1e9", "12.345", "１２", "是", "否", "市级", "和平区", "未填报", "已提交",
                     "审核通过", "2025-06-30 10:00", "2025-13-45 99:99", "=1+1", "NULL", "hp_kjj", "sj_kx", "x" * 500,
                     "1,234", "\u3000", "９１１２０１０１", "91120101MA00000000"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
_n = itertools.count()


@st.composite
def table(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    header = list(header)
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["cell", "cell", "cell", "drop_col", "dup_row", "drop_row", "extra_col", "swap"]))
        if op == "cell" and rows:
            r = draw(st.integers(0, len(rows) - 1))
            c = draw(st.integers(0, len(header) - 1))
            rows[r][c] = draw(CELLS)
        elif op == "drop_col" and len(header) > 1:
            c = draw(st.integers(0, len(header) - 1))
            del header[c]
            for r in rows:
                del r[c]
        elif op == "dup_row" and rows:
            rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
        elif op == "drop_row" and rows:
            del rows[draw(st.integers(0, len(rows) - 1))]
        elif op == "extra_col":
            header.append(draw(CELLS))
            for r in rows:
                r.append(draw(CELLS))
        elif op == "swap" and len(header) > 1:
            a, b = draw(st.integers(0, len(header) - 1)), draw(st.integers(0, len(header) - 1))
            header[a], header[b] = header[b], header[a]
    return header, rows


def write(folder: Path, fmt: str, encoding: str, header: list[str], rows: list[list[str]]) -> Path:
    path = folder / f"in{next(_n)}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    if fmt == "xlsx":  # a cell of an XLSX cannot hold control characters (the writer refuses them)
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def clean(cells: list[str]) -> list[str]:
            return [ILLEGAL_CHARACTERS_RE.sub("", c) for c in cells]
        return write_xlsx(path, clean(header), [clean(r) for r in rows])
    import csv
    import io
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    return path


def snapshot(s: Session) -> tuple:
    units = sorted((u.account, u.name, u.uscc, u.admin_id) for u in s.scalars(select(Unit)))
    records = sorted((r.unit_id, r.status) for r in s.scalars(select(OnlineRecord)))
    values = len(list(s.scalars(select(RecordValue.id))))
    return units, records, values


def attempt(s: Session, do) -> str:  # noqa: ANN001
    before = snapshot(s)
    try:
        do()
    except ImportRejected as e:
        s.rollback()
        assert e.problems and all(any("\u4e00" <= ch <= "\u9fff" for ch in str(p)) for p in e.problems), e.problems
        assert snapshot(s) == before, "a rejected file changed the database"
        return "rejected"
    s.commit()
    return "imported"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("fuzz-imports")
    session = open_db(f"sqlite:///{folder / 'db.sqlite3'}")()
    stats: dict[str, int] = {}
    yield session, folder, stats
    print(f"\nFUZZ imports: {stats}")


@given(table(ROSTER_HEADER, roster_rows()), st.sampled_from(["csv", "xlsx"]), ENCODINGS, st.booleans())
def test_roster_import_imports_or_rejects(db, tab, fmt, encoding, skip):
    s, folder, stats = db
    path = write(folder, fmt, encoding, *tab)
    key = "roster:" + attempt(s, lambda: import_roster(s, path, 2024, skip))
    stats[key] = stats.get(key, 0) + 1


@given(st.sampled_from(["csv", "xlsx"]), st.binary(max_size=2000))
@settings(max_examples=max(10, settings.default.max_examples // 2))
def test_arbitrary_bytes_are_rejected_not_crashed(db, fmt, data):
    s, folder, stats = db
    path = folder / f"bytes{next(_n)}.{fmt}"
    path.write_bytes(data)
    for which, do in (("roster", lambda: import_roster(s, path, 2024)),
                      ("records", lambda: import_records(s, path, T, 2024))):
        key = f"{which}-bytes:" + attempt(s, do)
        stats[key] = stats.get(key, 0) + 1


def _records_seed() -> list[list[str]]:
    rows = []
    for acc, name, code, *_ in roster_rows():
        rows.append(record_row(acc, name, code, P01="12", P02="3", F01="10.50", F02="10.50"))
    return rows


@given(table(records_header(), _records_seed()), st.sampled_from(["csv", "xlsx"]), ENCODINGS, st.booleans())
def test_records_import_imports_or_rejects(db, tab, fmt, encoding, skip):
    s, folder, stats = db
    if not s.scalar(select(Unit.id).limit(1)):  # records need a roster
        import_roster(s, write(folder, "csv", "utf-8", ROSTER_HEADER, roster_rows()), 2024)
        s.commit()
    path = write(folder, fmt, encoding, *tab)
    key = "records:" + attempt(s, lambda: import_records(s, path, T, 2024, skip))
    stats[key] = stats.get(key, 0) + 1
