"""Log-in, sessions, rate limiting, the audit log's append-only guarantee and `kptj user add`."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from registry.clock import utc_now
from registry.db import open_db
from registry.portal_models import AuditEntry, PortalSession, User
from tests.portal.world import PASSWORD


def test_audit_log_rejects_update_and_delete_in_the_database(db_url):
    sessions = open_db(db_url)
    with sessions() as s:
        s.add(AuditEntry(at=utc_now(), user_name="x", action="login"))
        s.commit()
        for stmt in (update(AuditEntry).values(user_name="y"), text("DELETE FROM audit_log")):
            with pytest.raises(DBAPIError, match="append-only"):
                s.execute(stmt)
                s.commit()
            s.rollback()
        assert s.scalar(select(AuditEntry.user_name)) == "x"
    sessions.kw["bind"].dispose()


def test_log_in_is_rate_limited_and_every_attempt_is_logged(portal):
    c = portal.client()
    c.get("/login")
    token = c.cookies["kptj_login_csrf"]
    for _ in range(5):
        r = c.post("/login", data={"name": "staff1", "password": "wrong-password", "csrf_token": token})
        assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = c.post("/login", data={"name": "staff1", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    other = portal.client()  # the same address trying another name is refused too
    other.get("/login")
    r = other.post("/login", data={"name": "audit1", "password": PASSWORD,
                                   "csrf_token": other.cookies["kptj_login_csrf"]})
    assert r.status_code == 429
    with portal.sessions() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.user_name == "staff1"))]
    assert actions.count("login.failed") == 5 and actions.count("login.refused") == 1 and "login" not in actions


def test_log_in_form_needs_its_csrf_token(portal):
    c = portal.client()
    c.get("/login")
    r = c.post("/login", data={"name": "staff1", "password": PASSWORD})
    assert r.status_code == 403 and "kptj_session" not in c.cookies


def test_a_session_expires_and_logging_out_ends_it(portal):
    c = portal.client("staff1")
    assert c.get("/units").status_code == 200
    with portal.sessions() as s:
        s.execute(update(PortalSession).values(expires_at=utc_now() - timedelta(seconds=1)))
        s.commit()
    r = c.get("/units")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    c = portal.client("staff1")
    token = c.get("/units").text.split('"X-CSRF-Token": "')[1].split('"')[0]
    assert c.post("/logout", headers={"X-CSRF-Token": token}).status_code == 303
    assert c.get("/units").status_code == 303


def test_admin_adds_a_user_in_the_portal_and_it_is_audited(portal):
    c = portal.client("admin1")
    token = c.get("/users").text.split('"X-CSRF-Token": "')[1].split('"')[0]
    r = c.post("/users", data={"csrf_token": token, "name": "hp_wlj_user", "role": "bureau",
                               "admin_account": "hp_wlj", "password": "long-enough-1"})
    assert "已添加用户 hp_wlj_user" in r.text
    r = c.post("/users", data={"csrf_token": token, "name": "x2", "role": "bureau", "password": "long-enough-1"})
    assert "须用 --admin 指定" in r.text or "管理单位账号" in r.text
    with portal.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "user.add",
                                                                          AuditEntry.user_name == "admin1")) == 1
        staff_id = s.scalar(select(User.id).where(User.name == "staff1"))
    staff = portal.client("staff1")
    assert staff.get("/units").status_code == 200
    r = c.post(f"/users/{staff_id}/active", data={"csrf_token": token, "active": "0"})
    assert "已停用用户 staff1" in r.text
    assert staff.get("/units").status_code == 303  # the disabled user's session ended at once
    assert staff.cookies.get("kptj_session") is not None


def _kptj(home, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "kptj", "--home", str(home), *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_user_add_command(tmp_path):
    from tests.registry.builders import ROSTER_HEADER, roster_rows, write_csv

    write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows())
    assert _kptj(tmp_path, "registry", "import", str(tmp_path / "r.csv")).returncode == 0
    r = _kptj(tmp_path, "user", "add", "hp", "--role", "bureau", "--admin", "hp_kjj", "--password-stdin",
              stdin="secret-password\n")
    assert r.returncode == 0 and "已添加用户 hp" in r.stdout, r.stderr
    r = _kptj(tmp_path, "user", "add", "x", "--role", "bureau", "--password-stdin", stdin="secret-password\n")
    assert r.returncode == 2 and "--admin" in r.stdout + r.stderr and "Traceback" not in r.stderr
    r = _kptj(tmp_path, "user", "add", "y", "--role", "bureau", "--admin", "nope", "--password-stdin",
              stdin="secret-password\n")
    assert r.returncode == 2 and "没有账号 nope" in r.stdout + r.stderr
    sessions = open_db(f"sqlite:///{tmp_path / 'kptj.sqlite3'}")
    with sessions() as s:
        u = s.scalar(select(User).where(User.name == "hp"))
        assert u.admin_account == "hp_kjj" and u.password_hash.startswith("$argon2id$")


def test_demo_creates_one_user_per_role_and_says_how_to_open_the_portal(tmp_path):
    from kptj.commands.portal_cmds import DEMO_PASSWORD, demo_users
    from kptj.workspace import Workspace
    from portal.auth import password_ok
    from registry.roster_import import import_roster
    from tests.registry.builders import ROSTER_HEADER, roster_rows, write_csv

    ws = Workspace.from_options(str(tmp_path))
    with ws.session() as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows()), 2024)
        s.commit()
    text = demo_users(ws)
    assert demo_users(ws) == text  # a second demo run keeps the users
    assert "serve" in text and "http://127.0.0.1:8000/" in text and DEMO_PASSWORD in text
    with ws.session() as s:
        users = {u.name: u for u in s.scalars(select(User))}
    assert {u.role for u in users.values()} == {"staff", "bureau", "auditor", "admin"} and len(users) == 4
    assert users["demo_bureau"].admin_account == "hp_kjj" and password_ok(users["demo_staff"], DEMO_PASSWORD)
