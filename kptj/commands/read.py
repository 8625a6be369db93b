"""`kptj read FILE`: read one scan (PDF or image) and print unit identity and figures."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from kptj import terminal
from kptj.workspace import workspace

console = terminal.console()
err_console = terminal.console(stderr=True)


class OutFormat(StrEnum):
    table = "table"
    json = "json"


def _doc_json(doc) -> dict:  # noqa: ANN001
    return {
        "unit_name": doc.unit_name, "uscc": doc.uscc, "page_total": doc.page_total, "print_time": doc.print_time,
        "missing_pages": doc.missing_pages, "repeated_pages": doc.repeated_pages, "problems": doc.problems,
        "pages": [{
            "source": p.source, "index": p.index, "page_no": p.identity.page_no, "page_total": p.identity.page_total,
            "rotation": p.rotation, "skew": p.skew, "method": p.method, "unit_name": p.identity.unit_name,
            "uscc": p.identity.uscc, "uscc_text": p.identity.uscc_text, "print_time": p.identity.print_time,
            "image_path": p.image_path, "seconds": p.seconds, "problems": p.problems,
            "seal": None if p.seal is None else {"status": p.seal.status, "score": p.seal.score,
                                                 "box": list(p.seal.box) if p.seal.box else None},
            "signatures": None if p.signatures is None else {
                role: {"status": r.status, "score": r.score} for role, r in p.signatures.items()},
        } for p in doc.pages],
        "figures": {code: {"text": f.text, "value": f.value, "confidence": round(f.confidence, 3),
                           "box": [int(v) for v in f.box] if f.box else None, "engine": f.engine,
                           "clean": f.clean, "doubts": list(f.doubts), "second_opinion": f.second_opinion, "crop": f.crop_path}
                    for code, f in sorted(doc.figures.items())},
    }


def register(app: typer.Typer) -> None:
    @app.command("read")
    def read(ctx: typer.Context, files: list[Path] = typer.Argument(..., help="扫描件：PDF 或图片（同一单位的多张图片可一起给出）"),
             out_format: OutFormat = typer.Option(OutFormat.table, "--format", help="输出格式：table 或 json"),
             workers: int = typer.Option(2, "--workers", help="并行进程数"),
             crops: bool = typer.Option(False, "--crops", help="把页面和每个数值的截图存到工作目录 pages/ 下")) -> None:
        """识别扫描件：单位名称、统一社会信用代码、页码、打印时间和各项指标数值。"""
        from ocr import read_files
        from ocr.sources import UnreadableFile
        from registry.template import default_template

        ws = workspace(ctx)
        template = default_template(ws.year)
        for f in files:
            if not f.is_file():
                err_console.print(f"文件不存在：{f}")
                raise typer.Exit(2)
        try:
            docs = read_files(files, template, crops_dir=ws.pages_dir if crops else None, workers=workers)
        except UnreadableFile as e:
            err_console.print(str(e))
            raise typer.Exit(2) from e
        if out_format == OutFormat.json:
            print(json.dumps([_doc_json(d) for d in docs], ensure_ascii=False, indent=2))
            return
        for d in docs:
            console.print(f"[bold]{d.unit_name or '（单位名称未识别）'}[/bold]  统一社会信用代码 {d.uscc or '未识别'}  "
                          f"共 {d.page_total or '?'} 页  打印时间 {d.print_time or '未识别'}")
            for p in d.pages:
                seal = getattr(p.seal, "status", "未检测")
                console.print(f"  第 {p.identity.page_no or '?'} 页（文件第 {p.index + 1} 页）旋转 {p.rotation}° "
                              f"印章 {seal}" + (f"  问题：{'；'.join(p.problems)}" if p.problems else ""))
            for prob in d.problems:
                console.print(f"  [red]{prob}[/red]")
            table = Table("代码", "指标名称", "数值", "原文", "置信度")
            for code, fig in sorted(d.figures.items(), key=lambda kv: template.codes.index(kv[0])):
                table.add_row(code, template.indicator(code).label, "-" if fig.value is None else fig.value,
                              fig.text, f"{fig.confidence:.2f}")
            console.print(table)
