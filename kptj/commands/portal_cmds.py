"""`kptj serve` (the web portal) and `kptj user add` (portal users)."""

from __future__ import annotations

import sys

import typer

from kptj import terminal
from kptj.errors import UsageProblem
from kptj.workspace import Workspace, workspace

console = terminal.console()


def create_user(ws: Workspace, name: str, role: str, password: str, admin: str | None, by: str) -> None:
    """Add one portal user, or a usage error with a Chinese message (kptj/errors.py, exit 2)."""
    from portal.auth import UserError, add_user

    with ws.session() as s:
        try:
            add_user(s, ws.year, name, role, password, admin, by=by)
            s.commit()
        except UserError as e:
            raise UsageProblem(str(e)) from None


DEMO_PASSWORD = "kptj-demo-2024"


def demo_users(ws: Workspace) -> str:
    """One demo user per role (idempotent) and how to open the portal: the demo's closing lines."""
    from sqlalchemy import select

    from portal.auth import add_user
    from registry.models import Unit
    from registry.portal_models import User

    with ws.session() as s:
        # the bureau user gets the administrator with the largest direct subtree (a district bureau)
        admins = [a for a, in s.execute(select(Unit.admin_id).where(Unit.year == ws.year, Unit.admin_id.is_not(None)))]
        top = max(set(admins), key=admins.count) if admins else None
        bureau = s.get(Unit, top).account if top else None
        users = [("demo_staff", "staff", None), ("demo_auditor", "auditor", None), ("demo_admin", "admin", None)]
        users += [("demo_bureau", "bureau", bureau)] if bureau else []
        for name, role, admin in users:
            if s.scalar(select(User).where(User.name == name)) is None:
                add_user(s, ws.year, name, role, DEMO_PASSWORD, admin, by="kptj demo")
        s.commit()
    names = "、".join(n for n, _, _ in users)
    return (f"  打开网页门户：  kptj --home {ws.home} serve，然后在浏览器打开 http://127.0.0.1:8000/\n"
            f"  演示用户：      {names}（密码均为 {DEMO_PASSWORD}；"
            + (f"demo_bureau 只能看到 {bureau} 及其下属单位）" if bureau else "）"))


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(help="门户用户", no_args_is_help=True)
    app.add_typer(user_app, name="user")

    @app.command("serve")
    def serve(ctx: typer.Context, host: str = typer.Option("127.0.0.1", "--host", help="监听地址"),
              port: int = typer.Option(8000, "--port", help="端口"),
              secure_cookies: bool = typer.Option(False, "--secure-cookies",
                                                  help="仅通过 HTTPS 发送登录 Cookie（在 HTTPS 反向代理后使用）")) -> None:
        """启动网页门户（研究所工作人员、区局/市级部门、审计人员）。"""
        import uvicorn

        from portal.web import create_app

        ws = workspace(ctx)
        app_ = create_app(ws.sessions(), ws.year, secure_cookies=secure_cookies)
        console.print(f"门户已启动：http://{host}:{port}/ （Ctrl-C 停止）")
        uvicorn.run(app_, host=host, port=port, log_level="warning", proxy_headers=False)

    @user_app.command("add")
    def user_add(ctx: typer.Context, name: str = typer.Argument(..., help="用户名"),
                 role: str = typer.Option(..., "--role", help="staff / bureau / auditor / admin"),
                 admin: str | None = typer.Option(None, "--admin", help="管理单位账号（bureau 用户必填）"),
                 password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取密码")) -> None:
        """添加门户用户。密码经 argon2 散列后保存。"""
        ws = workspace(ctx)
        ws.sessions()  # a broken workspace is said before asking for a password (kptj/errors.py)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
        create_user(ws, name, role, password, admin, by="命令行")
        console.print(f"已添加用户 {name}（{role}{'，' + admin if admin else ''}）")
