"""An independent check of the synthetic world's rule violations.

synth.records decides which online records break the audit rules by calling the product's own
matching.rules, so a bug there would plant (and expect) the same wrong answer. Here the rules are
written again from the contract - the indicator catalog's `parent` column (indicators-2024.csv) and
the rules the README states - without registry.template or matching.rules, and compared with what
the generator recorded and with what `matching.audit` reports."""

from __future__ import annotations

import csv
import random
from decimal import Decimal
from pathlib import Path

import pytest

from synth.records import build_records
from synth.roster import build_roster

ROOT = Path(__file__).resolve().parents[2]
# the contract where checked out beside the repo, else the vendored copy (equal: tests/registry/test_template.py)
SHARED = ROOT.parent / "shared" / "spec" / "indicators-2024.csv"
CATALOG = SHARED if SHARED.exists() else ROOT / "registry" / "templates" / "indicators-2024.csv"

# README "The form template": F01 = F02+F04+F05+F06; F07 = F08+F09+F10+F12+F13; P14 ≤ 12 × P08;
# 展厅面积 ≤ 建筑面积 (科技馆 S03 ≤ S02, 科学技术类博物馆 S08 ≤ S07); all ≥ 0; 其中 ≤ parent;
# a unit counting venues (S01 科技馆, S06 科学技术类博物馆, S11 青少年科技馆站) must have a venue account.
SUMS = {"funds_raised_sum": ("F01", ("F02", "F04", "F05", "F06")),
        "funds_used_sum": ("F07", ("F08", "F09", "F10", "F12", "F13"))}
AREAS = {"museum_hall_le_building": ("S03", "S02"), "stmuseum_hall_le_building": ("S08", "S07")}
VENUE_COUNTS = ("S01", "S06", "S11")


def _parents() -> dict[str, str]:
    with CATALOG.open(encoding="utf-8") as f:
        return {r["code"]: r["parent"] for r in csv.DictReader(f) if r["parent"]}


def broken_rules(v: dict[str, Decimal | None], parents: dict[str, str], has_venue_account: bool) -> set[str]:
    out = set()
    if any(x is not None and x < 0 for x in v.values()):
        out.add("non_negative")
    if any(v.get(c) is not None and v.get(p) is not None and v[c] > v[p] for c, p in parents.items()):
        out.add("sub_le_parent")
    for rule, (total, parts) in SUMS.items():
        if v.get(total) is not None and abs(v[total] - sum(v.get(p) or 0 for p in parts)) > Decimal("0.01"):
            out.add(rule)
    if v.get("P14") is not None and v.get("P08") is not None and v["P14"] > 12 * v["P08"]:
        out.add("parttime_workload")
    for rule, (hall, building) in AREAS.items():
        if v.get(hall) is not None and v.get(building) is not None and v[hall] > v[building]:
            out.add(rule)
    if not has_venue_account and any((v.get(c) or 0) > 0 for c in VENUE_COUNTS):
        out.add("venue_not_separate")
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_violations_agree_with_rules_written_from_the_contract(seed):
    parents = _parents()
    assert len(parents) >= 10  # the catalog's 其中 rows were read
    units = build_roster(300, random.Random(seed))
    owners = {u.owner_account for u in units if u.owner_account}
    records = build_records(units, random.Random(seed * 31))
    by_unit = {u.account: u for u in units}
    planted = independent = 0
    for rec in records:
        u = by_unit[rec.account]
        expected = broken_rules(rec.values, parents, u.is_venue or u.account in owners)
        assert {v["rule"] for v in rec.violations} == expected, (rec.account, rec.violations, expected)
        planted += bool(rec.violations)
        independent += bool(expected)
    assert planted == independent >= 2  # the generator planted some, and only where the rules say


def test_the_product_audit_reports_exactly_the_independently_derived_violations(tmp_path):
    """The same comparison through the product's import and audit (registry + matching.audit)."""
    from sqlalchemy import select

    from matching.audit import audit_records
    from registry.db import open_db
    from registry.models import Finding, Unit
    from registry.records_import import import_records
    from registry.roster_import import import_roster
    from registry.template import default_template
    from synth.records import write_records
    from synth.roster import write_roster

    units = build_roster(120, random.Random(5))
    records = build_records(units, random.Random(77), violation_rate=0.1)
    write_roster(units, tmp_path / "roster.xlsx")
    write_records(records, default_template(), tmp_path / "records.xlsx", random.Random(1))
    s = open_db(f"sqlite:///{tmp_path / 'db.sqlite3'}")()
    import_roster(s, tmp_path / "roster.xlsx", 2024)
    import_records(s, tmp_path / "records.xlsx", default_template(), 2024)
    audit_records(s, default_template(), 2024)
    s.commit()
    accounts = {u.id: u.account for u in s.scalars(select(Unit))}
    got = {(accounts[f.unit_id], f.rule) for f in s.scalars(select(Finding).where(Finding.kind == "rule_violation"))}
    parents, owners = _parents(), {u.owner_account for u in units if u.owner_account}
    by_unit = {u.account: u for u in units}
    want = {(r.account, rule) for r in records if r.status != "未填报"
            for rule in broken_rules(r.values, parents, by_unit[r.account].is_venue or r.account in owners)}
    assert want and got == want
