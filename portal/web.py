"""The portal application: per-request database session, the logged-in user, CSRF, errors in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from matching.labels import KIND, SEVERITY, STATE
from matching.status import SCAN_LABEL
from portal import auth, scope
from registry.clock import to_local
from registry.portal_models import PortalSession, User

HERE = Path(__file__).parent
COOKIE = "kptj_session"
LOGIN_CSRF_COOKIE = "kptj_login_csrf"
templates = Jinja2Templates(directory=str(HERE / "templates"))


def _local(dt: datetime | None) -> str:
    local = to_local(dt)
    return local.strftime("%Y-%m-%d %H:%M") if local is not None else ""


templates.env.filters["local"] = _local
templates.env.globals.update(KIND=KIND, SEVERITY=SEVERITY, STATE=STATE, SCAN_LABEL=SCAN_LABEL,
                             ROLE_LABEL=auth.ROLE_LABEL, DOC_STATE={"read": "已识别", "new": "待识别"})
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'")
ERROR_TEXT = {403: "您的账号无权进行此操作。", 404: "没有找到这个页面，或它不在您可查看的范围内。",
              429: "操作过于频繁，请稍后再试。", 400: "请求无效。"}


@dataclass
class Ctx:
    """One request: its database session (scoped for bureau users), user, session row and address."""
    request: Request
    db: Session
    user: User
    portal_session: PortalSession
    ip: str | None
    year: int

    def render(self, name: str, status_code: int = 200, **data: object) -> HTMLResponse:
        return templates.TemplateResponse(self.request, name, {"user": self.user,
                                                               "csrf": self.portal_session.csrf_token, **data},
                                          status_code=status_code)

    def require(self, *roles: str) -> None:
        if self.user.role not in roles:
            raise HTTPException(403)


class NotLoggedIn(Exception):
    pass


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def db_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as s:
        yield s


async def ctx(request: Request, db: Session = Depends(db_session)) -> Ctx:
    ps = auth.session_for(db, request.cookies.get(COOKIE))
    if ps is None:
        raise NotLoggedIn()
    user = ps.user
    if request.method not in ("GET", "HEAD"):
        sent = request.headers.get("x-csrf-token")
        if sent is None:
            sent = (await request.form()).get("csrf_token")
        if not auth.tokens_equal(str(sent) if sent is not None else None, ps.csrf_token):
            raise HTTPException(403, "CSRF")
    year = request.app.state.year
    if user.role == "bureau":
        scope.restrict(db, year, user.admin_account or "")
    return Ctx(request, db, user, ps, client_ip(request), year)


def create_app(sessions: sessionmaker[Session], year: int = 2024, secure_cookies: bool = False) -> FastAPI:
    from portal import actions, pages, views_audit

    scope.install(sessions)
    app = FastAPI(title="科普统计调查扫描件门户", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions, app.state.year, app.state.secure_cookies = sessions, year, secure_cookies
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (actions, pages, views_audit):
        app.include_router(module.router)

    @app.middleware("http")
    async def _headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        # only our own scripts; no framing (click-jacking of the decision forms); no sniffing
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(NotLoggedIn)
    async def _login_first(request: Request, _exc: NotLoggedIn) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _error(request: Request, exc: StarletteHTTPException) -> Response:
        text = ERROR_TEXT.get(exc.status_code, "出错了。")
        if exc.status_code == 403 and exc.detail == "CSRF":
            text = "表单已失效（缺少或错误的安全令牌），请刷新页面后重试。"
        return templates.TemplateResponse(request, "error.html", {"user": None, "text": text,
                                                                  "code": exc.status_code},
                                          status_code=exc.status_code)

    return app
