"""Findings in words a unit understands ("第 3 页未盖章", "单位负责人未签字"), for receipts and
rescan requests. Only what the unit can fix is said: a figure our reader could not make out
(`figure_unreadable`) or an uncertain seal is for staff to look at, not a request to the unit.
"""

from __future__ import annotations

from registry.models import Finding, Page
from registry.template import Template

# kind -> does the unit have to act on it? (errors always; these warnings too)
UNIT_WARNINGS = {"scan_illegible", "scan_stale", "record_changed_after_scan"}
UNIT_KINDS = {"figure_mismatch", "seal_missing", "signature_missing", "page_missing", "scan_illegible",
              "scan_stale", "record_changed_after_scan", "record_missing", "page_duplicate"}
REEXPORT = "数据已在网上修改，请重新导出打印"


def for_unit(f: Finding) -> bool:
    return f.kind in UNIT_KINDS and (f.severity == "error" or f.kind in UNIT_WARNINGS)


def page_no(page: Page | None, f: Finding) -> int | None:
    if page is not None:
        return page.page_no or page.source_index + 1
    return (f.detail or {}).get("page_no")


def _page(page: Page | None, f: Finding) -> str:
    n = page_no(page, f)
    return f"第 {n} 页" if n else ""


def phrase(f: Finding, page: Page | None, template: Template) -> str:
    at = _page(page, f)
    detail = f.detail or {}
    if f.kind == "seal_missing":
        return f"{at}未盖章" if at else "未盖单位公章"
    if f.kind == "signature_missing":
        return f"{f.indicator or '签字栏'}未签字"
    if f.kind == "page_missing":
        n = detail.get("page_no")
        return f"缺少第 {n} 页" if n else "缺页"
    if f.kind == "page_duplicate":
        return f"{at}重复，请只保留一份"
    if f.kind == "scan_illegible":
        return f"{at}扫描不清晰，请重新扫描（建议 300 dpi、彩色或灰度）"
    if f.kind in ("scan_stale", "record_changed_after_scan"):
        return REEXPORT
    if f.kind == "record_missing":
        return "网上尚无已提交的数据，请先在系统中填报并提交，再导出打印"
    if f.kind == "figure_mismatch":
        try:
            label = template.indicator(f.indicator or "").bare_label
        except (KeyError, ValueError):
            label = f.indicator or "某项指标"
        where = f"{at}" if at else ""
        return (f"{where}“{label}”纸质报表为 {f.scanned_value or '空'}，网上为 {f.online_value or '空'}，"
                "请核对后以网上数据重新导出打印")
    return str(detail.get("reason") or f.kind)


def problem_lines(items: list[tuple[Finding, Page | None]], template: Template) -> list[str]:
    """One line per problem, the re-export request said once, in page order."""
    def order(item: tuple[Finding, Page | None]) -> tuple[int, str]:
        f, page = item
        return (int(page_no(page, f) or 0), f.kind)
    seen: list[str] = []
    for f, page in sorted(items, key=order):
        text = phrase(f, page, template)
        if text not in seen:
            seen.append(text)
    return seen


def numbered(lines: list[str], indent: str = "") -> str:
    return "\n".join(f"{indent}{i}. {line}" for i, line in enumerate(lines, 1))
