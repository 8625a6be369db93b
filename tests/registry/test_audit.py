from decimal import Decimal

from sqlalchemy import select

from matching.audit import audit_records
from matching.rules import check_record
from registry.models import Finding
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
)

T = default_template()


def _dec(values):
    return {c: (None if v == "-" else Decimal(v)) for c, v in values.items()}


def test_consistent_figures_break_no_rule():
    assert check_record(T, _dec(consistent_values())) == []


def test_each_rule_reports_its_indicators():
    v = _dec(consistent_values() | {"P03": "13", "F05": "16.50", "P14": "361", "S02": "100", "S03": "120"})
    got = {(x.rule, x.indicators) for x in check_record(T, v)}
    assert got == {("sub_le_parent", ("P03", "P01")), ("funds_raised_sum", ("F01", "F02", "F04", "F05", "F06")),
                   ("parttime_workload", ("P14", "P08")), ("museum_hall_le_building", ("S03", "S02"))}


def test_missing_value_is_not_zero_in_rules():
    v = _dec(consistent_values() | {"F01": "-", "P08": "-", "P03": "-"})
    assert check_record(T, v) == []  # missing total / missing side: nothing claimed, nothing checked


def test_venue_counted_without_separate_account_is_flagged():
    v = _dec(consistent_values() | {"S01": "1", "S02": "5000", "S03": "3000"})
    assert [x.rule for x in check_record(T, v, has_venue_account=False)] == ["venue_not_separate"]
    assert check_record(T, v, has_venue_account=True) == []


def test_audit_stores_findings_and_resolves_them_after_correction(session, tmp_path):
    import_roster(session, write_csv(tmp_path / "roster.csv", ROSTER_HEADER, roster_rows()), 2024)
    bad = consistent_values() | {"F09": "19.00", "S01": "1"}
    rows = [record_row("hp_kjj", "天津市和平区科学技术局", code(1), **bad),
            record_row("hp_wlj", "天津市和平区文化和旅游局", code(5), **(consistent_values() | {"S01": "1"}))]
    import_records(session, write_csv(tmp_path / "r1.csv", records_header(), rows), T, 2024)
    r = audit_records(session, T, 2024)
    assert (r.records, r.violations, r.added) == (2, 2, 2)
    open_ = {(f.unit.account, f.rule) for f in session.scalars(select(Finding).where(Finding.state == "open"))}
    assert open_ == {("hp_kjj", "funds_used_sum"), ("hp_kjj", "venue_not_separate")}  # hp_wlj has its venue
    assert audit_records(session, T, 2024).added == 0  # idempotent

    rows[0] = record_row("hp_kjj", "天津市和平区科学技术局", code(1), **(consistent_values() | {"S01": "1"}))
    import_records(session, write_csv(tmp_path / "r2.csv", records_header(), rows), T, 2024)
    r = audit_records(session, T, 2024)
    assert (r.added, r.resolved) == (0, 1)
    resolved = session.scalar(select(Finding).where(Finding.state == "resolved"))
    assert resolved.rule == "funds_used_sum" and resolved.resolved_reason == "网上数据已更正"
