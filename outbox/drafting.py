"""What the day calls for, drafted idempotently: receipts, rescan requests, reminders.

Every mail has a dedupe key (UNIQUE in the database), so a job that runs twice a day, or is killed
and rerun, drafts nothing twice:
  receipt:message:<id>                 one receipt per received mail (a reply to its sender)
  rescan:document:<id>                 one rescan request per scanned form with problems for the unit
  rescan:decision:<id>                 one per form a person decided must be rescanned (web portal)
  reminder:<deadline>:<date>:<unit>    one reminder per unit that has sent nothing, per deadline
  admin_reminder:<deadline>:<date>:<admin>   one list of missing subordinates per administrator
A unit without a usable address still gets a row, with no recipients: staff see it in
`kptj mail preview`; it is never approved or sent.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.parser import BytesParser
from email.utils import parseaddr

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake import archive
from kptj.workspace import Workspace
from matching.status import admin_summaries, current_documents, unit_statuses
from outbox.compose import new_message_id, render
from outbox.config import DEADLINE_LABELS, MailConfig
from outbox.wording import for_unit, numbered, problem_lines
from registry.clock import local_today, to_local, utc_now
from registry.models import Attachment, Document, Finding, Message, Page, Unit
from registry.outbox_models import BadAddress, OutgoingMail
from registry.template import Template, default_template

UNREADABLE = {"corrupt": "文件已损坏", "encrypted": "文件有密码", "empty": "文件为空",
              "unsupported": "文件格式无法识别", "too_large": "文件过大"}
AUTO_APPROVER = "自动（配置 auto_approve）"


@dataclass
class DraftReport:
    created: Counter = field(default_factory=Counter)
    no_address: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, account, unit name)
    withdrawn: int = 0


def _when(dt: datetime | None) -> str:
    local = to_local(dt)
    return local.strftime("%Y-%m-%d %H:%M") if local else "（时间不详）"


def split_addresses(text: str | None) -> list[str]:
    return [a for a in re.split(r"[;,，；、\s]+", text or "") if "@" in a]


class Drafter:
    def __init__(self, ws: Workspace, session: Session, cfg: MailConfig, today: date,
                 template: Template | None = None) -> None:
        self.ws, self.s, self.cfg, self.today, self.year = ws, session, cfg, today, ws.year
        self.template = template or default_template(ws.year)
        self.bad = set(session.scalars(select(BadAddress.address)))
        self.keys = set(session.scalars(select(OutgoingMail.dedupe_key)))
        self.report = DraftReport()
        self._senders: dict[int, list[str]] | None = None

    # --- addresses ---------------------------------------------------------------------------
    def senders(self) -> dict[int, list[str]]:
        """unit id -> addresses its forms came from (newest first), as seen in intake."""
        if self._senders is None:
            self._senders = defaultdict(list)
            q = (select(Document.unit_id, Message.sender).join(Attachment, Attachment.id == Document.attachment_id)
                 .join(Message, Message.id == Attachment.message_id).where(Document.unit_id.is_not(None))
                 .order_by(Message.id.desc()))
            for unit_id, sender in self.s.execute(q):
                self._senders[unit_id].append(parseaddr(sender or "")[1])
        return self._senders

    def usable(self, candidates: list[str]) -> list[str]:
        out: list[str] = []
        own = self.cfg.sender_address.lower()
        for a in candidates:
            low = a.strip().lower()
            if "@" in low and low != own and low not in self.bad and low not in (x.lower() for x in out):
                out.append(a.strip())
        return out

    def unit_addresses(self, unit: Unit) -> list[str]:
        """The roster's 电子邮箱 first, then the senders seen in intake; bad addresses left out."""
        return self.usable(split_addresses(unit.email) + self.senders().get(unit.id, []))

    # --- one row ------------------------------------------------------------------------------
    def add(self, kind: str, key: str, unit: Unit | None, recipients: list[str], values: dict[str, object],
            about: dict, in_reply_to: str | None = None, references: str | None = None) -> OutgoingMail | None:
        if key in self.keys:
            return None
        subject, body = render(kind, {"year": self.year, "collect_address": self.cfg.sender_address, **values},
                               self.cfg.templates_dir)
        auto = kind in self.cfg.auto_approve and bool(recipients)
        now = utc_now()
        row = OutgoingMail(year=self.year, kind=kind, dedupe_key=key, unit_id=unit.id if unit else None,
                           recipients=recipients, subject=subject, body=body,
                           message_id=new_message_id(kind, self.cfg.domain), in_reply_to=in_reply_to,
                           references=references, about=about, state="approved" if auto else "draft",
                           attempts=0, permanent=False, created_at=now,
                           approved_at=now if auto else None, approved_by=AUTO_APPROVER if auto else None)
        try:
            with self.s.begin_nested():  # a concurrent job that drafted the same key first wins
                self.s.add(row)
        except IntegrityError:
            return None
        self.keys.add(key)
        self.report.created[kind] += 1
        if not recipients:
            self.report.no_address.append((kind, unit.account if unit else "", unit.name if unit else ""))
        return row

    # --- receipts -----------------------------------------------------------------------------
    def receipts(self) -> None:
        cutoff = utc_now() - timedelta(days=self.cfg.receipt_max_age_days)
        q = select(Message).where(Message.state.in_(("processed", "done")), Message.classification == "attachments",
                                  Message.fetched_at >= cutoff).order_by(Message.id)
        for msg in self.s.scalars(q):
            key = f"receipt:message:{msg.id}"
            sender = parseaddr(msg.sender or "")[1]
            if key in self.keys or not sender or sender.lower() == self.cfg.sender_address.lower():
                continue
            results, verdict, about = self._results(msg)
            refs = self._references(msg)
            self.add("receipt", key, self._message_unit(msg), self.usable([sender]), {
                "summary": verdict, "received_at": _when(msg.sent_at or msg.fetched_at),
                "original_subject": msg.subject or "（无主题）", "results": results,
                "closing": "请按上述问题修改后重新报送。" if verdict == "需要修改" else
                ("我们正在人工核对，如需修改将另行通知。" if verdict == "正在核对" else "无需再做其他操作，谢谢配合。"),
            }, {"message_id": msg.id, **about}, in_reply_to=msg.message_id_header, references=refs)

    def _message_unit(self, msg: Message) -> Unit | None:
        unit_id = self.s.scalar(select(Document.unit_id).join(Attachment, Attachment.id == Document.attachment_id)
                                .where(Attachment.message_id == msg.id, Document.unit_id.is_not(None)).limit(1))
        return self.s.get(Unit, unit_id) if unit_id else None

    def _results(self, msg: Message) -> tuple[str, str, dict]:
        """(the numbered result lines, the verdict for the subject, the documents and findings named)."""
        atts = list(self.s.scalars(select(Attachment).where(Attachment.message_id == msg.id)
                                   .order_by(Attachment.position, Attachment.id)))
        docs = list(self.s.scalars(select(Document).where(Document.attachment_id.in_([a.id for a in atts]))
                                   .order_by(Document.id))) if atts else []
        by_att = {a.id: a for a in atts}
        findings: dict[int, list[tuple[Finding, Page | None]]] = defaultdict(list)
        if docs:
            q = (select(Finding, Page).outerjoin(Page, Page.id == Finding.page_id)
                 .where(Finding.document_id.in_([d.id for d in docs]), Finding.state == "open"))
            for f, page in self.s.execute(q):
                findings[f.document_id].append((f, page))  # type: ignore[index]
        lines, verdicts = [], set()
        for d in docs:
            att = by_att.get(d.attachment_id)
            unit = self.s.get(Unit, d.unit_id) if d.unit_id else None
            head = f"{unit.name if unit else '（未能确定单位）'}（附件“{att.name if att else ''}”）"
            items = findings.get(d.id, [])
            fix = [(f, p) for f, p in items if for_unit(f)]
            if unit is None:
                verdicts.add("需要修改")
                lines.append(f"{head}：未能确定所属单位，请使用系统导出的报表，并在邮件正文注明单位全称和统一社会信用代码")
            elif fix:
                verdicts.add("需要修改")
                lines.append(f"{head}：需要修改——\n" + numbered(problem_lines(fix, self.template), "   "))
            elif any(f.severity != "info" for f, _p in items):
                verdicts.add("正在核对")
                lines.append(f"{head}：已收到，正在人工核对")
            else:
                verdicts.add("合格")
                lines.append(f"{head}：识别结果：合格")
        for a in atts:
            if a.status in UNREADABLE:
                verdicts.add("需要修改")
                lines.append(f"附件“{a.name or '（无名）'}”无法打开（{UNREADABLE[a.status]}），请重新发送")
            elif a.status == "link":
                verdicts.add("正在核对")
                lines.append(f"附件“{a.name or a.url or ''}”为超大附件链接，我们将手工下载后核对")
            elif a.status == "duplicate":
                lines.append(f"附件“{a.name or ''}”与此前收到的附件内容相同，已记为再次收到")
        if not lines:
            verdicts.add("需要修改")
            lines.append("邮件中没有找到调查表扫描件，请将盖章扫描件作为附件发送")
        verdict = next(v for v in ("需要修改", "正在核对", "合格") if v in verdicts or v == "合格")
        named = sorted(f.id for d in docs for f, _p in findings.get(d.id, []) if for_unit(f))
        return numbered(lines), verdict, {"documents": [d.id for d in docs], "findings": named}

    def _references(self, msg: Message) -> str | None:
        """RFC 5322: the parent's References (or In-Reply-To) followed by the parent's Message-ID."""
        if not msg.message_id_header:
            return None
        parent: list[str] = []
        try:
            raw = archive.resolve(self.ws.archive_dir, msg.archive_path or "").read_bytes()
            head = BytesParser().parsebytes(raw, headersonly=True)
            parent = (str(head.get("References") or head.get("In-Reply-To") or "")).split()
        except (OSError, ValueError):
            pass  # the reply still threads by In-Reply-To
        return " ".join([*parent[-10:], msg.message_id_header])

    # --- rescan requests ----------------------------------------------------------------------
    def rescans(self) -> None:
        docs = current_documents(self.s)
        q = (select(Finding, Page).outerjoin(Page, Page.id == Finding.page_id)
             .where(Finding.year == self.year, Finding.state == "open", Finding.document_id.is_not(None)))
        by_doc: dict[int, list[tuple[Finding, Page | None]]] = defaultdict(list)
        for f, page in self.s.execute(q):
            if for_unit(f):
                by_doc[f.document_id].append((f, page))  # type: ignore[index]
        wanted = set()
        for unit_id, doc in docs.items():
            items = by_doc.get(doc.id)
            if not items:
                continue
            wanted.add(doc.id)
            unit = self.s.get(Unit, unit_id)
            att = self.s.get(Attachment, doc.attachment_id)
            msg = self.s.get(Message, att.message_id) if att else None
            assert unit is not None
            self.add("rescan", f"rescan:document:{doc.id}", unit, self.unit_addresses(unit), {
                "unit_name": unit.name, "received_at": _when(doc.created_at),
                "attachment": f"“{att.name}”" if att and att.name else "", "problems":
                    numbered(problem_lines(items, self.template)),
            }, {"document_id": doc.id, "findings": sorted(f.id for f, _p in items)},
                in_reply_to=msg.message_id_header if msg else None,
                references=msg.message_id_header if msg else None)
        # a draft nobody approved whose problems are gone (new scan, or resolved) is withdrawn;
        # a person's decision (rescan:decision:…) stays
        for row in self.s.scalars(select(OutgoingMail).where(OutgoingMail.kind == "rescan",
                                                             OutgoingMail.state == "draft")):
            if row.dedupe_key.startswith("rescan:document:") and (row.about or {}).get("document_id") not in wanted:
                self.s.execute(delete(OutgoingMail).where(OutgoingMail.id == row.id))
                self.keys.discard(row.dedupe_key)
                self.report.withdrawn += 1

    # --- reminders ----------------------------------------------------------------------------
    def reminders(self) -> None:
        due = {name: d for name, d in self.cfg.deadlines.items()
               if 0 <= (d - self.today).days <= self.cfg.reminder_days_before}
        if not due:
            return
        statuses = unit_statuses(self.s, self.year, today=self.today)
        summaries = admin_summaries(self.s, self.year, statuses)
        for name, deadline in sorted(due.items(), key=lambda x: x[1]):
            common = {"deadline": f"{deadline:%Y-%m-%d}", "deadline_label": DEADLINE_LABELS.get(name, name),
                      "days_left": (deadline - self.today).days, "today": f"{self.today:%Y-%m-%d}"}
            for st in statuses:
                if st.scan == "missing":
                    self.add("reminder", f"reminder:{name}:{deadline}:{st.unit.id}", st.unit,
                             self.unit_addresses(st.unit), {**common, "unit_name": st.unit.name},
                             {"deadline": name, "date": str(deadline)})
            for adm in summaries:
                missing = [u for u in adm.missing if u.id != adm.admin.id]
                if missing:
                    listing = numbered([f"{u.name}（账号 {u.account}）" for u in missing])
                    self.add("admin_reminder", f"admin_reminder:{name}:{deadline}:{adm.admin.id}", adm.admin,
                             self.unit_addresses(adm.admin),
                             {**common, "admin_name": adm.admin.name, "total": adm.total - 1,
                              "missing_count": len(missing), "missing_list": listing},
                             {"deadline": name, "date": str(deadline), "units": [u.id for u in missing]})


