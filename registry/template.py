"""The form template: indicators, audit rules and page zones, loaded from a YAML data file.

Validated at load time; a broken template raises TemplateError naming the offending entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

RULE_KINDS = {"non_negative", "child_le_parent", "sum", "compare", "venue_separate"}
COMPARE_OPS = {"<=", "<", ">=", ">", "=="}
CODE_RE = re.compile(r"^[A-Z][0-9]{2,3}$")


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster at start-up


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    code: str
    part: str
    label: str
    parent: str | None
    unit: str
    decimals: int
    source_confidence: str = "B"

    @property
    def bare_label(self) -> str:
        """The label without its '其中：' prefix (the prefix is often lost or split by OCR)."""
        return self.label.removeprefix("其中：").removeprefix("其中:")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    title: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    heading: str
    name: str
    table: str


@dataclass(frozen=True)
class Template:
    id: str
    year: int
    title: str
    parts: tuple[Part, ...]
    columns: dict[str, tuple[str, ...]]   # column role -> header words naming it
    indicators: tuple[Indicator, ...]
    rules: tuple[Rule, ...]
    zones: dict[str, dict[str, Any]]
    acceptance: dict[str, Any] = field(default_factory=dict)   # matching.policy's numbers

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def depth(self, code: str) -> int:
        """How many parents the indicator has (其中 rows are printed indented by this)."""
        d, ind = 0, self.indicator(code)
        while ind.parent:
            d += 1
            ind = self.indicator(ind.parent)
        return d

    def printed_words(self) -> tuple[str, ...]:
        """Every text the form prints whatever the unit: title, part headings, column headers,
        labels, units and zone labels."""
        zone_labels = [lab for z in self.zones.values() for lab in z.get("labels") or ()]
        return (self.title, *(p.heading for p in self.parts), *(w for ws in self.columns.values() for w in ws),
                *(i.label for i in self.indicators), *{i.unit for i in self.indicators}, *zone_labels)

    def by_part(self, part: str) -> list[Indicator]:
        return [i for i in self.indicators if i.part == part]

    def quantize(self, code: str, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-self.indicator(code).decimals))


def _err(where: str, msg: str) -> TemplateError:
    return TemplateError(f"模板错误 [{where}]: {msg}")


def _require(entry: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    for k in keys:
        if k not in entry or entry[k] in (None, ""):
            raise _err(where, f"缺少字段 {k}")


def parse_template(data: dict[str, Any], source: str = "<template>") -> Template:
    try:
        return _parse(data, source)
    except TemplateError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as e:  # a value of the wrong shape somewhere
        raise _err(source, f"结构不对：某项的值类型有误（{type(e).__name__}: {e}）") from e


def _parse(data: dict[str, Any], source: str) -> Template:
    if not isinstance(data, dict):
        raise _err(source, "顶层应为映射")
    _require(data, ("id", "year", "title", "parts", "indicators"), source)
    if not isinstance(data["year"], int) or isinstance(data["year"], bool):
        raise _err(source, f"year 应为整数: {data['year']!r}")
    parts = []
    for n, p in enumerate(data["parts"], 1):
        _require(p, ("heading", "name", "table"), f"{source} parts#{n}")
        parts.append(Part(str(p["heading"]), str(p["name"]), str(p["table"])))
    part_names = {p.name for p in parts}

    indicators: list[Indicator] = []
    seen: set[str] = set()
    for n, row in enumerate(data["indicators"], 1):
        where = f"{source} indicators#{n} {row.get('code', '?') if isinstance(row, dict) else ''}".strip()
        if not isinstance(row, dict):
            raise _err(where, "应为映射")
        _require(row, ("code", "part", "label", "unit"), where)
        code = str(row["code"])
        if not CODE_RE.match(code):
            raise _err(where, f"代码格式不对: {code}")
        if code in seen:
            raise _err(where, f"代码重复: {code}")
        if not isinstance(row["part"], str) or row["part"] not in part_names:
            raise _err(where, f"未知部分: {row['part']}")
        parent = row.get("parent")
        if parent is not None and (not isinstance(parent, str) or parent not in seen):
            raise _err(where, f"上级指标 {parent} 不存在或未在其前定义")
        decimals = row.get("decimals", 0)
        if not isinstance(decimals, int) or not 0 <= decimals <= 4:
            raise _err(where, f"小数位数无效: {decimals}")
        seen.add(code)
        indicators.append(Indicator(code, str(row["part"]), str(row["label"]), parent, str(row["unit"]),
                                    decimals, str(row.get("source_confidence", "B"))))

    rules = tuple(_parse_rule(r, n, seen, source) for n, r in enumerate(data.get("rules") or [], 1))
    return Template(
        id=str(data["id"]), year=int(data["year"]), title=str(data["title"]), parts=tuple(parts),
        columns=_parse_columns(data.get("columns"), source), indicators=tuple(indicators), rules=rules,
        zones=dict(data.get("zones") or {}), acceptance=_parse_acceptance(data.get("acceptance"), source),
    )


COLUMN_ROLES = ("label", "unit", "code", "value")
ACCEPTANCE_KEYS = ("absorbs", "require_print_after_change", "max_weight", "weights", "under_seal_factor",
                   "online_empty_factor")
UNVERIFIED_KINDS = ("weak_match", "nothing_read", "guess", "seal_lettering", "garbled", "no_row", "reads_other")


def _parse_acceptance(raw: Any, source: str) -> dict[str, Any]:
    """The acceptance policy's numbers (matching.policy); absent = every flagged form to a person."""
    where = f"{source} acceptance"
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _err(where, "应为映射")
    _require(raw, ACCEPTANCE_KEYS, where)
    weights = raw["weights"]
    if not isinstance(weights, dict) or set(weights) != set(UNVERIFIED_KINDS):
        raise _err(where, f"weights 应恰好给出 {'、'.join(UNVERIFIED_KINDS)}")
    for k, v in weights.items():
        if v != "block" and (not isinstance(v, (int, float)) or v < 0):
            raise _err(where, f"weights.{k} 应为非负数或 block")
    for k in ("max_weight", "under_seal_factor", "online_empty_factor"):
        if not isinstance(raw[k], (int, float)) or raw[k] < 0:
            raise _err(where, f"{k} 应为非负数")
    if not isinstance(raw["absorbs"], list):
        raise _err(where, "absorbs 应为问题类型列表")
    return dict(raw)


