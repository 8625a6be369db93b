"""`kptj worker`: read pages for `kptj run --executor celery` on this machine (Celery + Redis)."""

from __future__ import annotations

import logging
import os

import typer

from kptj import terminal
from kptj.errors import UsageProblem
from kptj.workspace import workspace

console = terminal.console()


def broker_url(broker: str | None) -> str:
    url = broker or os.environ.get("KPTJ_BROKER")
    if not url:
        raise UsageProblem("请用 --broker 或环境变量 KPTJ_BROKER 给出消息队列地址，如 redis://主机:6379/0")
    return url


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(ctx: typer.Context,
               broker: str | None = typer.Option(None, "--broker", help="消息队列地址（Redis），默认取 KPTJ_BROKER"),
               concurrency: int = typer.Option(os.cpu_count() or 1, "--concurrency", "-c", help="识别进程数（默认 CPU 核数）"),
               name: str | None = typer.Option(None, "--name", help="工作进程名称（默认 kptj@主机名）")) -> None:
        """识别工作进程：从消息队列领取页面，识别后写入数据库。工作目录须与 kptj run 共享同一路径（如 NFS），数据库用 --db 指向同一个 PostgreSQL。"""
        from kptj.dist import serve

        ws = workspace(ctx)
        url = broker_url(broker)
        ws.sessions()  # a broken workspace or unreachable database is said first (kptj/errors.py)
        if not ws.url.startswith("postgresql"):
            raise UsageProblem("识别工作进程需要与 kptj run 共用的 PostgreSQL 数据库，请用 --db 或 KPTJ_DB 指定")
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
        from sqlalchemy.exc import OperationalError

        console.print(f"识别工作进程启动：队列 {url}，数据库 {ws.url.split('@')[-1]}，{concurrency} 个识别进程")
        try:
            serve(ws, url, concurrency, hostname=name)
        except OperationalError as e:  # the database is down or the URL is wrong: say so, no traceback
            console.print(f"[red]错误：无法连接数据库 {ws.url.split('@')[-1]}：{str(e.orig).strip()[:200]}[/red]")
            raise typer.Exit(1) from e
