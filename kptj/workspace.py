"""The workspace: one folder holding the SQLite database, the raw mail archive and reports."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kptj.errors import FilesUnusable, database_problem, os_reason
from registry.db import open_db

DEFAULT_HOME = "./kptj-data"


@dataclass
class Workspace:
    home: Path
    db_url: str | None = None
    year: int = 2024
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False)

    @classmethod
    def from_options(cls, home: str | None = None, db: str | None = None, year: int = 2024) -> Workspace:
        home_path = Path(home or os.environ.get("KPTJ_HOME") or DEFAULT_HOME).expanduser().resolve()
        return cls(home=home_path, db_url=db or os.environ.get("KPTJ_DB") or None, year=year)

    @property
    def url(self) -> str:
        return self.db_url or f"sqlite:///{self.home / 'kptj.sqlite3'}"

    @cached_property
    def archive_dir(self) -> Path:
        return self._sub("archive")

    @cached_property
    def reports_dir(self) -> Path:
        return self._sub("reports")

    @cached_property
    def pages_dir(self) -> Path:
        return self._sub("pages")

    @cached_property
    def logs_dir(self) -> Path:
        return self._sub("logs")

    def _sub(self, name: str) -> Path:
        return self._mkdir(self.home / name)

    def _mkdir(self, p: Path) -> Path:
        try:
            p.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise FilesUnusable(f"无法创建工作目录 {p}：{os_reason(e)}。请用 --home 或 KPTJ_HOME 指定一个可写的目录") from e
        return p

    def sessions(self) -> sessionmaker[Session]:
        if self._sessions is None:
            self._mkdir(self.home)
            try:
                self._sessions = open_db(self.url)
            except SQLAlchemyError as e:
                raise database_problem(e, self.url) from e
        return self._sessions

    def session(self) -> Session:
        return self.sessions()()


def workspace(ctx: typer.Context) -> Workspace:
    """The workspace of the current `kptj` invocation (for command modules)."""
    ws = ctx.find_root().obj
    if not isinstance(ws, Workspace):
        raise RuntimeError("workspace not initialised")
    return ws
