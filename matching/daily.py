"""The daily intake report for institute staff: what came in on a day and what still needs doing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.listing import STATUS_TEXT
from matching.labels import KIND
from matching.status import SCAN_LABEL, scan_summary, subtrees
from registry.clock import day_bounds_utc
from registry.models import Attachment, Document, Finding, Message, Unit


@dataclass
class DailyReport:
    day: date
    messages: int
    message_classes: dict[str, int]
    attachments: dict[str, int]
    documents: int
    units_recognised: int
    unknown_documents: int
    new_findings: dict[str, int]
    status_counts: dict[str, int]
    missing_by_admin: list[dict[str, Any]] = field(default_factory=list)
    accepted_documents: int = 0       # documents the acceptance policy let pass with no human look
    accepted_unverified: int = 0      # figures on them nobody verified (info findings, still listed)

    def as_json(self) -> dict[str, Any]:
        return self.__dict__ | {"day": self.day.isoformat()}

    def as_text(self) -> str:
        lines = [f"科普统计调查表收取日报（{self.day:%Y-%m-%d}）", "",
                 f"收到邮件 {self.messages} 封；附件 {sum(self.attachments.values())} 个"
                 + (f"（{'，'.join(f'{STATUS_TEXT.get(k, k)} {v}' for k, v in sorted(self.attachments.items()))}）"
                    if self.attachments else ""),
                 f"识别出报表 {self.documents} 份，对应单位 {self.units_recognised} 个，无法确定单位 {self.unknown_documents} 份",
                 "新发现问题：" + ("；".join(f"{KIND.get(k, k)} {v}" for k, v in sorted(self.new_findings.items()))
                                 or "无"),
                 f"按接受规则自动通过的报表 {self.accepted_documents} 份（其中未核对数值 {self.accepted_unverified} 项，"
                 "已列入问题清单备查，无需处理）",
                 "全部单位扫描件状态：" + "，".join(f"{k} {v}" for k, v in self.status_counts.items()), "",
                 "各管理单位尚未收到的下属单位："]
        for m in self.missing_by_admin:
            if m["missing"]:
                lines.append(f"  {m['admin']}（{m['account']}）：缺 {len(m['missing'])} / {m['total']}："
                             + "、".join(x["unit"] for x in m["missing"][:20]) + (" 等" if len(m["missing"]) > 20 else ""))
        return "\n".join(lines)


def daily_report(session: Session, year: int, day: date) -> DailyReport:
    """`day` is a local calendar day (KPTJ_TZ); the stored timestamps it is compared with are UTC."""
    start, end = day_bounds_utc(day)
    msgs = list(session.scalars(select(Message).where(Message.fetched_at >= start, Message.fetched_at < end)))
    ids = [m.id for m in msgs]
    atts = list(session.scalars(select(Attachment).where(Attachment.message_id.in_(ids)))) if ids else []
    docs = list(session.scalars(select(Document).where(Document.created_at >= start, Document.created_at < end)))
    day_f = list(session.scalars(
        select(Finding).where(Finding.year == year, Finding.created_at >= start, Finding.created_at < end)))
    # figures the acceptance policy let pass are listed, not new problems
    new_f = Counter(f.kind for f in day_f if not (f.kind == "figure_unreadable" and f.severity == "info"))
    accepted = [d for d in docs if ((d.match_detail or {}).get("acceptance") or {}).get("accepted")]
    # plain rows and one status query, not a full UnitStatus per unit: 1.0 -> see docs/benchmarks.md
    # (the portal's 今日收取 over 10,000 units); the same judge as unit_statuses
    units = session.execute(select(Unit.id, Unit.account, Unit.name, Unit.admin_id)
                            .where(Unit.year == year).order_by(Unit.account)).all()
    scan = {uid: s for uid, (s, _) in scan_summary(session, year, [u.id for u in units], today=day).items()}
    counts = Counter(SCAN_LABEL[scan[u.id]] for u in units)
    missing = _missing_by_admin(units, scan)
    return DailyReport(day, len(msgs), dict(Counter(m.classification or m.state for m in msgs)),
                       dict(Counter(a.status for a in atts)), len(docs),
                       len({d.unit_id for d in docs if d.unit_id}), sum(1 for d in docs if d.unit_id is None),
                       dict(new_f), dict(counts), missing, len(accepted),
                       sum(len(d.match_detail["acceptance"].get("unverified") or []) for d in accepted))


def _missing_by_admin(units: list, scan: dict[int, str]) -> list[dict[str, Any]]:
    """For every unit that administers others: its whole subtree's size and the units not yet sent
    (admin_summaries' rule, on plain rows)."""
    by_id = {u.id: u for u in units}
    out = []
    for admin_id, ids in subtrees([(u.id, u.admin_id, u.account) for u in units]):
        admin = by_id[admin_id]
        out.append({"account": admin.account, "admin": admin.name, "total": len(ids),
                    "missing": [{"account": by_id[i].account, "unit": by_id[i].name} for i in ids
                                if scan[i] == "missing"]})
    return out
