"""What the pages show, read with a fixed number of queries per page (paginated on the server).

Every query here runs on the request's session, so a bureau user's scope (portal/scope.py) applies
without any of these functions knowing about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from matching.decisions import decided, latest_decisions
from matching.status import DEFAULT_DEADLINES, UnitStatus, scan_summary, unit_statuses
from registry.clock import local_today
from registry.models import (
    Attachment,
    Document,
    Finding,
    Message,
    OnlineRecord,
    Page,
    Reading,
    RecordChange,
    RecordValue,
    Unit,
    UnitChange,
)
from registry.portal_models import Decision
from registry.template import default_template
from registry.tree import subtree_ids

PAGE_SIZE = 50


@dataclass
class Paged:
    items: list
    total: int
    page: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.size - 1) // self.size)


@dataclass
class UnitFilter:
    scan: str | None = None
    admin: str | None = None
    district: str | None = None
    overdue: bool = False
    q: str | None = None


def unit_list(db: Session, year: int, flt: UnitFilter, page: int, today: date | None = None) -> tuple[Paged, dict]:
    """Filtered units, one page of their full statuses, and the counts per scan status before the
    status filter. Filters run in SQL or over plain ids (scan_summary), so 10,000 units stay fast;
    only the page shown is loaded as full statuses."""
    q = select(Unit.id).where(Unit.year == year).order_by(Unit.account)
    if flt.district:
        q = q.where(Unit.district == flt.district)
    if flt.q:
        q = q.where(or_(Unit.name.contains(flt.q, autoescape=True), Unit.account.contains(flt.q, autoescape=True)))
    ids = list(db.scalars(q))
    if flt.admin:
        inside = set(subtree_ids(db, year, flt.admin))
        ids = [i for i in ids if i in inside]
    summary = scan_summary(db, year, ids, today)
    counts = {k: 0 for k in ("missing", "received", "problem", "ok")}
    for i in ids:
        counts[summary[i][0]] += 1
    if flt.scan:
        ids = [i for i in ids if summary[i][0] == flt.scan]
    if flt.overdue:
        ids = [i for i in ids if summary[i][1] > 0]
    start = (page - 1) * PAGE_SIZE
    shown = set(ids[start:start + PAGE_SIZE])
    items = unit_statuses(db, year, today=today, unit_ids=shown) if shown else []
    return Paged(items, len(ids), page), counts


def districts(db: Session, year: int) -> list[str]:
    return [d for (d,) in db.execute(select(Unit.district).where(Unit.year == year).distinct()
                                     .order_by(Unit.district)) if d]


@dataclass
class QueueItem:
    finding: Finding
    page: Page | None
    crop: bool
    decision: Decision | None = None


def _undecided():
    return ~exists().where(Decision.finding_id == Finding.id)


def review_queue(db: Session, year: int, page: int, kind: str | None = None,
                 decided: bool = False) -> Paged:
    """Open warnings and errors that no person has decided yet (or, with decided, those already decided)."""
    where = [Finding.year == year, Finding.state == "open", Finding.severity != "info",
             ~_undecided() if decided else _undecided()]
    if kind:
        where.append(Finding.kind == kind)
    total = db.scalar(select(func.count()).select_from(Finding).where(*where)) or 0
    q = (select(Finding, Page).outerjoin(Finding.unit).options(contains_eager(Finding.unit))
         .outerjoin(Page, Page.id == Finding.page_id).where(*where)
         .order_by(Finding.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    rows = db.execute(q).all()
    return Paged(_items(db, rows), total, page)


def _items(db: Session, rows: list) -> list[QueueItem]:
    keys = {(p.id, f.indicator) for f, p in rows if p is not None and f.indicator}
    crops: set[tuple[int, str]] = set()
    if keys:
        q = select(Reading.page_id, Reading.code).where(
            Reading.page_id.in_({k[0] for k in keys}), Reading.crop_path.is_not(None))
        crops = {(pid, code) for pid, code in db.execute(q)}
    decisions = latest_decisions(db, {f.id for f, _ in rows})
    return [QueueItem(f, p, (p is not None and (p.id, f.indicator) in crops) or bool(p and p.image_path),
                      decisions.get(f.id)) for f, p in rows]


def finding_item(db: Session, finding_id: int) -> QueueItem | None:
    f = db.get(Finding, finding_id)
    if f is None:
        return None
    page = db.get(Page, f.page_id) if f.page_id else None
    return _items(db, [(f, page)])[0]


@dataclass
class UnitPage:
    unit: Unit
    status: UnitStatus
    admin: Unit | None
    children: list[Unit]
    record: OnlineRecord | None
    documents: list[Document]
    messages: list[Message]
    attachments: dict[int, Attachment]
    pages: list[Page]
    findings: list[QueueItem]
    figures: list[dict]
    history: list[tuple] = field(default_factory=list)


def unit_page(db: Session, year: int, unit_id: int) -> UnitPage | None:
    unit = db.get(Unit, unit_id)
    if unit is None or unit.year != year:
        return None
    status = unit_statuses(db, year, unit_ids={unit.id})[0]
    admin = db.get(Unit, unit.admin_id) if unit.admin_id else None
    children = list(db.scalars(select(Unit).where(Unit.admin_id == unit.id).order_by(Unit.account)))
    record = db.scalar(select(OnlineRecord).where(OnlineRecord.unit_id == unit.id, OnlineRecord.year == year))
    docs = list(db.scalars(select(Document).where(Document.unit_id == unit.id).order_by(Document.id)))
    atts = {a.id: a for a in db.scalars(select(Attachment).where(Attachment.id.in_({d.attachment_id for d in docs})))}
    msgs = list(db.scalars(select(Message).where(Message.id.in_({a.message_id for a in atts.values()}))
                           .order_by(Message.id)))
    pages = list(db.scalars(select(Page).where(Page.document_id.in_({d.id for d in docs}))
                            .order_by(Page.document_id, Page.source_index)))
    rows = db.execute(select(Finding, Page).outerjoin(Page, Page.id == Finding.page_id)
                      .where(Finding.unit_id == unit.id, Finding.year == year)
                      .order_by(Finding.state.desc(), Finding.id)).all()
    return UnitPage(unit, status, admin, children, record, docs, msgs, atts, pages, _items(db, rows),
                    _figures(db, record, status.document_id), _history(db, unit, record))


def _figures(db: Session, record: OnlineRecord | None, doc_id: int | None) -> list[dict]:
    """The online record beside what was read off the current scan, indicator by indicator."""
    online = {v.code: v.value for v in db.scalars(select(RecordValue).where(
        RecordValue.record_id == record.id))} if record else {}
    read: dict[str, Reading] = {}
    if doc_id is not None:
        q = select(Reading).join(Page, Page.id == Reading.page_id).where(Page.document_id == doc_id)
        for r in db.scalars(q.order_by(Reading.id)):
            read.setdefault(r.code, r)
    out = []
    for ind in default_template().indicators:
        r = read.get(ind.code)
        if ind.code in online or r is not None:
            out.append({"code": ind.code, "label": ind.label, "online": online.get(ind.code),
                        "read": r.value if r else None, "decision": r.decision if r else None})
    return out


def _history(db: Session, unit: Unit, record: OnlineRecord | None) -> list[tuple]:
    """(when, what) newest first: human decisions, roster and online-record changes."""
    items: list[tuple] = []
    for d in db.scalars(select(Decision).where(Decision.unit_id == unit.id)):
        items.append((d.created_at, f"{d.user_name}：{d.kind}", d.reason, d))
    for c in db.scalars(select(UnitChange).where(UnitChange.unit_id == unit.id)):
        items.append((None, f"名单变更 {c.field}", f"{c.old or ''} → {c.new or ''}", None))
    if record is not None:
        for c in db.scalars(select(RecordChange).where(RecordChange.record_id == record.id)):
            items.append((None, f"网上数据变更 {c.field}", f"{c.old or ''} → {c.new or ''}", None))
    return sorted(items, key=lambda x: (x[0] is not None, x[0]), reverse=True)


def to_fix(db: Session, year: int, account: str, limit: int) -> tuple[list[Finding], int]:
    """Open warnings and errors in an administrator's subtree that no person has cleared: who must fix what."""
    where = [Finding.year == year, Finding.state == "open", Finding.severity != "info",
             Finding.unit_id.in_(subtree_ids(db, year, account)), Finding.id.not_in(decided("cleared"))]
    total = db.scalar(select(func.count()).select_from(Finding).where(*where)) or 0
    q = (select(Finding).join(Finding.unit).options(contains_eager(Finding.unit)).where(*where)
         .order_by(Unit.account, Finding.id).limit(limit))
    return list(db.scalars(q)), total


