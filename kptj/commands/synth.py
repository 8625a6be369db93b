"""`kptj synth`: generate the synthetic survey world (roster, records, mailbox, ground truth)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add `kptj synth` to the main app."""

    @app.command("synth")
    def synth_cmd(
        units: int = typer.Option(300, "--units", min=50, max=20000, help="单位数（50–20000）"),
        seed: int = typer.Option(1, "--seed", help="随机种子：同一种子生成完全相同的数据"),
        out: Path = typer.Option(Path("./kptj-synth"), "--out", help="输出目录"),
        workers: int = typer.Option(0, "--workers", help="渲染扫描件的进程数，0 = CPU 核数"),
        fmt: str = typer.Option("table", "--format", help="table | json"),
        printer: str = typer.Option("", "--printer",
                                    help="打印方式：reportlab | mixed（约 40% 由 Chromium 打印）| chromium；"
                                         "默认取环境变量 KPTJ_SYNTH_PRINTERS，否则 reportlab"),
    ) -> None:
        """生成模拟的调查世界：roster.xlsx、records.xlsx、mail/*.eml、truth.json、pages.jsonl。"""
        from synth.world import build_world, check_printers

        if printer:
            try:
                chromium_share = check_printers(printer)
            except ValueError as e:   # unknown mix, or chromium asked for and not installed
                typer.echo(f"错误：{e}", err=True)
                raise typer.Exit(2) from e
            if printer == "mixed" and chromium_share == 0.0:
                # the library prints a mix without Chromium all by reportlab; whoever asked for the
                # mix here is told, or a one-path world passes for a two-path one
                typer.echo("注意：未安装 Chromium（apt-get install chromium），本次全部由 reportlab 打印", err=True)
        t0 = time.time()
        quiet = fmt == "json"
        log = (lambda s: None) if quiet else (lambda s: typer.echo(s, err=True))
        if not quiet:
            typer.echo(f"正在生成 {units} 个单位的模拟数据（种子 {seed}）→ {out}", err=True)
        truth = build_world(units, seed, out, workers=workers or None, log=log, printers=printer or None)
        st = truth["stats"]
        summary = {"out": str(out), "units": units, "seed": seed, "messages": st["messages"],
                   "documents": st["documents"], "pages": st["pages_rendered"], "printed_by": st["printed_by"],
                   "mail_mb": round(st["mail_bytes"] / 1e6, 1), "faults": st["fault_kinds"],
                   "seconds": round(time.time() - t0, 1)}
        if quiet:
            typer.echo(json.dumps(summary, ensure_ascii=False))
            return
        typer.echo(f"完成：{summary['messages']} 封邮件，{summary['documents']} 份扫描件（{summary['pages']} 页），"
                   f"邮件共 {summary['mail_mb']} MB，用时 {summary['seconds']} 秒")
        typer.echo("打印方式：" + "，".join(f"{k} {v} 份" for k, v in sorted(summary["printed_by"].items())))
        typer.echo("注入的问题：" + "，".join(f"{k} {v}" for k, v in sorted(st["fault_kinds"].items())))
        typer.echo(f"文件：{out}/roster.xlsx  {out}/records.xlsx  {out}/mail/  {out}/truth.json  {out}/pages.jsonl")
