"""Every failure of a `kptj` command ends here: a Chinese message and a documented exit code.

Commands raise (or let through) exceptions; `KptjGroup.main`, the root command's entry, turns each
into one line on stderr and the exit code below. A Python traceback is shown only with `--debug`
(or KPTJ_DEBUG=1), for developers. The codes are documented in README.md ("Exit codes").
"""

from __future__ import annotations

import errno
import os
import re
import sys
import traceback
from typing import Any

import typer
from typer.core import TyperGroup

try:  # typer >= 0.20 carries its own copy of click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer with click installed beside it
    from click import exceptions as _cx  # type: ignore[no-redef]

_NO_ARGS_IS_HELP = getattr(_cx, "NoArgsIsHelpError", ())  # click >= 8.2: `kptj` alone shows the help

EXIT_OK = 0
EXIT_SOURCE_FAILED = 1   # kptj run / intake: a mail source failed, the others were processed
EXIT_USAGE = 2           # bad arguments, unknown option values, rejected input files
EXIT_BUSY = 3            # another run holds the workspace (lock file or a locked database)
EXIT_FILES = 4           # the workspace or a named file/folder cannot be created, read or written
EXIT_DATABASE = 5        # the database cannot be reached or failed in the middle
EXIT_INTERNAL = 70       # an unexpected error (a bug): rerun with --debug for the traceback
EXIT_INTERRUPTED = 130   # Ctrl-C
EXIT_PIPE_CLOSED = 141   # the reader of our output went away (e.g. `kptj findings | head`)


class KptjError(Exception):
    """An error with a message for people (Chinese) and its exit code."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageProblem(KptjError):
    exit_code = EXIT_USAGE


class WorkspaceBusy(KptjError):
    exit_code = EXIT_BUSY


class FilesUnusable(KptjError):
    exit_code = EXIT_FILES


class DatabaseUnreachable(KptjError):
    exit_code = EXIT_DATABASE


_ERRNO_TEXT = {errno.ENOENT: "不存在", errno.EACCES: "没有权限", errno.EPERM: "不允许此操作",
               errno.ENOTDIR: "路径中有一段不是目录", errno.EISDIR: "是目录而不是文件", errno.EEXIST: "已存在且不是目录",
               errno.ENOSPC: "磁盘空间已满", errno.EROFS: "只读文件系统", errno.EDQUOT: "超出磁盘配额",
               errno.ENAMETOOLONG: "路径太长", errno.EIO: "读写出错（磁盘或文件系统故障）",
               errno.EMFILE: "打开的文件过多", errno.ELOOP: "符号链接循环"}


def os_reason(e: OSError) -> str:
    return _ERRNO_TEXT.get(e.errno or 0, f"系统错误（错误号 {e.errno}）")


def safe_url(url: str) -> str:
    """A database URL as people may see it: the password hidden."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: show none of it
        return "（无法解析的数据库地址）"


