"""The intake run: fetch → archive → extract → (hook) → processed → server action → done.

Exactly-once rules:
- raw bytes are written to the content-addressed archive before any database row exists;
- a message row and its folder's last_uid advance in one transaction;
- all attachment rows of a message and its state change commit in one transaction;
- the server action (move/flag) runs only after "processed" is committed, and is idempotent,
  so a crash between the action and "done" just repeats the action;
- a message already known by content (same account/folder/sha256 under another UIDVALIDITY, or
  a local file read again) is never stored twice.
"""

from __future__ import annotations

import email.utils
import errno
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from intake import archive
from intake.classify import is_auto_reply, is_bounce
from intake.decoding import header_text, sender_text
from intake.extract import Found, extract
from intake.imap_source import CONNECTION_ERRORS
from intake.limits import Limits
from intake.lock import intake_lock
from intake.sniff import EXTENSIONS
from intake.sources import Connection, SourceError, SourceSpec, open_source, parse_source
from kptj.workspace import Workspace
from registry.models import Attachment, IntakeFolder, Message

OnAttachments = Callable[[Session, Message, list[Attachment]], None]
"""Called inside the message's transaction with its `document` attachments (may be empty).
Raise to mark the message failed (retried next run); return normally to mark it processed."""
Observer = Callable[[str, dict], None]
Prepare = Callable[[list[int]], None]
"""Called with the ids of a source's pending messages once all of them are extracted, before the
first hook call (e.g. to queue all their pages for distributed reading at once)."""

USABLE = ("document", "duplicate")


@dataclass
class SourceResult:
    source: str
    archived: int = 0
    processed: int = 0
    done: int = 0
    failed: int = 0
    reconnects: int = 0
    error: str | None = None


@dataclass
class IntakeReport:
    sources: list[SourceResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.error is None for s in self.sources)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def run_intake(workspace: Workspace, sources: Sequence[SourceSpec | str], *,
               on_attachments: OnAttachments | None = None, limits: Limits | None = None,
               max_attempts: int = 3, observer: Observer | None = None, max_rounds: int = 10,
               max_reconnects: int = 3, retry_errors: bool = False, prepare: Prepare | None = None) -> IntakeReport:
    """Ingest every source in turn; a failing source or message never stops the others.

    Failed messages are retried on later runs until they have failed `max_attempts` times;
    retry_errors=True gives those another `max_attempts` (after the cause has been fixed)."""
    run = _Run(workspace, on_attachments, limits or Limits(), max_attempts,
               observer or (lambda _e, _d: None), max_rounds, max_reconnects)
    run.prepare = prepare if on_attachments is not None else None
    report = IntakeReport()
    with intake_lock(workspace.home):
        archive.remove_stale_temp_files(workspace.archive_dir)
        if retry_errors:
            with run.sessions.begin() as s:
                s.execute(update(Message).where(Message.state == "error").values(attempts=0))
        for item in sources:
            spec = parse_source(item) if isinstance(item, str) else item
            result = SourceResult(spec.describe())
            report.sources.append(result)
            run.ingest(spec, result)
    return report


DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class _Run:
    def __init__(self, ws: Workspace, hook: OnAttachments | None, limits: Limits, max_attempts: int,
                 observer: Observer, max_rounds: int, max_reconnects: int) -> None:
        self.ws, self.hook, self.limits = ws, hook, limits
        self.max_attempts, self.emit = max_attempts, observer
        self.max_rounds, self.max_reconnects = max_rounds, max_reconnects
        self.sessions = ws.sessions()
        self.prepare: Prepare | None = None

    # --- one source ---------------------------------------------------------------------------
    def ingest(self, spec: SourceSpec, result: SourceResult) -> None:
        reconnects = 0
        while True:
            try:
                conn = open_source(spec)
            except SourceError as exc:
                result.error = str(exc)
                self.emit("source_error", {"source": spec.describe(), "error": str(exc)})
                self._process_pending(spec, result)  # earlier, already archived mail still gets done
                return
            try:
                self._rounds(spec, conn, result)
                return
            except CONNECTION_ERRORS as exc:
                if isinstance(exc, OSError) and exc.errno in DISK_FULL:  # our disk, not the server's line
                    result.error = (f"工作目录所在磁盘空间已满（{exc.strerror}），已收到的邮件不受影响；"
                                    "腾出空间后下次运行时继续")
                    self.emit("source_error", {"source": spec.describe(), "error": result.error})
                    return
                reconnects += 1
                result.reconnects = reconnects
                self.emit("disconnected", {"source": spec.describe(), "error": repr(exc)})
                if reconnects > self.max_reconnects:
                    result.error = f"与邮件服务器的连接多次中断（{exc}），下次运行时继续"
                    return
            except Exception as exc:  # noqa: BLE001 - e.g. disk full: stop this source, not the run
                result.error = f"收取中断（{type(exc).__name__}: {exc}），已收到的邮件不受影响，下次运行时继续"
                self.emit("source_error", {"source": spec.describe(), "error": result.error})
                return
            finally:
                conn.close()

    def _rounds(self, spec: SourceSpec, conn: Connection, result: SourceResult) -> None:
        for _ in range(self.max_rounds):
            new = self._fetch_new(spec, conn, result)
            self._process_pending(spec, result)
            self._server_actions(spec, conn, result)
            if new == 0 or spec.kind in ("maildir", "folder"):
                break

    # --- fetch and archive --------------------------------------------------------------------
    def _fetch_new(self, spec: SourceSpec, conn: Connection, result: SourceResult) -> int:
        if spec.kind in ("maildir", "folder"):
            return self._fetch_local(spec, conn, result)
        with self.sessions.begin() as s:
            state = s.scalar(select(IntakeFolder).where(IntakeFolder.account == spec.account,
                                                        IntakeFolder.folder == spec.folder))
            if state is None:
                state = IntakeFolder(account=spec.account, folder=spec.folder, last_uid=0)
                s.add(state)
            if state.uidvalidity != conn.uidvalidity:
                # New folder, or the server recreated it: every UID is new; content decides.
                if state.uidvalidity is not None:
                    self.emit("uidvalidity_changed", {"source": spec.describe(), "old": state.uidvalidity,
                                                      "new": conn.uidvalidity})
                state.uidvalidity, state.last_uid = conn.uidvalidity, 0
            state.checked_at, state.last_error = now(), None
            last_uid, state_id = state.last_uid, state.id
        count = 0
        for uid in conn.poll(last_uid):
            with self.sessions() as s:
                known = s.scalar(select(Message.id).where(
                    Message.account == spec.account, Message.folder == spec.folder,
                    Message.uidvalidity == conn.uidvalidity, Message.uid == uid))
            raw = None if known else conn.fetch(uid)
            if raw is not None:
                self._archive(spec, raw, conn.uidvalidity, uid, state_id)
                count += 1
                result.archived += 1
            else:
                with self.sessions.begin() as s:
                    folder = s.get(IntakeFolder, state_id)
                    assert folder is not None
                    folder.last_uid = max(folder.last_uid, uid)
        return count

    def _fetch_local(self, spec: SourceSpec, conn: Connection, result: SourceResult) -> int:
        count = 0
        for item in conn.local_items():
            digest = archive.sha256(item.raw)
            with self.sessions() as s:
                if s.scalar(select(Message.id).where(Message.account == spec.account,
                                                     Message.folder == spec.folder, Message.sha256 == digest)):
                    continue
            self._archive(spec, item.raw, None, None, None)
            count += 1
            result.archived += 1
        return count

    def _archive(self, spec: SourceSpec, raw: bytes, uidvalidity: int | None, uid: int | None,
                 state_id: int | None) -> None:
        digest = archive.sha256(raw)
        rel = archive.store(self.ws.archive_dir, "mail", raw, ".eml", digest)  # before any row
        with self.sessions.begin() as s:
            same = None
            if uidvalidity is not None:
                # Same bytes already known under an older UIDVALIDITY: it is the same mail, renumbered.
                same = s.scalar(select(Message).where(
                    Message.account == spec.account, Message.folder == spec.folder, Message.sha256 == digest,
                    or_(Message.uidvalidity != uidvalidity, Message.uidvalidity.is_(None))).limit(1))
            if same is not None:
                same.uidvalidity, same.uid = uidvalidity, uid
                if same.state == "done":
                    same.state = "processed"  # it is back in the folder: repeat the server action
            else:
                s.add(Message(account=spec.account, folder=spec.folder, uidvalidity=uidvalidity, uid=uid,
                              sha256=digest, archive_path=rel, size=len(raw), state="archived", attempts=0,
                              fetched_at=now()))
            if state_id is not None and uid is not None:
                folder = s.get(IntakeFolder, state_id)
                assert folder is not None
                folder.last_uid = max(folder.last_uid, uid)
        self.emit("archived", {"source": spec.describe(), "uid": uid, "sha256": digest})

    # --- extract and process ------------------------------------------------------------------
    def _process_pending(self, spec: SourceSpec, result: SourceResult) -> None:
        with self.sessions() as s:
            ids = s.scalars(select(Message.id).where(
                Message.account == spec.account, Message.folder == spec.folder,
                or_(Message.state.in_(("fetched", "archived", "extracted")),
                    (Message.state == "error") & (Message.attempts < self.max_attempts)))
                .order_by(Message.id)).all()
        if self.prepare is not None and ids:
            ready = []
            for mid in ids:  # extract all first: a failure here is recorded like in _process_one
                if self._process_one(mid, spec, extract_only=True):
                    ready.append(mid)
                else:
                    result.failed += 1
            ids = ready
            try:
                self.prepare(ids)
            except Exception as exc:  # noqa: BLE001 - only a head start: each message is read by its hook anyway
                self.emit("error", {"prepare": len(ids), "error": f"{type(exc).__name__}: {exc}"})
        for mid in ids:
            ok = self._process_one(mid, spec)
            if ok:
                result.processed += 1
                if spec.kind in ("maildir", "folder"):
                    result.done += 1
            else:
                result.failed += 1

    def _process_one(self, mid: int, spec: SourceSpec, extract_only: bool = False) -> bool:
        s = self.sessions()
        stage = "archived"
        try:
            msg = s.get(Message, mid)
            assert msg is not None
            stage = msg.error_stage if msg.state == "error" and msg.error_stage else msg.state
            if stage in ("fetched", "archived"):
                stage = "archived"
                self._extract(s, msg)
                if self.hook is not None:
                    msg.state = "extracted"
                    s.commit()
            stage = "extracted"
            if extract_only:
                return True
            if self.hook is not None:
                docs = [a for a in self._attachments(s, msg) if a.status == "document"]
                self.hook(s, msg, docs)
            msg.state = "processed"
            msg.processed_at = now()
            msg.error_stage = None
            msg.last_error = None
            if spec.kind in ("maildir", "folder"):
                msg.state, msg.done_at = "done", now()  # nothing to do on the server
            s.commit()
            self.emit("processed", {"message": mid, "classification": msg.classification})
            return True
        except Exception as exc:  # noqa: BLE001 - one bad message must never stop the run
            s.rollback()
            with self.sessions.begin() as s2:
                msg = s2.get(Message, mid)
                if msg is not None:
                    msg.attempts = (msg.attempts or 0) + 1
                    msg.state, msg.error_stage = "error", stage
                    msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            self.emit("error", {"message": mid, "error": f"{type(exc).__name__}: {exc}"})
            return False
        finally:
            s.close()

    def _attachments(self, s: Session, msg: Message) -> list[Attachment]:
        return list(s.scalars(select(Attachment).where(Attachment.message_id == msg.id)
                              .order_by(Attachment.position, Attachment.id)))

    def _extract(self, s: Session, msg: Message) -> None:
        raw = archive.resolve(self.ws.archive_dir, msg.archive_path or "").read_bytes()
        for old in self._attachments(s, msg):  # a retried extraction starts clean
            s.delete(old)
        s.flush()
        parsed = extract(raw, self.limits)
        head = parsed.msg
        warnings: list[str] = []
        subject = header_text(head, "Subject", warnings)
        sender = sender_text(head, warnings)
        bounce = is_bounce(head, sender, subject)
        if bounce:
            parsed.found = []  # a bounce carries our own mail back: not a submission
        warnings += [w for w in parsed.warnings if w not in warnings]
        msg.subject = subject
        msg.sender = sender[:500] if sender else None
        # as text even when raw 8-bit bytes made the email package return a Header object
        msg.message_id_header = (header_text(head, "Message-ID", warnings) or "").strip()[:500] or None
        msg.sent_at = _sent_at(header_text(head, "Date", warnings), warnings)
        for position, found in enumerate(parsed.found):
            s.add(self._attachment_row(s, msg, found, position))
            s.flush()  # later duplicates in the same mail must see this one
        usable = any(a.status in USABLE for a in self._attachments(s, msg))
        if usable:
            msg.classification = "attachments"
        elif bounce:
            msg.classification = "bounce"
        elif is_auto_reply(head, subject):
            msg.classification = "auto_reply"
        else:
            msg.classification = "no_attachment"
        msg.decode_warnings = warnings or None

    def _attachment_row(self, s: Session, msg: Message, found: Found, position: int) -> Attachment:
        digest = archive.sha256(found.data) if found.data is not None else None
        row = Attachment(message_id=msg.id, name=found.name, sha256=digest,
                         size=len(found.data) if found.data is not None else None,
                         declared_type=found.declared_type, detected_type=found.detected_type,
                         status=found.status, detail=found.detail, member_path=found.member_path,
                         page_count=found.pages, url=found.url, position=position)
        if found.data:
            suffix = EXTENSIONS.get(found.detected_type or "", ".bin")
            row.archive_path = archive.store(self.ws.archive_dir, "files", found.data, suffix, digest,
                                             durable=False)
        if found.status == "document" and digest:
            first = s.scalar(select(Attachment).where(Attachment.sha256 == digest,
                                                      Attachment.status == "document")
                             .order_by(Attachment.id).limit(1))
            if first is not None:
                row.status, row.duplicate_of = "duplicate", first.id
                row.detail = f"与已收到的附件 #{first.id}（邮件 #{first.message_id}）内容完全相同，记为再次收到"
        return row

    # --- server action ------------------------------------------------------------------------
    def _server_actions(self, spec: SourceSpec, conn: Connection, result: SourceResult) -> None:
        with self.sessions() as s:
            rows = s.execute(select(Message.id, Message.uid).where(
                Message.account == spec.account, Message.folder == spec.folder, Message.state == "processed",
                Message.uidvalidity == conn.uidvalidity, Message.uid.is_not(None)).order_by(Message.uid)).all()
        if not rows:
            return
        self._durability_barrier()
        for start in range(0, len(rows), ACTION_BATCH):
            batch = rows[start:start + ACTION_BATCH]
            try:
                conn.server_action([int(uid) for _mid, uid in batch])
            except CONNECTION_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. the server refuses the target folder
                with self.sessions.begin() as s:
                    for mid, _uid in batch:
                        msg = s.get(Message, mid)
                        assert msg is not None
                        msg.last_error = f"处理后动作失败（下次重试）：{type(exc).__name__}: {exc}"[:2000]
                continue
            with self.sessions.begin() as s:
                for mid, _uid in batch:
                    msg = s.get(Message, mid)
                    assert msg is not None
                    msg.state, msg.done_at, msg.last_error = "done", now(), None
            result.done += len(batch)
            self.emit("done", {"messages": [mid for mid, _ in batch]})

    def _durability_barrier(self) -> None:
        """Everything committed so far reaches the disk before the server forgets a message."""
        engine = self.sessions.kw["bind"]
        if engine.dialect.name == "sqlite":
            with engine.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")


ACTION_BATCH = 100


def _sent_at(value: str | None, warnings: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        warnings.append(f"Date: unparseable {value[:60]!r}")
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt
