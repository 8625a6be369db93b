"""`kptj mail preview | approve | send`: mail back to units, under staff control (issue 19).

Exit codes: 0 ok; 1 some mail failed or the server could not be reached (the rest is kept for the
next run); 2 configuration or usage error; 3 another `kptj mail send` is running.
"""

from __future__ import annotations

import getpass
import json
from datetime import date
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kptj.workspace import Workspace, workspace

console = Console()
err = Console(stderr=True)
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


class Fmt(StrEnum):
    table = "table"
    json = "json"


def _config(ws: Workspace, path: Path | None):  # noqa: ANN202 - outbox.config.MailConfig
    from outbox.config import MailConfigError, load_mail_config

    ws.sessions()  # a broken workspace or database is said first (kptj/errors.py), as by every command
    try:
        cfg = load_mail_config(ws.home, path)
    except MailConfigError as exc:
        err.print(f"[red]错误：{exc}[/red]")
        raise typer.Exit(EXIT_USAGE) from exc
    if cfg is None:
        err.print(f"[red]错误：未配置给单位发邮件：请在 {ws.home / 'mail.toml'}（或 --config 指定的文件）中写 [mail] 配置[/red]")
        raise typer.Exit(EXIT_USAGE)
    return cfg


def _when(dt) -> str:  # noqa: ANN001
    from registry.clock import to_local
    local = to_local(dt)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def register(app: typer.Typer) -> None:
    mail_app = typer.Typer(help="给填报单位和管理单位发邮件（回执、重新报送通知、催报提醒）", no_args_is_help=True)
    app.add_typer(mail_app, name="mail")
    config_opt = typer.Option(None, "--config", help="含 [mail] 的配置文件（TOML），默认 工作目录/mail.toml")

    @mail_app.command("preview")
    def preview(ctx: typer.Context, config: Path | None = config_opt,
                state: str = typer.Option("draft,approved,failed", "--state", help="列出哪些状态（逗号分隔，或 all）"),
                fmt: Fmt = typer.Option(Fmt.table, "--format", help="table / json"),
                out: Path | None = typer.Option(None, "--out", help=".eml 文件写到此文件夹"),
                today: str | None = typer.Option(None, "--today", help="按此日期起草催报提醒（YYYY-MM-DD）")) -> None:
        """起草今天应发的邮件，列出待发邮件，并把每封写成 .eml 文件供查看。"""
        from sqlalchemy import select

        from outbox.compose import build_message
        from outbox.daily import after_run
        from outbox.labels import KIND, STATE
        from outbox.smtp import write_eml
        from registry.clock import local_today
        from registry.models import Unit
        from registry.outbox_models import OutgoingMail

        ws = workspace(ctx)
        cfg = _config(ws, config)
        day = date.fromisoformat(today) if today else local_today()
        summary = after_run(ws, day, config, send=False)
        if summary is not None and summary.error:
            err.print(f"[red]{summary.as_text()}[/red]")
            raise typer.Exit(EXIT_USAGE)
        states = None if state == "all" else [x.strip() for x in state.split(",")]
        folder = out or ws.home / "outbox" / "preview" / f"{day:%Y%m%d}"
        rows, listing = [], []
        with ws.session() as s:
            q = select(OutgoingMail).order_by(OutgoingMail.id)
            if states:
                q = q.where(OutgoingMail.state.in_(states))
            for m in s.scalars(q):
                unit = s.get(Unit, m.unit_id) if m.unit_id else None
                eml = write_eml(build_message(m, cfg), folder, f"{m.id:06d}-{m.kind}") if m.recipients else None
                rows.append(m)
                listing.append({"id": m.id, "kind": m.kind, "account": unit.account if unit else None,
                                "unit": unit.name if unit else None, "recipients": m.recipients,
                                "subject": m.subject, "state": m.state, "attempts": m.attempts,
                                "smtp_answer": m.smtp_answer, "message_id": m.message_id,
                                "eml": str(eml) if eml else None})
        if fmt == Fmt.json:
            typer.echo(json.dumps(listing, ensure_ascii=False, indent=1))
            return
        t = Table(title=f"待发及失败邮件（{len(listing)} 封）")
        for h in ("编号", "类型", "单位", "收件人", "主题", "状态", "尝试", "服务器应答"):
            t.add_column(h)
        for x in listing:
            t.add_row(str(x["id"]), KIND.get(x["kind"], x["kind"]), x["unit"] or "", "、".join(x["recipients"]) or
                      "[red]无可用邮箱[/red]", x["subject"], STATE.get(x["state"], x["state"]), str(x["attempts"]),
                      (x["smtp_answer"] or "")[:60])
        console.print(t)
        no_addr = [x for x in listing if not x["recipients"]]
        if no_addr:
            console.print(f"[yellow]{len(no_addr)} 封没有可用邮箱，无法发送，请电话联系或在单位名单中补充电子邮箱：[/yellow]"
                          + "、".join(f"{x['unit']}（{x['account']}）" for x in no_addr if x["unit"]))
        if any(x["recipients"] for x in listing):
            console.print(f".eml 文件已写入 {folder}")

    @mail_app.command("approve")
    def approve(ctx: typer.Context,
                all_: bool = typer.Option(False, "--all", help="批准全部待批准邮件"),
                kind: str | None = typer.Option(None, "--kind", help="只批准此类：receipt / rescan / reminder / admin_reminder"),
                unit: str | None = typer.Option(None, "--unit", help="只批准发给此单位（账号）的邮件"),
                admin: str | None = typer.Option(None, "--admin", help="只批准此管理单位（账号）及其下属单位的邮件"),
                ids: list[int] = typer.Option([], "--id", help="按编号批准（可多次给出；也可重新批准发送失败的邮件）"),
                by: str | None = typer.Option(None, "--by", help="批准人（默认当前登录用户名）")) -> None:
        """批准邮件（全部，或按类型、单位、管理单位、编号），批准后由 kptj mail send 发出。"""
        from sqlalchemy import select

        from registry.clock import utc_now
        from registry.models import Unit
        from registry.outbox_models import OutgoingMail
        from registry.tree import UnknownAccount, subtree

        ws = workspace(ctx)
        if not (all_ or kind or unit or admin or ids):
            err.print("[red]错误：请指定 --all、--kind、--unit、--admin 或 --id[/red]")
            raise typer.Exit(EXIT_USAGE)
        who = by or getpass.getuser()
        approved, skipped = 0, []
        with ws.sessions().begin() as s:
            q = select(OutgoingMail).order_by(OutgoingMail.id)
            q = q.where(OutgoingMail.id.in_(ids)) if ids else q.where(OutgoingMail.state == "draft")
            if kind:
                q = q.where(OutgoingMail.kind == kind)
            scope: set[int] | None = None
            try:
                if unit:
                    scope = {u.id for u in s.scalars(select(Unit).where(Unit.year == ws.year, Unit.account == unit))}
                    if not scope:
                        raise UnknownAccount(unit)
                if admin:
                    scope = (scope or set()) | {u.id for u in subtree(s, ws.year, admin)}
            except UnknownAccount as exc:
                err.print(f"[red]单位名单中没有账号 {exc.args[0]}[/red]")
                raise typer.Exit(EXIT_USAGE) from exc
            for m in s.scalars(q):
                if scope is not None and m.unit_id not in scope:
                    continue
                if m.state not in ("draft", "failed"):
                    continue
                if not m.recipients:
                    skipped.append(m)
                    continue
                m.state, m.approved_at, m.approved_by = "approved", utc_now(), who
                m.next_attempt_at, m.permanent = None, False
                approved += 1
        console.print(f"已批准 {approved} 封（批准人：{who}），用 kptj mail send 发出")
        if skipped:
            console.print(f"[yellow]{len(skipped)} 封没有可用邮箱，不能批准：编号 "
                          + "、".join(str(m.id) for m in skipped) + "[/yellow]")

    @mail_app.command("send")
    def send(ctx: typer.Context, config: Path | None = config_opt,
             dry_run: bool = typer.Option(False, "--dry-run", help="不发送，只把邮件写成 .eml 文件"),
             limit: int | None = typer.Option(None, "--limit", help="本次最多发送几封")) -> None:
        """发送已批准的邮件（每封只发一次；临时失败稍后重试，永久失败不再重试并列出）。"""
        from outbox.config import MailConfigError
        from outbox.sending import SendBusy, send_approved

        ws = workspace(ctx)
        cfg = _config(ws, config)
        try:
            with console.status("正在发送…") as status:
                rep = send_approved(ws, cfg, dry_run=dry_run, limit=limit, progress=lambda m: status.update(m))
        except SendBusy as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(EXIT_BUSY) from exc
        except MailConfigError as exc:
            err.print(f"[red]错误：{exc}[/red]")
            raise typer.Exit(EXIT_USAGE) from exc
        if rep.dry_run_files:
            console.print(f"试运行：{len(rep.dry_run_files)} 封邮件已写成 .eml 文件，未发送：{rep.dry_run_files[0].parent}")
            raise typer.Exit(EXIT_OK)
        console.print(f"已发送 {rep.sent} 封；稍后重试 {rep.retry_later} 封；发送失败 {rep.failed} 封")
        if rep.recovered_sent or rep.recovered_resend or rep.pending_check or rep.uncertain:
            console.print(f"上次发送中断的邮件：确认已发出 {rep.recovered_sent} 封，重新发送 {rep.recovered_resend} 封，"
                          f"稍后再核对 {rep.pending_check} 封，需人工核实 {rep.uncertain} 封")
        if rep.stopped:
            err.print(f"[red]发送中止：{rep.stopped}；未发的邮件下次继续[/red]")
        if rep.failed or rep.stopped or rep.uncertain:
            console.print("发送失败的邮件见 kptj mail preview --state failed")
            raise typer.Exit(EXIT_FAILED)
