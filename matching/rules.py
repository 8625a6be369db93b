"""The template's audit rules applied to one unit's figures. Pure logic, no database.

"No value" (None) is not 0: a comparison with a missing side is skipped; in a sum a missing part
counts as 0, but a missing total skips the rule (nothing was claimed).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from registry.template import Rule, Template

_OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}

Values = Mapping[str, Decimal | None]


@dataclass(frozen=True)
class Violation:
    rule: str
    title: str
    indicators: tuple[str, ...]
    values: dict[str, str | None]
    message: str


def _fmt(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


def check_record(template: Template, values: Values, has_venue_account: bool = True) -> list[Violation]:
    out: list[Violation] = []
    for rule in template.rules:
        out += _CHECKS[rule.kind](template, rule, values, has_venue_account)
    return out


def _non_negative(t: Template, rule: Rule, values: Values, _: bool) -> list[Violation]:
    return [Violation(rule.id, rule.title, (c,), {c: _fmt(v)}, f"{c} 为负数 {v}")
            for c, v in values.items() if v is not None and v < 0]


def _child_le_parent(t: Template, rule: Rule, values: Values, _: bool) -> list[Violation]:
    out = []
    for ind in t.indicators:
        if ind.parent is None:
            continue
        child, parent = values.get(ind.code), values.get(ind.parent)
        if child is not None and parent is not None and child > parent:
            out.append(Violation(rule.id, rule.title, (ind.code, ind.parent),
                                 {ind.code: _fmt(child), ind.parent: _fmt(parent)},
                                 f"{ind.code} {child} 大于上级指标 {ind.parent} {parent}"))
    return out


def _sum(t: Template, rule: Rule, values: Values, _: bool) -> list[Violation]:
    total_code, parts = rule.params["total"], rule.params["parts"]
    total = values.get(total_code)
    if total is None:
        return []
    got = sum((values.get(c) or Decimal(0) for c in parts), Decimal(0))
    tol = Decimal(str(rule.params.get("tolerance", 0)))
    if abs(got - total) <= tol:
        return []
    shown = {c: _fmt(values.get(c)) for c in (total_code, *parts)}
    return [Violation(rule.id, rule.title, (total_code, *parts), shown,
                      f"{total_code} = {total}，而 {'+'.join(parts)} = {got}")]


def _compare(t: Template, rule: Rule, values: Values, _: bool) -> list[Violation]:
    left_code, right_code = rule.params["left"], rule.params["right"]
    left, right = values.get(left_code), values.get(right_code)
    if left is None or right is None:
        return []
    factor = Decimal(str(rule.params.get("factor", 1)))
    op = rule.params["op"]
    if _OPS[op](left, right * factor):
        return []
    rhs = f"{factor}×{right_code}" if factor != 1 else right_code
    return [Violation(rule.id, rule.title, (left_code, right_code), {left_code: _fmt(left), right_code: _fmt(right)},
                      f"{left_code} {left} 不满足 {op} {rhs}（{right * factor}）")]


def _venue_separate(t: Template, rule: Rule, values: Values, has_venue_account: bool) -> list[Violation]:
    if has_venue_account:
        return []
    counted = {c: values.get(c) for c in rule.params["indicators"]}
    hits = {c: v for c, v in counted.items() if v is not None and v > 0}
    if not hits:
        return []
    return [Violation(rule.id, rule.title, tuple(hits), {c: _fmt(v) for c, v in hits.items()},
                      "填报了科普场馆数据，但名单中没有单独注册的场馆账号")]


_CHECKS = {"non_negative": _non_negative, "child_le_parent": _child_le_parent, "sum": _sum,
           "compare": _compare, "venue_separate": _venue_separate}
