"""`kptj serve` (the web portal) and `kptj user add` (portal users)."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from kptj.workspace import Workspace, workspace

console = Console()
err = Console(stderr=True)
EXIT_USAGE = 2


def create_user(ws: Workspace, name: str, role: str, password: str, admin: str | None, by: str) -> None:
    """Add one portal user, or exit with a Chinese message (code 2)."""
    from portal.auth import UserError, add_user

    with ws.session() as s:
        try:
            add_user(s, ws.year, name, role, password, admin, by=by)
            s.commit()
        except UserError as e:
            err.print(f"[red]错误：{e}[/red]")
            raise typer.Exit(EXIT_USAGE) from None


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
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
        create_user(workspace(ctx), name, role, password, admin, by="命令行")
        console.print(f"已添加用户 {name}（{role}{'，' + admin if admin else ''}）")
