"""Which unit a scanned form belongs to: 统一社会信用代码 + name, never the sender.

A venue (科普场馆) often prints its owner's code, so the code alone does not decide: the name
tells owner and venue apart. When not sure the answer is "unknown", never a confident wrong unit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from matching.names import name_score, name_score_strict
from registry import uscc

# Thresholds on name_score (0–100). Chosen conservatively: a wrong unit is worse than a human look.
NAME_CONFIRMS_CODE = 60.0     # a unique code holder whose name is at least this close
NAME_SEPARATES = 80.0         # among holders of one code, the best name must reach this …
NAME_MARGIN = 10.0            # … and lead the next by this much
NAME_ALONE = 92.0             # without a usable code, a name must be this close …
NAME_ALONE_MARGIN = 8.0       # … and lead the next by this much
NAME_CONFIRMS_NEAR_CODE = 80.0  # a code within uscc.NEAR_SLIPS of a holder's: the name must be this close
                                # (and lead by NAME_MARGIN)


@dataclass(frozen=True)
class Candidate:
    unit_id: int
    account: str
    name: str
    uscc: str


@dataclass
class Identification:
    unit_id: int | None
    method: str  # code+name | code | name | unknown
    confidence: float
    explanation: dict[str, Any] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return self.unit_id is not None


class UnitIndex:
    def __init__(self, units: list[Candidate]):
        self.units = units
        self.by_code: dict[str, list[Candidate]] = defaultdict(list)
        for u in units:
            self.by_code[u.uscc].append(u)

    def identify(self, name_read: str | None, code_read: str | None) -> Identification:
        why: dict[str, Any] = {"name_read": name_read, "code_read": code_read}
        code = None
        if code_read:
            norm = uscc.normalize(code_read)
            code = norm if uscc.is_valid(norm) else uscc.repair(norm)
            why["code_used"] = code
            if code and code != norm:
                why["code_repaired_from"] = norm
        holders = self.by_code.get(code, []) if code else []
        name = name_read or ""
        if holders:
            scored = sorted(((name_score(name, c.name), c) for c in holders), key=lambda t: -t[0])
            why["candidates"] = [{"account": c.account, "name": c.name, "score": s} for s, c in scored]
            best_s, best = scored[0]
            if len(scored) == 1:
                if best_s >= NAME_CONFIRMS_CODE:
                    return Identification(best.unit_id, "code+name", min(1.0, 0.7 + best_s / 333), why)
                if not name:
                    why["reason"] = "名称未识别，代码唯一"
                    return Identification(best.unit_id, "code", 0.7, why)
                why["reason"] = f"代码匹配但名称差异过大（相似度 {best_s}）"
                return Identification(None, "unknown", 0.0, why)
            second_s = scored[1][0]
            if best_s >= NAME_SEPARATES and best_s - second_s >= NAME_MARGIN:
                return Identification(best.unit_id, "code+name", min(1.0, 0.6 + best_s / 250), why)
            # an owner's name is a prefix of its venue's: the truncation allowance scores them
            # alike, the whole-name comparison does not
            strict = sorted(((name_score_strict(name, c.name), c) for c in holders), key=lambda t: -t[0])
            why["strict_candidates"] = [{"account": c.account, "score": s} for s, c in strict]
            if strict[0][0] >= NAME_SEPARATES and strict[0][0] - strict[1][0] >= NAME_MARGIN:
                return Identification(strict[0][1].unit_id, "code+name(whole)", min(1.0, 0.6 + strict[0][0] / 250), why)
            why["reason"] = f"多个单位共用此代码，名称无法区分（{best_s} / {second_s}）"
            return Identification(None, "unknown", 0.0, why)
        if code_read and name and (near := self._near_code(uscc.normalize(code_read), name, why)):
            return near
        if code:
            why["code_in_roster"] = False
        if not name:
            why["reason"] = "既无可用代码也无单位名称"
            return Identification(None, "unknown", 0.0, why)
        scored = sorted(((name_score(name, c.name), c) for c in self.units), key=lambda t: -t[0])[:3]
        why["candidates"] = [{"account": c.account, "name": c.name, "score": s} for s, c in scored]
        if not scored:
            why["reason"] = "名单为空"
            return Identification(None, "unknown", 0.0, why)
        best_s, best = scored[0]
        second_s = scored[1][0] if len(scored) > 1 else 0.0
        if code:
            # A valid code that nobody in the roster holds contradicts any name match: a person decides.
            why["reason"] = f"代码 {code} 不在单位名单中（名称最接近 {best.name}，相似度 {best_s}）"
            return Identification(None, "unknown", 0.0, why)
        if best_s >= NAME_ALONE and best_s - second_s >= NAME_ALONE_MARGIN:
            return Identification(best.unit_id, "name", round(best_s / 125, 3), why)
        why["reason"] = f"仅凭名称无法确定（最高相似度 {best_s}，次高 {second_s}）"
        return Identification(None, "unknown", 0.0, why)

    def _near_code(self, read: str, name: str, why: dict[str, Any]) -> Identification | None:
        """A code read with a slip or two that the check character let through (or could not
        repair) still points to its holder when the name agrees: two units of one name whose
        codes differ in two places do not occur, so name and near code together are a match."""
        near = [c for c in self.units if uscc.near(read, c.uscc)]
        if not near:
            return None
        scored = sorted(((name_score(name, c.name), c) for c in near), key=lambda t: -t[0])
        why["near_code_candidates"] = [{"account": c.account, "uscc": c.uscc, "score": s} for s, c in scored]
        best_s, best = scored[0]
        second_s = scored[1][0] if len(scored) > 1 else 0.0
        if best_s >= NAME_CONFIRMS_NEAR_CODE and best_s - second_s >= NAME_MARGIN:
            why["reason"] = f"代码识别有误差（与 {best.uscc} 相差不超过 {uscc.NEAR_SLIPS} 位），名称一致"
            return Identification(best.unit_id, "near-code+name", min(0.9, 0.5 + best_s / 250), why)
        return None
