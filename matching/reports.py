"""Findings and status reports: table (terminal), JSON (machines), XLSX (to send), HTML (with crops).

JSON field names are a contract with other tools (documented in the README).
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from matching.decisions import DECISION_LABEL, latest_decisions
from matching.labels import KIND, SEVERITY, STATE
from matching.status import SCAN_LABEL, UnitStatus
from registry.clock import to_local
from registry.models import Attachment, Finding, Message, Page, Reading, Unit
from registry.tree import subtree


@dataclass
class FindingRow:
    finding: Finding
    unit: Unit | None
    page: Page | None
    attachment: Attachment | None
    message: Message | None
    crop_path: str | None
    decision: Any = None  # the newest human decision (registry.portal_models.Decision), if any

    @property
    def page_label(self) -> int | None:
        if self.page is None:
            return None
        return self.page.page_no or self.page.source_index + 1

    def as_json(self) -> dict[str, Any]:
        f = self.finding
        return {"account": self.unit.account if self.unit else None, "unit": self.unit.name if self.unit else None,
                "kind": f.kind, "severity": f.severity, "indicator": f.indicator, "online": f.online_value,
                "scanned": f.scanned_value, "page": self.page_label,
                "message_id": self.message.id if self.message else None,
                "attachment": self.attachment.name if self.attachment else None,
                "detail": {**(f.detail or {}), "id": f.id, "state": f.state, "rule": f.rule,
                           "box": f.box, "resolved_reason": f.resolved_reason,
                           **({"decision": _decision_json(self.decision)} if self.decision else {})}}


def _decision_json(d: Any) -> dict[str, Any]:
    return {"kind": d.kind, "value": d.value, "effect": d.effect, "reason": d.reason, "by": d.user_name,
            "at": d.created_at.isoformat(timespec="minutes") + "Z"}


def finding_rows(session: Session, year: int, admin: str | None = None, kind: str | None = None,
                 include_resolved: bool = False) -> list[FindingRow]:
    """Every finding with its unit, page, attachment, message and crop in a fixed number of queries."""
    where = [Finding.year == year]
    if not include_resolved:
        where.append(Finding.state == "open")
    if kind:
        where.append(Finding.kind == kind)
    scope = {u.id for u in subtree(session, year, admin)} if admin else None
    # One query: the related rows come in by outer joins, not one session.get per finding.
    q = (select(Finding, Page, Attachment, Message)
         .outerjoin(Finding.unit).options(contains_eager(Finding.unit))
         .outerjoin(Page, Page.id == Finding.page_id)
         .outerjoin(Attachment, Attachment.id == Finding.attachment_id)
         .outerjoin(Message, Message.id == Finding.message_id)
         .where(*where).order_by(Finding.unit_id, Finding.kind, Finding.indicator, Finding.id))
    crops = _crop_paths(session, where)
    decisions = latest_decisions(session)  # one query; a person's decision shows beside the finding
    rows = []
    for f, page, att, msg in session.execute(q):
        if scope is not None and f.unit_id not in scope:
            continue
        crop = crops.get((page.id, f.indicator)) if page is not None and f.indicator else None
        rows.append(FindingRow(f, f.unit, page, att, msg, crop, decisions.get(f.id)))
    return rows


def _crop_paths(session: Session, where: list[Any]) -> dict[tuple[int, str], str | None]:
    """(page_id, indicator) -> the figure crop, for all findings matching `where` in one query."""
    q = (select(Reading.page_id, Reading.code, Reading.crop_path)
         .join(Finding, (Finding.page_id == Reading.page_id) & (Finding.indicator == Reading.code))
         .where(*where).order_by(Reading.id))
    out: dict[tuple[int, str], str | None] = {}
    for page_id, code, path in session.execute(q):
        out.setdefault((page_id, code), path)  # first reading wins, as the single lookup did
    return out


FINDING_HEADERS = ["单位账号", "单位名称", "问题类型", "严重程度", "指标", "网上数值", "纸质数值", "页码", "说明",
                   "邮件编号", "附件", "状态"]
STATUS_HEADERS = ["单位账号", "单位名称", "上级管理单位", "扫描件状态", "网上填报状态", "收到时间", "待处理问题数",
                  "逾期天数"]


def finding_cells(r: FindingRow) -> list[Any]:
    f = r.finding
    return [r.unit.account if r.unit else "", r.unit.name if r.unit else "（未识别）", KIND.get(f.kind, f.kind),
            SEVERITY.get(f.severity, f.severity), f.indicator or "", f.online_value or "", f.scanned_value or "",
            r.page_label or "", (f.detail or {}).get("reason") or (f.detail or {}).get("message") or "",
            r.message.id if r.message else "", r.attachment.name if r.attachment else "", _state_text(r)]


def _state_text(r: FindingRow) -> str:
    """The finding's state, and a person's newest decision on it (who decided and why)."""
    state = STATE.get(r.finding.state, r.finding.state)
    d = r.decision
    if d is None:
        return state
    value = f"（{d.value}）" if d.value else ""
    return f"{state}；人工处理：{DECISION_LABEL.get(d.kind, d.kind)}{value}，{d.user_name}：{d.reason}"


def status_cells(s: UnitStatus) -> list[Any]:
    return [s.unit.account, s.unit.name, s.admin_account or "", SCAN_LABEL[s.scan], s.online_status,
            _local_text(s.received_at), s.open_findings, s.days_overdue or ""]


def _local_text(dt: datetime | None) -> str:
    """Stored UTC shown as the users' local wall-clock time (KPTJ_TZ)."""
    local = to_local(dt)
    return local.strftime("%Y-%m-%d %H:%M") if local is not None else ""


