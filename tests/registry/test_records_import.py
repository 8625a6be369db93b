import pytest
from sqlalchemy import select

from registry.models import OnlineRecord, RecordChange, RecordValue, Unit
from registry.problems import ImportRejected
from registry.records_import import import_records
from registry.roster_import import import_roster
from registry.template import default_template
from tests.registry.builders import (
    ROSTER_HEADER,
    code,
    consistent_values,
    record_row,
    records_header,
    roster_rows,
    write_csv,
    write_xlsx,
)
from tests.registry.conftest import counts

YEAR = 2024
T = default_template()


@pytest.fixture
def roster(session, tmp_path):
    import_roster(session, write_csv(tmp_path / "roster.csv", ROSTER_HEADER, roster_rows()), YEAR)
    return session


def _values(s, account):
    q = select(RecordValue.code, RecordValue.value).join(OnlineRecord).join(Unit).where(Unit.account == account)
    return dict(s.execute(q).all())


def _rows():
    return [record_row("hp_kjj", "天津市和平区科学技术局", code(1), **consistent_values()),
            record_row("hp_school1", "天津市和平区第一中学", code(3), status="已提交", P01="0", P08="-")]


def test_dash_is_no_value_and_zero_is_a_value(roster, tmp_path):
    res = import_records(roster, write_csv(tmp_path / "rec.csv", records_header(), _rows()), T, YEAR)
    assert res.created == 2
    v = _values(roster, "hp_school1")
    assert v["P01"] == "0" and v["P08"] is None and len(v) == 88
    k = _values(roster, "hp_kjj")
    assert k["F01"] == "35.50" and k["F06"] == "0.00" and k["P01"] == "12"


def test_gbk_csv_and_xlsx_give_the_same_values(roster, tmp_path):
    import_records(roster, write_csv(tmp_path / "rec.csv", records_header(), _rows(), encoding="gbk"), T, YEAR)
    first = {a: _values(roster, a) for a in ("hp_kjj", "hp_school1")}
    res = import_records(roster, write_xlsx(tmp_path / "rec.xlsx", records_header(), _rows()), T, YEAR)
    assert (res.created, res.changed, res.unchanged) == (0, 0, 2)
    assert {a: _values(roster, a) for a in first} == first


def test_reimport_records_the_changed_figures(roster, tmp_path):
    import_records(roster, write_csv(tmp_path / "a.csv", records_header(), _rows()), T, YEAR)
    rows = _rows()
    vals = consistent_values() | {"A02": "520", "P15": "-"}
    rows[0] = record_row("hp_kjj", "天津市和平区科学技术局", code(1), modified="2025-06-20 09:30:00", **vals)
    res = import_records(roster, write_csv(tmp_path / "b.csv", records_header(), rows), T, YEAR)
    assert (res.created, res.changed, res.unchanged) == (0, 1, 1)
    changes = {(c.field, c.old, c.new) for c in roster.scalars(select(RecordChange))}
    assert changes == {("A02", "480", "520"), ("P15", "200", None),
                       ("last_modified", "2025-05-20 10:00:00", "2025-06-20 09:30:00")}
    assert _values(roster, "hp_kjj")["P15"] is None


def _reject(s, tmp_path, header, rows):
    before = counts(s)
    with pytest.raises(ImportRejected) as e:
        import_records(s, write_csv(tmp_path / "bad.csv", header, rows), T, YEAR)
    assert counts(s) == before, "a failed import must change nothing"
    return [str(p) for p in e.value.problems if p.severity == "error"]


def test_non_numeric_and_negative_figures_are_rejected(roster, tmp_path):
    rows = _rows()
    rows[0][records_header().index("A01")] = "六"
    rows[1][records_header().index("F01")] = "-3.5"
    rows[1][records_header().index("P01")] = "2.5"
    msgs = _reject(roster, tmp_path, records_header(), rows)
    assert msgs == ["[错误] 第 2 行「A01」列值「六」：不是数字",
                    "[错误] 第 3 行「P01」列值「2.5」：应为整数",
                    "[错误] 第 3 行「F01」列值「-3.5」：不能为负数"]


def test_unknown_indicator_column_is_rejected(roster, tmp_path):
    header = records_header() + ["Z99"]
    rows = [r + ["1"] for r in _rows()]
    assert _reject(roster, tmp_path, header, rows) == ["[错误] 文件「Z99」列：未知指标列：kp-2024-v1 表式中没有此代码"]


def test_missing_required_column_and_unknown_account_are_rejected(roster, tmp_path):
    header = [h for h in records_header() if h != "填报状态"]
    rows = [r[:3] + r[4:] for r in _rows()]
    assert _reject(roster, tmp_path, header, rows) == ["[错误] 文件「填报状态」列：缺少必需的列"]
    rows = _rows() + [record_row("nobody", "某单位", code(99))]
    assert _reject(roster, tmp_path, records_header(), rows) == [
        "[错误] 第 4 行「账号」列值「nobody」：单位名单中没有此账号（请先导入单位名单）"]


def test_bad_status_and_date_are_rejected_and_skip_bad_rows_imports_the_rest(roster, tmp_path):
    rows = _rows()
    rows[0][3] = "已完成"
    rows[1][4] = "昨天"
    path = write_csv(tmp_path / "r.csv", records_header(), rows + [record_row("sj_kx", "天津市科学技术协会", code(6, "120000"))])
    msgs = _reject(roster, tmp_path, records_header(), rows)
    assert msgs == ["[错误] 第 2 行「填报状态」列值「已完成」：应为 未填报 / 已提交 / 审核通过 / 退回修改 之一",
                    "[错误] 第 3 行「最后修改时间」列值「昨天」：无法识别的日期时间"]
    res = import_records(roster, path, T, YEAR, skip_bad_rows=True)
    assert (res.created, res.skipped) == (1, 2)


def test_name_mismatch_with_roster_is_a_warning_not_an_error(roster, tmp_path):
    rows = _rows()
    rows[0][1] = "和平区科技局"
    res = import_records(roster, write_csv(tmp_path / "r.csv", records_header(), rows), T, YEAR)
    assert res.created == 2
    assert [p.severity for p in res.problems] == ["warning"] and "与单位名单不一致" in str(res.problems[0])
