"""The status of every unit's scan, and per administrator subtree: what arrived, what is missing.

scan status:
- missing:  no scan of this unit has been recognised;
- received: the newest scan is in, but a person still has to look at something (warnings open);
            `info` findings (e.g. figures the acceptance policy let pass unverified) stay listed
            and need nobody;
- problem:  the newest scan has an open error finding (figure differs, seal/signature/page missing …);
- ok:       the newest scan was read and nothing is open against it.

A person's decision (matching/decisions.py) counts over the reader's verdict: a finding whose newest
decision cleared it (accepted, or a corrected figure that equals the online one) no longer blocks or
counts as open; one confirmed as a problem (confirmed, rescan requested, corrected to a different
figure) counts as an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from matching.decisions import decided
from registry.clock import local_today, to_local_aware
from registry.models import Document, Finding, OnlineRecord, Unit
from registry.tree import subtree

# The plan's deadlines (2024年度方案 五、报送时间); overridable per run.
DEFAULT_DEADLINES = {"online_submit": date(2025, 5, 30), "institute_audit": date(2025, 6, 15),
                     "scan": date(2025, 6, 30)}
SCAN_KINDS = {"figure_mismatch", "figure_unreadable", "seal_missing", "signature_missing", "page_missing",
              "page_duplicate", "scan_illegible", "scan_stale", "record_changed_after_scan"}
SCAN_LABEL = {"missing": "未收到", "received": "已收到待核", "problem": "有问题", "ok": "合格"}


@dataclass
class UnitStatus:
    unit: Unit
    admin_account: str | None
    scan: str
    online_status: str
    online_modified: datetime | None
    received_at: datetime | None  # naive UTC as stored; converted for display only
    document_id: int | None
    open_findings: int
    open_by_kind: dict[str, int] = field(default_factory=dict)
    days_overdue: int = 0

    def as_json(self) -> dict:
        return {"account": self.unit.account, "unit": self.unit.name, "admin": self.admin_account,
                "scan": self.scan, "online_status": self.online_status,
                "received_at": _local_iso(self.received_at),
                "open_findings": self.open_findings, "days_overdue": self.days_overdue}


def _local_iso(dt: datetime | None) -> str | None:
    """JSON contract: local time with its offset, e.g. 2026-11-29T07:30+08:00, so no reader guesses the zone."""
    local = to_local_aware(dt)
    return local.isoformat(timespec="minutes") if local is not None else None


@dataclass
class AdminSummary:
    admin: Unit
    total: int
    counts: dict[str, int]
    missing: list[Unit]


def current_documents(session: Session, unit_ids: set[int] | None = None) -> dict[int, Document]:
    """unit_id -> the newest document that has not been superseded."""
    q = select(Document).where(Document.unit_id.is_not(None), Document.superseded_by.is_(None))
    if unit_ids is not None and len(unit_ids) <= 1000:  # a few units: let the database pick them
        q = q.where(Document.unit_id.in_(unit_ids))
    out: dict[int, Document] = {}
    for d in session.scalars(q.order_by(Document.created_at, Document.id)):
        if unit_ids is None or d.unit_id in unit_ids:
            out[d.unit_id] = d  # type: ignore[index]
    return out


@dataclass
class FindingCounts:
    """Open findings no person has cleared, counted in the database (fast at 60,000 findings)."""
    by_kind: dict[int, dict[str, int]]  # unit_id -> kind -> count
    on_scan: dict[tuple[int, int], tuple[int, bool]]  # (unit_id, document_id) -> (count, any error)


def finding_counts(session: Session, year: int, unit_ids: set[int] | None = None,
                   with_kinds: bool = True) -> FindingCounts:
    """GROUP BY queries. "On the scan": a scan kind, not info. An error: severity error, or a
    person's newest decision confirmed it as a problem (matching/decisions.py)."""
    where = [Finding.year == year, Finding.state == "open", Finding.unit_id.is_not(None),
             Finding.id.not_in(decided("cleared"))]
    if unit_ids is not None:
        where.append(Finding.unit_id.in_(unit_ids))
    by_kind: dict[int, dict[str, int]] = {}
    if with_kinds:
        q = select(Finding.unit_id, Finding.kind, func.count()).where(*where).group_by(Finding.unit_id, Finding.kind)
        for unit_id, kind, n in session.execute(q):
            by_kind.setdefault(unit_id, {})[kind] = n
    is_error = case((or_(Finding.severity == "error", Finding.id.in_(decided("problem"))), 1), else_=0)
    q = (select(Finding.unit_id, Finding.document_id, func.count(), func.max(is_error))
         .where(*where, Finding.kind.in_(SCAN_KINDS), Finding.severity != "info", Finding.document_id.is_not(None))
         .group_by(Finding.unit_id, Finding.document_id))
    on_scan = {(u, d): (n, bool(err)) for u, d, n, err in session.execute(q)}
    return FindingCounts(by_kind, on_scan)


def judge(doc_id: int | None, doc_status: str | None, on_scan: tuple[int, bool] | None) -> str:
    """The scan status of one unit: its current document, and the open findings on that document
    that need a person (count, any error). The one rule, for every list, report and page."""
    if doc_id is None:
        return "missing"
    if on_scan is not None and on_scan[1]:
        return "problem"
    if on_scan is not None or doc_status != "read":
        return "received"
    return "ok"


def _current_doc_rows(session: Session, unit_ids: set[int] | None = None) -> dict[int, Any]:
    """As current_documents, as plain rows (id, status, created_at): cheap for thousands of units."""
    q = (select(Document.unit_id, Document.id, Document.status, Document.created_at)
         .where(Document.unit_id.is_not(None), Document.superseded_by.is_(None)))
    if unit_ids is not None and len(unit_ids) <= 1000:
        q = q.where(Document.unit_id.in_(unit_ids))
    return {row.unit_id: row for row in session.execute(q.order_by(Document.created_at, Document.id))}


def scan_summary(session: Session, year: int, unit_ids: list[int], today: date | None = None,
                 deadlines: dict[str, date] | None = None) -> dict[int, tuple[str, int]]:
    """unit_id -> (scan, days overdue) for many units at once, without ORM objects: for lists that
    filter and page thousands of units (the same rule as unit_statuses)."""
    on_scan = finding_counts(session, year, with_kinds=False).on_scan
    docs = {uid: (doc_id, status) for uid, doc_id, status, _ in _current_doc_rows(session).values()}
    overdue = max(0, ((today or local_today()) - (deadlines or DEFAULT_DEADLINES)["scan"]).days)
    out = {}
    no_doc = (None, None)
    for uid in unit_ids:
        doc_id, status = docs.get(uid, no_doc)
        scan = judge(doc_id, status, on_scan.get((uid, doc_id)) if doc_id is not None else None)
        out[uid] = (scan, overdue if scan == "missing" else 0)
    return out


def unit_statuses(session: Session, year: int, admin: str | None = None, today: date | None = None,
                  deadlines: dict[str, date] | None = None, unit_ids: set[int] | None = None) -> list[UnitStatus]:
    """`unit_ids`: only these units, each query narrowed to them (a page showing a few units)."""
    if unit_ids is not None:
        units = list(session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.account)))
    else:
        units = subtree(session, year, admin) if admin else \
            list(session.scalars(select(Unit).where(Unit.year == year).order_by(Unit.account)))
    ids = {u.id for u in units}
    admin_ids = {u.admin_id for u in units if u.admin_id is not None}
    q_accounts = select(Unit.id, Unit.account).where(Unit.year == year)
    q_records = select(OnlineRecord.unit_id, OnlineRecord.status, OnlineRecord.last_modified).where(
        OnlineRecord.year == year)
    if unit_ids is not None:
        q_accounts = q_accounts.where(Unit.id.in_(admin_ids))
        q_records = q_records.where(OnlineRecord.unit_id.in_(ids))
    accounts = dict(session.execute(q_accounts).all())
    records = {r.unit_id: r for r in session.execute(q_records)}
    docs = _current_doc_rows(session, ids)
    counts = finding_counts(session, year, ids if unit_ids is not None else None)
    today = today or local_today()  # overdue days count in the users' calendar, not the server's
    scan_deadline = (deadlines or DEFAULT_DEADLINES)["scan"]
    out = []
    for u in units:
        doc = docs.get(u.id)
        by_kind = counts.by_kind.get(u.id, {})
        scan = judge(doc.id if doc else None, doc.status if doc else None,
                     counts.on_scan.get((u.id, doc.id)) if doc else None)
        rec = records.get(u.id)
        overdue = max(0, (today - scan_deadline).days) if scan == "missing" else 0
        out.append(UnitStatus(u, accounts.get(u.admin_id) if u.admin_id else None, scan,
                              rec.status if rec else "无网上数据", rec.last_modified if rec else None,
                              doc.created_at if doc else None, doc.id if doc else None, sum(by_kind.values()), by_kind,
                              overdue))
    return out


def subtrees(units: list[tuple[int, int | None, str]]) -> list[tuple[int, list[int]]]:
    """(id, admin id, account) of units -> for every unit that administers others, in account order:
    (its id, the ids of its whole subtree, itself first)."""
    account = {uid: acc for uid, _, acc in units}
    children: dict[int, list[int]] = {}
    for uid, admin_id, _ in units:
        if admin_id is not None:
            children.setdefault(admin_id, []).append(uid)
    out = []
    for admin_id in sorted((i for i in children if i in account), key=lambda i: account[i]):
        stack, members = [admin_id], []
        while stack:
            cur = stack.pop()
            members.append(cur)
            stack.extend(children.get(cur, []))
        out.append((admin_id, members))
    return out


def admin_summaries(session: Session, year: int, statuses: list[UnitStatus]) -> list[AdminSummary]:
    """For every unit that administers others: counts over its whole subtree and its missing units."""
    by_id = {s.unit.id: s for s in statuses}
    out = []
    for admin_id, ids in subtrees([(s.unit.id, s.unit.admin_id, s.unit.account) for s in statuses]):
        members = [by_id[i] for i in ids]
        counts = {k: sum(1 for m in members if m.scan == k) for k in SCAN_LABEL}
        missing = [m.unit for m in members if m.scan == "missing"]
        out.append(AdminSummary(by_id[admin_id].unit, len(members), counts, missing))
    return out