def to_json(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=1, default=str)


def write_xlsx(path: Path, sheets: list[tuple[str, list[str], list[list[Any]]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(headers)
        for c in ws[1]:
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDEBF7")
        for r in rows:
            ws.append(r)
        for i, h in enumerate(headers, 1):
            width = max([len(str(h)) * 2] + [len(str(r[i - 1])) * 1.6 for r in rows[:500]] + [6])
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, width)
        ws.freeze_panes = "A2"
        for row in ws.iter_rows(min_row=2):
            for c in row:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    publish(path, wb.save)
    return path


def publish(path: Path, write: Callable[[Path], object]) -> Path:
    """Write through a temporary name, then rename: a killed run leaves the last complete report
    (or none), never a torn one; its leftovers are `.*.tmp` files (see remove_partial)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. a full disk: give the room back
        raise
    return path


def publish_text(path: Path, text: str) -> Path:
    return publish(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def remove_partial(folder: Path) -> None:
    """Temporary files of a run killed while it wrote this folder's reports."""
    for tmp in folder.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


CROP_PAD = 40      # page context around a finding's box, pixels
CROP_MAX_W = 700   # evidence pictures are scaled down to this width


def crop_around(img: Image.Image, box: list | None, pad: int = CROP_PAD) -> Image.Image:
    """The region of `box` (x0, y0, x1, y1, or x, y, w, h from detectors) with `pad` around it."""
    if not box or len(box) != 4:
        return img
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:  # (x, y, w, h) boxes from detectors
        x1, y1 = x0 + x1, y0 + y1
    return img.crop((max(0, x0 - pad), max(0, y0 - pad), min(img.width, x1 + pad), min(img.height, y1 + pad)))


def jpeg_bytes(img: Image.Image, max_w: int = CROP_MAX_W) -> bytes:
    img = img.convert("RGB")
    if img.width > max_w:
        img = img.resize((max_w, max(1, int(img.height * max_w / img.width))))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _crop_data_uri(r: FindingRow) -> str | None:
    """The picture of the spot: the stored figure crop, else the page region around the box, else the page."""
    try:
        if r.crop_path and Path(r.crop_path).exists():
            img = Image.open(r.crop_path)
        elif r.page is not None and r.page.image_path and Path(r.page.image_path).exists():
            img = crop_around(Image.open(r.page.image_path), r.finding.box)
        else:
            return None
        return "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes(img)).decode()
    except OSError:
        return None


def findings_html(rows: list[FindingRow], title: str) -> str:
    e = html.escape
    parts = [f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #bbb;padding:6px;vertical-align:top}}
th{{background:#ddebf7}}.error{{color:#b00020;font-weight:bold}}.warning{{color:#a15c00}}
img.crop{{max-width:480px;max-height:260px;border:1px solid #888}}</style></head><body>
<h1>{e(title)}</h1><p>共 {len(rows)} 条</p><table><tr><th>单位</th><th>问题</th><th>指标</th><th>网上数值</th>
<th>纸质数值</th><th>页码</th><th>扫描件位置</th><th>说明</th></tr>"""]
    for r in rows:
        f = r.finding
        uri = _crop_data_uri(r)
        img = f'<img class="crop" alt="第{r.page_label}页" src="{uri}">' if uri else "（无图像）"
        unit = f"{e(r.unit.name)}<br><small>{e(r.unit.account)}</small>" if r.unit else "（未识别）"
        reason = (f.detail or {}).get("reason") or (f.detail or {}).get("message") or ""
        parts.append(f"<tr><td>{unit}</td><td class='{e(f.severity)}'>{e(KIND.get(f.kind, f.kind))}</td>"
                     f"<td>{e(f.indicator or '')}</td><td>{e(f.online_value or '')}</td>"
                     f"<td>{e(f.scanned_value or '')}</td><td>{r.page_label or ''}</td><td>{img}</td>"
                     f"<td>{e(str(reason))}</td></tr>")
    parts.append("</table></body></html>")
    return "\n".join(parts)
