"""The one scope rule: a bureau user's request sees its administrator's subtree and nothing else.

It is applied centrally, to every ORM SELECT the request's database session runs (a
`do_orm_execute` hook adding `with_loader_criteria` for every table that belongs to a unit), so no
page has to remember to filter: a row outside the subtree simply does not exist for that session,
and a guessed URL for another unit, document, page image, crop or export answers 404. Tables with no
unit (users, sessions, mailbox sync state, import batches) are hidden from such a session entirely.
"""

from __future__ import annotations

from sqlalchemy import event, false, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from registry.models import (
    Attachment,
    Document,
    Finding,
    ImportBatch,
    IntakeFolder,
    Message,
    OnlineRecord,
    Page,
    Reading,
    RecordChange,
    RecordValue,
    Unit,
    UnitChange,
)
from registry.portal_models import AuditEntry, Decision, PortalSession, User
from registry.tree import subtree_ids

SCOPE_KEY = "kptj_scope_unit_ids"


def restrict(session: Session, year: int, admin_account: str) -> set[int]:
    """From now on this session sees only `admin_account` and its subtree (ids computed unscoped, once)."""
    ids = set(subtree_ids(session, year, admin_account))
    session.info[SCOPE_KEY] = ids
    return ids


def _criteria(ids: set[int]) -> list:
    units = sorted(ids)
    doc_ids = select(Document.id).where(Document.unit_id.in_(units))
    att_ids = select(Document.attachment_id).where(Document.unit_id.in_(units))
    page_ids = select(Page.id).where(Page.document_id.in_(doc_ids))
    record_ids = select(OnlineRecord.id).where(OnlineRecord.unit_id.in_(units))
    by_unit = [with_loader_criteria(m, m.unit_id.in_(units), include_aliases=True)  # type: ignore[attr-defined]
               for m in (Finding, Document, OnlineRecord, UnitChange, Decision, AuditEntry)]
    return [
        with_loader_criteria(Unit, Unit.id.in_(units), include_aliases=True),
        *by_unit,
        with_loader_criteria(Page, Page.id.in_(page_ids), include_aliases=True),
        with_loader_criteria(Reading, Reading.page_id.in_(page_ids), include_aliases=True),
        with_loader_criteria(Attachment, Attachment.id.in_(att_ids), include_aliases=True),
        with_loader_criteria(Message, Message.id.in_(select(Attachment.message_id).where(Attachment.id.in_(att_ids))),
                             include_aliases=True),
        with_loader_criteria(RecordValue, RecordValue.record_id.in_(record_ids), include_aliases=True),
        with_loader_criteria(RecordChange, RecordChange.record_id.in_(record_ids), include_aliases=True),
        *(with_loader_criteria(m, false(), include_aliases=True)
          for m in (User, PortalSession, IntakeFolder, ImportBatch)),
    ]


def _apply(state: ORMExecuteState) -> None:
    ids = state.session.info.get(SCOPE_KEY)
    if ids is None or not state.is_select:
        return
    state.statement = state.statement.options(*_criteria(ids))


def install(sessions: sessionmaker[Session]) -> None:
    """Hook the rule into every session this factory makes (sessions without a scope are unaffected)."""
    if not event.contains(sessions, "do_orm_execute", _apply):
        event.listen(sessions, "do_orm_execute", _apply)
