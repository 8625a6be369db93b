"""Online records (网上填报数据) for the roster: status, last modification time, figures.

Figures satisfy the template rules except injected violations, which are returned with the
rule ids they break (checked with matching.rules when available).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from registry.template import Template, default_template
from synth.units import Unit
from synth.values import generate_values, record_text

STATUSES = (("审核通过", 0.84), ("已提交", 0.07), ("退回修改", 0.04), ("未填报", 0.05))


@dataclass
class Record:
    account: str
    name: str
    uscc: str
    status: str
    modified: datetime | None
    values: dict[str, Decimal | None]
    violations: list[dict] = field(default_factory=list)   # injected: {"rule", "indicators", ...}


def check(template: Template, values: dict, has_venue_account: bool) -> list[dict]:
    """Rule violations as dicts (uses matching.rules.check_record)."""
    from matching.rules import check_record
    return [{"rule": v.rule, "indicators": list(v.indicators), "message": v.message}
            for v in check_record(template, values, has_venue_account)]


def has_venue_account(unit: Unit, owners: set[str]) -> bool:
    return unit.is_venue or unit.account in owners


def rand_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    s = rng.uniform(0, max(1.0, (end - start).total_seconds()))
    t = start + timedelta(seconds=s)
    # office hours mostly, never before `start` (a reprint after an online change printed earlier
    # that day was a stale print the truth did not list: seed 313)
    if rng.random() < 0.85:
        office = t.replace(hour=rng.randint(8, 17))
        t = office if start <= office <= end else t
    return t.replace(microsecond=0)


def _inject(rng: random.Random, v: dict[str, Decimal | None], unit: Unit, venue_owner: bool) -> str | None:
    """Break one rule on purpose; returns the kind tried (None if nothing applicable)."""
    opts = []
    if v.get("P01") is not None and v["P01"] > 0:
        opts.append("child")
    if v.get("F01") is not None and v["F01"] > 0:
        opts.append("sum")
    if v.get("P08") is not None and v["P08"] > 0:
        opts.append("workload")
    if v.get("S02") is not None and v.get("S03") is not None:
        opts.append("hall")
    if not unit.is_venue and not venue_owner:
        opts.append("venue")
    if not opts:
        return None
    kind = rng.choice(opts)
    if kind == "child":
        v["P02"] = v["P01"] + rng.randint(1, 5)
    elif kind == "sum":
        v["F01"] = (v["F01"] + Decimal(rng.randint(1, 30)) + Decimal("0.5")).quantize(Decimal("0.01"))
    elif kind == "workload":
        v["P14"] = v["P08"] * 12 + rng.randint(5, 60)
    elif kind == "hall":
        v["S03"] = v["S02"] + rng.randint(100, 900)
    elif kind == "venue":
        v["S01"] = Decimal(1)
    return kind


def build_records(units: list[Unit], rng: random.Random, template: Template | None = None,
                  violation_rate: float = 0.025, min_violations: int = 2) -> list[Record]:
    t = template or default_template()
    owners = {u.owner_account for u in units if u.owner_account}
    out: list[Record] = []
    start, end = datetime(2025, 4, 10, 9), datetime(2025, 6, 14, 18)
    for u in units:
        r = rng.random()
        acc = 0.0
        status = "审核通过"
        for s, p in STATUSES:
            acc += p
            if r < acc:
                status = s
                break
        if u.type in ("区科技局", "市级部门") and status == "未填报":
            status = "审核通过"   # the collectors themselves always fill in
        if status == "未填报":
            out.append(Record(u.account, u.name, u.uscc, status, None, {c: None for c in t.codes}))
            continue
        hv = has_venue_account(u, owners)
        for _ in range(20):
            values = generate_values(u.type, rng, t, venue_kind=u.venue_kind)
            if not check(t, values, hv):
                break
        else:  # pragma: no cover - generator bug
            raise RuntimeError(f"could not generate rule-abiding figures for {u.account}")
        out.append(Record(u.account, u.name, u.uscc, status, rand_time(rng, start, end), values))
    # injected violations: more among 退回修改 (that is why they were returned)
    cands = [(rec, u) for rec, u in zip(out, units, strict=True) if rec.status != "未填报"]
    want = max(min_violations, int(len(units) * violation_rate))
    rng.shuffle(cands)
    cands.sort(key=lambda x: x[0].status != "退回修改")
    done = 0
    for rec, u in cands:
        if done >= want:
            break
        if rng.random() < 0.5 and rec.status != "退回修改" and done >= min_violations:
            continue
        if _inject(rng, rec.values, u, u.account in owners) is None:
            continue
        rec.violations = check(t, rec.values, has_venue_account(u, owners))
        if rec.violations:
            done += 1
    return out


def _cell(v: Decimal | None, none_as: str):
    if v is None:
        return none_as
    if v == v.to_integral_value() and v.as_tuple().exponent >= 0:
        return int(v)
    return float(record_text(v))


def write_records(records: list[Record], t: Template, path: Path, rng: random.Random) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("网上填报数据")
    ws.append(["账号", "单位名称", "统一社会信用代码", "填报状态", "最后修改时间", *t.codes])
    for r in records:
        none_as = rng.choice(["", "-"])
        ws.append([r.account, r.name, r.uscc, r.status, r.modified.strftime("%Y-%m-%d %H:%M:%S") if r.modified else "",
                   *(_cell(r.values.get(c), none_as) for c in t.codes)])
    wb.save(path)