def request_rescan(ws: Workspace, session: Session, cfg: MailConfig, document_id: int, reasons: list[str],
                   by: str) -> OutgoingMail | None:
    """A person's decision "request a rescan" (e.g. from the web portal): approved by that person at once.
    One per document; None if that document already has one (or has no unit). The caller commits."""
    d = Drafter(ws, session, cfg, local_today())
    doc = session.get(Document, document_id)
    unit = session.get(Unit, doc.unit_id) if doc and doc.unit_id else None
    if doc is None or unit is None or not reasons:
        return None
    att = session.get(Attachment, doc.attachment_id)
    msg = session.get(Message, att.message_id) if att else None
    row = d.add("rescan", f"rescan:decision:{doc.id}", unit, d.unit_addresses(unit), {
        "unit_name": unit.name, "received_at": _when(doc.created_at),
        "attachment": f"“{att.name}”" if att and att.name else "", "problems": numbered(reasons),
    }, {"document_id": doc.id, "decision_by": by}, in_reply_to=msg.message_id_header if msg else None,
        references=msg.message_id_header if msg else None)
    if row is not None and row.recipients:
        row.state, row.approved_at, row.approved_by = "approved", utc_now(), by
    return row


def decided_rescans(ws: Workspace, session: Session, cfg: MailConfig) -> list[OutgoingMail]:
    """Standing "request a rescan" decisions of people (matching.decisions, taken in the web portal),
    one mail per form naming its problems and the person's reason, approved by that person."""
    from matching.decisions import rescan_requests

    by_doc: dict[int, list] = defaultdict(list)
    for dec in rescan_requests(session):
        if dec.finding.document_id is not None:
            by_doc[dec.finding.document_id].append(dec)
    template = default_template(ws.year)
    rows = []
    for doc_id, decs in sorted(by_doc.items()):
        items = [(d.finding, session.get(Page, d.finding.page_id) if d.finding.page_id else None) for d in decs]
        reasons = problem_lines(items, template) + [f"审核意见：{d.reason}" for d in decs]
        row = request_rescan(ws, session, cfg, doc_id, reasons, by=decs[-1].user_name)
        if row is not None:
            rows.append(row)
    return rows


def draft_all(ws: Workspace, session: Session, cfg: MailConfig, today: date) -> DraftReport:
    """Draft every mail the current state calls for; the caller commits."""
    d = Drafter(ws, session, cfg, today)
    d.receipts()
    d.rescans()
    d.reminders()
    decided_rescans(ws, session, cfg)
    return d.report
