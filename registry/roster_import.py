"""Import the unit roster (单位名单) exported from the national system.

Re-import updates units by 账号 and records every changed field. All-or-nothing unless
skip_bad_rows: then bad rows (and rows that depend on them) are left out and reported.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import uscc
from registry.models import ImportBatch, Unit, UnitChange
from registry.problems import ImportRejected, ImportResult, Problem
from registry.tables import Table, TableError, read_table

REQUIRED = ("账号", "单位名称", "统一社会信用代码", "上级管理单位账号")
OPTIONAL = ("单位类型", "所在区", "是否科普场馆", "所属单位账号", "联系人", "联系电话", "电子邮箱")
MUNICIPAL = "市级"
DISTRICTS = ("和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区",
             "北辰区", "武清区", "宝坻区", "滨海新区", "宁河区", "静海区", "蓟州区")
YES = {"是", "Y", "y", "1", "true", "TRUE", "True"}
NO = {"否", "N", "n", "0", "false", "FALSE", "False", ""}

_FIELDS = {"name": "单位名称", "uscc": "统一社会信用代码", "unit_type": "单位类型", "district": "所在区",
           "admin": "上级管理单位账号", "is_venue": "是否科普场馆", "owner": "所属单位账号",
           "contact": "联系人", "phone": "联系电话", "email": "电子邮箱"}


@dataclass
class RosterRow:
    row: int
    account: str
    name: str
    uscc: str
    unit_type: str | None
    district: str | None
    admin: str | None
    is_venue: bool
    owner: str | None
    contact: str | None
    phone: str | None
    email: str | None


def _check_columns(table: Table) -> list[Problem]:
    problems = [Problem(None, c, None, "缺少必需的列") for c in REQUIRED if c not in table.header]
    known = set(REQUIRED) | set(OPTIONAL)
    problems += [Problem(None, h, None, "无法识别的列，已忽略", "warning")
                 for h in table.header if h and h not in known]
    return problems


def _parse_row(n: int, r: dict[str, str], problems: list[Problem]) -> RosterRow | None:
    bad = False

    def err(col: str, reason: str) -> None:
        nonlocal bad
        bad = True
        problems.append(Problem(n, col, r.get(col, ""), reason))

    account = r.get("账号", "").strip()
    if not account:
        err("账号", "账号不能为空")
    name = r.get("单位名称", "").strip()
    if not name:
        err("单位名称", "单位名称不能为空")
    code = uscc.normalize(r.get("统一社会信用代码", ""))
    reason = uscc.validate(code)
    if reason:
        err("统一社会信用代码", f"统一社会信用代码无效：{reason}")
    district = r.get("所在区", "").strip() or None
    if district and district != MUNICIPAL and district not in DISTRICTS:
        err("所在区", "不是天津市的区，也不是“市级”")
    venue_text = r.get("是否科普场馆", "").strip()
    if venue_text not in YES | NO:
        err("是否科普场馆", "应为“是”或“否”")
    is_venue = venue_text in YES
    owner = r.get("所属单位账号", "").strip() or None
    if is_venue and not owner:
        err("所属单位账号", "科普场馆须填写所属单位账号")
    if bad:
        return None
    return RosterRow(n, account, name, code, r.get("单位类型", "").strip() or None, district,
                     r.get("上级管理单位账号", "").strip() or None, is_venue, owner,
                     r.get("联系人", "").strip() or None, r.get("联系电话", "").strip() or None,
                     r.get("电子邮箱", "").strip() or None)


def _check_references(rows: list[RosterRow], existing: set[str], rejected: dict[str, int],
                      problems: list[Problem]) -> list[RosterRow]:
    """Drop rows whose administrator/owner is unknown or was itself rejected; repeat until stable."""
    by_account = {r.account: r for r in rows}
    while True:
        dropped = False
        for r in list(by_account.values()):
            for col, ref in (("上级管理单位账号", r.admin), ("所属单位账号", r.owner)):
                if not ref:
                    continue
                if ref == r.account:
                    reason = "不能引用本单位自身"
                elif ref in rejected:
                    reason = f"引用的单位（第 {rejected[ref]} 行）有错误，本行一并不能导入"
                elif ref not in by_account and ref not in existing:
                    reason = "引用的账号不在名单中"
                else:
                    continue
                problems.append(Problem(r.row, col, ref, reason))
                rejected[r.account] = r.row
                del by_account[r.account]
                dropped = True
                break
        if not dropped:
            return list(by_account.values())


def _find_cycles(admin_of: dict[str, str | None]) -> set[str]:
    """Accounts that lie on a cycle of the administrator relation."""
    on_cycle: set[str] = set()
    for start in admin_of:
        seen: list[str] = []
        cur: str | None = start
        while cur is not None and cur not in seen:
            seen.append(cur)
            cur = admin_of.get(cur)
        if cur is not None and cur == start:
            on_cycle.update(seen)
    return on_cycle


def import_roster(session: Session, path: str | Path, year: int, skip_bad_rows: bool = False) -> ImportResult:
    p = Path(path)
    try:
        table = read_table(p)
    except TableError as e:
        raise ImportRejected([Problem(None, None, None, str(e))]) from e
    problems = _check_columns(table)
    if any(pr.severity == "error" for pr in problems):
        raise ImportRejected(problems)

    parsed: list[RosterRow] = []
    first_row: dict[str, int] = {}
    rejected: dict[str, int] = {}
    for n, r in table.rows:
        row = _parse_row(n, r, problems)
        account = r.get("账号", "").strip()
        if account in first_row:
            problems.append(Problem(n, "账号", account, f"账号重复（与第 {first_row[account]} 行相同）"))
            continue
        if account:
            first_row[account] = n
        if row is None:
            rejected.setdefault(account, n)
            continue
        parsed.append(row)

    units = {u.account: u for u in session.scalars(select(Unit).where(Unit.year == year))}
    rows = _check_references(parsed, set(units), rejected, problems)

    admin_of = {acc: (u.admin.account if u.admin else None) for acc, u in units.items()}
    admin_of.update({r.account: r.admin for r in rows})
    cyc = _find_cycles(admin_of)
    if cyc:
        for r in rows:
            if r.account in cyc:
                problems.append(Problem(r.row, "上级管理单位账号", r.admin, "上级管理关系形成循环"))
                rejected[r.account] = r.row
        rows = _check_references([r for r in rows if r.account not in cyc], set(units) - cyc, rejected, problems)

    errors = [pr for pr in problems if pr.severity == "error"]
    if errors and not skip_bad_rows:
        raise ImportRejected(problems)
    return _apply(session, p, table, rows, units, year, problems)


def _apply(session: Session, p: Path, table: Table, rows: list[RosterRow], units: dict[str, Unit], year: int,
           problems: list[Problem]) -> ImportResult:
    batch = ImportBatch(kind="roster", year=year, file_name=p.name,
                        sha256=hashlib.sha256(p.read_bytes()).hexdigest(), rows_total=len(table.rows))
    session.add(batch)
    session.flush()
    created = changed = 0
    account_by_id = {u.id: a for a, u in units.items()}
    for r in rows:
        u = units.get(r.account)
        if u is None:
            u = Unit(year=year, account=r.account, name=r.name, uscc=r.uscc, updated_batch_id=batch.id)
            session.add(u)
            units[r.account] = u
            created += 1
        else:
            diffs = _diff_unit(u, r, account_by_id)
            if diffs:
                changed += 1
                u.updated_batch_id = batch.id
                session.add_all(UnitChange(unit_id=u.id, batch_id=batch.id, field=f, old=o, new=nv) for f, o, nv in diffs)
        _set_fields(u, r)
    session.flush()
    for r in rows:  # references after all units exist
        u = units[r.account]
        u.admin_id = units[r.admin].id if r.admin else None
        u.owner_id = units[r.owner].id if r.owner else None
    skipped = len(table.rows) - len(rows)
    batch.rows_created, batch.rows_changed, batch.rows_skipped = created, changed, skipped
    session.commit()
    return ImportResult(batch.id, len(table.rows), created, changed, len(rows) - created - changed, skipped, problems)


def _set_fields(u: Unit, r: RosterRow) -> None:
    u.name, u.uscc, u.unit_type, u.district = r.name, r.uscc, r.unit_type, r.district
    u.is_venue, u.contact, u.phone, u.email = r.is_venue, r.contact, r.phone, r.email


def _diff_unit(u: Unit, r: RosterRow, account_by_id: dict[int, str]) -> list[tuple[str, str | None, str | None]]:
    def acc(unit_id: int | None) -> str | None:
        return None if unit_id is None else account_by_id.get(unit_id)

    old = {"name": u.name, "uscc": u.uscc, "unit_type": u.unit_type, "district": u.district,
           "admin": acc(u.admin_id), "is_venue": "是" if u.is_venue else "否", "owner": acc(u.owner_id),
           "contact": u.contact, "phone": u.phone, "email": u.email}
    new = {"name": r.name, "uscc": r.uscc, "unit_type": r.unit_type, "district": r.district, "admin": r.admin,
           "is_venue": "是" if r.is_venue else "否", "owner": r.owner, "contact": r.contact, "phone": r.phone,
           "email": r.email}
    return [(_FIELDS[k], old[k], new[k]) for k in old if old[k] != new[k]]
