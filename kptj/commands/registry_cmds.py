"""`kptj registry import`, `kptj records import`, `kptj audit`, `kptj units`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.tree import Tree

from kptj import terminal
from kptj.workspace import workspace
from registry.problems import ImportRejected, ImportResult
from registry.template import TemplateError, default_template

console = terminal.console()
err_console = terminal.console(stderr=True)


class OutFormat(StrEnum):
    table = "table"
    json = "json"


def _report(result: ImportResult, what: str) -> None:
    console.print(f"{what}导入完成（批次 {result.batch_id}）：共 {result.rows_total} 行，新增 {result.created}，"
                  f"变更 {result.changed}，未变 {result.unchanged}，跳过 {result.skipped}")
    for p in result.problems:
        console.print(str(p), markup=False)


def _rejected(e: ImportRejected) -> None:
    for p in e.problems:
        err_console.print(str(p), markup=False)
    err_console.print(str(e), markup=False)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    registry_app = typer.Typer(help="单位名单", no_args_is_help=True)
    records_app = typer.Typer(help="网上填报数据", no_args_is_help=True)
    app.add_typer(registry_app, name="registry")
    app.add_typer(records_app, name="records")

    @registry_app.command("import")
    def registry_import(ctx: typer.Context, file: Path,
                        skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows", help="跳过有错误的行，导入其余行")) -> None:
        """导入单位名单（XLSX 或 CSV：UTF-8 / GBK）。"""
        from registry.roster_import import import_roster

        ws = workspace(ctx)
        with ws.session() as s:
            try:
                _report(import_roster(s, file, ws.year, skip_bad_rows), "单位名单")
            except ImportRejected as e:
                _rejected(e)

    @records_app.command("import")
    def records_import(ctx: typer.Context, file: Path,
                       skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows", help="跳过有错误的行，导入其余行")) -> None:
        """导入网上填报数据（XLSX 或 CSV：UTF-8 / GBK）。"""
        from matching.recheck import flag_changes_after_scan
        from registry.records_import import import_records

        ws = workspace(ctx)
        template = _template(ws.year)
        with ws.session() as s:
            try:
                result = import_records(s, file, template, ws.year, skip_bad_rows)
            except ImportRejected as e:
                _rejected(e)
            _report(result, "网上填报数据")
            flagged = flag_changes_after_scan(s, result.batch_id, ws.year)
            if flagged:
                console.print(f"有 {flagged} 项数据在扫描件核对之后被修改，已记为问题（record_changed_after_scan）")

    @app.command("audit")
    def audit(ctx: typer.Context) -> None:
        """按表式审核规则检查网上填报数据，记录问题（rule_violation）。"""
        from matching.audit import audit_records

        ws = workspace(ctx)
        template = _template(ws.year)
        with ws.session() as s:
            r = audit_records(s, template, ws.year)
        console.print(f"审核完成：检查 {r.records} 份网上数据，发现 {r.violations} 处违反审核规则"
                      f"（新增 {r.added}，已更正 {r.resolved}）")

    @app.command("units")
    def units(ctx: typer.Context,
              admin: str | None = typer.Option(None, "--admin", help="只显示该管理单位（账号）及其下属单位"),
              fmt: OutFormat = typer.Option(OutFormat.table, "--format", help="table（表格）或 json")) -> None:
        """显示单位树，或某一管理单位的下属单位。"""
        from registry.tree import UnknownAccount, load_tree, subtree

        ws = workspace(ctx)
        with ws.session() as s:
            if admin:
                try:
                    rows = subtree(s, ws.year, admin)
                except UnknownAccount:
                    err_console.print(f"单位名单中没有账号 {admin}")
                    raise typer.Exit(2) from None
            else:
                roots, index = load_tree(s, ws.year)
                rows = [n.unit for n in index.values()]
            by_id = {u.id: u for u in rows}
            if fmt == OutFormat.json:
                data = [{"account": u.account, "unit": u.name, "uscc": u.uscc, "type": u.unit_type,
                         "district": u.district, "admin": u.admin.account if u.admin else None,
                         "is_venue": u.is_venue, "owner": u.owner.account if u.owner else None} for u in rows]
                typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
                return
            if not rows:
                console.print("单位名单为空，请先运行 kptj registry import")
                return
            top = [u for u in rows if u.admin_id not in by_id]
            tree = Tree(f"单位树（{len(rows)} 个单位）")
            children: dict[int, list] = {}
            for u in rows:
                children.setdefault(u.admin_id or 0, []).append(u)
            def add(branch: Tree, u) -> None:  # noqa: ANN001
                label = f"{u.name}  [dim]{u.account} {u.uscc} {u.unit_type or ''}{' 科普场馆' if u.is_venue else ''}[/]"
                b = branch.add(label)
                for c in sorted(children.get(u.id, []), key=lambda x: x.account):
                    add(b, c)
            for u in sorted(top, key=lambda x: x.account):
                add(tree, u)
            console.print(tree)


def _template(year: int):  # noqa: ANN202
    try:
        return default_template(year)
    except TemplateError as e:
        err_console.print(str(e))
        raise typer.Exit(2) from None



