"""The daily job: pull mail, read and match every scan, audit, update statuses, write the reports.

Wiring only: each stage lives in its own package (intake, ocr via matching.process, matching).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import IntakeReport, SourceSpec, run_intake
from kptj.workspace import Workspace
from registry.clock import local_today, local_tz
from registry.models import Attachment, Message
from registry.template import Template, default_template

if TYPE_CHECKING:  # reading (OCR) is imported when the first document is read
    from matching.executor import PageExecutor

log = logging.getLogger("kptj.run")


@dataclass
class RunSummary:
    run_id: str
    intake: IntakeReport
    messages_processed: int = 0
    documents: int = 0
    pages: int = 0
    identified: int = 0
    unknown: int = 0
    findings: Counter = field(default_factory=Counter)
    rule_violations: int = 0
    reports: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    mail: Any = None  # outbox.daily.MailRunSummary when mail to units is configured

    @property
    def changed(self) -> bool:
        return self.messages_processed > 0 or any(s.archived for s in self.intake.sources)


def new_run_id() -> str:
    # Staff read run ids next to the reports folder's date: both in their local time (KPTJ_TZ).
    return datetime.now(local_tz()).strftime("%Y%m%d-%H%M%S")


class _Reader:
    """The intake hook: reads a message's documents. Heavy OCR imports happen on first use only."""

    def __init__(self, ws: Workspace, template: Template, workers: int, summary: RunSummary,
                 progress: Callable[[str], None], executor: PageExecutor | None = None):
        self.ws, self.template, self.workers, self.summary, self.progress = ws, template, workers, summary, progress
        self.executor = executor
        self.index = None

    def prepare(self, message_ids: list[int]) -> None:
        """Before the first message is matched: an executor that reads ahead gets every page now."""
        from matching.process import queue_message

        self.progress(f"分发 {len(message_ids)} 封邮件的页面")
        with self.ws.session() as s:
            for mid in message_ids:
                queue_message(s, mid, self.template, self.ws.pages_dir, self.ws.archive_dir, self.executor)

    def __call__(self, session: Session, message: Message, documents: list[Attachment]) -> None:
        from matching.process import process_message, unit_index

        self.summary.messages_processed += 1
        if not documents:
            return
        if self.index is None:
            self.index = unit_index(session, self.ws.year)
        self.progress(f"识别邮件 #{message.id}（{len(documents)} 个附件）")
        t0 = time.perf_counter()
        out = process_message(session, message, self.template, self.ws.year, self.ws.pages_dir,
                              self.ws.archive_dir, self.workers, self.index, documents, self.executor)
        spent = self.summary.seconds.get("read+match", 0.0) + time.perf_counter() - t0
        self.summary.seconds["read+match"] = round(spent, 2)
        self.summary.documents += out.documents
        self.summary.pages += out.pages
        self.summary.identified += out.identified
        self.summary.unknown += out.unknown
        self.summary.findings.update(out.findings)
        log.info("message %s: %d documents, %d identified, findings %s", message.id, out.documents,
                 out.identified, dict(out.findings))


# Attachment states that get a finding here; matching.process reports `document` files it could not read.
ATTACHMENT_FINDING_STATES = ("link", "corrupt", "encrypted", "empty", "too_large", "unsupported", "duplicate")


def _attachment_findings(session: Session, year: int) -> int:
    """Links (超大附件), unreadable attachments and files received twice become findings, so a person
    fetches, asks again or knows. One finding per attachment; `rule` is the attachment state."""
    from matching.findings import NewFinding, sync_findings
    from registry.models import Document

    found = []
    q = select(Attachment, Message).join(Message).where(Attachment.status.in_(ATTACHMENT_FINDING_STATES))
    for att, msg in session.execute(q):
        kind = {"link": "attachment_link", "duplicate": "duplicate"}.get(att.status, "attachment_unreadable")
        detail = {"reason": att.detail or att.status, "attachment": att.name, "sender": msg.sender,
                  "subject": msg.subject, "url": att.url}
        unit_id = None
        if att.status == "duplicate":
            first = session.get(Attachment, att.duplicate_of) if att.duplicate_of else None
            units = set(session.scalars(select(Document.unit_id).where(
                Document.attachment_id == first.id, Document.unit_id.is_not(None)))) if first else set()
            unit_id = units.pop() if len(units) == 1 else None  # a merged PDF of several units: no one unit
            detail |= {"reason": f"与已收到的附件相同（邮件 #{first.message_id} 的“{first.name or '无文件名'}”），未重复识别"
                       if first else "与已收到的附件相同，未重复识别", "duplicate_of": att.duplicate_of}
        found.append(NewFinding(kind, unit_id, rule=att.status, indicator=None, message_id=msg.id,
                                attachment_id=att.id, severity="warning" if kind == "attachment_unreadable" else "info",
                                detail=detail))
    # only the findings made here (rule = an attachment state); reading's own stay as they are
    added, _ = sync_findings(session, year, ["attachment_link", "attachment_unreadable", "duplicate"],
                             found, resolve_reason="附件问题已处理",
                             owned=lambda f: f.rule in ATTACHMENT_FINDING_STATES)
    return added


