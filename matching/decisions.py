"""Human decisions on findings: accept, confirm, correct a reading, request a rescan.

A decision is stored with its reason, who, when and from which address, and the audit log line is
added in the same transaction (the caller commits once). The finding itself stays as the reader
made it; its newest decision says what it does to the unit's status (matching/status.py):

- accept:  a person saw it is fine ("signature is there")            -> cleared, no longer blocks;
- confirm: the problem is real, the unit must fix it                 -> problem (an error);
- correct: the person typed the figure seen; re-judged against the online record:
           equal -> cleared, different -> problem (a confirmed figure difference);
- rescan:  the unit must send a better scan                          -> problem until a new scan
           arrives (the new document supersedes the old one and its findings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.clock import utc_now
from registry.models import Finding
from registry.portal_models import AuditEntry, Decision

DECISION_LABEL = {"accept": "接受（无需处理）", "confirm": "确认有问题", "correct": "更正识别数值",
                  "rescan": "要求重新扫描"}
EFFECT_LABEL = {"cleared": "已由人工核定，无需处理", "problem": "已确认问题，待单位处理"}
FIGURE_KINDS = {"figure_mismatch", "figure_unreadable"}


class DecisionError(ValueError):
    """A decision that cannot be taken; the message is Chinese, for the person who tried."""


@dataclass
class Actor:
    """Who acts and from where (the portal passes its user; a command could pass an operator)."""
    name: str
    user_id: int | None = None
    ip: str | None = None


def _same_figure(typed: str, online: str | None) -> bool:
    if online is None:
        return typed.strip() in {"", "-"}
    try:
        return Decimal(typed.strip().replace(",", "")) == Decimal(online)
    except InvalidOperation:
        return False


def effect_of(kind: str, finding: Finding, value: str | None) -> str:
    if kind == "accept":
        return "cleared"
    if kind == "correct":
        return "cleared" if _same_figure(value or "", finding.online_value) else "problem"
    return "problem"


def decide(session: Session, finding: Finding, kind: str, reason: str, actor: Actor,
           value: str | None = None, now: datetime | None = None) -> Decision:
    """Record one decision and its audit line (same transaction; the caller commits)."""
    reason = (reason or "").strip()
    if kind not in DECISION_LABEL:
        raise DecisionError("未知的处理方式")
    if not reason:
        raise DecisionError("请填写理由")
    if finding.state != "open":
        raise DecisionError("该问题已解决，无需再处理")
    if kind == "correct":
        if finding.kind not in FIGURE_KINDS or not finding.indicator:
            raise DecisionError("只有数值类问题可以更正识别数值")
        value = (value or "").strip()
        try:
            if value not in {"", "-"} and Decimal(value.replace(",", "")) < 0:
                raise DecisionError("数值不能为负数")
        except InvalidOperation:
            raise DecisionError("请填写看到的数值（数字，无数值填 -）") from None
    else:
        value = None
    now = now or utc_now()
    d = Decision(finding_id=finding.id, unit_id=finding.unit_id, kind=kind, value=value,
                 effect=effect_of(kind, finding, value), reason=reason, user_id=actor.user_id,
                 user_name=actor.name, ip=actor.ip, created_at=now)
    session.add(d)
    session.add(AuditEntry(at=now, user_name=actor.name, ip=actor.ip, action=f"decision.{kind}",
                           unit_id=finding.unit_id, target=f"finding:{finding.id}", reason=reason,
                           detail={"kind": finding.kind, "indicator": finding.indicator,
                                   "online": finding.online_value, "scanned": finding.scanned_value,
                                   "value": value, "effect": d.effect}))
    session.flush()
    return d


def latest_decisions(session: Session, finding_ids: set[int] | None = None) -> dict[int, Decision]:
    """finding_id -> its newest decision (one query)."""
    newest = select(func.max(Decision.id)).group_by(Decision.finding_id)
    q = select(Decision).where(Decision.id.in_(newest))
    if finding_ids is not None:
        if not finding_ids:
            return {}
        q = q.where(Decision.finding_id.in_(finding_ids))
    return {d.finding_id: d for d in session.scalars(q)}


def decided(effect: str):  # type: ignore[no-untyped-def]
    """A subquery: ids of the findings whose newest decision has this effect (cleared / problem)."""
    newest = select(func.max(Decision.id)).group_by(Decision.finding_id)
    return select(Decision.finding_id).where(Decision.id.in_(newest), Decision.effect == effect)


def rescan_requests(session: Session, since: datetime | None = None) -> list[Decision]:
    """Rescan requests still standing (newest decision on an open finding), oldest first.

    For the outgoing-mail outbox: each names the unit, the finding and the reason to write to the unit.
    """
    newest = select(func.max(Decision.id)).group_by(Decision.finding_id)
    q = (select(Decision).join(Finding, Finding.id == Decision.finding_id)
         .where(Decision.id.in_(newest), Decision.kind == "rescan", Finding.state == "open"))
    if since is not None:
        q = q.where(Decision.created_at >= since)
    return list(session.scalars(q.order_by(Decision.id)))
