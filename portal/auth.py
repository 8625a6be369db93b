"""Users, passwords, server-side sessions, CSRF tokens and log-in rate limiting.

Passwords: argon2id (argon2-cffi). Sessions: a random token in an HttpOnly cookie, only its sha256
in the database, with an expiry. CSRF: each session has its own token, sent back by every form
(hidden field) and every HTMX request (header); the log-in form, which has no session yet, uses a
double-submit cookie. Log-in attempts: too many failures for a name or an address in a window are
refused before the password is checked. Every log-in, failure and user change goes to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from registry.clock import utc_now
from registry.portal_models import ROLES, AuditEntry, PortalSession, User
from registry.tree import UnknownAccount, subtree

SESSION_HOURS = 8
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5  # per user name and per address within LOGIN_WINDOW
ROLE_LABEL = {"staff": "研究所工作人员", "bureau": "管理单位（区局/市级部门）", "auditor": "审计人员",
              "admin": "系统管理员"}
_hasher = PasswordHasher()


class UserError(ValueError):
    """A user that cannot be created as asked; the message is Chinese."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_ok(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def audit(session: Session, action: str, user_name: str | None, ip: str | None, target: str | None = None,
          reason: str | None = None, unit_id: int | None = None, **detail: object) -> None:
    session.add(AuditEntry(at=utc_now(), user_name=user_name, ip=ip, action=action, target=target,
                           reason=reason, unit_id=unit_id, detail=detail or None))


def add_user(session: Session, year: int, name: str, role: str, password: str, admin_account: str | None,
             by: str, ip: str | None = None) -> User:
    """Create a user (the caller commits). A bureau user must name an existing administrator account."""
    name = name.strip()
    if not name or len(name) > 64:
        raise UserError("用户名不能为空，且不超过 64 个字符")
    if role not in ROLES:
        raise UserError("角色应为 staff / bureau / auditor / admin 之一")
    if len(password) < 8:
        raise UserError("密码至少 8 个字符")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise UserError(f"用户 {name} 已存在")
    if role == "bureau":
        if not admin_account:
            raise UserError("管理单位用户须用 --admin 指定其管理单位账号")
        try:
            subtree(session, year, admin_account)
        except UnknownAccount:
            raise UserError(f"单位名单中没有账号 {admin_account}") from None
    elif admin_account:
        raise UserError("只有管理单位用户绑定管理单位账号")
    user = User(name=name, role=role, admin_account=admin_account, password_hash=hash_password(password),
                active=True)
    session.add(user)
    session.flush()
    audit(session, "user.add", by, ip, target=f"user:{name}", role=role, admin=admin_account)
    return user


def set_active(session: Session, user: User, active: bool, by: str, ip: str | None) -> None:
    """Enable or disable a user; disabling ends the user's sessions at once (the caller commits)."""
    if user.name == by and not active:
        raise UserError("不能停用自己的账号")
    user.active = active
    if not active:
        for ps in session.scalars(select(PortalSession).where(PortalSession.user_id == user.id)):
            session.delete(ps)
    audit(session, "user.enable" if active else "user.disable", by, ip, target=f"user:{user.name}")


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def too_many_failures(session: Session, name: str, ip: str | None, now: datetime | None = None) -> bool:
    since = (now or utc_now()) - LOGIN_WINDOW
    who = [AuditEntry.user_name == name] + ([AuditEntry.ip == ip] if ip else [])
    base = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "login.failed", AuditEntry.at >= since)
    return any((session.scalar(base.where(w)) or 0) >= LOGIN_MAX_FAILURES for w in who)


def log_in(session: Session, name: str, password: str, ip: str | None) -> tuple[User | None, str | None, str]:
    """(user, cookie token, message). Records the attempt; the caller commits."""
    if too_many_failures(session, name, ip):
        audit(session, "login.refused", name, ip, reason="尝试次数过多")
        return None, None, f"登录失败次数过多，请 {LOGIN_WINDOW.seconds // 60} 分钟后再试"
    user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
    if user is None or not password_ok(user, password):
        audit(session, "login.failed", name, ip)
        return None, None, "用户名或密码错误"
    token, now = secrets.token_urlsafe(32), utc_now()
    session.add(PortalSession(token_sha256=_sha(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                              ip=ip, created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
    audit(session, "login", user.name, ip)
    return user, token, "已登录"


def session_for(session: Session, token: str | None) -> PortalSession | None:
    """The live session behind a cookie token, None when unknown or expired."""
    if not token:
        return None
    ps = session.scalar(select(PortalSession).where(PortalSession.token_sha256 == _sha(token)))
    if ps is None or ps.expires_at <= utc_now() or not ps.user.active:
        return None
    return ps


def log_out(session: Session, ps: PortalSession, ip: str | None) -> None:
    audit(session, "logout", ps.user.name, ip)
    session.delete(ps)
    # expired sessions of anyone are swept here rather than by a separate job
    for old in session.scalars(select(PortalSession).where(or_(PortalSession.expires_at <= utc_now()))):
        session.delete(old)


def tokens_equal(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
