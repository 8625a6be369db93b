"""Import online records (网上填报数据): one row per account, one column per indicator code.

Re-import updates by 账号 and records each changed figure, status and date in record_changes,
so a change made online after a unit printed its form stays visible.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from registry import uscc
from registry.figures import FigureError, parse_figure
from registry.models import ImportBatch, OnlineRecord, RecordChange, RecordValue, Unit
from registry.problems import ImportRejected, ImportResult, Problem
from registry.tables import TableError, read_table
from registry.template import Template

REQUIRED = ("账号", "填报状态", "最后修改时间")
IDENTITY = ("单位名称", "统一社会信用代码")
STATUSES = ("未填报", "已提交", "审核通过", "退回修改")
CODE_LIKE = re.compile(r"^[A-Z]\d{2,3}$")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d",
                "%Y/%m/%d", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日")


@dataclass
class RecordRow:
    row: int
    account: str
    status: str
    last_modified: datetime | None
    values: dict[str, str | None] = field(default_factory=dict)


def parse_time(text: str) -> datetime | None:
    t = text.strip()
    if not t:
        return None
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(t, fmt)
        except ValueError:
            continue
    raise ValueError(t)


def import_records(session: Session, path: str | Path, template: Template, year: int,
                   skip_bad_rows: bool = False) -> ImportResult:
    p = Path(path)
    try:
        table = read_table(p)
    except TableError as e:
        raise ImportRejected([Problem(None, None, None, str(e))]) from e
    codes = set(template.codes)
    problems = [Problem(None, c, None, "缺少必需的列") for c in REQUIRED if c not in table.header]
    for h in table.header:
        if not h or h in REQUIRED or h in IDENTITY or h in codes:
            continue
        if CODE_LIKE.match(h):
            problems.append(Problem(None, h, None, f"未知指标列：{template.id} 表式中没有此代码"))
        else:
            problems.append(Problem(None, h, None, "无法识别的列，已忽略", "warning"))
    indicator_cols = [c for c in template.codes if c in table.header]
    missing = [c for c in template.codes if c not in table.header]
    if missing:
        problems.append(Problem(None, None, None, f"文件中没有这些指标列，其数值不导入：{'、'.join(missing)}", "warning"))
    if any(pr.severity == "error" for pr in problems):
        raise ImportRejected(problems)

    units = {u.account: u for u in session.scalars(select(Unit).where(Unit.year == year))}
    decimals = {i.code: i.decimals for i in template.indicators}
    rows: list[RecordRow] = []
    first_row: dict[str, int] = {}
    for n, r in table.rows:
        row = _parse_row(n, r, units, indicator_cols, decimals, problems)
        if row is None:
            continue
        if row.account in first_row:
            problems.append(Problem(n, "账号", row.account, f"账号重复（与第 {first_row[row.account]} 行相同）"))
            continue
        first_row[row.account] = n
        rows.append(row)
    if any(pr.severity == "error" for pr in problems) and not skip_bad_rows:
        raise ImportRejected(problems)
    return _apply(session, p, len(table.rows), rows, units, indicator_cols, year, problems)


def _parse_row(n: int, r: dict[str, str], units: dict[str, Unit], cols: list[str], decimals: dict[str, int],
               problems: list[Problem]) -> RecordRow | None:
    start = len(problems)
    account = r.get("账号", "").strip()
    unit = units.get(account)
    if not account:
        problems.append(Problem(n, "账号", "", "账号不能为空"))
    elif unit is None:
        problems.append(Problem(n, "账号", account, "单位名单中没有此账号（请先导入单位名单）"))
    status = r.get("填报状态", "").strip()
    if status not in STATUSES:
        problems.append(Problem(n, "填报状态", status, f"应为 {' / '.join(STATUSES)} 之一"))
    try:
        modified = parse_time(r.get("最后修改时间", ""))
    except ValueError:
        problems.append(Problem(n, "最后修改时间", r.get("最后修改时间"), "无法识别的日期时间"))
        modified = None
    values: dict[str, str | None] = {}
    for c in cols:
        try:
            values[c] = parse_figure(r.get(c, ""), decimals[c])
        except FigureError as e:
            problems.append(Problem(n, c, r.get(c), str(e)))
    if any(p.severity == "error" for p in problems[start:]):
        return None
    assert unit is not None
    code = uscc.normalize(r.get("统一社会信用代码", ""))
    if code and code != unit.uscc:
        problems.append(Problem(n, "统一社会信用代码", code, f"与单位名单不一致（名单为 {unit.uscc}）", "warning"))
    name = r.get("单位名称", "").strip()
    if name and name != unit.name:
        problems.append(Problem(n, "单位名称", name, f"与单位名单不一致（名单为 {unit.name}）", "warning"))
    return RecordRow(n, account, status, modified, values)


def _apply(session: Session, p: Path, total: int, rows: list[RecordRow], units: dict[str, Unit],
           cols: list[str], year: int, problems: list[Problem]) -> ImportResult:
    batch = ImportBatch(kind="records", year=year, file_name=p.name,
                        sha256=hashlib.sha256(p.read_bytes()).hexdigest(), rows_total=total)
    session.add(batch)
    session.flush()
    records = {rec.unit_id: rec for rec in session.scalars(select(OnlineRecord).where(OnlineRecord.year == year))}
    existing: dict[int, dict[str, tuple[int, str | None]]] = {}
    if records:
        q = select(RecordValue.record_id, RecordValue.code, RecordValue.id, RecordValue.value).join(OnlineRecord) \
            .where(OnlineRecord.year == year)
        for rid, code, vid, val in session.execute(q):
            existing.setdefault(rid, {})[code] = (vid, val)

    new_values, updates, changes = [], [], []
    fresh: list[RecordRow] = []
    changed = 0
    fmt = "%Y-%m-%d %H:%M:%S"
    for r in rows:
        unit = units[r.account]
        rec = records.get(unit.id)
        if rec is None:
            fresh.append(r)
            continue
        diff: list[tuple[str, str | None, str | None]] = []
        if rec.status != r.status:
            diff.append(("status", rec.status, r.status))
        if rec.last_modified != r.last_modified:
            diff.append(("last_modified", rec.last_modified and rec.last_modified.strftime(fmt),
                         r.last_modified and r.last_modified.strftime(fmt)))
        have = existing.get(rec.id, {})
        for c in cols:
            v = r.values[c]
            if c not in have:
                new_values.append({"record_id": rec.id, "code": c, "value": v})
                if v is not None:
                    diff.append((c, None, v))
            elif have[c][1] != v:
                updates.append({"id": have[c][0], "value": v})
                diff.append((c, have[c][1], v))
        if diff:
            changed += 1
            rec.status, rec.last_modified, rec.batch_id = r.status, r.last_modified, batch.id
            changes += [{"record_id": rec.id, "batch_id": batch.id, "field": f, "old": o, "new": nv}
                        for f, o, nv in diff]
    created = len(fresh)
    if fresh:
        ids = session.execute(
            insert(OnlineRecord).returning(OnlineRecord.unit_id, OnlineRecord.id, sort_by_parameter_order=True),
            [{"unit_id": units[r.account].id, "year": year, "status": r.status, "last_modified": r.last_modified,
              "batch_id": batch.id} for r in fresh]).all()
        for r, (_, rid) in zip(fresh, ids, strict=True):
            new_values += [{"record_id": rid, "code": c, "value": v} for c, v in r.values.items()]
    # Core executemany: the ORM bulk path splits batches at every NULL value (one statement per row).
    conn = session.connection()
    if new_values:
        conn.execute(insert(RecordValue.__table__), new_values)
    if updates:
        conn.execute(update(RecordValue.__table__).where(RecordValue.__table__.c.id == bindparam("vid"))
                     .values(value=bindparam("val")), [{"vid": u["id"], "val": u["value"]} for u in updates])
    if changes:
        conn.execute(insert(RecordChange.__table__), changes)
    batch.rows_created, batch.rows_changed, batch.rows_skipped = created, changed, total - len(rows)
    session.commit()
    return ImportResult(batch.id, total, created, changed, len(rows) - created - changed, total - len(rows), problems)
