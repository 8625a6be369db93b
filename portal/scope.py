"""The one scope rule: a bureau user's request sees its administrator's subtree and nothing else.

It is applied centrally, to every ORM SELECT the request's database session runs (a
`do_orm_execute` hook adding `with_loader_criteria` for every table that belongs to a unit), so no
page has to remember to filter: a row outside the subtree simply does not exist for that session,
and a guessed URL for another unit, document, page image, crop or export answers 404. Tables with no
unit (users, sessions, mailbox sync state, import batches) are hidden from such a session entirely.
"""

from __future__ import annotations

from sqlalchemy import Select, event, false, select
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

SCOPE_KEY = "kptj_scope"
_units = Unit.__table__  # plain table: the loader criteria below apply to ORM entities, not to it


def restrict(session: Session, year: int, admin_account: str) -> None:
    """From now on this session sees only `admin_account` and its subtree (criteria built once)."""
    session.info[SCOPE_KEY] = _criteria(year, admin_account)


def subtree_ids_query(year: int, admin_account: str) -> Select:
    """The ids of the administrator and its whole subtree, as one recursive query (the same rule
    as registry.tree.subtree), so every statement compiles once and the database walks the tree."""
    tree = (select(_units.c.id).where(_units.c.year == year, _units.c.account == admin_account)
            .cte("scope_tree", recursive=True))
    tree = tree.union_all(select(_units.c.id).where(_units.c.admin_id == tree.c.id))
    return select(tree.c.id)


def _criteria(year: int, account: str) -> list:
    units = subtree_ids_query(year, account)
    doc_ids = select(Document.__table__.c.id).where(Document.__table__.c.unit_id.in_(units))
    att_ids = select(Document.__table__.c.attachment_id).where(Document.__table__.c.unit_id.in_(units))
    page_ids = select(Page.__table__.c.id).where(Page.__table__.c.document_id.in_(doc_ids))
    record_ids = select(OnlineRecord.__table__.c.id).where(OnlineRecord.__table__.c.unit_id.in_(units))
    msg_ids = select(Attachment.__table__.c.message_id).where(Attachment.__table__.c.id.in_(att_ids))
    by_unit = [with_loader_criteria(m, m.unit_id.in_(units), include_aliases=True)  # type: ignore[attr-defined]
               for m in (Finding, Document, OnlineRecord, UnitChange, Decision, AuditEntry)]
    return [
        with_loader_criteria(Unit, Unit.id.in_(units), include_aliases=True),
        *by_unit,
        with_loader_criteria(Page, Page.id.in_(page_ids), include_aliases=True),
        with_loader_criteria(Reading, Reading.page_id.in_(page_ids), include_aliases=True),
        with_loader_criteria(Attachment, Attachment.id.in_(att_ids), include_aliases=True),
        with_loader_criteria(Message, Message.id.in_(msg_ids), include_aliases=True),
        with_loader_criteria(RecordValue, RecordValue.record_id.in_(record_ids), include_aliases=True),
        with_loader_criteria(RecordChange, RecordChange.record_id.in_(record_ids), include_aliases=True),
        *(with_loader_criteria(m, false(), include_aliases=True)
          for m in (User, PortalSession, IntakeFolder, ImportBatch)),
    ]


def _apply(state: ORMExecuteState) -> None:
    criteria = state.session.info.get(SCOPE_KEY)
    if criteria is None or not state.is_select:
        return
    state.statement = state.statement.options(*criteria)


def install(sessions: sessionmaker[Session]) -> None:
    """Hook the rule into every session this factory makes (sessions without a scope are unaffected)."""
    if not event.contains(sessions, "do_orm_execute", _apply):
        event.listen(sessions, "do_orm_execute", _apply)
