"""The acceptance policy: per document, may it pass with no human look?

Written down in docs/acceptance-policy.md; its numbers live with the template (`acceptance:` in
registry/templates/kp-YYYY.yaml), not here. In short: the form is the system's own export, so a
print time after the record's last online change plus every readable figure matching is strong
evidence that the paper says what the record says. Figures that could not be verified are then
weighed by why: a reading that agrees with the record but is unsure weighs little, a cell with
nothing legible under the required seal or in a row that is empty online weighs more, a reading
that disagrees blocks. An accepted document keeps every unverified figure listed, as `info`
with the rule that accepted it; any error, or any warning the policy does not absorb, needs a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from matching.evaluate import DocFinding, FigureDecision, under_seal
from ocr.decide import evidence
from ocr.identity import parse_print_time
from ocr.model import DocumentReading
from registry.template import Template

BLOCK = float("inf")


@dataclass(frozen=True)
class Policy:
    enabled: bool = True
    absorbs: tuple[str, ...] = ("figure_unreadable",)
    require_print_after_change: bool = True
    max_weight: float = 0.0
    weights: dict[str, float] = field(default_factory=dict)
    under_seal_factor: float = 1.0
    online_empty_factor: float = 1.0

    @classmethod
    def of(cls, template: Template) -> Policy:
        raw: dict[str, Any] = template.acceptance
        if not raw:
            return cls(enabled=False)
        return cls(enabled=bool(raw.get("enabled", True)), absorbs=tuple(raw["absorbs"]),
                   require_print_after_change=bool(raw["require_print_after_change"]),
                   max_weight=float(raw["max_weight"]),
                   weights={k: BLOCK if v == "block" else float(v) for k, v in raw["weights"].items()},
                   under_seal_factor=float(raw["under_seal_factor"]),
                   online_empty_factor=float(raw["online_empty_factor"]))


@dataclass
class Acceptance:
    accepted: bool
    reasons: list[str]                      # why (accepted) or why not (Chinese, for people)
    weight: float = 0.0
    unverified: list[dict[str, Any]] = field(default_factory=list)   # code, why, weight

    def as_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "reasons": self.reasons, "weight": round(self.weight, 3),
                "unverified": self.unverified, "rule": "acceptance-policy"}


def why_unverified(d: FigureDecision, under_seal: bool = False) -> str:
    """no_row | weak_match | nothing_read | guess | seal_lettering | garbled | reads_other
    (ocr.decide.evidence)."""
    return evidence(d.figure, d.online, under_seal)


def weigh(policy: Policy, doc: DocumentReading, d: FigureDecision) -> tuple[str, float, bool, bool]:
    """(why, weight, under the seal, empty online) of one unverified figure."""
    seal = under_seal(doc, d.figure, d.page_index)
    why = why_unverified(d, seal)
    empty = d.online in (None, "", "-")
    w = policy.weights.get(why, BLOCK)
    if seal:
        w *= policy.under_seal_factor
    if empty:
        w *= policy.online_empty_factor
    return why, w, seal, empty


def decide_document(policy: Policy, doc: DocumentReading, found: list[DocFinding],
                    decisions: list[FigureDecision], online_modified: datetime | None) -> Acceptance:
    """Whether the document passes with no human look; the findings are not changed here."""
    if not policy.enabled:
        return Acceptance(False, ["未启用自动接受规则"])
    reasons: list[str] = []
    errors = sorted({f.kind for f in found if f.severity == "error"})
    if errors:
        reasons.append("存在错误：" + "、".join(errors))
    blocking = sorted({f.kind for f in found if f.severity == "warning" and f.kind not in policy.absorbs})
    if blocking:
        reasons.append("存在需人工核对的问题：" + "、".join(blocking))
    printed = parse_print_time(doc.print_time)
    if policy.require_print_after_change:
        if printed is None:
            reasons.append("未识别到打印时间")
        elif online_modified is not None and printed < online_modified:
            reasons.append("打印时间早于网上数据最后修改时间")
    on_findings = {f.indicator for f in found if f.kind in policy.absorbs and f.indicator}
    unverified, total = [], 0.0
    for d in decisions:
        if d.kind != "unreadable" or d.code not in on_findings:
            continue
        why, w, seal, empty = weigh(policy, doc, d)
        total += w
        unverified.append({"code": d.code, "why": why, "under_seal": seal, "online_empty": empty,
                           "weight": None if w == BLOCK else round(w, 3)})
    if total > policy.max_weight:
        blocked = [u["code"] for u in unverified if u["weight"] is None]
        reasons.append(f"未核对的数值过多或有疑问（权重 {_fmt(total)} > {policy.max_weight}"
                       + (f"；读数与网上不同：{'、'.join(blocked)}" if blocked else "") + "）")
    if reasons:
        return Acceptance(False, reasons, total, unverified)
    why = ["打印时间不早于网上数据最后修改时间" if policy.require_print_after_change else "",
           "可读数值全部与网上一致",
           f"未核对数值 {len(unverified)} 项，权重 {_fmt(total)} ≤ {policy.max_weight}" if unverified else "无未核对数值"]
    return Acceptance(True, [w for w in why if w], total, unverified)


def _fmt(x: float) -> str:
    return "∞" if x == BLOCK else f"{x:.2f}"


def apply(acceptance: Acceptance, found: list[DocFinding]) -> None:
    """An accepted document's absorbed warnings become `info`, each naming the rule and the weight."""
    if not acceptance.accepted:
        return
    by_code = {u["code"]: u for u in acceptance.unverified}
    for f in found:
        if f.severity == "warning" and f.indicator in by_code:
            f.severity = "info"
            f.detail = {**f.detail, "accepted_by": "acceptance-policy", "policy": by_code[f.indicator],
                        "reason": f.detail.get("reason", "") + "（按接受规则自动接受，未人工核对）"}
