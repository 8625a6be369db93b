"""Pages people read: today (staff), units, a unit, the review queue, the bureau view, pictures, exports."""

from __future__ import annotations

import io
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from matching.daily import daily_report
from matching.decisions import DECISION_LABEL
from matching.reports import (
    FINDING_HEADERS,
    STATUS_HEADERS,
    finding_cells,
    finding_rows,
    status_cells,
    write_xlsx,
)
from matching.status import unit_statuses
from portal import auth, images, views
from portal.web import Ctx, ctx
from registry.clock import local_today
from registry.models import Finding, Page, Unit
from registry.tree import UnknownAccount

router = APIRouter()
BUREAU_ROWS = 200
HOME = {"staff": "/today", "admin": "/today", "bureau": "/bureau", "auditor": "/audit"}


@router.get("/")
def home(c: Ctx = Depends(ctx)) -> Response:
    return RedirectResponse(HOME[c.user.role], status_code=303)


@router.get("/today")
def today(c: Ctx = Depends(ctx)) -> Response:
    c.require("staff", "admin")
    day = local_today()
    rep = daily_report(c.db, c.year, day)
    pending = views.review_queue(c.db, c.year, 1).total
    return c.render("today.html", rep=rep, day=day, deadline_days=views.deadline_days(day), pending=pending)


@router.get("/units")
def units(c: Ctx = Depends(ctx), scan: str | None = None, admin: str | None = None, district: str | None = None,
          overdue: bool = False, q: str | None = None, page: int = Query(1, ge=1)) -> Response:
    flt = views.UnitFilter(scan or None, admin or None, district or None, overdue, q or None)
    try:
        paged, counts = views.unit_list(c.db, c.year, flt, page)
    except UnknownAccount:
        raise HTTPException(404) from None
    return c.render("units.html", paged=paged, counts=counts, flt=flt, districts=views.districts(c.db, c.year))


@router.get("/units/{unit_id}")
def unit(unit_id: int, c: Ctx = Depends(ctx)) -> Response:
    data = views.unit_page(c.db, c.year, unit_id)
    if data is None:
        raise HTTPException(404)
    return c.render("unit.html", u=data, DECISION_LABEL=DECISION_LABEL, can_decide=c.user.role in ("staff", "admin"))


@router.get("/review")
def review(c: Ctx = Depends(ctx), kind: str | None = None, decided: bool = False,
           page: int = Query(1, ge=1)) -> Response:
    c.require("staff", "admin")
    paged = views.review_queue(c.db, c.year, page, kind or None, decided)
    return c.render("review.html", paged=paged, kind=kind or "", decided=decided, DECISION_LABEL=DECISION_LABEL,
                    can_decide=True)


@router.get("/bureau")
def bureau(c: Ctx = Depends(ctx), admin: str | None = None) -> Response:
    """A bureau's own subtree; staff and admins may look at any administrator's with ?admin=."""
    c.require("bureau", "staff", "admin")
    account = c.user.admin_account if c.user.role == "bureau" else admin
    if not account:
        return RedirectResponse("/units", status_code=303)
    try:
        sts = unit_statuses(c.db, c.year, account)
    except UnknownAccount:
        raise HTTPException(404) from None
    to_fix, to_fix_total = views.to_fix(c.db, c.year, account, BUREAU_ROWS)
    counts = {k: sum(1 for s in sts if s.scan == k) for k in ("missing", "received", "problem", "ok")}
    missing = [s for s in sts if s.scan == "missing"]
    # long lists are cut here; the XLSX exports and the unit list have them whole
    return c.render("bureau.html", account=account, root=sts[0].unit, counts=counts, total=len(sts),
                    missing=missing[:BUREAU_ROWS], missing_total=len(missing), to_fix=to_fix,
                    to_fix_total=to_fix_total, deadline_days=views.deadline_days())


def _xlsx(c: Ctx, name: str, sheets: list, what: str, unit_id: int | None = None) -> Response:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        data = write_xlsx(Path(tmp) / "x.xlsx", sheets).read_bytes()
    auth.audit(c.db, "export", c.user.name, c.ip, target=what, unit_id=unit_id)
    c.db.commit()
    return Response(io.BytesIO(data).getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _visible_account(c: Ctx, account: str) -> Unit:
    u = c.db.scalar(select(Unit).where(Unit.year == c.year, Unit.account == account))
    if u is None:  # unknown, or outside a bureau user's subtree: the same answer
        raise HTTPException(404)
    return u


@router.get("/export/{account}/status.xlsx")
def export_status(account: str, c: Ctx = Depends(ctx)) -> Response:
    u = _visible_account(c, account)
    sts = unit_statuses(c.db, c.year, account)
    return _xlsx(c, f"扫描件状态-{account}.xlsx", [("扫描件状态", STATUS_HEADERS, [status_cells(s) for s in sts])],
                 f"status:{account}", u.id)


@router.get("/export/{account}/findings.xlsx")
def export_findings(account: str, c: Ctx = Depends(ctx)) -> Response:
    u = _visible_account(c, account)
    rows = finding_rows(c.db, c.year, account)
    return _xlsx(c, f"问题清单-{account}.xlsx", [("问题清单", FINDING_HEADERS, [finding_cells(r) for r in rows])],
                 f"findings:{account}", u.id)


@router.get("/findings/{finding_id}/crop.jpg")
def crop(finding_id: int, c: Ctx = Depends(ctx)) -> Response:
    f = c.db.get(Finding, finding_id)
    data = images.finding_crop(c.db, f) if f is not None else None
    if data is None:
        raise HTTPException(404)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"})


@router.get("/pages/{page_id}/thumb.jpg")
def thumb(page_id: int, c: Ctx = Depends(ctx)) -> Response:
    p = c.db.get(Page, page_id)
    data = images.page_thumb(p) if p is not None else None
    if data is None:
        raise HTTPException(404)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"})