def deadline_days(today: date | None = None) -> int:
    """Days left until the scan deadline (negative: days overdue)."""
    return (DEFAULT_DEADLINES["scan"] - (today or local_today())).days


def decisions_list(db: Session, page: int, kind: str | None = None, user: str | None = None) -> Paged:
    where = []
    if kind:
        where.append(Decision.kind == kind)
    if user:
        where.append(Decision.user_name == user)
    total = db.scalar(select(func.count()).select_from(Decision).where(*where)) or 0
    q = (select(Decision).join(Decision.finding).outerjoin(Finding.unit)
         .options(contains_eager(Decision.finding).contains_eager(Finding.unit)).where(*where)
         .order_by(Decision.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return Paged(list(db.scalars(q)), total, page)


def discrepancies(db: Session, year: int, page: int, kind: str | None = None, state: str | None = None) -> Paged:
    where = [Finding.year == year, Finding.severity != "info"]
    if state:
        where.append(Finding.state == state)
    if kind:
        where.append(Finding.kind == kind)
    total = db.scalar(select(func.count()).select_from(Finding).where(*where)) or 0
    q = (select(Finding, Page).outerjoin(Finding.unit).options(contains_eager(Finding.unit))
         .outerjoin(Page, Page.id == Finding.page_id).where(*where)
         .order_by(Finding.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return Paged(_items(db, db.execute(q).all()), total, page)
