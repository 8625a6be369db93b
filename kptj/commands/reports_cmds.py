"""`kptj status`, `kptj findings`, `kptj report daily`: what staff, bureaus and auditors read."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from kptj import terminal
from kptj.workspace import Workspace, workspace
from registry.clock import local_today

# The report modules (openpyxl, Pillow, SQL queries) are imported inside each command so that
# `kptj run` and `kptj --help` do not pay for them at start-up.

console = terminal.console()
err = terminal.console(stderr=True)


class StatusFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


class FindingsFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"
    html = "html"


def _day(value: str | None) -> date | None:
    """--date / --today: a calendar day, or a usage error in Chinese (exit 2)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"“{value}”不是有效日期，应为 YYYY-MM-DD，例如 2025-06-30") from None


def _kind(value: str | None) -> str | None:
    """--kind: one of the finding kinds the README lists, else a usage error (not an empty list)."""
    from matching.labels import KIND

    if value is not None and value not in KIND:
        raise typer.BadParameter(f"没有“{value}”这种问题类型，可选：" + "、".join(KIND))
    return value


def _emit(text: str, out: Path | None) -> None:
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        console.print(f"已写入 {out}")
    else:
        typer.echo(text)


def _default_out(ws: Workspace, stem: str, suffix: str) -> Path:
    return ws.reports_dir / f"{stem}-{local_today():%Y%m%d}.{suffix}"


def _print_table(title: str, headers: list[str], rows: list[list]) -> None:
    t = Table(title=title, show_lines=False)
    for h in headers:
        t.add_column(h)
    for r in rows:
        t.add_row(*(str(c) for c in r))
    console.print(t)


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(help="报告", no_args_is_help=True)
    app.add_typer(report_app, name="report")

    @app.command("status")
    def status(ctx: typer.Context,
               admin: str | None = typer.Option(None, "--admin", help="只看该管理单位（账号）的下属单位"),
               fmt: StatusFormat = typer.Option(StatusFormat.table, "--format", help="table / json / xlsx"),
               out: Path | None = typer.Option(None, "-o", "--output", help="输出文件"),
               today: str | None = typer.Option(None, "--today", callback=_day,
                                                help="按此日期计算逾期天数（YYYY-MM-DD）")) -> None:
        """各单位扫描件状态（未收到 / 已收到待核 / 有问题 / 合格）。"""
        from matching.reports import STATUS_HEADERS, status_cells, to_json, write_xlsx
        from matching.status import admin_summaries, unit_statuses
        from registry.tree import UnknownAccount

        ws = workspace(ctx)
        day = today  # already a date (callback _day)
        with ws.session() as s:
            try:
                sts = unit_statuses(s, ws.year, admin, today=day)
            except UnknownAccount:
                err.print(f"单位名单中没有账号 {admin}")
                raise typer.Exit(2) from None
            if fmt == StatusFormat.json:
                _emit(to_json([x.as_json() for x in sts]), out)
                return
            rows = [status_cells(x) for x in sts]
            summaries = admin_summaries(s, ws.year, sts)
            if fmt == StatusFormat.xlsx:
                summary_rows = [[a.admin.account, a.admin.name, a.total, *a.counts.values(),
                                 "、".join(u.name for u in a.missing)] for a in summaries]
                path = write_xlsx(out or _default_out(ws, f"status-{admin or 'all'}", "xlsx"), [
                    ("扫描件状态", STATUS_HEADERS, rows),
                    ("按管理单位汇总", ["管理单位账号", "管理单位", "下属单位数", "未收到", "已收到待核", "有问题", "合格",
                                 "未收到的单位"], summary_rows)])
                console.print(f"已写入 {path}")
                return
            _print_table(f"扫描件状态（{len(rows)} 个单位）", STATUS_HEADERS, rows)
            missing = [x for x in sts if x.scan == "missing"]
            console.print(f"未收到 {len(missing)} 个：" + "、".join(x.unit.name for x in missing[:50]))

    @app.command("findings")
    def findings(ctx: typer.Context,
                 admin: str | None = typer.Option(None, "--admin", help="只看该管理单位（账号）的下属单位"),
                 kind: str | None = typer.Option(None, "--kind", callback=_kind, help="问题类型，如 figure_mismatch"),
                 fmt: FindingsFormat = typer.Option(FindingsFormat.table, "--format", help="table / json / xlsx / html"),
                 out: Path | None = typer.Option(None, "-o", "--output", help="输出文件"),
                 all_: bool = typer.Option(False, "--all", help="包括已解决的问题")) -> None:
        """问题清单（网上数据与纸质报表不一致、缺章、缺签字、缺页等）。"""
        from matching.reports import (
            FINDING_HEADERS,
            finding_cells,
            finding_rows,
            findings_html,
            to_json,
            write_xlsx,
        )
        from registry.tree import UnknownAccount

        ws = workspace(ctx)
        with ws.session() as s:
            try:
                rows = finding_rows(s, ws.year, admin, kind, include_resolved=all_)
            except UnknownAccount:
                err.print(f"单位名单中没有账号 {admin}")
                raise typer.Exit(2) from None
            title = "科普统计调查表问题清单" + (f"（{admin}）" if admin else "")
            if fmt == FindingsFormat.json:
                _emit(to_json([r.as_json() for r in rows]), out)
            elif fmt == FindingsFormat.xlsx:
                path = write_xlsx(out or _default_out(ws, f"findings-{admin or 'all'}", "xlsx"),
                                  [("问题清单", FINDING_HEADERS, [finding_cells(r) for r in rows])])
                console.print(f"已写入 {path}")
            elif fmt == FindingsFormat.html:
                path = out or _default_out(ws, f"findings-{admin or 'all'}", "html")
                _emit(findings_html(rows, title), path)
            else:
                _print_table(f"{title}（{len(rows)} 条）", FINDING_HEADERS, [finding_cells(r) for r in rows])

    @report_app.command("daily")
    def daily(ctx: typer.Context, day: str | None = typer.Option(None, "--date", callback=_day, help="日期 YYYY-MM-DD（按 KPTJ_TZ 时区，默认北京时间），默认今天"),
              fmt: StatusFormat = typer.Option(StatusFormat.table, "--format", help="table / json"),
              out: Path | None = typer.Option(None, "-o", "--output")) -> None:
        """每日收取报告：当天收到什么、识别了什么、发现什么问题、各管理单位还缺哪些。"""
        from matching.daily import daily_report
        from matching.reports import to_json

        ws = workspace(ctx)
        d = day or local_today()  # a local (KPTJ_TZ) calendar day (callback _day parsed it)
        with ws.session() as s:
            rep = daily_report(s, ws.year, d)
        if fmt == StatusFormat.json:
            _emit(to_json([rep.as_json()]), out)
        else:
            _emit(rep.as_text(), out)
