"""Problems found while importing: one per bad row and column, in words staff understand."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    row: int | None  # spreadsheet row number (header is row 1); None = file-level
    column: str | None
    value: str | None
    reason: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        col = f"「{self.column}」列" if self.column else ""
        val = f"值「{self.value}」" if self.value not in (None, "") else ""
        tag = "错误" if self.severity == "error" else "提示"
        return f"[{tag}] {where}{col}{val}：{self.reason}"


class ImportRejected(Exception):
    """An import that was not applied because of errors (all-or-nothing)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"导入失败：发现 {errors} 处错误，数据库未作任何修改")


@dataclass
class ImportResult:
    batch_id: int
    rows_total: int
    created: int
    changed: int
    unchanged: int
    skipped: int
    problems: list[Problem]
