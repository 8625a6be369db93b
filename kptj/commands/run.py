"""`kptj run` (the daily job, once or --watch) and `kptj demo` (the README's first command)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kptj import terminal
from kptj.errors import EXIT_BUSY, EXIT_OK, EXIT_SOURCE_FAILED, UsageProblem  # one table of codes
from kptj.workspace import Workspace, workspace

if TYPE_CHECKING:  # the pipeline (intake, OCR) is imported when a run starts, not at CLI start-up
    from kptj.daily_run import RunSummary

console = terminal.console()

# The sample-world generator (synth.roster.build_roster) needs at least 50 units: a smaller default
# would make `kptj demo` fail. Reading all their mail takes minutes on two cores, so the demo reads
# a sample of it: DEMO_PAGES form pages (about 11 units' forms, every odd kind of mail kept).
DEMO_UNITS = 50
DEMO_PAGES = 40


def _logging(ws: Workspace, run_id: str) -> None:
    logs = ws.logs_dir
    fmt = logging.Formatter(f"%(asctime)s [run {run_id}] %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kptj", False):
            root.removeHandler(h)
    fh = logging.FileHandler(logs / "kptj.log", encoding="utf-8")
    fh.setFormatter(fmt)
    fh._kptj = True  # type: ignore[attr-defined]
    sh = logging.StreamHandler()
    sh.setLevel(logging.WARNING)
    sh.setFormatter(fmt)
    sh._kptj = True  # type: ignore[attr-defined]
    root.addHandler(fh)
    root.addHandler(sh)
    root.setLevel(logging.INFO)


def _sources(specs: list[str], config: Path | None, **options: object) -> list:
    from intake import SourceError, load_accounts, parse_source

    try:
        accounts = load_accounts(config) if config else {}
        return [accounts[s] if s in accounts else parse_source(s, **options) for s in (specs or list(accounts))]
    except SourceError as e:
        raise UsageProblem(str(e)) from e  # printed by kptj.errors, exit 2


def _print_summary(s: RunSummary) -> None:
    console.print(f"[bold]运行 {s.run_id} 完成[/bold]")
    for r in s.intake.sources:
        line = f"  {r.source}：新收 {r.archived} 封，处理 {r.processed} 封，失败 {r.failed} 封"
        console.print(line if r.error is None else f"[red]{line}；错误：{r.error}[/red]")
    if s.mail is not None:
        console.print("  " + s.mail.as_text())
    if not s.changed and not s.reports:
        console.print("  没有新邮件，数据与报告均未改变")
        return
    console.print(f"  识别报表 {s.documents} 份：确定单位 {s.identified} 份，无法确定 {s.unknown} 份")
    if s.findings:
        from matching.labels import KIND
        console.print("  新发现问题：" + "；".join(f"{KIND.get(k, k)} {v}" for k, v in sorted(s.findings.items())))
    console.print(f"  网上数据违反审核规则 {s.rule_violations} 处")
    if s.reports:
        console.print(f"  报告已写入 {s.reports[0].parent}：" + "、".join(p.name for p in s.reports))
    console.print(f"  用时（秒）：{s.seconds}")


def _executor(ws: Workspace, name: str, broker: str | None):  # noqa: ANN202
    """The page reader: the local pool (default) or Celery workers (`kptj worker`) via a broker."""
    if name == "local":
        return None  # run_daily's default: the local process pool
    if name != "celery":
        raise UsageProblem(f"未知的识别方式 {name}（可用 local、celery）")
    if not ws.url.startswith("postgresql"):
        # workers on other machines share the database; SQLite is one machine's file (and a run's
        # open read transaction could not write after a worker's commit)
        raise UsageProblem("celery 识别方式需要 PostgreSQL 数据库，请用 --db 或 KPTJ_DB 指定")
    from kptj.commands.worker import broker_url
    from kptj.dist import CeleryExecutor

    return CeleryExecutor(ws, broker_url(broker))


def _last_uid(ws: Workspace):  # noqa: ANN202
    def last(spec) -> int:  # noqa: ANN001
        from sqlalchemy import select

        from registry.models import IntakeFolder

        with ws.session() as s:
            return s.scalar(select(IntakeFolder.last_uid).where(IntakeFolder.account == spec.account,
                                                                IntakeFolder.folder == spec.folder)) or 0
    return last


def run_once(ws: Workspace, sources: list, workers: int, executor=None,  # noqa: ANN001
             mail_config: Path | None = None) -> RunSummary:
    from intake.lock import IntakeBusy
    from kptj.daily_run import new_run_id, run_daily

    run_id = new_run_id()
    _logging(ws, run_id)
    logging.getLogger("kptj.run").info("start: %d source(s)", len(sources))
    try:
        with console.status("正在收取和识别…") as status:
            summary = run_daily(ws, sources, workers=workers, run_id=run_id,
                                progress=lambda m: status.update(m), executor=executor,
                                mail_config=mail_config)
    except IntakeBusy as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(EXIT_BUSY) from e
    logging.getLogger("kptj.run").info("end: documents=%d findings=%s", summary.documents, dict(summary.findings))
    _print_summary(summary)
    return summary


def _demo_closing(ws: Workspace, summary: RunSummary) -> str:
    """The demo's last words: where everything is. The day's folder when reports were written this run."""
    reports = summary.reports[0].parent if summary.reports else ws.reports_dir
    return (f"\n[bold]演示完成。[/bold]工作目录：{ws.home}\n"
            f"  查看各单位状态：kptj --home {ws.home} status\n"
            f"  查看问题清单：  kptj --home {ws.home} findings\n"
            f"  报告已写入：    {reports}")


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(ctx: typer.Context,
            source: list[str] = typer.Option([], "--source", "-s", help="来源：IMAP 地址、maildir:路径或 .eml 文件夹；可多次给出"),
            config: Path | None = typer.Option(None, "--config", help="账户配置文件（TOML）"),
            watch: bool = typer.Option(False, "--watch", help="持续运行：IMAP 邮箱有新邮件即处理（IDLE），并定时收取"),
            interval: int = typer.Option(300, "--interval", help="持续运行时的收取间隔（秒）"),
            workers: int = typer.Option(2, "--workers", help="识别进程数（默认 2）"),
            executor: str = typer.Option("local", "--executor", envvar="KPTJ_EXECUTOR",
                                         help="识别方式：local（本机进程池）或 celery（分发给 kptj worker）"),
            broker: str | None = typer.Option(None, "--broker", help="celery 方式的消息队列地址，默认取 KPTJ_BROKER"),
            ca_file: Path | None = typer.Option(None, "--ca-file", help="自定义 CA 证书（PEM）"),
            password_env: str | None = typer.Option(None, "--password-env", help="存放邮箱密码的环境变量名"),
            password_file: Path | None = typer.Option(None, "--password-file", help="存放邮箱密码的文件"),
            action: str | None = typer.Option(None, "--action", help="处理后动作：move:文件夹、flag:\\Seen 或 none")) -> None:
        """每日任务：收取邮件、识别扫描件、与网上数据核对、更新状态并生成报告。"""
        ws = workspace(ctx)
        sources = _sources(source, config, ca_file=ca_file, password_env=password_env,
                           password_file=password_file, action=action)
        if not sources:
            raise UsageProblem("请用 --source 指定来源，或用 --config 给出账户配置")
        reader = _executor(ws, executor, broker)
        idle = any(getattr(s, "kind", "") in ("imap", "imaps") for s in sources)
        while True:
            summary = run_once(ws, sources, workers, reader, config)
            if not watch:
                raise typer.Exit(EXIT_OK if summary.intake.ok else EXIT_SOURCE_FAILED)
            console.print(f"等待新邮件（IMAP IDLE），最迟 {interval} 秒后再次收取（Ctrl-C 停止）" if idle
                          else f"{interval} 秒后再次收取（Ctrl-C 停止）")
            try:
                from intake.idle import wait_for_mail

                wait_for_mail(sources, interval, _last_uid(ws))
            except KeyboardInterrupt:
                raise typer.Exit(EXIT_OK) from None

    @app.command("demo")
    def demo(ctx: typer.Context,
             units: int = typer.Option(DEMO_UNITS, "--units", help="示例单位数"),
             pages: int = typer.Option(DEMO_PAGES, "--pages", help="示例邮箱中报表页数的上限（0 = 全部邮件）"),
             seed: int = typer.Option(2024, "--seed", help="随机种子")) -> None:
        """演示：生成一个示例调查（名单、网上数据、邮箱），导入并运行每日任务。"""
        started = time.monotonic()
        import json

        from matching.audit import audit_records  # noqa: F401  (imported so a broken install fails early)
        from registry.records_import import import_records
        from registry.roster_import import import_roster
        from registry.template import default_template
        from synth.demo_sample import write_sample
        from synth.world import build_world

        ws = workspace(ctx)
        ws.sessions()  # a workspace or database that cannot be used fails now, not after the world is built
        sample = ws.home / "sample"
        if not (sample / "truth.json").exists():
            console.print(f"生成示例调查（{units} 个单位）到 {sample} …")
            try:
                build_world(units=units, seed=seed, out=sample)
            except ValueError as e:  # e.g. fewer units than the generator supports: a usage error, no traceback
                raise UsageProblem(str(e)) from e
        with ws.session() as s:
            r = import_roster(s, sample / "roster.xlsx", ws.year)
            console.print(f"单位名单：新增 {r.created}，变更 {r.changed}")
            r = import_records(s, sample / "records.xlsx", default_template(ws.year), ws.year)
            console.print(f"网上填报数据：新增 {r.created}，变更 {r.changed}")
        truth = json.loads((sample / "truth.json").read_text(encoding="utf-8"))
        count, npages = write_sample(truth, sample, ws.home / "demo-mail", pages)
        console.print(f"示例邮箱：{count} 封邮件，报表 {npages} 页（共 {len(truth['messages'])} 封）")
        summary = run_once(ws, _sources([str(ws.home / "demo-mail")], None), 2)
        console.print(_demo_closing(ws, summary))
        from kptj.commands.portal_cmds import demo_users
        console.print(demo_users(ws))
        spent = int(time.monotonic() - started)
        console.print(f"  演示用时：{spent // 60} 分 {spent % 60} 秒")
        raise typer.Exit(EXIT_OK if summary.intake.ok else EXIT_SOURCE_FAILED)