def run_daily(ws: Workspace, sources: Sequence[SourceSpec | str], *, workers: int = 2,
              progress: Callable[[str], None] = lambda _m: None, run_id: str | None = None,
              today: date | None = None, mail_config: Path | None = None,
              executor: PageExecutor | None = None) -> RunSummary:
    """`executor` reads the pages (default: the local process pool with `workers` processes)."""
    template = default_template(ws.year)
    summary = RunSummary(run_id or new_run_id(), IntakeReport())
    t0 = time.perf_counter()
    from matching.executor import LocalExecutor

    executor = executor or LocalExecutor(workers)
    reader = _Reader(ws, template, workers, summary, progress, executor)

    def observe(event: str, data: dict) -> None:
        if event == "archived":
            progress(f"已存档邮件 {data['sha256'][:12]}")
        elif event in ("error", "source_error", "disconnected", "uidvalidity_changed"):
            log.warning("%s %s", event, data)

    # The stages after intake (audit, attachment findings, reports) run when mail changed - or when
    # a run before this one was killed before it finished them: its rerun has no new mail left.
    ws.sessions()  # the workspace and its database exist from here on
    unfinished = ws.home / "run.unfinished"
    pending = unfinished.exists()
    unfinished.touch()
    ahead = reader.prepare if hasattr(executor, "submit") else None
    summary.intake = run_intake(ws, sources, on_attachments=reader, observer=observe, prepare=ahead)
    summary.seconds["intake+read"] = round(time.perf_counter() - t0, 2)
    if summary.changed or pending:
        _audit_and_report(ws, template, summary, today)
    unfinished.unlink(missing_ok=True)
    from outbox.daily import after_run  # mail to units (issue 19): bounces, then the day's drafts

    summary.mail = after_run(ws, today or local_today(), mail_config)
    return summary


def _audit_and_report(ws: Workspace, template: Template, summary: RunSummary, today: date | None) -> None:
    t1 = time.perf_counter()
    from matching.audit import audit_records

    with ws.session() as s:
        summary.rule_violations = audit_records(s, template, ws.year).violations
        _attachment_findings(s, ws.year)
        s.commit()
    summary.reports = write_reports(ws, today or local_today())  # the users' day, not the server's
    summary.seconds["audit+reports"] = round(time.perf_counter() - t1, 2)


def write_reports(ws: Workspace, day: date) -> list[Path]:
    """Write the reports of local calendar day `day` into reports/YYYYMMDD/."""
    from matching.daily import daily_report
    from matching.reports import (
        FINDING_HEADERS,
        STATUS_HEADERS,
        finding_cells,
        finding_rows,
        findings_html,
        publish_text,
        remove_partial,
        status_cells,
        to_json,
        write_xlsx,
    )
    from matching.status import unit_statuses

    out = ws.reports_dir / f"{day:%Y%m%d}"
    out.mkdir(parents=True, exist_ok=True)
    remove_partial(out)  # the run holds the workspace lock: these can only be a killed run's
    with ws.session() as s:
        rep = daily_report(s, ws.year, day)
        publish_text(out / "日报.txt", rep.as_text())
        publish_text(out / "daily.json", to_json([rep.as_json()]))
        rows = finding_rows(s, ws.year)
        publish_text(out / "问题清单.html", findings_html(rows, "科普统计调查表问题清单"))
        write_xlsx(out / "问题清单.xlsx", [("问题清单", FINDING_HEADERS, [finding_cells(r) for r in rows])])
        publish_text(out / "findings.json", to_json([r.as_json() for r in rows]))
        sts = unit_statuses(s, ws.year, today=day)
        write_xlsx(out / "扫描件状态.xlsx", [("扫描件状态", STATUS_HEADERS, [status_cells(x) for x in sts])])
        publish_text(out / "status.json", to_json([x.as_json() for x in sts]))
    return sorted(out.iterdir())
