"""`kptj intake` (pull mail) and `kptj messages` (what arrived)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from kptj import terminal
from kptj.errors import UsageProblem
from kptj.workspace import workspace

# intake's modules are imported inside the commands: `kptj` starts faster for every other command.


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main app."""
    app.command("intake", help="从邮箱或本地文件夹收取邮件，存档原件并拆分、识别附件")(intake_command)
    app.command("messages", help="列出已收到的邮件及其附件")(messages_command)


def intake_command(
    ctx: typer.Context,
    source: list[str] = typer.Option(
        [], "--source", "-s",
        help="来源：imaps://用户@服务器:端口/文件夹、imap://…（STARTTLS）、maildir:路径、.eml 文件夹，或配置中的账户名"),
    config: Path | None = typer.Option(None, "--config", help="账户配置文件（TOML）"),
    ca_file: Path | None = typer.Option(None, "--ca-file", help="自定义 CA 证书（PEM），用于校验服务器证书"),
    password_env: str | None = typer.Option(None, "--password-env", help="存放邮箱密码的环境变量名（默认 KPTJ_IMAP_PASSWORD）"),
    password_file: Path | None = typer.Option(None, "--password-file", help="存放邮箱密码的文件"),
    action: str | None = typer.Option(None, "--action", help="处理后动作：move:文件夹（默认 move:Processed）、flag:\\Seen 或 none"),
    retry_errors: bool = typer.Option(False, "--retry-errors", help="已多次失败的邮件再重试（排除原因后使用）"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示逐封进度"),
) -> None:
    from intake import SourceError, load_accounts, parse_source, run_intake
    from intake.lock import IntakeBusy

    ws = workspace(ctx)
    console = terminal.console()
    try:
        accounts = load_accounts(config) if config else {}
        specs = []
        for item in source or list(accounts):
            if item in accounts:
                specs.append(accounts[item])
            else:
                specs.append(parse_source(item, ca_file=ca_file, password_env=password_env,
                                          password_file=password_file, action=action))
    except SourceError as exc:
        raise UsageProblem(str(exc)) from exc  # printed by kptj.errors, exit 2
    if not specs:
        raise UsageProblem("请用 --source 指定至少一个来源，或用 --config 给出账户配置")

    def observe(event: str, data: dict) -> None:
        if event == "source_error":
            console.print(f"[red]来源 {data['source']} 出错：{data['error']}[/red]")
        elif event == "error":
            console.print(f"[yellow]邮件 #{data['message']} 处理失败：{data['error']}[/yellow]")
        elif event == "uidvalidity_changed":
            console.print(f"[yellow]{data['source']} 的 UIDVALIDITY 已变化，按内容去重后重新收取[/yellow]")
        elif event == "disconnected":
            console.print(f"[yellow]与 {data['source']} 的连接中断，正在重连…[/yellow]")
        elif event == "archived" and not quiet:
            console.print(f"已存档 {data['sha256'][:12]}（UID {data['uid']}）")

    try:
        report = run_intake(ws, specs, observer=observe, retry_errors=retry_errors)
    except IntakeBusy as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(3) from exc
    for r in report.sources:
        line = f"{r.source}：新收 {r.archived} 封，处理 {r.processed} 封，完成 {r.done} 封，失败 {r.failed} 封"
        console.print(line if r.error is None else f"[red]{line}；错误：{r.error}[/red]")
    if not report.ok:
        raise typer.Exit(1)


def messages_command(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", help="table 或 json"),
) -> None:
    from intake import message_listing
    from intake.listing import CLASS_TEXT, STATE_TEXT, STATUS_TEXT

    ws = workspace(ctx)
    with ws.session() as s:
        rows = message_listing(s)
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(show_lines=True)
    for col in ("编号", "存档号", "发件人", "主题", "日期", "状态", "分类", "附件"):
        table.add_column(col)
    for m in rows:
        atts = "\n".join(
            f"{a['name'] or '(无文件名)'}"
            + (f"（来自 {a['from']}）" if a["from"] else "")
            + f" [{a['detected_type'] or '-'}] {STATUS_TEXT.get(a['status'], a['status'])}"
            + (f" {a['sha256'][:12]}" if a["sha256"] else "")
            for a in m["attachments"]) or "—"
        state = STATE_TEXT.get(m["state"], m["state"])
        if m["error"]:
            state += f"\n{m['error'][:80]}（已尝试 {m['attempts']} 次）"
        table.add_row(str(m["id"]), m["archive_id"][:12], m["sender"] or "", m["subject"] or "",
                      (m["date"] or "")[:16], state, CLASS_TEXT.get(m["classification"] or "", ""), atts)
    terminal.console().print(table)
