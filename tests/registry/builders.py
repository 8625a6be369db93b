"""Small hand-made rosters and records for registry tests (the synthetic world is tested elsewhere)."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from registry import uscc
from registry.template import default_template

ROSTER_HEADER = ["账号", "单位名称", "统一社会信用代码", "单位类型", "所在区", "上级管理单位账号", "是否科普场馆",
                 "所属单位账号", "联系人", "联系电话", "电子邮箱"]


def code(n: int, division: str = "120101") -> str:
    return uscc.make_code("1", "2", division, f"{n:08d}")


def roster_rows() -> list[list[str]]:
    """和平区: bureau → (education bureau → 2 schools), (culture bureau → venue 科技馆); 市科协 top-level."""
    return [
        ["hp_kjj", "天津市和平区科学技术局", code(1), "区科技局", "和平区", "", "否", "", "王敏", "022-23001234", "hpkjj@tj.gov.cn"],
        ["hp_jyj", "天津市和平区教育局", code(2), "区教育局", "和平区", "hp_kjj", "否", "", "", "", ""],
        ["hp_school1", "天津市和平区第一中学", code(3), "中小学", "和平区", "hp_jyj", "否", "", "", "", ""],
        ["hp_school2", "天津市和平区鞍山道小学", code(4), "中小学", "和平区", "hp_jyj", "否", "", "李娜", "", "x@qq.com"],
        ["hp_wlj", "天津市和平区文化和旅游局", code(5), "区级部门", "和平区", "hp_kjj", "否", "", "", "", ""],
        ["hp_wlj_kjg", "和平区青少年科技馆", code(5), "科普场馆", "和平区", "hp_kjj", "是", "hp_wlj", "", "", ""],
        ["sj_kx", "天津市科学技术协会", code(6, "120000"), "市级部门", "市级", "", "否", "", "", "", ""],
        ["sj_kx_kjg", "天津科学技术馆", code(7, "120000"), "市属事业单位", "市级", "sj_kx", "否", "", "", "", ""],
    ]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def records_header() -> list[str]:
    return ["账号", "单位名称", "统一社会信用代码", "填报状态", "最后修改时间", *default_template().codes]


def record_row(account: str, name: str, code_: str, status: str = "审核通过",
               modified: str = "2025-05-20 10:00:00", **values: str) -> list[str]:
    """A record row; indicators not given are "-" (no value)."""
    return [account, name, code_, status, modified, *(values.get(c, "-") for c in default_template().codes)]


def consistent_values() -> dict[str, str]:
    """Figures that satisfy every 2024 rule."""
    return {"P01": "12", "P02": "8", "P03": "5", "P08": "30", "P09": "10", "P14": "120", "P15": "200",
            "F01": "35.50", "F02": "20.00", "F03": "5.25", "F04": "0.00", "F05": "15.50", "F06": "0",
            "F07": "30.00", "F08": "2.00", "F09": "18.00", "F10": "0", "F12": "10.00", "F13": "0",
            "A01": "6", "A02": "480", "M14": "52"}