def _parse_columns(raw: Any, source: str) -> dict[str, tuple[str, ...]]:
    """Column role -> header names; label and value are required, names are non-empty text."""
    where = f"{source} columns"
    if not isinstance(raw, dict):
        raise _err(where, "应为映射：列角色 -> 表头名称列表")
    out: dict[str, tuple[str, ...]] = {}
    for role, names in raw.items():
        if role not in COLUMN_ROLES:
            raise _err(where, f"未知列角色: {role}")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise _err(where, f"{role} 应为非空的表头名称列表")
        out[role] = tuple("".join(n.split()) for n in names)
    for role in ("label", "value"):
        if role not in out:
            raise _err(where, f"缺少列角色 {role}")
    return out


def _parse_rule(r: Any, n: int, codes: set[str], source: str) -> Rule:
    where = f"{source} rules#{n} {r.get('id', '?') if isinstance(r, dict) else ''}".strip()
    if not isinstance(r, dict):
        raise _err(where, "应为映射")
    _require(r, ("id", "kind", "title"), where)
    kind = r["kind"]
    if kind not in RULE_KINDS:
        raise _err(where, f"未知规则类型: {kind}")
    params = {k: v for k, v in r.items() if k not in ("id", "kind", "title")}

    def check_codes(*names: str) -> None:
        for name in names:
            vals = params.get(name)
            for c in vals if isinstance(vals, list) else [vals]:
                if c not in codes:
                    raise _err(where, f"{name} 引用了未知指标 {c}")

    if kind == "sum":
        _require(params, ("total", "parts"), where)
        check_codes("total", "parts")
    elif kind == "compare":
        _require(params, ("left", "op", "right"), where)
        check_codes("left", "right")
        if params["op"] not in COMPARE_OPS:
            raise _err(where, f"未知比较符: {params['op']}")
        if not isinstance(params.get("factor", 1), (int, float)):
            raise _err(where, "factor 应为数字")
    elif kind == "venue_separate":
        _require(params, ("indicators",), where)
        check_codes("indicators")
    return Rule(str(r["id"]), kind, str(r["title"]), params)


def load_template(path: str | Path) -> Template:
    p = Path(path)
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as e:
        raise _err(str(p), f"YAML 解析失败: {e}") from e
    return parse_template(data, p.name)


@cache
def default_template(year: int = 2024) -> Template:
    """The bundled template for a survey year."""
    ref = resources.files("registry") / "templates" / f"kp-{year}.yaml"
    try:
        text = ref.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise TemplateError(f"没有 {year} 年度的表式模板") from e
    return parse_template(yaml.load(text, Loader=_LOADER), f"kp-{year}.yaml")
