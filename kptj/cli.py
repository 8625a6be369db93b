"""The `kptj` command line. Messages for people are in Chinese; --format json is for machines."""

from __future__ import annotations

import typer
import typer.rich_utils

from kptj.commands import (
    intake,
    mail_cmds,
    portal_cmds,
    read,
    registry_cmds,
    reports_cmds,
    run,
    synth,
    worker,
)
from kptj.errors import KptjGroup
from kptj.workspace import Workspace

# the help screens' own words in Chinese (typer reads these module settings when it draws them)
for _name, _text in {"OPTIONS_PANEL_TITLE": "选项", "COMMANDS_PANEL_TITLE": "子命令", "ARGUMENTS_PANEL_TITLE": "参数",
                     "ERRORS_PANEL_TITLE": "错误", "DEFAULT_STRING": "[默认：{}]", "ENVVAR_STRING": "[环境变量：{}]",
                     "REQUIRED_LONG_STRING": "[必填]", "ABORTED_TEXT": "已取消",
                     "RICH_HELP": "查看用法：[blue]{command_path} {help_option}[/]"}.items():
    setattr(typer.rich_utils, _name, _text)

# KptjGroup: every error of every command becomes a Chinese message and an exit code (kptj/errors.py)
app = typer.Typer(cls=KptjGroup, no_args_is_help=True, add_completion=False,
                  help="天津市科普统计调查表扫描件收取、识别与核对工具")


@app.callback()
def main(
    ctx: typer.Context,
    home: str | None = typer.Option(None, "--home", envvar="KPTJ_HOME",
                                    help="工作目录（数据库、邮件存档、报告），默认 ./kptj-data"),
    db: str | None = typer.Option(None, "--db", envvar="KPTJ_DB", help="数据库 URL（SQLAlchemy 格式），默认工作目录中的 SQLite"),
    year: int = typer.Option(2024, "--year", help="调查年度"),
    debug: bool = typer.Option(False, "--debug", envvar="KPTJ_DEBUG",
                               help="出错时显示 Python 调用栈（供开发人员排查问题）"),
) -> None:
    # `debug` is read by KptjGroup itself (from the arguments or KPTJ_DEBUG): errors can happen
    # before this callback runs
    ctx.obj = Workspace.from_options(home, db, year)


for module in (registry_cmds, synth, intake, read, reports_cmds, run, mail_cmds, portal_cmds, worker):
    module.register(app)
