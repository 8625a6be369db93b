import pytest
from sqlalchemy import select

from registry.models import Unit, UnitChange
from registry.problems import ImportRejected
from registry.roster_import import import_roster
from registry.tree import subtree
from tests.registry.builders import ROSTER_HEADER, code, roster_rows, write_csv, write_xlsx
from tests.registry.conftest import counts

YEAR = 2024


def _snapshot(s):
    return sorted(
        (u.account, u.name, u.uscc, u.unit_type, u.district, u.admin.account if u.admin else None, u.is_venue,
         u.owner.account if u.owner else None, u.contact, u.phone, u.email)
        for u in s.scalars(select(Unit)))


def test_roster_builds_the_administrator_tree(session, tmp_path):
    res = import_roster(session, write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows()), YEAR)
    assert (res.created, res.changed, res.skipped) == (8, 0, 0)
    district = [u.account for u in subtree(session, YEAR, "hp_kjj")]
    assert district == ["hp_kjj", "hp_jyj", "hp_school1", "hp_school2", "hp_wlj", "hp_wlj_kjg"]
    assert [u.account for u in subtree(session, YEAR, "hp_jyj", include_self=False)] == ["hp_school1", "hp_school2"]
    venue = session.scalar(select(Unit).where(Unit.account == "hp_wlj_kjg"))
    assert venue.is_venue and venue.owner.account == "hp_wlj" and venue.uscc == code(5)


@pytest.mark.parametrize("fmt", ["gbk", "gb18030", "utf-8-sig", "xlsx"])
def test_gbk_csv_bom_csv_and_xlsx_give_the_same_database(tmp_path, fmt, db_url):
    from registry.db import open_db
    ref_s = open_db(f"sqlite:///{tmp_path / 'ref.db'}")()
    import_roster(ref_s, write_csv(tmp_path / "ref.csv", ROSTER_HEADER, roster_rows()), YEAR)
    s = open_db(db_url)()
    if fmt == "xlsx":
        path = write_xlsx(tmp_path / "r.xlsx", ROSTER_HEADER, roster_rows())
    else:
        path = write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows(), encoding=fmt)
    import_roster(s, path, YEAR)
    assert _snapshot(s) == _snapshot(ref_s)
    assert len(_snapshot(s)) == 8


def test_reimport_updates_by_account_and_keeps_what_changed(session, tmp_path):
    import_roster(session, write_csv(tmp_path / "a.csv", ROSTER_HEADER, roster_rows()), YEAR)
    rows = roster_rows()
    rows[3][1] = "天津市和平区鞍山道小学（新校区）"
    rows[3][5] = "hp_kjj"
    res = import_roster(session, write_csv(tmp_path / "b.csv", ROSTER_HEADER, rows), YEAR)
    assert (res.created, res.changed, res.unchanged) == (0, 1, 7)
    changes = {(c.field, c.old, c.new) for c in session.scalars(select(UnitChange))}
    assert changes == {("单位名称", "天津市和平区鞍山道小学", "天津市和平区鞍山道小学（新校区）"),
                       ("上级管理单位账号", "hp_jyj", "hp_kjj")}
    assert session.scalar(select(Unit).where(Unit.account == "hp_school2")).admin.account == "hp_kjj"


def _reject(session, tmp_path, rows, header=ROSTER_HEADER):
    before = counts(session)
    with pytest.raises(ImportRejected) as e:
        import_roster(session, write_csv(tmp_path / "bad.csv", header, rows), YEAR)
    assert counts(session) == before, "a failed import must change nothing"
    return [str(p) for p in e.value.problems if p.severity == "error"]


def test_duplicate_account_is_rejected_with_row_numbers(session, tmp_path):
    rows = roster_rows() + [roster_rows()[2]]
    msgs = _reject(session, tmp_path, rows)
    assert msgs == ["[错误] 第 10 行「账号」列值「hp_school1」：账号重复（与第 4 行相同）"]


def test_unknown_administrator_is_rejected(session, tmp_path):
    rows = roster_rows()
    rows[2][5] = "no_such"
    assert _reject(session, tmp_path, rows) == ["[错误] 第 4 行「上级管理单位账号」列值「no_such」：引用的账号不在名单中"]


def test_unknown_owner_of_a_venue_is_rejected(session, tmp_path):
    rows = roster_rows()
    rows[5][7] = "ghost"
    assert _reject(session, tmp_path, rows) == ["[错误] 第 7 行「所属单位账号」列值「ghost」：引用的账号不在名单中"]


def test_cycle_in_the_tree_is_rejected(session, tmp_path):
    rows = roster_rows()
    rows[0][5] = "hp_school1"  # bureau under its own school
    msgs = _reject(session, tmp_path, rows)
    cycle = [m.split("：")[0] for m in msgs if m.endswith("上级管理关系形成循环")]
    assert sorted(cycle) == ["[错误] 第 2 行「上级管理单位账号」列值「hp_school1」",
                             "[错误] 第 3 行「上级管理单位账号」列值「hp_kjj」",
                             "[错误] 第 4 行「上级管理单位账号」列值「hp_jyj」"]
    dependants = [m for m in msgs if "一并不能导入" in m]
    assert len(dependants) == 3 and len(msgs) == 6  # school2, culture bureau and its venue hang below


def test_invalid_check_character_is_rejected(session, tmp_path):
    rows = roster_rows()
    good = rows[1][2]
    rows[1][2] = good[:-1] + ("0" if good[-1] != "0" else "1")
    msgs = _reject(session, tmp_path, rows)
    assert msgs[0].startswith("[错误] 第 3 行「统一社会信用代码」列") and f"应为 {good[-1]}" in msgs[0]
    assert msgs[1:] == [f"[错误] 第 {n} 行「上级管理单位账号」列值「hp_jyj」：引用的单位（第 3 行）有错误，本行一并不能导入"
                        for n in (4, 5)]


def test_missing_required_column_is_rejected(session, tmp_path):
    header = [h for h in ROSTER_HEADER if h != "统一社会信用代码"]
    rows = [r[:2] + r[3:] for r in roster_rows()]
    assert _reject(session, tmp_path, rows, header) == ["[错误] 文件「统一社会信用代码」列：缺少必需的列"]


def test_skip_bad_rows_imports_the_rest_and_drops_dependants(session, tmp_path):
    rows = roster_rows()
    rows[1][2] = "123"  # education bureau invalid → its schools lose their administrator too
    res = import_roster(session, write_csv(tmp_path / "r.csv", ROSTER_HEADER, rows), YEAR, skip_bad_rows=True)
    assert res.created == 5 and res.skipped == 3
    assert {u.account for u in session.scalars(select(Unit))} == {"hp_kjj", "hp_wlj", "hp_wlj_kjg", "sj_kx", "sj_kx_kjg"}
    assert sum(p.severity == "error" for p in res.problems) == 3


def test_mis_encoded_file_is_a_clear_error(session, tmp_path):
    p = tmp_path / "bin.csv"
    p.write_bytes(b"\xff\xfe\x00\x81\x30" * 10)
    with pytest.raises(ImportRejected, match="导入失败") as e:
        import_roster(session, p, YEAR)
    assert "编码" in str(e.value.problems[0])