def database_problem(exc: BaseException, url: str | None = None) -> KptjError:
    """What a database error means for the person who ran the command."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    where = f" {safe_url(url)}" if url else ""
    if "database is locked" in text or "database table is locked" in text:
        return WorkspaceBusy(f"数据库{where}正被另一个任务占用，请等它结束后再试")
    if url is None or url.startswith("sqlite"):
        if "not a database" in text or "malformed" in text:
            return FilesUnusable(f"工作目录中的数据库文件{where}已损坏或不是数据库文件")
        if "unable to open" in text or "readonly" in text or "read-only" in text or "disk i/o" in text:
            return FilesUnusable(f"无法打开或写入数据库文件{where}（请检查工作目录是否存在、可写）")
        if "disk is full" in text or "database or disk is full" in text:
            return FilesUnusable(f"磁盘空间已满，无法写入数据库{where}")
    return DatabaseUnreachable(f"无法连接数据库{where}，或连接已中断。请检查 --db / KPTJ_DB 设置以及数据库服务器是否在运行")


def _is_db_error(exc: BaseException) -> bool:
    try:
        from sqlalchemy.exc import DBAPIError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, DBAPIError)


# ---- usage errors (typer/click) in Chinese

def _param_name(param: Any) -> str:
    if param is None:
        return ""
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or list(getattr(param, "opts", []))
    if getattr(param, "param_type_name", "") == "argument":
        return (param.name or "").upper()
    return opts[0] if opts else (param.name or "")


def _param_kind(param: Any) -> str:
    return "参数" if getattr(param, "param_type_name", "") == "argument" else "选项"


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


_VALUE_REASONS = [  # typer/click/pydantic texts -> Chinese (the value's own words kept where useful)
    (r"is not one of (.*?)\.?$", lambda m: "应为以下之一：" + "、".join(re.findall(r"'([^']*)'", m.group(1)))),
    (r"greater than or equal to (\S+)", lambda m: f"应不小于 {m.group(1)}"),
    (r"less than or equal to (\S+)", lambda m: f"应不大于 {m.group(1)}"),
    (r"greater than (\S+)", lambda m: f"应大于 {m.group(1)}"),
    (r"less than (\S+)", lambda m: f"应小于 {m.group(1)}"),
    (r"not in the range (.*?)\.?$", lambda m: f"应在 {m.group(1)} 范围内"),
    (r"integer", lambda m: "应为整数"),
    (r"valid (number|float)", lambda m: "应为数字"),
    (r"bool", lambda m: "应为 true 或 false"),
    (r"does not exist", lambda m: "文件或目录不存在"),
    (r"is a directory", lambda m: "是目录而不是文件"),
    (r"is a file", lambda m: "是文件而不是目录"),
    (r"date|time", lambda m: "日期或时间格式不正确"),
]


def _bad_value_reason(e: Any) -> str:
    message = str(getattr(e, "message", "") or "")
    if _has_cjk(message):  # our own callbacks already speak Chinese
        return message
    for pattern, say in _VALUE_REASONS:
        if m := re.search(pattern, message, re.IGNORECASE):
            return say(m)
    return "格式不正确"


def usage_text(e: Any) -> str:
    """A click/typer usage error in Chinese (their own texts are English)."""
    message = str(getattr(e, "message", "") or "")
    if isinstance(e, _cx.NoSuchOption):
        text = f"没有这个选项：{e.option_name}"
        if e.possibilities:
            text += "（是否想用 " + "、".join(sorted(e.possibilities)) + "？）"
    elif isinstance(e, _cx.MissingParameter):
        text = f"缺少{_param_kind(e.param)} {_param_name(e.param)}"
    elif isinstance(e, _cx.BadParameter):
        text = f"{_param_kind(e.param)} {_param_name(e.param)} 的值无效：{_bad_value_reason(e)}".replace("  ", " ")
    elif isinstance(e, _cx.BadOptionUsage) and "requires" in message:
        text = f"选项 {e.option_name} 后面需要给出一个值"
    elif m := re.match(r"No such command '(.*)'", message):
        text = f"没有这个命令：{m.group(1)}"
    elif m := re.match(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", message):
        text = f"多余的参数：{m.group(1)}"
    elif message.startswith("Missing command"):
        text = "缺少子命令"
    elif _has_cjk(message):
        text = message
    else:
        text = "命令行参数有误"
    ctx = getattr(e, "ctx", None)
    path = ctx.command_path if ctx is not None else "kptj"
    return f"{text}\n查看用法：{path} --help"


def explain(exc: BaseException) -> tuple[int, str]:
    """(exit code, Chinese message) for any exception a command let through."""
    if isinstance(exc, KptjError):
        return exc.exit_code, exc.message
    if isinstance(exc, _cx.UsageError):
        return EXIT_USAGE, usage_text(exc)
    if isinstance(exc, typer.Abort | EOFError):
        return 1, "已取消"
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "已中断"
    if type(exc).__name__ == "IntakeBusy":  # intake.lock, not imported here: intake is heavy
        return EXIT_BUSY, str(exc)
    if type(exc).__name__ in ("TemplateError", "ImportRejected"):  # registry: already Chinese
        return EXIT_USAGE, str(exc)
    if _is_db_error(exc):
        problem = database_problem(exc)
        return problem.exit_code, problem.message
    if isinstance(exc, OSError):
        if exc.errno == errno.EPIPE:
            return EXIT_PIPE_CLOSED, ""
        where = f" {exc.filename}" if exc.filename else ""
        return EXIT_FILES, f"无法读写{where}：{os_reason(exc)}"
    if isinstance(exc, MemoryError):
        return EXIT_INTERNAL, "内存不足，操作未完成"
    return EXIT_INTERNAL, (f"内部错误（{type(exc).__name__}），操作未完成。"
                           "请加 --debug 重新运行查看详细信息，并把输出交给开发人员")


def _debug_wanted(args: list[str]) -> bool:
    return "--debug" in args or os.environ.get("KPTJ_DEBUG", "") not in ("", "0")


def _quiet_pipes() -> None:
    """After EPIPE nothing more can go to stdout; keep the interpreter's final flush silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class KptjGroup(TyperGroup):
    """The root `kptj` command: the one place where errors become messages and exit codes."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else EXIT_OK
        except SystemExit:
            raise
        except _NO_ARGS_IS_HELP as e:  # plain `kptj` or `kptj report`: the help (rich printed it already)
            if e.message:
                sys.stdout.write(e.message + "\n")
            code = EXIT_USAGE
        except BaseException as exc:  # noqa: BLE001 - the point of this wrapper
            code, message = explain(exc)
            if _debug_wanted(argv):
                traceback.print_exception(exc, file=sys.stderr)
            if code == EXIT_PIPE_CLOSED:
                _quiet_pipes()
            elif message:
                sys.stderr.write(f"错误：{message}\n")
                sys.stderr.flush()
        if standalone_mode:
            sys.exit(code)
        return code
