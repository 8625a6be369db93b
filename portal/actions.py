"""What changes something: log in and out, decide a finding, add a user. Every one is audited."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from matching.decisions import DECISION_LABEL, Actor, DecisionError, decide
from portal import auth, scope, views
from portal.web import COOKIE, LOGIN_CSRF_COOKIE, Ctx, client_ip, ctx, db_session, templates

router = APIRouter()


def _login_page(request: Request, message: str = "", status_code: int = 200) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    resp = templates.TemplateResponse(request, "login.html", {"user": None, "csrf": token, "message": message},
                                      status_code=status_code)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                    secure=request.app.state.secure_cookies)
    return resp


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login(request: Request, name: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
          db: Session = Depends(db_session)) -> Response:
    # double-submit: the form's token must equal the cookie set with the form (no session exists yet)
    if not auth.tokens_equal(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise HTTPException(403, "CSRF")
    user, token, message = auth.log_in(db, name.strip(), password, client_ip(request))
    db.commit()
    if user is None or token is None:
        return _login_page(request, message, 429 if "过多" in message else 401)
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(COOKIE, token, max_age=auth.SESSION_HOURS * 3600, httponly=True, samesite="lax",
                    secure=request.app.state.secure_cookies)
    return resp


@router.post("/logout")
def logout(c: Ctx = Depends(ctx)) -> Response:
    c.db.info.pop(scope.SCOPE_KEY, None)  # sessions are not unit rows: sweep them unscoped
    auth.log_out(c.db, c.portal_session, c.ip)
    c.db.commit()
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


@router.post("/findings/{finding_id}/decide")
def decide_finding(finding_id: int, c: Ctx = Depends(ctx), kind: str = Form(""), reason: str = Form(""),
                   value: str = Form("")) -> Response:
    c.require("staff", "admin")
    item = views.finding_item(c.db, finding_id)
    if item is None:
        raise HTTPException(404)
    error = ""
    try:
        decide(c.db, item.finding, kind, reason, Actor(c.user.name, c.user.id, c.ip), value or None)
        c.db.commit()  # the decision and its audit line in one transaction
    except DecisionError as e:
        c.db.rollback()
        error = str(e)
    item = views.finding_item(c.db, finding_id)
    if c.request.headers.get("hx-request"):
        return c.render("_finding.html", status_code=200 if not error else 422, it=item, error=error,
                        DECISION_LABEL=DECISION_LABEL, can_decide=True)
    return RedirectResponse(f"/units/{item.finding.unit_id}" if item.finding.unit_id else "/review", status_code=303)


@router.post("/users")
def add_user(c: Ctx = Depends(ctx), name: str = Form(""), role: str = Form(""), password: str = Form(""),
             admin_account: str = Form("")) -> Response:
    c.require("admin")
    from portal.views_audit import users_page

    try:
        auth.add_user(c.db, c.year, name, role, password, admin_account.strip() or None, c.user.name, c.ip)
        c.db.commit()
        message = f"已添加用户 {name.strip()}"
    except auth.UserError as e:
        c.db.rollback()
        message = str(e)
    return users_page(c, message)


@router.post("/users/{user_id}/active")
def set_user_active(user_id: int, c: Ctx = Depends(ctx), active: str = Form("")) -> Response:
    c.require("admin")
    from portal.views_audit import users_page
    from registry.portal_models import User

    user = c.db.get(User, user_id)
    if user is None:
        raise HTTPException(404)
    try:
        auth.set_active(c.db, user, active == "1", c.user.name, c.ip)
        c.db.commit()
        message = f"已{'启用' if active == '1' else '停用'}用户 {user.name}"
    except auth.UserError as e:
        c.db.rollback()
        message = str(e)
    return users_page(c, message)
