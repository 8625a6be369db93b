"""Online figures for one unit, by unit type, satisfying the template's audit rules.

Values are ``{code: Decimal | None}``; None is "no value" (printed "-"), Decimal(0) is a value.
Distributions: schools mostly 0 or "-" (but some 科学教育 figures), venues large visitor numbers
and areas, 万元 with decimals.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal

from registry.template import Template, default_template

D0 = Decimal(0)
CENT = Decimal("0.01")

# Per type: scale of activity (multiplies counts) and the chance each block is filled at all.
# keys: staff, parttime, funds, media, activities, education, hosts(open days), empty (share "-")
PROFILES: dict[str, dict[str, float]] = {
    "市级部门":   dict(scale=1.0, staff=0.7, parttime=0.8, funds=0.85, media=0.5, act=0.9, edu=0.3, open=0.1, empty=0.55),
    "市属事业单位": dict(scale=0.6, staff=0.5, parttime=0.6, funds=0.6, media=0.3, act=0.7, edu=0.3, open=0.15, empty=0.6),
    "区科技局":   dict(scale=1.0, staff=0.8, parttime=0.9, funds=0.95, media=0.5, act=0.95, edu=0.5, open=0.05, empty=0.4),
    "区级部门":   dict(scale=0.4, staff=0.3, parttime=0.5, funds=0.4, media=0.2, act=0.6, edu=0.15, open=0.02, empty=0.7),
    "区教育局":   dict(scale=0.8, staff=0.5, parttime=0.7, funds=0.7, media=0.3, act=0.8, edu=0.9, open=0.0, empty=0.5),
    "中小学":     dict(scale=0.15, staff=0.1, parttime=0.35, funds=0.2, media=0.05, act=0.35, edu=0.55, open=0.0, empty=0.8),
    "高等学校":   dict(scale=1.2, staff=0.6, parttime=0.9, funds=0.8, media=0.5, act=0.9, edu=0.7, open=0.9, empty=0.45),
    "科普基地":   dict(scale=1.5, staff=0.9, parttime=0.9, funds=0.9, media=0.6, act=0.95, edu=0.8, open=0.2, empty=0.35),
    "科普场馆":   dict(scale=3.0, staff=1.0, parttime=0.95, funds=1.0, media=0.8, act=1.0, edu=0.9, open=0.0, empty=0.25),
    "其他机构":   dict(scale=0.5, staff=0.4, parttime=0.5, funds=0.5, media=0.3, act=0.6, edu=0.3, open=0.05, empty=0.6),
}


def _count(rng: random.Random, median: float, spread: float = 0.9) -> int:
    return max(0, int(round(rng.lognormvariate(math.log(max(median, 0.5)), spread))))


def _money(rng: random.Random, median: float, spread: float = 1.0) -> Decimal:
    v = rng.lognormvariate(math.log(max(median, 0.05)), spread)
    # money in 万元: often whole, often one or two decimals
    r = rng.random()
    if r < 0.25:
        return Decimal(int(round(v)))
    if r < 0.55:
        return Decimal(str(round(v, 1)))
    return Decimal(str(round(v, 2))).quantize(CENT)


def _nil(rng: random.Random, empty: float) -> Decimal | None:
    """An unfilled figure: "-" (no value) or 0."""
    return None if rng.random() < empty else D0


def _share(rng: random.Random, total: int, lo: float, hi: float) -> int:
    return min(total, int(round(total * rng.uniform(lo, hi))))


def generate_values(unit_type: str, rng: random.Random, template: Template | None = None,
                    venue_kind: str | None = None) -> dict[str, Decimal | None]:
    t = template or default_template()
    p = PROFILES.get(unit_type, PROFILES["其他机构"])
    s, empty = p["scale"], p["empty"]
    v: dict[str, Decimal | None] = {c: _nil(rng, empty) for c in t.codes}
    venue = unit_type == "科普场馆"

    def put(code: str, value: int | Decimal | None) -> None:
        v[code] = None if value is None else Decimal(value)

    # 一、科普人员
    if rng.random() < p["staff"]:
        n = _count(rng, 4 * s, 0.8) + (1 if venue else 0)
        put("P01", n)
        put("P02", _share(rng, n, 0.4, 0.95))
        put("P03", _share(rng, n, 0.3, 0.7))
        put("P04", _share(rng, n, 0.0, 0.2) if rng.random() < 0.4 else None)
        put("P05", _share(rng, n, 0.05, 0.3))
        put("P06", _share(rng, n, 0.0, 0.3))
        put("P07", _share(rng, n, 0.1, 0.6))
    if rng.random() < p["parttime"]:
        n = _count(rng, 12 * s, 0.9)
        put("P08", n)
        put("P09", _share(rng, n, 0.4, 0.95))
        put("P10", _share(rng, n, 0.3, 0.7))
        put("P11", _share(rng, n, 0.0, 0.25) if rng.random() < 0.4 else None)
        put("P12", _share(rng, n, 0.1, 0.6))
        put("P13", _share(rng, n, 0.0, 0.2))
        put("P14", int(n * rng.uniform(0.3, 4.0)))
    if rng.random() < 0.5 * p["act"]:
        put("P15", _count(rng, 30 * s, 1.1))

    # 二、科普场地 (venues carry the big figures)
    if venue:
        kind = venue_kind or rng.choice(["科技馆", "科技馆", "博物馆", "青少年"])
        visitors = _count(rng, 150000, 1.0) + 5000
        kids = _share(rng, visitors, 0.2, 0.6)
        if kind == "科技馆":
            b = _count(rng, 12000, 0.7) + 1000
            put("S01", 1), put("S02", b), put("S03", _share(rng, b, 0.4, 0.8))
            put("S04", visitors), put("S05", kids)
        elif kind == "博物馆":
            b = _count(rng, 8000, 0.8) + 800
            put("S06", 1), put("S07", b), put("S08", _share(rng, b, 0.4, 0.85))
            put("S09", visitors), put("S10", kids)
        else:
            b = _count(rng, 3000, 0.7) + 300
            put("S11", 1), put("S12", b), put("S13", visitors // 5)
    else:
        for code in ("S01", "S06", "S11"):
            v[code] = None if rng.random() < 0.7 else D0
        for code in ("S02", "S03", "S04", "S05", "S07", "S08", "S09", "S10", "S12", "S13"):
            v[code] = None if rng.random() < 0.75 else D0
    if rng.random() < 0.3 * p["act"]:
        put("S14", _count(rng, 1, 0.6))
    if unit_type in ("区科技局", "区级部门") and rng.random() < 0.4:
        put("S15", _count(rng, 6, 0.8))
        put("S16", _count(rng, 4, 0.9))
    if rng.random() < 0.15:
        put("S17", _count(rng, 1, 0.5))
    if rng.random() < 0.3 * p["act"]:
        put("S18", _count(rng, 3, 0.8))

    # 三、科普经费 (sums must hold exactly)
    if rng.random() < p["funds"]:
        med = 8 * s * (6 if venue else 1)
        raised = {c: (_money(rng, med * w) if rng.random() < pr else (None if rng.random() < 0.5 else D0))
                  for c, w, pr in (("F02", 1.0, 0.85), ("F04", 0.05, 0.1), ("F05", 0.4, 0.45),
                                   ("F06", 0.1, 0.15))}
        v.update(raised)
        total_r = sum((x for x in raised.values() if x is not None), D0)
        v["F01"] = total_r.quantize(CENT) if total_r != total_r.to_integral() else total_r
        if raised["F02"] is not None and rng.random() < 0.6:
            v["F03"] = (raised["F02"] * Decimal(str(round(rng.uniform(0.2, 1.0), 2)))).quantize(CENT)
        else:
            v["F03"] = None if raised["F02"] is None else D0
        # spending: a little below or around what was raised
        budget = float(total_r) * rng.uniform(0.6, 1.05) if total_r > 0 else rng.uniform(0.5, 5)
        weights = {"F08": rng.uniform(0, 0.2), "F09": rng.uniform(0.3, 1.0),
                   "F10": rng.uniform(0.0, 0.6) if venue or rng.random() < 0.1 else 0.0,
                   "F12": rng.uniform(0, 0.4) if rng.random() < 0.5 else 0.0, "F13": rng.uniform(0, 0.2)}
        wsum = sum(weights.values()) or 1.0
        used: dict[str, Decimal | None] = {}
        for c, w in weights.items():
            if w == 0.0:
                used[c] = None if rng.random() < 0.5 else D0
            else:
                used[c] = Decimal(str(round(budget * w / wsum, 2))).quantize(CENT)
                if used[c] == used[c].to_integral() and rng.random() < 0.5:
                    used[c] = used[c].quantize(Decimal(1))
        v.update(used)
        total_u = sum((x for x in used.values() if x is not None), D0)
        v["F07"] = total_u
        if used["F10"] is not None and used["F10"] > 0:
            v["F11"] = (used["F10"] * Decimal(str(round(rng.uniform(0, 1), 2)))).quantize(CENT)
        else:
            v["F11"] = used["F10"]
    else:
        for c in ("F01", "F02", "F03", "F04", "F05", "F06", "F07", "F08", "F09", "F10", "F11", "F12", "F13"):
            v[c] = None if rng.random() < empty else D0
        # an all-zero or all-empty block trivially satisfies the sums only if parts are 0/None
        if v["F01"] is not None:
            for c in ("F02", "F04", "F05", "F06"):
                v[c] = D0 if v[c] is not None else None
            v["F03"] = None if v["F02"] is None else D0
        if v["F07"] is not None:
            for c in ("F08", "F09", "F10", "F12", "F13"):
                v[c] = D0 if v[c] is not None else None
            v["F11"] = None if v["F10"] is None else D0
        if v["F02"] is None and v["F03"] is not None:
            v["F03"] = None
        if v["F10"] is None and v["F11"] is not None:
            v["F11"] = None
        if v["F01"] is None:
            for c in ("F02", "F03", "F04", "F05", "F06"):
                v[c] = None
        if v["F07"] is None:
            for c in ("F08", "F09", "F10", "F11", "F12", "F13"):
                v[c] = None

    # 四、科普传媒
    if rng.random() < p["media"]:
        if rng.random() < 0.2:
            k = _count(rng, 2, 0.6)
            put("M01", k), put("M02", k * _count(rng, 2000, 0.8))
        if rng.random() < 0.05:
            put("M03", 1), put("M04", _count(rng, 20000, 0.8))
        if rng.random() < 0.6:
            put("M10", _count(rng, 2000 * s, 1.0))
        if rng.random() < 0.3:
            put("M09", 1)
        if rng.random() < 0.3:
            put("M11", 1), put("M12", _count(rng, 80 * s, 0.9))
        if rng.random() < 0.6:
            put("M13", _count(rng, 1, 0.4)), put("M14", _count(rng, 60 * s, 0.9))
            put("M15", _count(rng, 3000 * s, 1.3))
        if rng.random() < 0.05:
            put("M07", _count(rng, 20, 0.8))
        if rng.random() < 0.05:
            put("M08", _count(rng, 30, 0.8))

    # 五、科普活动 (count, participants) pairs
    if rng.random() < p["act"]:
        for cnt, ppl, pr, med, per in (("A01", "A02", 0.8, 6, 80), ("A03", "A04", 0.5, 3, 600),
                                       ("A05", "A06", 0.35, 2, 150), ("A07", "A08", 0.05, 1, 40),
                                       ("A09", "A10", 0.25, 3, 30), ("A11", "A12", 0.1, 1, 60),
                                       ("A13", "A14", 0.7, 4, 300), ("A17", "A18", 0.2, 3, 50)):
            if rng.random() < pr:
                k = _count(rng, med * max(s, 0.3), 0.8) + 1
                put(cnt, k), put(ppl, int(k * per * rng.uniform(0.4, 2.5)))
        if rng.random() < 0.3:
            put("A19", _count(rng, 1, 0.6))
    if rng.random() < p["open"]:
        put("A15", 1), put("A16", _count(rng, 3000, 0.9))

    # 六、科学教育
    if rng.random() < p["edu"]:
        for cnt, ppl, pr, med, per in (("E01", "E02", 0.9, 8, 90), ("E04", "E05", 0.4, 2, 25),
                                       ("E07", "E08", 0.5, 3, 60)):
            if rng.random() < pr:
                k = _count(rng, med * max(s, 0.4), 0.8) + 1
                put(cnt, k), put(ppl, int(k * per * rng.uniform(0.5, 2.0)))
        if rng.random() < 0.6:
            put("E03", _count(rng, 3, 0.7))
        if venue and rng.random() < 0.7:
            put("E06", _count(rng, 8, 0.8))
    return v


def fmt_value(value: Decimal | None, decimals: int, fixed: bool = False) -> str:
    """A figure as printed: "-" for no value; 万元 either fixed two decimals or as stored."""
    if value is None:
        return "-"
    if decimals == 0:
        return str(int(value))
    if fixed:
        return f"{value.quantize(Decimal(1).scaleb(-decimals)):f}"
    return record_text(value)


def record_text(value: Decimal | None) -> str:
    """The canonical text of a figure in records.xlsx: "" for none, no trailing zeros."""
    if value is None:
        return ""
    s = f"{value:f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"
