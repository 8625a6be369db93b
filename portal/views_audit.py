"""Read-only pages for auditors (discrepancies, decisions, the audit log) and the users page for admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import func, select

from matching.decisions import DECISION_LABEL, EFFECT_LABEL
from matching.labels import KIND
from matching.reports import FINDING_HEADERS, finding_cells, finding_rows
from portal import views
from portal.pages import _xlsx
from portal.web import Ctx, ctx
from registry.portal_models import ROLES, AuditEntry, Decision, User

router = APIRouter()
DECISION_HEADERS = ["时间", "处理人", "来源地址", "单位账号", "单位名称", "问题类型", "指标", "网上数值", "纸质数值",
                    "处理方式", "填写数值", "结果", "理由"]


@router.get("/audit")
def audit_page(c: Ctx = Depends(ctx), kind: str | None = None, state: str | None = None,
               decision: str | None = None, page: int = Query(1, ge=1)) -> Response:
    c.require("auditor", "admin", "staff")
    found = views.discrepancies(c.db, c.year, page, kind or None, state or None)
    decided = views.decisions_list(c.db, 1, decision or None)
    return c.render("audit.html", found=found, decided=decided, kind=kind or "", state=state or "",
                    decision=decision or "", DECISION_LABEL=DECISION_LABEL, EFFECT_LABEL=EFFECT_LABEL)


def _decision_cells(d: Decision) -> list:
    from registry.clock import to_local

    f = d.finding
    unit = f.unit
    return [str(to_local(d.created_at))[:16], d.user_name, d.ip or "", unit.account if unit else "",
            unit.name if unit else "", KIND.get(f.kind, f.kind), f.indicator or "", f.online_value or "",
            f.scanned_value or "", DECISION_LABEL.get(d.kind, d.kind), d.value or "",
            EFFECT_LABEL.get(d.effect, d.effect), d.reason]


@router.get("/audit/decisions.xlsx")
def export_decisions(c: Ctx = Depends(ctx)) -> Response:
    c.require("auditor", "admin", "staff")
    rows = [_decision_cells(d) for d in c.db.scalars(select(Decision).order_by(Decision.id))]
    return _xlsx(c, "人工处理记录.xlsx", [("人工处理记录", DECISION_HEADERS, rows)], "decisions")


@router.get("/audit/findings.xlsx")
def export_all_findings(c: Ctx = Depends(ctx)) -> Response:
    c.require("auditor", "admin", "staff")
    rows = [finding_cells(r) for r in finding_rows(c.db, c.year, include_resolved=True)]
    return _xlsx(c, "问题清单-全部.xlsx", [("问题清单", FINDING_HEADERS, rows)], "findings:all")


@router.get("/log")
def log_page(c: Ctx = Depends(ctx), action: str | None = None, who: str | None = None,
             page: int = Query(1, ge=1)) -> Response:
    c.require("auditor", "admin")
    where = []
    if action:
        where.append(AuditEntry.action.startswith(action))
    if who:
        where.append(AuditEntry.user_name == who)
    total = c.db.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    q = (select(AuditEntry).where(*where).order_by(AuditEntry.id.desc())
         .limit(views.PAGE_SIZE).offset((page - 1) * views.PAGE_SIZE))
    paged = views.Paged(list(c.db.scalars(q)), total, page)
    return c.render("log.html", paged=paged, action=action or "", who=who or "")


def users_page(c: Ctx, message: str = "") -> Response:
    users = list(c.db.scalars(select(User).order_by(User.name)))
    return c.render("users.html", users=users, roles=ROLES, message=message)


@router.get("/users")
def users(c: Ctx = Depends(ctx)) -> Response:
    c.require("admin")
    return users_page(c)
